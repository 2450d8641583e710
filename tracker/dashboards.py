"""Figures for managers: ageing bands, per-force summaries and chart geometry.

Counting happens in the database with conditional aggregates (one query per table, whatever
the number of items); band edges are dates worked out here, so the SQL is the same on
PostgreSQL and SQLite. Chart geometry is plain arithmetic for the SVG templates.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from tracker.models import DeadlineState, Status

# Days since the report was published.
AGE_BANDS = [
    ("0 to 30 days", 0, 30),
    ("31 to 90 days", 31, 90),
    ("91 to 180 days", 91, 180),
    ("181 to 365 days", 181, 365),
    ("Over 365 days", 366, None),
]
# Against the due date.
DUE_BANDS = [
    "No due date",
    "Not due yet",
    "Due in 30 days",
    "Overdue 1 to 30 days",
    "Overdue 31 to 90 days",
    "Overdue over 90 days",
]


def _days(today: datetime.date, n: int) -> datetime.date:
    return today - datetime.timedelta(days=n)


def age_conditions(today: datetime.date) -> list[Q]:
    """One condition per AGE_BANDS entry on the report's publication date."""
    conditions = []
    for _label, low, high in AGE_BANDS:
        q = Q(finding__report__published_on__lte=_days(today, low))
        if high is not None:
            q &= Q(finding__report__published_on__gte=_days(today, high))
        conditions.append(q)
    return conditions


def due_conditions(today: datetime.date) -> list[Q]:
    """One condition per DUE_BANDS entry on the item's due date."""
    soon = today + datetime.timedelta(days=30)
    return [
        Q(due_date__isnull=True),
        Q(due_date__gt=soon),
        Q(due_date__gte=today, due_date__lte=soon),
        Q(due_date__lt=today, due_date__gte=_days(today, 30)),
        Q(due_date__lt=_days(today, 30), due_date__gte=_days(today, 90)),
        Q(due_date__lt=_days(today, 90)),
    ]


GROUPS = {"force": ("force__name", "Force"), "owner": ("owner__full_name", "Owner")}


@dataclass
class BandTable:
    """Counts of open items per group and band, with totals."""

    group_label: str
    bands: list[str]
    rows: list[dict] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.totals)


def band_table(items: QuerySet, conditions: list[Q], bands: list[str], by: str) -> BandTable:
    """Open items counted per group (force or owner) and band: one query."""
    column, label = GROUPS[by]
    counts = {f"b{i}": Count("id", filter=q) for i, q in enumerate(conditions)}
    table = BandTable(group_label=label, bands=bands)
    for row in open_items(items).values(column).annotate(**counts).order_by(column):
        values = [row[f"b{i}"] for i in range(len(bands))]
        table.rows.append(
            {"label": row[column] or "No owner", "counts": values, "total": sum(values)}
        )
    table.totals = [sum(r["counts"][i] for r in table.rows) for i in range(len(bands))]
    return table


def ageing(items: QuerySet, today: datetime.date, by: str = "force") -> dict[str, BandTable]:
    return {
        "age": band_table(items, age_conditions(today), [b[0] for b in AGE_BANDS], by),
        "due": band_table(items, due_conditions(today), DUE_BANDS, by),
    }


def quarter_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


@dataclass
class ForceSummary:
    name: str
    open: int = 0
    overdue: int = 0
    closed_this_quarter: int = 0
    median_days_to_close: float | None = None
    responses_due: int = 0
    responses_on_time: int = 0

    @property
    def on_time_percent(self) -> int | None:
        if not self.responses_due:
            return None
        return round(100 * self.responses_on_time / self.responses_due)


def force_summaries(items: QuerySet, deadlines: QuerySet, today: datetime.date) -> list:
    """Per force: open, overdue, closed this quarter, median days from the item's creation
    to closure (closed this year), and s55 responses published on time. Three queries."""
    start = quarter_start(today)
    closed = [Status.CLOSED]
    summary: dict[str, ForceSummary] = {}
    for row in items.values("force__name").annotate(
        open=Count("id", filter=~Q(status__in=closed)),
        overdue=Count("id", filter=~Q(status__in=closed) & Q(due_date__lt=today)),
        closed_q=Count("id", filter=Q(status__in=closed, closed_at__date__gte=start)),
    ):
        summary[row["force__name"]] = ForceSummary(
            row["force__name"], row["open"], row["overdue"], row["closed_q"]
        )
    year_ago = today - datetime.timedelta(days=365)
    durations: dict[str, list[float]] = {}
    for name, created, closed_at in items.filter(
        status__in=closed, closed_at__date__gte=year_ago
    ).values_list("force__name", "created_at", "closed_at"):
        durations.setdefault(name, []).append((closed_at - created).total_seconds() / 86400)
    for name, values in durations.items():
        summary.setdefault(name, ForceSummary(name)).median_days_to_close = round(
            statistics.median(values)
        )
    for row in (
        deadlines.filter(rule__statutory=True, rule__who_must_act="pcc_office")
        .exclude(state=DeadlineState.WITHDRAWN)
        .filter(Q(state=DeadlineState.MET) | Q(due_on__lt=today))
        .values("force__name")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(state=DeadlineState.MET, met_on__lte=F("due_on"))),
        )
    ):
        s = summary.setdefault(row["force__name"], ForceSummary(row["force__name"]))
        s.responses_due, s.responses_on_time = row["due"], row["on_time"]
    return sorted(summary.values(), key=lambda s: s.name)


# Charts -------------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: float
    text_x: float


def bar_chart(
    pairs: list[tuple[str, int]], *, width: int = 640, row: int = 28, label_width: int = 220
) -> dict:
    """Geometry for a horizontal bar chart: each bar's y, width and where its value goes.
    The template draws it as SVG; the same numbers go in the table beside it."""
    most = max([v for _l, v in pairs] + [1])
    room = width - label_width - 60
    bars = []
    for i, (label, value) in enumerate(pairs):
        w = room * value / most
        bars.append(Bar(label, value, i * row, w, label_width + w + 6))
    return {
        "bars": bars,
        "width": width,
        "height": max(row * len(pairs), row),
        "label_width": label_width,
        "row": row,
        "bar_height": row - 8,
    }


def open_items(items: QuerySet) -> QuerySet:
    return items.filter(status__in=[s for s in Status if s != Status.CLOSED])


def status_counts(items: QuerySet) -> list[tuple[str, int]]:
    counts = dict(items.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [(s.label, counts.get(s.value, 0)) for s in Status]
