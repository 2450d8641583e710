"""HTTP load on a running server (gunicorn on loopback): sign in as a person of the generated
data, then request the same mix of managers' pages as benchmark_pages (that role's pages, in
turn) from --concurrency clients at once, each with its own keep-alive connection, for
--seconds each, and print requests per second, the median, 95th percentile and slowest
response and the errors (any answer but 200, or no answer).

The clients are threads of this process: at the tens of requests a second a 2-core machine
serves, they use a few per cent of one core (say how busy the machine was beside a figure).
"""

import http.client
import logging
import re
import statistics
import threading
import time
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts import two_factor
from accounts.models import TwoFactorDevice
from tracker.management.commands.benchmark_pages import PAGES, ROLE_NAMES, percentile
from tracker.management.commands.generate_load_data import SIGN_IN_PASSWORD, sign_in_accounts

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One keep-alive connection with its cookies. Behind a proxy that ends TLS the app sees
    `X-Forwarded-Proto: https` (set SECURE_PROXY_SSL_HEADER=1 on the server, as production)."""

    def __init__(self, base: str, timeout: float, proto: str = "https") -> None:
        parts = urlsplit(base)
        self.host = parts.netloc
        self.connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout
        )
        self.cookies: dict[str, str] = {}
        self.proto = proto
        self.origin = f"{proto}://{self.host}"

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": self.proto,
            "Accept": "text/html",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = f"{self.origin}{path}"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # a fresh connection next time
            raise
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers.items()), content

    def sign_in(self, email: str, password: str) -> None:
        """Through the sign-in pages: the form (for its CSRF token), the password, then the
        authenticator code when the person has an app."""
        status, _headers, page = self.request("GET", "/account/sign-in/")
        found = CSRF_FIELD.search(page)
        if status != 200 or not found:
            raise CommandError(f"The sign-in page answered {status} (is the server running?).")
        token = found.group(1).decode()
        status, headers, _ = self.request(
            "POST",
            "/account/sign-in/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
        )
        if status != 302:
            raise CommandError(f"Signing in as {email} answered {status}.")
        if "/sign-in/code/" in headers.get("Location", ""):
            status, _headers, page = self.request("GET", "/account/sign-in/code/")
            found = CSRF_FIELD.search(page)
            token = found.group(1).decode() if found else token
            device = TwoFactorDevice.objects.get(user__email=email)
            code, wait = two_factor.next_code(device, at=timezone.now())
            time.sleep(wait)
            status, headers, _ = self.request(
                "POST", "/account/sign-in/code/", {"csrfmiddlewaretoken": token, "code": code}
            )
            if status != 302 or "/sign-in/code/" in headers.get("Location", ""):
                raise CommandError(f"The authenticator code for {email} was refused.")


def run_level(
    session: "Session", urls: list[str], concurrency: int, seconds: float
) -> dict[str, Any]:
    """`concurrency` clients, each requesting the urls in turn (starting at different ones)
    until `seconds` have passed; every response's time and whether it was an error."""
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        mine = Session(f"http://{session.host}", timeout=120, proto=session.proto)
        mine.cookies = dict(session.cookies)
        k = n
        while time.perf_counter() < stop_at:
            url = urls[k % len(urls)]
            k += 1
            started = time.perf_counter()
            try:
                status, _headers, _body = mine.request("GET", url)
                problem = None if status == 200 else f"{url} answered {status}"
            except (OSError, http.client.HTTPException) as error:
                problem = f"{url}: {error.__class__.__name__}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if problem:
                    errors.append(problem)
        mine.connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": len(timings),
        "per_second": len(timings) / wall,
        "p50": statistics.median(timings) if timings else 0.0,
        "p95": percentile(timings, 0.95) if timings else 0.0,
        "max": max(timings, default=0.0),
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:3],
    }


class Command(BaseCommand):
    help = (
        "Load a running server (e.g. gunicorn -c python:config.gunicorn_conf config.wsgi, with "
        "SECURE_PROXY_SSL_HEADER=1) with the managers' pages of one role, signed in, at each "
        "--concurrency for --seconds, and print requests/s, p50/p95/max and errors as markdown."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--role", default="national", choices=list(PAGES))
        parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
        parser.add_argument("--seconds", type=float, default=30.0)
        parser.add_argument("--warm-up", type=float, default=5.0, dest="warm_up")
        parser.add_argument("--password", default=SIGN_IN_PASSWORD)
        parser.add_argument(
            "--proto",
            default="https",
            choices=["https", "http"],
            help="The X-Forwarded-Proto to send (https: as behind the TLS proxy; the server "
            "needs SECURE_PROXY_SSL_HEADER=1).",
        )
        parser.add_argument(
            "--page", action="append", help="Request only these addresses (repeatable)."
        )

    def handle(
        self,
        *args: Any,
        url: str,
        role: str,
        concurrency: list[int],
        seconds: float,
        warm_up: float,
        password: str,
        proto: str,
        page: list[str] | None,
        **options: Any,
    ) -> None:
        logging.getLogger("axes").setLevel(logging.WARNING)  # a line a sign-in otherwise
        email = sign_in_accounts().get(role)
        if email is None:
            raise CommandError("No load data: run generate_load_data first.")
        urls = page or [address for _label, address, _floor in PAGES[role]]
        session = Session(url, timeout=120, proto=proto)
        session.sign_in(email, password)
        for address in urls:  # each page once, signed in, before any timing
            status, _headers, _body = session.request("GET", address)
            if status != 200:
                raise CommandError(f"{address} answered {status} for {email}.")
        session.connection.close()
        self.stdout.write(
            f"Signed in as {ROLE_NAMES[role]} ({email}); {len(urls)} pages in turn: "
            f"{' '.join(urls)}; {seconds:g} s at each concurrency after {warm_up:g} s warm-up"
        )
        if warm_up > 0:
            run_level(session, urls, max(concurrency), warm_up)
        rows = [run_level(session, urls, n, seconds) for n in concurrency]
        self.stdout.write("")
        self.stdout.write(
            "| Concurrency | Requests | Requests/s | p50 ms | p95 ms | Max ms | Errors |"
        )
        self.stdout.write("|---|---|---|---|---|---|---|")
        for r in rows:
            self.stdout.write(
                f"| {r['concurrency']} | {r['requests']} | {r['per_second']:.1f} | "
                f"{r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} | {r['errors']} |"
            )
        for r in rows:
            for problem in r["first_errors"]:
                self.stdout.write(f"At {r['concurrency']}: {problem}")
