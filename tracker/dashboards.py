"""Figures for managers: ageing bands, per-force summaries and chart geometry.

Counting happens in the database with conditional aggregates (one query per table, whatever
the number of items); band edges are dates worked out here, so the SQL is the same on
PostgreSQL and SQLite. Chart geometry is plain arithmetic for the SVG templates.

Each figure also says which item list filters (tracker.filters.ItemFilter) show the items
behind it: the `*_filters` functions below, kept next to the conditions they mirror, so that
a figure and the list it links to count the same items.
"""

import datetime
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404

from accounts.models import INSPECTED_KINDS, Organisation
from tracker import figures, filters, policy, selectors
from tracker.models import (
    OPEN_STATUSES,
    DeadlineState,
    Finding,
    InspectorateStatus,
    Report,
    Status,
)

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
    "Due in more than 30 days",
    "Due within 30 days",
    "Overdue 1 to 30 days",
    "Overdue 31 to 90 days",
    "Overdue over 90 days",
]


def _days(today: datetime.date, n: int) -> datetime.date:
    return today - datetime.timedelta(days=n)


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


# The list filters behind the figures (ItemFilter's names; dates as ISO text) -------------

Filters = dict[str, str]
OPEN: Filters = {"status": "open"}  # every status but closed and superseded (OPEN_STATUSES)
RECURRING: Filters = {"recurring": "true"}  # findings raised before (recurring_q)
MISMATCH: Filters = {"mismatch": "true"}  # the inspectorate's latest status differs
# The dashboard's own filters (issue 18): the inspectorate's latest status and a mismatch,
# as the item list's filters of the same names, so a figure and its list count the same.
NARROWING = ("inspectorate", "mismatch")


recurring_q = filters.recurring_q  # the count of recurring findings (issue 18)


def due_band_filters(today: datetime.date) -> list[Filters]:
    """The item list filters for each DUE_BANDS entry (open items), as due_conditions."""
    return [
        {**OPEN, "no_due_date": "true"},
        {**OPEN, "due_after": _iso(today, -31)},
        {**OPEN, "due_after": _iso(today, 0), "due_before": _iso(today, -30)},
        {**OPEN, "due_after": _iso(today, 30), "due_before": _iso(today, 1)},
        {**OPEN, "due_after": _iso(today, 90), "due_before": _iso(today, 31)},
        {**OPEN, "due_before": _iso(today, 91)},
    ]


def age_band_filters(today: datetime.date) -> list[Filters]:
    """The item list filters for each AGE_BANDS entry: open items of reports published
    between `high` and `low` days ago."""
    bands = []
    for _label, low, high in AGE_BANDS:
        dates = {"published_before": _iso(today, low)}
        if high is not None:
            dates["published_after"] = _iso(today, high)
        bands.append({**OPEN, **dates})
    return bands


def closed_this_quarter_filters(today: datetime.date) -> Filters:
    return {"status": Status.CLOSED.value, "closed_after": quarter_start(today).isoformat()}


def closed_last_year_filters(today: datetime.date) -> Filters:
    """The items the median days to close is worked out from (median_days_to_close)."""
    return {"status": Status.CLOSED.value, "closed_after": _iso(today, 365)}


def group_filters(by: str, key: int | None) -> Filters:
    """The filter for one row of an ageing table: its force, or its owner (or no owner)."""
    if by == "force":
        return {"force": str(key)}
    return {"owner": "null" if key is None else str(key)}


def _iso(today: datetime.date, days_ago: int) -> str:
    return _days(today, days_ago).isoformat()


# The columns a table groups by (the first identifies the group), and its heading. Owners
# are grouped by id, so two people with the same name stay apart.
GROUPS = {
    "force": (["force_id", "force__name"], "Force"),
    "owner": (["owner_id", "owner__full_name", "force__short_name"], "Owner"),
}


@dataclass
class BandTable:
    """Counts of open items per group and band, with totals."""

    group_label: str
    bands: list[str]
    rows: list[dict] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    # Each row's group (a force's or an owner's id, None for no owner), as the rows.
    keys: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.totals)


def age_band(published_on: datetime.date, today: datetime.date) -> int:
    """Which AGE_BANDS entry a report published on this day falls in."""
    days = (today - published_on).days
    for i, (_label, _low, high) in enumerate(AGE_BANDS):
        if high is None or days <= high:
            return i
    return len(AGE_BANDS) - 1


