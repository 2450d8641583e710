"""Time reminder sweeps on generated data (python manage.py generate_load_data first)."""

import datetime
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from tracker.models import Reminder, ReminderState, TrackedItem
from tracker.reminders.sweeps import sweep


class Command(BaseCommand):
    help = (
        "Make --due reminders due now and time one sweep that sends them (to Django's "
        "in-memory mail backend unless --smtp is given), --runs times. Prints timings and "
        "query counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--due", type=int, default=1000)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument(
            "--smtp", action="store_true", help="Send over the configured SMTP server."
        )

    def handle(self, *args: Any, due: int, runs: int, smtp: bool, **options: Any) -> None:
        open_items = TrackedItem.objects.open().count()
        self.stdout.write(
            f"Open items: {open_items:,}; waiting reminders: "
            f"{Reminder.objects.filter(state=ReminderState.PENDING).count():,}"
        )
        timings = []
        backend = None if smtp else "django.core.mail.backends.locmem.EmailBackend"
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
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                if backend:
                    with override_settings(EMAIL_BACKEND=backend):
                        result = sweep(now=now, via="benchmark")
                else:
                    result = sweep(now=now, via="benchmark")
                elapsed = time.perf_counter() - started
            timings.append(elapsed)
            self.stdout.write(
                f"Run {run + 1}: {result.sent} sent, {result.cancelled} cancelled, "
                f"{result.digests} digests in {elapsed:.2f} s, {len(queries)} queries "
                f"({len(queries) / max(result.sent, 1):.1f} per reminder)"
            )
        self.stdout.write(
            f"Median {statistics.median(timings):.2f} s, worst {max(timings):.2f} s for "
            f"{due} reminders due among {open_items:,} open items."
        )
