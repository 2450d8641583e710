"""One deadline for a whole webhook send (issue 15): a real receiver on loopback that trickles
its answer one byte at a time cannot hold the sender past connect + read timeouts, and a
sender's claim always outlasts a send (so the sweep never sends the same delivery twice at
once)."""

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.utils import timezone

from tests.test_webhooks import propose
from tracker import webhook_delivery, webhook_endpoints
from tracker.models import WebhookDelivery
from tracker.webhook_addresses import check_address, post


class Trickler:
    """A raw TCP receiver on loopback: it reads the request, then sends the status line and
    either its headers (`where="headers"`) or, after whole headers, its body
    (`where="body"`) one byte every `every` seconds, for at most `lasts` seconds."""

    def __init__(self, where: str = "headers", every: float = 0.1, lasts: float = 15):
        self.where, self.every, self.lasts = where, every, lasts
        self.server = socket.create_server(("127.0.0.1", 0))
        self.stopped = threading.Event()
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                self.requests += 1
                if self.where == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                ends = time.monotonic() + self.lasts
                while time.monotonic() < ends and not self.stopped.is_set():
                    conn.sendall(b"a")
                    time.sleep(self.every)
                if self.where == "headers":
                    conn.sendall(b"\r\nContent-Length: 2\r\n\r\nok")
            except OSError:
                pass  # the sender gave up: what the tests want

    def stop(self) -> None:
        self.stopped.set()
        self.server.close()


@pytest.fixture
def trickler():
    t = Trickler()
    yield t
    t.stop()


def test_headers_trickled_one_byte_at_a_time_end_at_the_deadline(trickler):
    target = check_address(trickler.url, allow_loopback=True)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        post(target, b"{}", {}, connect_timeout=1, read_timeout=1)
    took = time.monotonic() - started
    assert trickler.requests == 1
    assert took < 2.5, f"the send took {took:.1f} s, more than connect + read timeouts"


def test_a_body_trickled_past_the_deadline_is_cut_short_and_the_status_kept():
    trickler = Trickler(where="body", every=0.05)
    try:
        target = check_address(trickler.url, allow_loopback=True)
        started = time.monotonic()
        answer = post(target, b"{}", {}, connect_timeout=1, read_timeout=1)
        took = time.monotonic() - started
    finally:
        trickler.stop()
    assert answer.status == 200
    assert 0 < len(answer.body) < 100
    assert took < 2.5


def test_a_delivery_to_a_trickling_receiver_is_a_timeout_tried_again(world, settings, trickler):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_CONNECT_TIMEOUT = 1
    settings.WEBHOOK_READ_TIMEOUT = 1
    webhook_endpoints.endpoint_register(
        by=world.coordinator,
        name="Slow",
        target="json",
        url=trickler.url,
        events=["closure.proposed"],
    )
    propose(world)
    delivery = WebhookDelivery.objects.get()
    started = time.monotonic()
    assert webhook_delivery.delivery_attempt(delivery.pk, now=timezone.now()) == "retry"
    assert time.monotonic() - started < 3
    delivery.refresh_from_db()
    assert delivery.last_error == "The receiver did not answer in time."
    assert delivery.state == "pending"


def test_a_claim_always_outlasts_the_longest_send(settings):
    settings.WEBHOOK_CONNECT_TIMEOUT = 4
    settings.WEBHOOK_READ_TIMEOUT = 6
    settings.WEBHOOK_CLAIM_SECONDS = 3  # set wrongly past the settings' own check
    assert webhook_delivery.claim_seconds() > 4 + 6
    settings.WEBHOOK_CLAIM_SECONDS = 60
    assert webhook_delivery.claim_seconds() == 60


@pytest.mark.parametrize(("claim", "refused"), [("15", True), ("10", True), ("16", False)])
def test_settings_refuse_a_claim_not_longer_than_the_timeouts(claim, refused):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "WEBHOOK_CONNECT_TIMEOUT": "5",
        "WEBHOOK_READ_TIMEOUT": "10",
        "WEBHOOK_CLAIM_SECONDS": claim,
    }
    run = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.WEBHOOK_CLAIM_SECONDS"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if refused:
        assert run.returncode != 0
        assert "WEBHOOK_CLAIM_SECONDS must be longer than" in run.stderr
    else:
        assert run.returncode == 0, run.stderr[-2000:]