def grouped_counts(
    items: QuerySet, today: datetime.date, by: str, *, few: bool = False
) -> list[dict]:
    """One query for the tables: per group and report publication date, the open items in
    each due band (d0 to d5) and the items closed this quarter. The age bands, the due
    bands and the per-force open and overdue figures are all sums of these rows (each row
    names its force, whatever the grouping).

    `few`: the items are a force's or a few forces' (a small part of the table). Each item's
    report is then looked up by the finding's primary key, item by item: PostgreSQL would
    otherwise read every finding to join the few items to them (115 ms against 11 for a
    force of 5,600 items among 240,000). For every force the join is the faster."""
    # Open: neither closed nor superseded (a superseded item is done with, issue 18).
    not_closed = Q(status__in=OPEN_STATUSES)
    counts = {
        f"d{i}": Count("id", filter=not_closed & q) for i, q in enumerate(due_conditions(today))
    }
    counts["closed_q"] = Count(
        "id", filter=Q(status=Status.CLOSED, closed_at__date__gte=quarter_start(today))
    )
    counts["tracked"] = Count("id")
    counts["recurring"] = Count("id", filter=recurring_q())
    columns = GROUPS[by][0]
    if few:
        report = Finding.objects.filter(pk=OuterRef("finding_id")).order_by().values("report_id")
        items = items.annotate(report_key=Subquery(report))
    else:
        items = items.annotate(report_key=F("finding__report_id"))
    rows = list(
        items.values(*dict.fromkeys([*columns, "force_id", "force__name", "report_key"]))
        .annotate(**counts)
        .order_by(*columns)
    )
    published = dict(
        Report.objects.filter(pk__in={r["report_key"] for r in rows})
        .order_by()
        .values_list("pk", "published_on")
    )
    for row in rows:
        row["finding__report__published_on"] = published[row.pop("report_key")]
    return rows


def ageing(
    items: QuerySet, today: datetime.date, by: str = "force", rows: list[dict] | None = None
) -> dict[str, BandTable]:
    """Open items per group by days since the report and against the due date."""
    columns, label = GROUPS[by]
    rows = grouped_counts(items, today, by) if rows is None else rows
    age: dict = {}
    due: dict = {}
    names: dict = {}
    for row in rows:
        key = row[columns[0]]
        names[key] = _group_name(row, by)
        bands = [row[f"d{i}"] for i in range(len(DUE_BANDS))]
        if not sum(bands):
            continue
        due_counts = due.setdefault(key, [0] * len(DUE_BANDS))
        for i, n in enumerate(bands):
            due_counts[i] += n
        age.setdefault(key, [0] * len(AGE_BANDS))[
            age_band(row["finding__report__published_on"], today)
        ] += sum(bands)
    labels = _labels(names)
    tables = {}
    for table_key, found, bands in (
        ("age", age, [b[0] for b in AGE_BANDS]),
        ("due", due, DUE_BANDS),
    ):
        table = BandTable(group_label=label, bands=bands)
        for key in sorted(found, key=lambda k: labels[k]):
            table.rows.append(
                {"label": labels[key], "counts": found[key], "total": sum(found[key])}
            )
            table.keys.append(key)
        table.totals = [sum(r["counts"][i] for r in table.rows) for i in range(len(bands))]
        tables[table_key] = table
    return tables


def _group_name(row: dict, by: str) -> tuple[str, str]:
    """(name, what tells namesakes apart)."""
    if by == "force":
        return row["force__name"], ""
    if row["owner_id"] is None:
        return "No owner", row["force__short_name"]
    return row["owner__full_name"], row["force__short_name"]


def _labels(names: dict) -> dict:
    """Each group's label: its name, with its force when another group has the same name."""
    counts: dict[str, int] = {}
    for name, _extra in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        key: f"{name} ({extra})" if counts[name] > 1 and extra else name
        for key, (name, extra) in names.items()
    }


def quarter_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


