"""Time reminder sweeps on generated data (python manage.py generate_load_data first)."""

import contextlib
import datetime
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from tracker.models import Reminder, ReminderState, TrackedItem
from tracker.reminders.sweeps import sweep

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


class QueryCounter:
    """Counts every statement the database runs (Django's query log stops at 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001 - Django's hook
        self.count += 1
        return execute(sql, params, many, context)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def aiosmtpd_sink() -> Iterator[int]:
    """An aiosmtpd server on loopback that accepts every message and keeps none, in its own
    process (so it does not share this one's interpreter): yields its port."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - a fixed command line, no user input
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "--nosetuid",
            "--listen",
            f"127.0.0.1:{port}",
            "--class",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        else:
            raise CommandError("The aiosmtpd server did not start (is aiosmtpd installed?).")
        yield port
    finally:
        server.terminate()
        server.wait(10)


class Command(BaseCommand):
    help = (
        "Make --due reminders due now and time one sweep that sends them (to Django's "
        "in-memory mail backend, or over SMTP with --smtp or --smtp-sink), --runs times. A "
        "first sweep sends whatever was already due (the week's digests), untimed. Prints "
        "timings and query counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--due", type=int, default=1000)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument(
            "--smtp", action="store_true", help="Send over the configured SMTP server."
        )
        parser.add_argument(
            "--smtp-sink",
            action="store_true",
            help="Start an aiosmtpd server on loopback that accepts and drops every message, "
            "and send to it over SMTP.",
        )
        parser.add_argument(
            "--synchronous-commit",
            choices=["on", "off"],
            default="on",
            help="PostgreSQL's synchronous_commit for the sweep's session. 'off' shows what "
            "waiting for the disk at each sent mark costs; the app runs with the server's "
            "setting (on unless changed), which is what the delivery guarantee assumes.",
        )

    def handle(
        self, *args: Any, due: int, runs: int, smtp: bool, smtp_sink: bool, **options: Any
    ) -> None:
        if options["synchronous_commit"] == "off":
            if connection.vendor != "postgresql":
                raise CommandError("--synchronous-commit is for PostgreSQL only.")
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
            self.stdout.write("synchronous_commit is off for this session (not how the app runs).")
        with contextlib.ExitStack() as stack:
            if smtp_sink:
                port = stack.enter_context(aiosmtpd_sink())
                stack.enter_context(
                    override_settings(
                        EMAIL_BACKEND=SMTP,
                        EMAIL_HOST="127.0.0.1",
                        EMAIL_PORT=port,
                        EMAIL_HOST_USER="",
                        EMAIL_HOST_PASSWORD="",
                        EMAIL_USE_TLS=False,
                        EMAIL_USE_SSL=False,
                    )
                )
                self.stdout.write(f"Sending over SMTP to aiosmtpd on 127.0.0.1:{port}.")
            elif not smtp:
                stack.enter_context(override_settings(EMAIL_BACKEND=LOCMEM))
            self._run(due, runs)

    def _run(self, due: int, runs: int) -> None:
        open_items = TrackedItem.objects.open().count()
        self.stdout.write(
            f"Open items: {open_items:,}; waiting reminders: "
            f"{Reminder.objects.filter(state=ReminderState.PENDING).count():,}"
        )
        first = sweep(via="benchmark")
        self.stdout.write(
            f"Untimed first sweep (what was already due): {first.sent} sent, "
            f"{first.digests} digests."
        )
        timings = []
        for run in range(runs):
            now = timezone.now()
            with transaction.atomic():
                ids = list(
                    Reminder.objects.filter(state=ReminderState.PENDING, next_attempt_at__gt=now)
                    .order_by("?")
                    .values_list("pk", flat=True)[:due]
                )
                if len(ids) < due:
                    raise CommandError(f"Only {len(ids)} waiting reminders left to use.")
                moved = now - datetime.timedelta(minutes=5)
                Reminder.objects.filter(pk__in=ids).update(due_at=moved, next_attempt_at=moved)
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                started, cpu = time.perf_counter(), time.process_time()
                result = sweep(now=now, via="benchmark")
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            timings.append(elapsed)
            self.stdout.write(
                f"Run {run + 1}: {result.sent} sent, {result.cancelled} cancelled, "
                f"{result.digests} digests in {elapsed:.2f} s "
                f"({1000 * elapsed / max(result.sent, 1):.2f} ms per reminder), "
                f"{queries.count} queries ({queries.count / max(result.sent, 1):.2f} per "
                f"reminder); {cpu:.2f} s of CPU in this process"
            )
        self.stdout.write(
            f"Median {statistics.median(timings):.2f} s, worst {max(timings):.2f} s for "
            f"{due:,} reminders due among {open_items:,} open items."
        )
