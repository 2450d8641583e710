"""Time the managers' pages on generated data (python manage.py generate_load_data first)."""

import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, RoleAssignment, User
from tracker.models import TrackedItem

READER = "load-national-reader@example.org"

PAGES = {
    "coordinator": [
        "/overdue/",
        "/overdue/?group=report",
        "/dashboard/",
        "/items/?overdue=true",
        "/responses/",
    ],
    "pcc": ["/overdue/", "/dashboard/", "/review/", "/responses/"],
    "national": [
        "/overdue/",
        "/overdue/?group=force",
        "/dashboard/",
        "/items/?overdue=true&kind=recommendation",
        "/responses/",
    ],
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class Command(BaseCommand):
    help = (
        "Render the overdue report, dashboards and lists as a force coordinator, a PCC office "
        "and a national reader on generated data, --runs times each (after one warm-up), and "
        "print the median and 95th percentile server time and the SQL queries per page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20)

    def handle(self, *args: Any, runs: int, **options: Any) -> None:
        if runs < 1:
            raise CommandError("--runs must be 1 or more.")
        load_people = User.objects.filter(email__startswith="load-").order_by("email")
        coordinator = load_people.with_role(Role.FORCE_COORDINATOR).first()
        pcc = load_people.with_role(Role.PCC_OFFICE).first()
        if coordinator is None or pcc is None:
            raise CommandError("No load data: run generate_load_data first.")
        reader, made = User.objects.get_or_create(
            email=READER, defaults={"full_name": "Load national reader", "password": "!"}
        )
        if made:
            RoleAssignment.objects.create(user=reader, role=Role.NATIONAL_READER)
        self.stdout.write(
            f"Items: {TrackedItem.objects.count():,} ({TrackedItem.objects.open().count():,} "
            f"open); database: {connection.vendor}; runs: {runs} after one warm-up"
        )
        host = next(
            (h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")), "localhost"
        )
        worst = 0.0
        for who, user in (("coordinator", coordinator), ("pcc", pcc), ("national", reader)):
            client = Client(HTTP_HOST=host)
            client.force_login(user)
            for url in PAGES[who]:
                client.get(url)  # warm-up
                timings = []
                for _ in range(runs):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        response = client.get(url)
                        timings.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"{url} answered {response.status_code} for {who}")
                p95 = percentile(timings, 0.95)
                worst = max(worst, p95)
                self.stdout.write(
                    f"{who:12} {url:45} median {statistics.median(timings):7.1f} ms  "
                    f"p95 {p95:7.1f} ms  queries {len(queries)}"
                )
        self.stdout.write(f"Slowest 95th percentile: {worst:.1f} ms")