@dataclass
class ForceSummary:
    name: str
    id: int | None = None
    tracked: int = 0  # items of any status
    open: int = 0
    overdue: int = 0
    closed_this_quarter: int = 0
    recurring: int = 0  # items whose finding was raised before (recurring_q)
    median_days_to_close: float | None = None
    responses_due: int = 0
    responses_on_time: int = 0
    links: dict[str, str] = field(default_factory=dict)  # the lists behind the figures
    figures: dict[str, dict] = field(default_factory=dict)  # for the page, with their links

    @property
    def on_time_percent(self) -> int | None:
        if not self.responses_due:
            return None
        return round(100 * self.responses_on_time / self.responses_due)


def force_summaries(
    items: QuerySet,
    deadlines: QuerySet,
    today: datetime.date,
    rows: list[dict] | None = None,
    forces: Sequence[tuple[int, str]] = (),
) -> list:
    """Per force: open, overdue, closed this quarter, median days from the item's creation
    to closure (items closed in the last 12 months), and s55 responses published on time. `rows` are
    grouped_counts() (by force or by owner), when the caller already has them. Three queries at
    most.
    `forces` (id, name): forces to list even with nothing to count (all forces side by side)."""
    rows = grouped_counts(items, today, "force") if rows is None else rows
    summary: dict[int, ForceSummary] = {pk: ForceSummary(name, pk) for pk, name in forces}

    def of(pk: int, name: str) -> ForceSummary:
        return summary.setdefault(pk, ForceSummary(name, pk))

    for row in rows:
        s = of(row["force_id"], row["force__name"])
        bands = [row[f"d{i}"] for i in range(len(DUE_BANDS))]
        s.open += sum(bands)
        s.overdue += sum(bands[3:])
        s.closed_this_quarter += row["closed_q"]
        s.tracked += row["tracked"]
        s.recurring += row["recurring"]
    for (pk, name), days in median_days_to_close(items, today).items():
        of(pk, name).median_days_to_close = days
    for row in (
        deadlines.filter(rule__statutory=True, rule__who_must_act="pcc_office")
        .exclude(state=DeadlineState.WITHDRAWN)
        .filter(Q(state=DeadlineState.MET) | Q(due_on__lt=today))
        .values("force_id", "force__name")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(state=DeadlineState.MET, met_on__lte=F("due_on"))),
        )
    ):
        s = of(row["force_id"], row["force__name"])
        s.responses_due, s.responses_on_time = row["due"], row["on_time"]
    return sorted(summary.values(), key=lambda s: (s.name, s.id))


# Sorting and folding the forces side by side: (heading, the value sorted on, whether the
# first sort is largest first). Forces with no value (no median yet, no response due) come
# last whichever way.
FORCE_SORTS = {
    "force": ("Force", lambda s: s.name.casefold(), False),
    "open": ("Open", lambda s: s.open, True),
    "overdue": ("Overdue", lambda s: s.overdue, True),
    "closed": ("Closed this quarter", lambda s: s.closed_this_quarter, True),
    "median": ("Median days to close", lambda s: s.median_days_to_close, True),
    "responses": ("s55 responses on time", lambda s: s.on_time_percent, True),
}
DEFAULT_FORCE_SORT = "force"


def parse_force_sort(value: str | None) -> tuple[str, bool] | None:
    """`?sort=overdue` (smallest first) or `?sort=-overdue` (largest first) as (column,
    descending); None when the value names no column."""
    value = (value or DEFAULT_FORCE_SORT).strip()
    descending = value.startswith("-")
    column = value.removeprefix("-")
    return (column, descending) if column in FORCE_SORTS else None


def sort_forces(forces: list, column: str, descending: bool) -> list:
    """The forces in the order asked for, ties (and forces with no value, last) by name."""
    value = FORCE_SORTS[column][1]
    by_name = sorted(forces, key=lambda s: (s.name.casefold(), s.id or 0))
    known = [s for s in by_name if value(s) is not None]
    unknown = [s for s in by_name if value(s) is None]
    # sorted() keeps the order of equal values: names stay A to Z among ties.
    return sorted(known, key=value, reverse=descending) + unknown


def force_sort_value(column: str, current: tuple[str, bool]) -> str:
    """What `?sort=` a column's heading leads to: the other way round when the table is
    sorted on it already, else the column's first way (largest first for figures)."""
    descending = not current[1] if current[0] == column else FORCE_SORTS[column][2]
    return f"-{column}" if descending else column


