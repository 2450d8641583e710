"""Starting the real OpenID Connect provider (provider.mjs, the `oidc-provider` npm package)
on loopback for a test, and signing a chosen user in at it the way a browser would."""

import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

HERE = Path(__file__).parent
CLIENT_ID = "inspection-tracker"
CLIENT_SECRET = "a-client-secret-for-tests"  # noqa: S105 - the test provider's
USER_PASSWORD = "provider-password"  # noqa: S105 - the test provider's default


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed: the OIDC tests need Node.js 20 and npm.")
    return path


def install() -> None:
    """npm ci into this folder, once (node_modules is not committed)."""
    if not (HERE / "node_modules" / "oidc-provider").exists():
        subprocess.run(  # noqa: S603 - npm from PATH, our own lock file
            [_program("npm"), "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=600
        )


class Provider:
    """A provider process: `issuer`, `rotate_keys()`, `next_id_token(...)`, `stop()`."""

    def __init__(
        self,
        *,
        users: dict,
        redirect_uris: list[str],
        name: str = "Test provider",
        test_controls: bool = True,
        port: int = 0,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
    ) -> None:
        install()
        self._dir = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        config = Path(self._dir.name) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "port": port,
                    "name": name,
                    "test_controls": test_controls,
                    "clients": [
                        {
                            "client_id": client_id,
                            "client_secret": client_secret,
                            "redirect_uris": redirect_uris,
                        }
                    ],
                    "users": users,
                }
            )
        )
        self.process = subprocess.Popen(  # noqa: S603 - node with our own script
            [_program("node"), str(HERE / "provider.mjs"), str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            self.stop()
            raise RuntimeError("The OIDC provider did not start")
        self.issuer = json.loads(line)["issuer"]

    def rotate_keys(self) -> str:
        return requests.post(self.issuer + "/__test/rotate-keys", timeout=5).json()["kid"]

    def next_id_token(self, **change) -> None:
        """The next token response's ID token changed: claims=..., exp_offset=...,
        stranger_key=True."""
        requests.post(self.issuer + "/__test/next-id-token", data=json.dumps(change), timeout=5)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self._dir.cleanup()


def sign_in_at_provider(
    authorize_url: str, login: str, password: str = USER_PASSWORD, *, stop_at: str
) -> str:
    """Follow the provider's pages as a browser would (its sign-in form, filled in) and
    return the address it sends the browser back to (starting with `stop_at`)."""
    session = requests.Session()
    session.trust_env = False  # a test may set HTTPS_PROXY for the tracker to ignore
    response = session.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(10):
        location = urljoin(response.url, response.headers.get("Location", ""))
        if location.startswith(stop_at):
            return location
        if response.status_code in (302, 303):
            response = session.get(location, allow_redirects=False, timeout=10)
            continue
        form = re.search(r'<form method="post" action="([^"]+)"', response.text)
        if not form:
            raise AssertionError(f"Unexpected page at the provider: {response.text[:300]}")
        response = session.post(
            urljoin(response.url, form.group(1)),
            data={"login": login, "password": password},
            allow_redirects=False,
            timeout=10,
        )
    raise AssertionError("The provider never sent the browser back")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def wait_until_down(url: str) -> None:
    for _ in range(50):
        try:
            requests.get(url, timeout=0.2)
        except requests.RequestException:
            return
        time.sleep(0.1)


def free_port() -> int:
    """A loopback port nothing listens on (for a provider that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
