"""A real webhook receiver on loopback for the webhook tests, and the checks of
scripts/webhook-receiver's signature verification (the code docs/webhooks.md shows)."""

import contextlib
import importlib.machinery
import importlib.util
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "webhook-receiver"


def receiver_script():
    """scripts/webhook-receiver as a module (it has no .py name)."""
    loader = importlib.machinery.SourceFileLoader("webhook_receiver_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@dataclass
class Request:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """An HTTP server in a thread that records each request and answers as told: `answers`
    is a list of what to do with the next requests ("ok", "500", "hang", "redirect:<url>");
    when it runs out, "ok"."""

    answers: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(Request(self.path, dict(self.headers.items()), body))
                answer = receiver.answers.pop(0) if receiver.answers else "ok"
                if answer == "hang":
                    receiver.released.wait(30)
                    answer = "ok"
                if answer.startswith("redirect:"):
                    self.send_response(302)
                    self.send_header("Location", answer.split(":", 1)[1])
                elif answer == "500":
                    self.send_response(500)
                else:
                    self.send_response(200)
                payload = b"ok" if answer == "ok" else b"broken"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the sender may have given up waiting
                    self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.released.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def test_the_receiver_script_accepts_a_good_signature():
    script = receiver_script()
    body = b'{"id": "x"}'
    now = int(time.time())
    import hashlib
    import hmac

    v1 = hmac.new(b"s3cret", f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    assert script.verify("s3cret", f"t={now},v1={v1}", body)


def test_the_receiver_script_refuses_a_changed_body_a_wrong_secret_and_an_old_signature():
    import hashlib
    import hmac

    script = receiver_script()
    body = b'{"id": "x"}'
    now = int(time.time())
    v1 = hmac.new(b"s3cret", f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    assert not script.verify("s3cret", f"t={now},v1={v1}", body + b" ")
    assert not script.verify("other", f"t={now},v1={v1}", body)
    old = now - 3600
    v1_old = hmac.new(b"s3cret", f"{old}.".encode() + body, hashlib.sha256).hexdigest()
    assert not script.verify("s3cret", f"t={old},v1={v1_old}", body)
    assert not script.verify("s3cret", "garbage", body)