def without_items(summary: ForceSummary) -> bool:
    """A force with nothing to show: no item tracked and no statutory response due."""
    return not summary.tracked and not summary.responses_due


def visible_force(*, user, force_id: str, today: datetime.date) -> Organisation:
    """The force of `?force=` on the dashboard, when the person may see it; 404 otherwise
    (another force's id, an id that is not a force's, or not a number)."""
    try:
        pk = int(force_id)
    except ValueError:
        raise Http404("No such force") from None
    if not policy.can_see_force(user, pk, today):
        raise Http404("No such force")
    force = Organisation.objects.filter(pk=pk, kind__in=INSPECTED_KINDS).first()
    if force is None:
        raise Http404("No such force")
    return force


def every_force() -> list[tuple[int, str]]:
    """Every force, (id, name), for the forces side by side."""
    return list(Organisation.objects.filter(kind=Organisation.Kind.FORCE).values_list("id", "name"))


class Median(Aggregate):
    """PostgreSQL's median (it takes intervals as well as numbers)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def median_days_to_close(items: QuerySet, today: datetime.date) -> dict[tuple[int, str], int]:
    """Per force (id, name), the median days from an item's creation to its closure, for items
    closed in the last 12 months. PostgreSQL works the median out itself; elsewhere (SQLite,
    small data) the durations are fetched and the median taken here."""
    closed = items.filter(
        status=Status.CLOSED, closed_at__date__gte=today - datetime.timedelta(days=365)
    )
    took = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        rows = closed.values("force_id", "force__name").annotate(
            median=Median(took, output_field=DurationField())
        )
        return {
            (r["force_id"], r["force__name"]): round(r["median"].total_seconds() / 86400)
            for r in rows
        }
    durations: dict[tuple[int, str], list[float]] = {}
    for pk, name, created, closed_at in closed.values_list(
        "force_id", "force__name", "created_at", "closed_at"
    ):
        durations.setdefault((pk, name), []).append((closed_at - created).total_seconds() / 86400)
    # An item imported after it was closed can look closed before it was created: count 0.
    return {key: max(0, round(statistics.median(v))) for key, v in durations.items()}


# Charts -------------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: float
    text_x: float
    url: str = ""  # the list of the items counted
    figure: dict = field(default_factory=dict)  # for the page, with its link


def bar_chart(
    pairs: list[tuple[str, int]],
    *,
    urls: Sequence[str] = (),
    width: int = 400,
    row: int = 50,
) -> dict:
    """Geometry for a horizontal bar chart: each bar's y, width and where its value goes.

    Each label sits on its own line above its bar, starting at the left edge, so it has the
    chart's whole width to grow into when someone widens letter and word spacing (WCAG 1.4.12)
    instead of being cut off at the left. 400 units wide, drawn at most 30em wide (the style
    sheet), so its 16-unit text is never much smaller than the page's own on a phone nor
    much larger on a desktop. The template draws it as SVG; the same numbers go in
    the table beside it, each linking to `urls` (one a bar, in the same order) when given."""
    most = max([v for _l, v in pairs] + [1])
    room = width - 60
    bars = []
    for i, (label, value) in enumerate(pairs):
        w = room * value / most
        url = urls[i] if i < len(urls) else ""
        bars.append(Bar(label, value, i * row, w, w + 6, url))
    return {
        "bars": bars,
        "width": width,
        "height": max(row * len(pairs), row),
        "row": row,
        "bar_height": 20,
    }


def open_items(items: QuerySet) -> QuerySet:
    """Neither closed nor superseded."""
    return items.filter(status__in=OPEN_STATUSES)


def status_counts(items: QuerySet) -> list[tuple[str, int]]:
    counts = dict(items.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [(s.label, counts.get(s.value, 0)) for s in Status]


def status_filters() -> list[Filters]:
    """The item list filters for each status_counts entry."""
    return [{"status": s.value} for s in Status]


# Everything a dashboard counts, kept fresh in the cache --------------------------------------

RESPONSE_FIGURES = ("late", "due_soon", "published")  # the PCC office's statutory responses


def dashboard_figures(
    user, today: datetime.date, *, kind: str, force, by: str, narrow: Filters | None = None
) -> dict[str, Any]:
    """What a dashboard counts in the database (count_figures), from the cache while the data
    and the day are unchanged (tracker.figures): the same for everyone with the same scope,
    so every national reader's dashboard is counted once a change. Narrowed by the
    inspectorate's status (`narrow`, issue 18), it is counted afresh: the figure generation
    does not watch the inspectorate's statuses."""
    if narrow:
        return count_figures(user, today, kind=kind, force=force, by=by, narrow=narrow)
    return figures.cached(
        lambda: figure_key(user, today, kind=kind, force=force, by=by),
        lambda: count_figures(user, today, kind=kind, force=force, by=by),
    )


