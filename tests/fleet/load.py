"""Load through the balancer: signed-in people (a session each, through the real sign-in form)
who open an item's progress-update form and post an update, again and again, and read pages.

Every request is recorded with when it started and ended and what came back, so the test can
say which failed and when. A write counts as acknowledged only when the POST was answered with
a redirect to the item's page (the app's "Your update has been added").
"""

import html.parser
import http.client
import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

TIMEOUT = 30


@dataclass
class Attempt:
    thread: int
    method: str
    path: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all
    error: str = ""
    location: str = ""
    token: str = ""  # the text of the write, for a POST

    @property
    def acknowledged(self) -> bool:
        """A write the app said it made: redirected to the item's page."""
        return (
            self.method == "POST"
            and self.status == 302
            and self.location.startswith("/items/")
            and "/update/" not in self.location
        )

    @property
    def failed(self) -> bool:
        """No answer, or not the answer a person would expect: a page (200) for a GET, the
        redirect after a write for a POST (a 500, a 502/503 from the balancer, a form
        error, a refused CSRF token or being sent to the sign-in page all count)."""
        if self.error:
            return True
        if self.token:
            return not self.acknowledged
        if self.method == "POST":
            return self.status != 302
        return self.status != 200


class _FormInputs(html.parser.HTMLParser):
    """The hidden inputs of the page's forms (the CSRF token, and anything else the app puts
    there, such as a version)."""

    def __init__(self):
        super().__init__()
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.hidden[values["name"]] = values.get("value") or ""


def hidden_inputs(page: str) -> dict[str, str]:
    parser = _FormInputs()
    parser.feed(page)
    return parser.hidden


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's session: cookies kept, redirects not followed (so a 302 is seen)."""

    def __init__(self, site: str, thread: int, log: list[Attempt], lock: threading.Lock):
        self.site = site
        self.thread = thread
        self.log = log
        self.lock = lock
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, method: str, path: str, data: dict | None = None, token: str = ""):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # Only ever the balancer's address on the fleet's own network.
        request = urllib.request.Request(self.site + path, data=body, method=method)  # noqa: S310
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            request.add_header("Referer", self.site + path)
        started = time.time()
        status, error, location, text = None, "", "", ""
        try:
            try:
                with self.opener.open(request, timeout=TIMEOUT) as response:
                    status = response.status
                    text = response.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as exc:  # any status but 2xx, redirects included
                status = exc.code
                location = exc.headers.get("Location", "")
                text = exc.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            # No answer, or one cut off (the server died while sending it).
            error = f"{type(exc).__name__}: {exc}"
        attempt = Attempt(
            self.thread, method, path, started, time.time(), status, error, location, token
        )
        with self.lock:
            self.log.append(attempt)
        return attempt, text

    def sign_in(self, email: str, password: str) -> None:
        attempt, page = self.request("GET", "/account/sign-in/")
        if attempt.status != 200:
            raise RuntimeError(f"The sign-in page answered {attempt.status} {attempt.error}")
        form = hidden_inputs(page) | {"username": email, "password": password}
        attempt, _ = self.request("POST", "/account/sign-in/", form)
        if attempt.status != 302 or "sign-in" in attempt.location:
            raise RuntimeError(f"Signing in as {email} failed: {attempt.status} {attempt.location}")


@dataclass
class Load:
    site: str
    people: list[tuple[str, str]]  # (email, password), one thread each
    items: list[str]  # UUIDs of items each of them may write to
    max_writes: int = 2000  # per thread: the loop is bounded in count as well as in time
    pause: float = 0.05
    backoff: float = 0.5  # after a failure, as a person would wait before trying again
    log: list[Attempt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def start(self) -> None:
        browsers = []
        for n, (email, password) in enumerate(self.people):
            browser = Browser(self.site, n, self.log, self.lock)
            browser.sign_in(email, password)
            browsers.append(browser)
        for n, browser in enumerate(browsers):
            thread = threading.Thread(target=self._run, args=(n, browser), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _run(self, n: int, browser: Browser) -> None:
        try:
            for count in range(self.max_writes):
                if self.stop.is_set():
                    return
                item = self.items[(n + count) % len(self.items)]
                attempt, page = browser.request("GET", f"/items/{item}/update/")
                if not attempt.failed:
                    token = f"Fleet write {n}-{count} at {time.time():.3f}."
                    form = hidden_inputs(page) | {"text": token}
                    attempt, _ = browser.request(
                        "POST", f"/items/{item}/update/", form, token=token
                    )
                if not attempt.failed and count % 5 == 4:
                    attempt, _ = browser.request("GET", f"/items/{item}/")
                time.sleep(self.backoff if attempt.failed else self.pause)
        except Exception as exc:  # noqa: BLE001 - reported by the test, never swallowed
            self.problems.append(f"thread {n}: {type(exc).__name__}: {exc}")

    def finish(self, timeout: float = 60) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=timeout)

    def acknowledged(self) -> list[Attempt]:
        """POSTs answered with the redirect to the item's page."""
        return [a for a in self.log if a.token and a.acknowledged]
