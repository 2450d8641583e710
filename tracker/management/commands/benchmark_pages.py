"""Time the managers' pages on generated data (python manage.py generate_load_data first).

Each role signs in as the app requires (password, and the PCC office's authenticator code),
every page is rendered --runs times after one warm-up, and the SQL queries of each request
are counted by a wrapper around every query (no cap, unlike Django's query log, which keeps
9,000). With --floor, a hand-written SQL query for the same rows (same scope, filters, order
and page size; counts for the dashboards) runs beside each rendering, alternately, and the
table gives the page/floor ratio. The table is markdown, for docs/benchmarks.md.
"""

import datetime
import json
import logging
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from accounts import two_factor
from accounts.models import TwoFactorDevice, User
from tracker import policy
from tracker.management.commands.generate_load_data import SIGN_IN_PASSWORD, sign_in_accounts
from tracker.models import TrackedItem

SIGN_IN = "/account/sign-in/"
SIGN_IN_CODE = "/account/sign-in/code/"

# role: [(page, address, floor)], the floor named in FLOORS.
PAGES: dict[str, list[tuple[str, str, str]]] = {
    "coordinator": [
        ("All items", "/items/", "items"),
        ("Items, overdue", "/items/?overdue=true", "items_overdue"),
        ("Overdue report (by owner)", "/overdue/", "overdue_owner"),
        ("Overdue report (by report)", "/overdue/?group=report", "overdue_report"),
        ("Dashboard", "/dashboard/", "dashboard"),
        ("Board pack", "/board-pack/", "board_pack"),
        ("Statutory responses", "/responses/", "responses"),
        ("Reports", "/reports/", "reports"),
    ],
    "staff": [
        ("My items", "/items/mine/", "my_items"),
        ("All items", "/items/", "items"),
        ("Overdue report (by owner)", "/overdue/", "overdue_owner"),
        ("Dashboard", "/dashboard/", "dashboard_own"),
    ],
    "pcc": [
        ("All items", "/items/", "items"),
        ("Overdue report (by owner)", "/overdue/", "overdue_owner"),
        ("Dashboard", "/dashboard/", "dashboard"),
        ("Board pack", "/board-pack/", "board_pack"),
        ("Progress review", "/review/", "review"),
        ("Statutory responses", "/responses/", "responses"),
        ("Reports", "/reports/", "reports"),
    ],
    "national": [
        ("All items", "/items/", "items"),
        ("Items, overdue recommendations", "/items/?overdue=true&kind=recommendation", "items_rec"),
        ("Overdue report (by owner)", "/overdue/", "overdue_owner"),
        ("Overdue report (by force)", "/overdue/?group=force", "overdue_force"),
        ("Dashboard", "/dashboard/", "dashboard_national"),
        ("Board pack", "/board-pack/", "board_pack_national"),
        ("Statutory responses", "/responses/", "responses"),
        ("Reports", "/reports/", "reports"),
    ],
}
ROLE_NAMES = {
    "coordinator": "Force coordinator",
    "staff": "Force staff",
    "pcc": "PCC office",
    "national": "National reader",
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class QueryCounter:
    """Counts every query run through a connection while installed with
    `connection.execute_wrapper` (Django's query log stops at 9,000; this does not)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


@contextmanager
def static_files_without_collectstatic(stdout: Any) -> Iterator[None]:
    """The production storage (whitenoise's manifest) needs `collectstatic` first; without its
    manifest every page is a 500. Without one, render with Django's plain storage: the same
    {% static %} lookups, addresses without the hash."""
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    if "Manifest" not in backend or manifest.exists():
        yield
        return
    stdout.write(f"No {manifest} (collectstatic not run): static addresses without hashes.")
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        yield


def signed_in_client(email: str, password: str, host: str, secure: bool) -> Client:
    """A client signed in through the sign-in pages: password, then the authenticator code
    when the person has an app (the PCC office; waits up to 30 s for an unused code)."""
    client = Client(HTTP_HOST=host)
    response = client.post(SIGN_IN, {"username": email, "password": password}, secure=secure)
    if response.status_code != 302:
        raise CommandError(f"Signing in as {email} answered {response.status_code}.")
    if response["Location"].startswith(SIGN_IN_CODE):
        device = TwoFactorDevice.objects.get(user__email=email)
        code, wait = two_factor.next_code(device, at=timezone.now())
        if wait:
            time.sleep(wait)
        response = client.post(SIGN_IN_CODE, {"code": code}, secure=secure)
        if response.status_code != 302 or response["Location"].startswith(SIGN_IN_CODE):
            raise CommandError(f"The authenticator code for {email} was refused.")
    if not client.session.get("_auth_user_id"):
        raise CommandError(f"Signing in as {email} did not start a session.")
    return client


# The floors: minimal SQL for the rows each page shows -------------------------------------

OPEN = "('not_started', 'in_progress', 'proposed_for_closure')"
ITEM_ROWS = """
SELECT i.uuid, i.status, i.due_date, i.last_activity_at, f.key, f.text, f.kind, r.key, r.title,
       o.name, u.full_name
FROM tracker_trackeditem i
JOIN tracker_finding f ON f.id = i.finding_id
JOIN tracker_report r ON r.id = f.report_id
JOIN accounts_organisation o ON o.id = i.force_id
LEFT JOIN accounts_user u ON u.id = i.owner_id
WHERE {where} ORDER BY {order} LIMIT {limit}"""
ITEM_COUNT = "SELECT COUNT(*) FROM tracker_trackeditem i {join} WHERE {where}"
FINDING_JOIN = "JOIN tracker_finding f ON f.id = i.finding_id"
OVERDUE_RESPONSES = """
SELECT d.uuid, d.due_on, ru.name, r.key, r.title, o.name
FROM tracker_deadline d
JOIN tracker_deadlinerule ru ON ru.id = d.rule_id
JOIN tracker_statutoryresponse s ON s.id = d.response_id
JOIN tracker_report r ON r.id = s.report_id
JOIN accounts_organisation o ON o.id = d.force_id
WHERE d.state = 'open' AND d.due_on < %(today)s AND ru.statutory AND {scope}
ORDER BY d.due_on, d.id LIMIT 200"""
# The dashboard's figures in one pass: by force (national) or owner, open, overdue, due
# bands, age bands (by publication), closed this quarter and last year, and by status.
DASHBOARD = """
SELECT {group},
  SUM(CASE WHEN i.status IN {open} THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status IN {open} AND i.due_date < %(today)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status IN {open} AND i.due_date >= %(today)s AND i.due_date < %(d30)s
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status IN {open} AND i.due_date >= %(d30)s AND i.due_date < %(d90)s
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status IN {open} AND (i.due_date >= %(d90)s OR i.due_date IS NULL)
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status IN {open} AND r.published_on >= %(y1)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status IN {open} AND r.published_on < %(y1)s AND r.published_on >= %(y2)s
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status IN {open} AND r.published_on < %(y2)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.closed_at >= %(quarter)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.closed_at >= %(year)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status = 'not_started' THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status = 'in_progress' THEN 1 ELSE 0 END),
  SUM(CASE WHEN i.status = 'proposed_for_closure' THEN 1 ELSE 0 END)
FROM tracker_trackeditem i
JOIN tracker_finding f ON f.id = i.finding_id
JOIN tracker_report r ON r.id = f.report_id
WHERE {where} GROUP BY {group}"""
DEADLINE_COUNTS = """
SELECT d.force_id, SUM(CASE WHEN d.due_on < %(today)s THEN 1 ELSE 0 END), COUNT(*)
FROM tracker_deadline d
WHERE d.response_id IS NOT NULL AND d.state = 'open' AND {scope} GROUP BY d.force_id"""
REVIEW = """
SELECT i.uuid, i.status, i.due_date, f.key, f.text, r.key, r.title, o.name, u.full_name,
  (SELECT v.rating FROM tracker_progressreview v WHERE v.item_id = i.id AND v.kind = 'view'
   ORDER BY v.at DESC, v.id DESC LIMIT 1),
  (SELECT v.at FROM tracker_progressreview v WHERE v.item_id = i.id AND v.kind = 'view'
   ORDER BY v.at DESC, v.id DESC LIMIT 1),
  (SELECT v.at FROM tracker_progressreview v WHERE v.item_id = i.id
   AND v.kind = 'update_request' ORDER BY v.at DESC, v.id DESC LIMIT 1)
FROM tracker_trackeditem i
JOIN tracker_finding f ON f.id = i.finding_id
JOIN tracker_report r ON r.id = f.report_id
JOIN accounts_organisation o ON o.id = i.force_id
LEFT JOIN accounts_user u ON u.id = i.owner_id
WHERE {where}
ORDER BY r.published_on DESC, f.report_id, o.name, f."order", i.id LIMIT 50"""
RESPONSES = """
SELECT rf.report_id, rf.organisation_id, r.key, r.title, r.published_on, o.name, s.id,
       s.published_on, d.due_on
FROM tracker_report_forces rf
JOIN tracker_report r ON r.id = rf.report_id
JOIN accounts_organisation o ON o.id = rf.organisation_id
LEFT JOIN tracker_statutoryresponse s
  ON s.report_id = rf.report_id AND s.force_id = rf.organisation_id
LEFT JOIN tracker_deadline d ON d.response_id = s.id AND d.state = 'open'
WHERE {scope}
ORDER BY CASE WHEN s.published_on IS NULL THEN 0 ELSE 1 END, d.due_on, r.published_on DESC,
         rf.id
LIMIT 50"""
RESPONSE_COUNT = "SELECT COUNT(*) FROM tracker_report_forces rf WHERE {scope}"
REPORTS = """
SELECT r.key, r.title, r.published_on, r.report_type, ins.name
FROM tracker_report r LEFT JOIN accounts_organisation ins ON ins.id = r.inspectorate_id
WHERE {scope}
ORDER BY r.published_on DESC, r.title, r.id LIMIT 50"""
REPORT_COUNT = "SELECT COUNT(*) FROM tracker_report r WHERE {scope}"
REPORT_SCOPE = (
    "EXISTS (SELECT 1 FROM tracker_report_forces rf WHERE rf.report_id = r.id AND {scope})"
)


def _in(column: str, ids: set[int] | None) -> str:
    """The scope as SQL (ids are integers from the database, written in directly)."""
    if ids is None:
        return "1 = 1"
    return f"{column} IN ({', '.join(str(int(i)) for i in sorted(ids)) or 'NULL'})"


def _count(where: str) -> str:
    """The count of a list's items (its pagination), joining findings only to filter on them."""
    return ITEM_COUNT.format(join=FINDING_JOIN if "f." in where else "", where=where)


class Floor:
    """The minimal SQL for one page, for one person's scope."""

    def __init__(self, user: User, today: datetime.date) -> None:
        self.forces = policy.visible_force_ids(user, today)
        self.user_id = user.pk
        quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        self.params = {
            "today": today,
            "d30": today + datetime.timedelta(days=30),
            "d90": today + datetime.timedelta(days=90),
            "y1": today - datetime.timedelta(days=365),
            "y2": today - datetime.timedelta(days=730),
            "quarter": quarter,
            "year": today - datetime.timedelta(days=365),
        }

    def _run(self, sql: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            return len(cursor.fetchall())

    def _items(self, extra: str = "", order: str = "i.last_activity_at DESC, i.id DESC") -> int:
        where = _in("i.force_id", self.forces) + extra
        rows = self._run(ITEM_ROWS.format(where=where, order=order, limit=50))
        return rows + self._run(_count(where))

    def _overdue(self, order: str) -> int:
        where = _in("i.force_id", self.forces) + f" AND i.status IN {OPEN}"
        where += " AND i.due_date < %(today)s"
        rows = self._run(
            ITEM_ROWS.format(where=where, order=f"{order}, i.due_date, i.id", limit=100)
        )
        rows += self._run(_count(where))
        return rows + self._run(OVERDUE_RESPONSES.format(scope=_in("d.force_id", self.forces)))

    def _dashboard(self, group: str, extra: str = "", responses: bool = True) -> int:
        where = _in("i.force_id", self.forces) + extra
        rows = self._run(DASHBOARD.format(group=group, open=OPEN, where=where))
        if responses:
            scope = _in("d.force_id", self.forces)
            rows += self._run(DEADLINE_COUNTS.format(scope=scope))
        return rows

    def _board_pack(self, group: str) -> int:
        where = _in("i.force_id", self.forces) + f" AND i.status IN {OPEN}"
        where += " AND i.due_date < %(today)s"
        rows = self._dashboard(group)
        rows += self._run(ITEM_ROWS.format(where=where, order="i.due_date, i.id", limit=200))
        return rows + self._run(OVERDUE_RESPONSES.format(scope=_in("d.force_id", self.forces)))

    def run(self, name: str) -> int:
        mine = f" AND i.owner_id = {int(self.user_id)}"
        floors: dict[str, Callable[[], int]] = {
            "items": self._items,
            "my_items": lambda: self._items(mine),
            "items_overdue": lambda: self._items(
                f" AND i.status IN {OPEN} AND i.due_date < %(today)s"
            ),
            "items_rec": lambda: self._items(
                f" AND i.status IN {OPEN} AND i.due_date < %(today)s AND f.kind = 'recommendation'"
            ),
            "overdue_owner": lambda: self._overdue("u.full_name, i.owner_id"),
            "overdue_report": lambda: self._overdue("r.published_on DESC, f.report_id"),
            "overdue_force": lambda: self._overdue("o.name"),
            "dashboard": lambda: self._dashboard("i.owner_id"),
            "dashboard_own": lambda: self._dashboard("i.owner_id", mine, responses=False),
            "dashboard_national": lambda: self._dashboard("i.force_id"),
            "board_pack": lambda: self._board_pack("i.owner_id"),
            "board_pack_national": lambda: self._board_pack("i.force_id"),
            "review": lambda: (
                self._run(REVIEW.format(where=_in("i.force_id", self.forces)))
                + self._run(_count(_in("i.force_id", self.forces)))
            ),
            "responses": lambda: (
                self._run(RESPONSES.format(scope=_in("rf.organisation_id", self.forces)))
                + self._run(RESPONSE_COUNT.format(scope=_in("rf.organisation_id", self.forces)))
            ),
            "reports": lambda: (
                self._run(REPORTS.format(scope=self._report_scope()))
                + self._run(REPORT_COUNT.format(scope=self._report_scope()))
            ),
        }
        return floors[name]()

    def _report_scope(self) -> str:
        if self.forces is None:
            return "1 = 1"
        return REPORT_SCOPE.format(scope=_in("rf.organisation_id", self.forces))


# The command ------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Sign in as a force coordinator, force staff, a PCC office (with its authenticator "
        "code) and a national reader on generated data, render each of their list, dashboard, "
        "review and report pages --runs times (after one warm-up) and print a markdown table "
        "of the median and 95th percentile server time and the SQL queries per page; with "
        "--floor, beside each page a hand-written SQL floor for the same rows and the ratio."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument(
            "--floor", action="store_true", help="Time minimal SQL beside each page."
        )
        parser.add_argument(
            "--roles",
            default=",".join(PAGES),
            help=f"Comma-separated, of {', '.join(PAGES)} (default: all).",
        )
        parser.add_argument("--password", default=SIGN_IN_PASSWORD)
        parser.add_argument("--save", help="Write the figures as JSON to this file.")
        parser.add_argument(
            "--compare",
            help="A file written by --save on smaller data: add each page's growth ratio.",
        )

    def handle(
        self,
        *args: Any,
        runs: int,
        floor: bool,
        roles: str,
        password: str,
        save: str | None,
        compare: str | None,
        **options: Any,
    ) -> None:
        logging.getLogger("axes").setLevel(logging.WARNING)  # a line a sign-in otherwise
        warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no static
        if runs < 1:
            raise CommandError("--runs must be 1 or more.")
        chosen = [r.strip() for r in roles.split(",") if r.strip()]
        unknown = [r for r in chosen if r not in PAGES]
        if unknown:
            raise CommandError(f"Unknown role {unknown[0]}: choose among {', '.join(PAGES)}.")
        accounts = sign_in_accounts()
        if "coordinator" not in accounts or "national" not in accounts:
            raise CommandError("No load data: run generate_load_data first.")
        missing = [r for r in chosen if r not in accounts]
        if missing:
            raise CommandError(f"No {missing[0]} in the load data: run generate_load_data.")
        before = json.loads(Path(compare).read_text()) if compare else {}
        items = TrackedItem.objects.count()
        self.stdout.write(
            f"Items: {items:,} ({TrackedItem.objects.open().count():,} open); database: "
            f"{connection.vendor}; runs: {runs} after one warm-up; DEBUG={settings.DEBUG}"
        )
        host = next(
            (h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")), "localhost"
        )
        secure = bool(settings.SECURE_SSL_REDIRECT)
        today = timezone.localdate()
        results: dict[str, dict[str, Any]] = {}
        with static_files_without_collectstatic(self.stdout):
            for who in chosen:
                email = accounts[who]
                client = signed_in_client(email, password, host, secure)
                self.stdout.write(f"Signed in as {ROLE_NAMES[who]}: {email}")
                floors = Floor(User.objects.get(email=email), today)
                for label, url, floor_name in PAGES[who]:
                    results[f"{who} {url}"] = self._measure(
                        client, who, label, url, secure, runs, floors if floor else None, floor_name
                    )
        self._table(results, floor, before)
        if save:
            Path(save).write_text(json.dumps({"items": items, "pages": results}, indent=1))

    def _measure(
        self,
        client: Client,
        who: str,
        label: str,
        url: str,
        secure: bool,
        runs: int,
        floors: Floor | None,
        floor_name: str,
    ) -> dict[str, Any]:
        response = client.get(url, secure=secure)  # warm-up
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code} for {who}")
        if floors is not None:
            floors.run(floor_name)
        timings, floor_timings, queries = [], [], 0
        for _ in range(runs):
            with counting_queries() as counter:
                started = time.perf_counter()
                response = client.get(url, secure=secure)
                timings.append((time.perf_counter() - started) * 1000)
            queries = max(queries, counter.count)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code} for {who}")
            if floors is not None:
                started = time.perf_counter()
                floors.run(floor_name)
                floor_timings.append((time.perf_counter() - started) * 1000)
        result: dict[str, Any] = {
            "role": who,
            "page": label,
            "url": url,
            "median": statistics.median(timings),
            "p95": percentile(timings, 0.95),
            "queries": queries,
        }
        if floor_timings:
            result["floor"] = statistics.median(floor_timings)
        return result

    def _table(
        self, results: dict[str, dict[str, Any]], floor: bool, before: dict[str, Any]
    ) -> None:
        earlier = before.get("pages", {})
        head = ["Role", "Page", "Median ms", "p95 ms", "Queries"]
        if floor:
            head += ["Floor ms", "Page/floor"]
        if earlier:
            head += [f"p95 growth from {before.get('items', 0):,} items"]
        self.stdout.write("")
        self.stdout.write("| " + " | ".join(head) + " |")
        self.stdout.write("|" + "---|" * len(head))
        for key, r in results.items():
            cells = [
                ROLE_NAMES[r["role"]],
                f"{r['page']} (`{r['url']}`)",
                f"{r['median']:.1f}",
                f"{r['p95']:.1f}",
                str(r["queries"]),
            ]
            if floor:
                ratio = r["median"] / r["floor"] if r.get("floor") else 0
                cells += [f"{r.get('floor', 0):.1f}", f"{ratio:.1f}"]
            if earlier:
                old = earlier.get(key)
                cells.append(f"{r['p95'] / old['p95']:.2f}" if old and old["p95"] else "")
            self.stdout.write("| " + " | ".join(cells) + " |")
        worst = max(results.values(), key=lambda r: r["p95"])
        self.stdout.write("")
        self.stdout.write(
            f"Slowest 95th percentile: {worst['p95']:.1f} ms "
            f"({ROLE_NAMES[worst['role']]}, {worst['url']})"
        )