def figure_key(user, today: datetime.date, *, kind: str, force, by: str) -> tuple:
    """What a dashboard's figures depend on besides the data: its kind, the forces in scope
    (and the person, for force staff's own items), the force chosen, the grouping, today."""
    force_ids = policy.visible_force_ids(user, today)
    return (
        "dashboard",
        kind,
        None if force_ids is None else tuple(sorted(force_ids)),
        user.pk if kind == "own" else None,
        None if force is None else force.pk,
        by,
        today,
    )


def default_grouping(kind: str, force) -> str:
    """The ageing tables' grouping when none is chosen: by force for a national reader's
    all-forces dashboard, by owner otherwise."""
    return "force" if kind == "national" and force is None else "owner"


def count_figures(
    user, today: datetime.date, *, kind: str, force, by: str, narrow: Filters | None = None
) -> dict[str, Any]:
    """The ageing tables ("bands", ageing()), the forces' summaries ("forces",
    force_summaries()), the items by status ("statuses"), the inspectorate's latest
    statuses ("inspectorate", inspectorate_figures()) and, for the PCC office, its
    statutory response figures ("responses"), counted afresh. `force`: one force's
    dashboard; `by`: the ageing grouping; `narrow`: the dashboard's own filters
    (NARROWING: the inspectorate's latest status, a mismatch)."""
    _kind, items = selectors.dashboard_scope(user=user, today=today)
    deadlines = selectors.response_deadlines(user=user, today=today)
    if force is not None:
        items, deadlines = items.filter(force=force), deadlines.filter(force=force)
    if narrow:
        items = filters.inspectorate_narrow(
            items,
            inspectorate=narrow.get("inspectorate", ""),
            mismatch=narrow.get("mismatch") == "true",
        )
    all_forces = kind == "national" and force is None
    rows = grouped_counts(items, today, by, few=not all_forces)
    return {
        "bands": ageing(items, today, by=by, rows=rows),
        "forces": force_summaries(
            items,
            deadlines.none() if kind == "own" else deadlines,  # force staff: their own items
            today,
            rows=rows,
            forces=every_force() if all_forces else (),
        ),
        "statuses": status_counts(items),
        "inspectorate": inspectorate_figures(items),
        "responses": response_figures(user, today, force) if kind == "pcc" else None,
    }


def response_figures(user, today: datetime.date, force) -> dict[str, int]:
    """The PCC office's statutory response figures, counted with the very filters of the
    statutory responses list their links lead to."""
    chosen = {"force": str(force.pk)} if force is not None else None
    filterset = selectors.response_filter(user=user, today=today, filters=chosen)
    pairs = filterset.qs.order_by()
    return {key: filterset.filter_state(pairs, "state", key).count() for key in RESPONSE_FIGURES}


# The inspectorate's view (issue 18) -----------------------------------------------------------


def inspectorate_figures(items: QuerySet) -> dict[str, Any]:
    """The items by the inspectorate's latest status (those it has given one), and how many
    of them disagree with the force's status (filters.mismatch_q). One query: only items
    with a status are read, so the latest is looked up for those alone."""
    given = InspectorateStatus.objects.filter(item_id=OuterRef("pk"))
    rows = (
        items.filter(Exists(given))
        .annotate(**{filters.LATEST: filters.latest_inspectorate_status()})
        .order_by()
        .values(filters.LATEST)
        .annotate(n=Count("id"), mismatched=Count("id", filter=filters.mismatch_q()))
    )
    counts = {r[filters.LATEST]: (r["n"], r["mismatched"]) for r in rows}
    return {
        "statuses": [
            (value, label, counts.get(value, (0, 0))[0])
            for value, label in InspectorateStatus.Status.choices
        ],
        "mismatch": sum(m for _n, m in counts.values()),
    }
