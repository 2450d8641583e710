"""Time the creation of many new items at once, as a force coordinator of the generated data:
a spreadsheet import of --items new rows, and a report import with --items findings. Each run
is rolled back, so the data is left as it was. Prints timings and the queries each took."""

import csv
import datetime
import io
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from tracker.bulk_import.apply import items_import
from tracker.bulk_import.table import TEMPLATE_COLUMNS
from tracker.models import ReportImport, TrackedItem
from tracker.report_import.create import import_create

COORDINATOR = "load-avon-and-somerset-constabulary-0@example.org"
STAFF = "load-avon-and-somerset-constabulary-10@example.org"


class RolledBack(Exception):
    """Raised inside each timed run so that its transaction is rolled back."""


class QueryCount:
    """Counts every statement (Django's query log stops at 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        self.count += 1
        return execute(sql, params, many, context)


def spreadsheet(force_name: str, count: int, owner_email: str, title: str) -> bytes:
    """A CSV in the import's own columns: `count` new recommendations of one new report, half
    in progress, a third with an owner, three quarters with a due date."""
    due = (timezone.localdate() + datetime.timedelta(days=90)).strftime("%d/%m/%Y")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_COLUMNS)
    for n in range(count):
        row = [
            force_name,
            title,
            "15/01/2026",
            "Recommendation",
            str(n + 1),
            "Custody",
            f"The force should do thing number {n} properly.",
            "In progress" if n % 2 else "",
            owner_email if n % 3 == 0 else "",
            "",
            due if n % 4 else "",
        ]
        writer.writerow(row[: len(TEMPLATE_COLUMNS)])
    return out.getvalue().encode()


def report_draft(title: str, force_ids: list[int], count: int) -> dict[str, Any]:
    """A read report's draft with `count` recommendations for the given forces."""
    findings = [
        {
            "include": True,
            "kind": "recommendation",
            "reference": str(n + 1),
            "area": "Custody",
            "text": f"The force should do report thing {n}.",
            "target_text": "within six months" if n % 2 else "",
            "target_date": "",
            "force_response": "",
            "pcc_response": "",
        }
        for n in range(count)
    ]
    return {
        "title": title,
        "published_on": "2026-01-15",
        "report_type": "other",
        "inspectorate_label": "HMICFRS",
        "grading_scale": "none",
        "forces": force_ids,
        "findings": findings,
        "judgements": [],
    }


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=1000, help="New items per run.")
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        count, runs = options["items"], options["runs"]
        if count < 1 or runs < 1:
            raise CommandError("--items and --runs must be at least 1.")
        try:
            coordinator = User.objects.get(email=COORDINATOR)
            staff = User.objects.get(email=STAFF)
        except User.DoesNotExist:
            raise CommandError("No generated data here: run generate_load_data first.") from None
        force = coordinator.organisation
        if force is None:
            raise CommandError(f"{COORDINATOR} has no force: run generate_load_data again.")
        self.stdout.write(
            f"Open items: {TrackedItem.objects.open().count():,}; {count:,} new items a run, "
            f"as {coordinator.email} ({force.name}); each run rolled back."
        )

        def by_spreadsheet() -> int:
            data = spreadsheet(force.name, count, staff.email, f"Benchmark {time.time_ns()}")
            plan = items_import(user=coordinator, data=data, name="benchmark.csv")
            return int(plan.counts["items"])

        def by_report() -> int:
            upload = ReportImport.objects.create(
                uploaded_by=coordinator,
                uploaded_at=timezone.now(),
                original_name="benchmark.pdf",
                size=1,
                sha256="benchmark",
                state=ReportImport.State.READY,
                draft=report_draft(f"Benchmark {time.time_ns()}", [force.id], count),
            )
            report = import_create(report_import=upload, by=coordinator)
            return TrackedItem.objects.filter(finding__report=report).count()

        for label, make in (("Spreadsheet import", by_spreadsheet), ("Report import", by_report)):
            seconds = [self._run(label, make, n + 1) for n in range(runs)]
            self.stdout.write(
                f"{label}: median {statistics.median(seconds):.2f} s, "
                f"worst {max(seconds):.2f} s for {count:,} new items."
            )

    def _run(self, label: str, make: Callable[[], int], number: int) -> float:
        counter = QueryCount()
        made = 0
        started = time.perf_counter()
        try:
            with transaction.atomic(), connection.execute_wrapper(counter):
                made = make()
                elapsed = time.perf_counter() - started
                raise RolledBack
        except RolledBack:
            pass
        self.stdout.write(
            f"{label}, run {number}: {made:,} items with their deadlines and reminders in "
            f"{elapsed:.2f} s, {counter.count:,} queries"
        )
        return elapsed
