"""Sentry, only when SENTRY_DSN is set: an error in a view reaches the Sentry server (here a
small HTTP server on loopback speaking the envelope protocol's receiving end), without the
person's cookies or address; with no DSN nothing is set up."""

import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
import zlib

import pytest
from django.conf import settings
from django.urls import path

from config import urls as site_urls
from tests.e2e import database_url


def boom(request):
    raise ZeroDivisionError("sentry test: the view divided by zero")


# The site's URLs and one view that fails; the site process below uses them.
urlpatterns = [*site_urls.urlpatterns, path("boom/", boom)]


class SentryReceiver(http.server.BaseHTTPRequestHandler):
    """Records each envelope POSTed to /api/<project>/envelope/ and answers 200 as Sentry does."""

    envelopes: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.envelopes.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def sentry_server():
    envelopes: list = []
    handler = type("Receiver", (SentryReceiver,), {"envelopes": envelopes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], envelopes
    server.shutdown()
    server.server_close()


def events(envelopes) -> list[dict]:
    """The error events in the envelopes (each: a header line, then item header and payload)."""
    found = []
    for _, _, body in envelopes:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


SITE = """
import django
django.setup()
import sentry_sdk
from django.test import Client, override_settings
client = sentry_sdk.get_client()
print("active", client.is_active())
print("integrations", ",".join(sorted(client.integrations)))
if client.is_active():
    with override_settings(ROOT_URLCONF="tests.test_sentry"):
        response = Client(HTTP_HOST="localhost", raise_request_exception=False).get(
            "/boom/", HTTP_COOKIE="sessionid=secret-session-cookie"
        )
    print("status", response.status_code)
    sentry_sdk.flush(timeout=10)
"""


def run_site(**env_extra) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(),
        **env_extra,
    }
    for name in ("SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_RELEASE"):
        if name not in env_extra:
            env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", SITE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_view_reaches_sentry_without_personal_data(sentry_server):
    port, envelopes = sentry_server
    out = run_site(
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42",
        SENTRY_ENVIRONMENT="fleet-test",
        SENTRY_RELEASE="tracker@1.2.3",
    )

    assert out["active"] == "True"
    assert {"django", "celery"} <= set(out["integrations"].split(","))
    assert out["status"] == "500"
    assert envelopes, "nothing reached the Sentry server"
    assert all(p == "/api/42/envelope/" for p, _, _ in envelopes)
    auth = envelopes[0][1].get("X-Sentry-Auth", "")
    assert "sentry_key=publickey" in auth
    [event] = events(envelopes)
    [exception] = event["exception"]["values"]
    assert exception["type"] == "ZeroDivisionError"
    assert exception["value"] == "sentry test: the view divided by zero"
    assert event["environment"] == "fleet-test"
    assert event["release"] == "tracker@1.2.3"
    assert event["transaction"] == "/boom/"
    raw = b"".join(body for _, _, body in envelopes)
    # send_default_pii off: no cookies, no address; no local variables (which hold
    # whatever the code held: addresses, item text, the session key).
    assert b"secret-session-cookie" not in raw
    assert "ip_address" not in event.get("user", {})
    frames = exception["stacktrace"]["frames"]
    assert frames[-1]["function"] == "boom"
    assert not any("vars" in frame for frame in frames)


@pytest.mark.django_db(transaction=True)
def test_without_a_dsn_nothing_is_set_up(sentry_server):
    _, envelopes = sentry_server
    out = run_site()
    assert out["active"] == "False"
    assert envelopes == []
