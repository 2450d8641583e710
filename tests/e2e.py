"""What the end-to-end tests share: a real SMTP server on loopback, the worker's database
address, and waiting for a condition. Their fixtures (broker, mail_server, start_worker) are
in tests/conftest.py."""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from email import message_from_bytes

from django.db import connection

# Each pytest-xdist process has a Redis database of its own for its end-to-end tests (the
# broker fixture empties it before and after each): two processes sharing one emptied each
# other's queues and lost a task now and then. (xdist's `--dist loadgroup`, which was to keep
# these tests in one process, does nothing on pytest 9: it renames items through `_nodeid`,
# which pytest no longer reads.) Database 12 is the throttle test's.
E2E_DATABASES = [14, 15, 13, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]


def e2e_redis_url() -> str:
    given = os.environ.get("E2E_REDIS_URL")
    if given:
        return given
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # gw0, gw1, ...
    number = int(worker[2:]) if worker[2:].isdigit() else 0
    if number >= len(E2E_DATABASES):
        raise RuntimeError(
            f"{worker}: more test processes than Redis databases for the end-to-end tests; "
            "run fewer (scripts/test: PYTEST_WORKERS=8) or set E2E_REDIS_URL per process"
        )
    return f"redis://127.0.0.1:6379/{E2E_DATABASES[number]}"


REDIS_URL = e2e_redis_url()
BLOCK_AT = 4  # the mail server holds the 4th message at RCPT until released


class MailServer:
    """Collects messages; can hold the n-th one at RCPT, as a slow server would."""

    def __init__(self, block_at: int | None = None):
        self.messages: list = []
        self.started = 0
        self.block_at = block_at
        self.holding = False
        self.released = False
        # Called with each message as it is accepted, before the 250 reply goes back.
        self.on_accept = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not envelope.rcpt_tos:
            self.started += 1
            if self.started == self.block_at:
                self.holding = True
                while not self.released:
                    await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        self.messages.append(message)
        if self.on_accept is not None:
            self.on_accept(message)
        return "250 Message accepted for delivery"

    def reminder_ids(self) -> list[int]:
        return [int(m["X-Tracker-Reminder"]) for m in self.messages if m["X-Tracker-Reminder"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the worker and the beat process it started, as if the machine died."""
    with contextlib.suppress(ProcessLookupError):  # it has already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition, timeout=60.0, what="the condition", explain=None):
    """Poll `condition` until it is true. On time out, the message ends with what `explain()`
    returns (the state reached, a worker's last lines), so a failure in CI says why."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(
        f"Timed out after {timeout}s waiting for {what}" + (f": {explain()}" if explain else "")
    )
