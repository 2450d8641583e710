"""End to end: a real Celery worker (with beat) on the real Redis, a real SMTP server.

Each reminder must arrive exactly once, even when the worker is killed in the middle of a
sweep, while it is talking to the mail server, and a new worker takes over.
"""

import asyncio
import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.factories import World, make_finding, make_item
from tracker.models import Reminder, ReminderState
from tracker.rule_presets import presets_install

# Transactional, so the worker sees the rows. Earlier transactional tests flush the tables,
# so the test installs the preset rules itself (as load_seed_data does).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/14")
ITEMS = 6  # each overdue item owes a reminder to its owner and to the force coordinator
BLOCK_AT = 4  # the worker is killed while the mail server holds this message


class MailServer:
    """Collects messages; can hold the n-th one at RCPT, as a slow server would."""

    def __init__(self, block_at: int | None = None):
        self.messages: list = []
        self.started = 0
        self.block_at = block_at
        self.holding = False
        self.released = False

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
        self.messages.append(message_from_bytes(envelope.content))
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
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def wait_for(condition, timeout=60.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


@pytest.fixture
def broker():
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # .ci/run starts Redis; fail loudly if it is not there
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def mail_server():
    handler = MailServer(block_at=BLOCK_AT)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    handler.released = True
    controller.stop()


@pytest.fixture
def start_worker(broker, mail_server, tmp_path):
    """Start `celery -A config worker --beat` as a separate process, as in production."""
    workers = []
    queue = f"e2e-{uuid.uuid4().hex[:8]}"

    def start(name: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "TESTING": "1",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_QUEUE": queue,
            "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / f"beat-{name}"),
            "REMINDER_SWEEP_SECONDS": "2",
            "REMINDER_CLAIM_SECONDS": "3",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_server[1]),
        }
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--pool=solo",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the embedded beat goes with it
        )
        workers.append((process, log))
        return process

    start.queue = queue  # for tests that send their own tasks to this worker
    yield start
    for process, log in workers:
        kill_group(process)
        log.close()
        sys.stdout.write(Path(log.name).read_text(errors="replace")[-3000:])


def test_each_reminder_arrives_once_even_when_the_worker_is_killed_mid_sweep(
    mail_server, start_worker
):
    handler, _ = mail_server
    presets_install()
    world = World.build()
    overdue = timezone.localdate() - datetime.timedelta(days=2)
    for n in range(ITEMS):
        make_item(
            make_finding(world.report, text=f"Recommendation {n} for the end-to-end test."),
            world.wmp,
            owner=world.owner,
            due=overdue,
            by=world.coordinator,
        )
    due = set(
        Reminder.objects.filter(
            state=ReminderState.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    assert len(due) == ITEMS * 2

    first = start_worker("first")
    wait_for(lambda: handler.holding, what="the first worker to reach the held message")
    kill_group(first)  # killed while the mail server holds its message
    handler.released = True

    assert len(handler.reminder_ids()) == BLOCK_AT - 1
    # The dead worker's batch is still claimed: the message it was sending and the rest.
    stranded = set(
        Reminder.objects.filter(state=ReminderState.SENDING).values_list("pk", flat=True)
    )
    assert stranded == due - set(handler.reminder_ids())
    in_flight = Reminder.objects.filter(pk__in=stranded).order_by("next_attempt_at", "id")[0]

    start_worker("second")
    wait_for(
        lambda: set(handler.reminder_ids()) == due,
        what="every reminder to arrive after the restart",
    )
    time.sleep(5)  # two more beat sweeps: nothing more may arrive

    received = handler.reminder_ids()
    assert sorted(received) == sorted(due), "each reminder arrives exactly once"
    assert set(Reminder.objects.filter(pk__in=due).values_list("state", flat=True)) == {
        ReminderState.SENT
    }
    in_flight.refresh_from_db()
    assert in_flight.attempts == 2
    digests = [m["X-Tracker-Digest"] for m in handler.messages if m["X-Tracker-Digest"]]
    assert len(digests) == len(set(digests)), "each digest arrives once"
    first_message = next(m for m in handler.messages if m["X-Tracker-Reminder"])
    assert first_message.is_multipart()
    assert {p.get_content_type() for p in first_message.walk()} >= {"text/plain", "text/html"}
