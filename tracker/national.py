"""National recommendations across forces and the inspectorate's view of items (issue 18):
reads, scoped to what the person may see.

A national recommendation is a finding of a national report addressed to the forces (not to
a national body, and not about one force only), which each force tracks as its own item. Its
page shows every force's item to national readers and administrators
(`policy.sees_every_force_on_national_recommendations`); everyone else sees the figures for
all forces (counts only, no force named) and the rows of their own forces.

The figures are counted in one aggregate query over every force's items (PostgreSQL works
the median out in it too; elsewhere the closed items' durations are read and the median taken
here), and the rows in one more, each with the inspectorate's latest status and a mismatch
flag as subqueries (tracker/filters.py defines both, for every page).
"""

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.urls import reverse

from tracker import dashboards, filters, policy
from tracker.models import (
    OPEN_STATUSES,
    AddresseeKind,
    Finding,
    InspectorateStatus,
    Report,
    Status,
    TrackedItem,
)


def national_findings(*, user, today: datetime.date) -> QuerySet[Finding]:
    """The national recommendations of the national reports about the forces the person may
    see: findings of a national report, addressed to the forces (not to a national body),
    not about one force only."""
    reports = Report.objects.for_forces(policy.visible_force_ids(user, today)).filter(national=True)
    return (
        Finding.objects.filter(report__in=reports, force__isnull=True)
        .exclude(addressee_kind=AddresseeKind.NATIONAL_BODY)
        .select_related("report")
    )


def _counted(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """The findings with their items counted over every force (the figures everyone may
    see): how many forces track it, have closed it, and the rest by status."""
    return findings.annotate(
        forces_tracking=Count("items"),
        forces_closed=Count("items", filter=Q(items__status=Status.CLOSED)),
        forces_superseded=Count("items", filter=Q(items__status=Status.SUPERSEDED)),
        forces_open=Count("items", filter=Q(items__status__in=OPEN_STATUSES)),
    ).filter(forces_tracking__gt=0)


@dataclass
class Recommendation:
    """A national recommendation in a list, with its figures over every force."""

    finding: Finding
    forces: int
    closed: int
    superseded: int
    open: int

    @property
    def closed_percent(self) -> int:
        return round(100 * self.closed / self.forces) if self.forces else 0

    @property
    def url(self) -> str:
        return reverse("tracker:national_detail", args=[self.finding.key])


def _recommendation(f: Any) -> Recommendation:
    return Recommendation(f, f.forces_tracking, f.forces_closed, f.forces_superseded, f.forces_open)


def national_list(*, user, today: datetime.date) -> list[Recommendation]:
    """Every national recommendation the person may see, newest report first, with its
    figures. One query."""
    found = _counted(national_findings(user=user, today=today)).order_by(
        "-report__published_on", "report_id", "order", "id"
    )
    return [_recommendation(f) for f in found]


def least_progress(*, user, today: datetime.date, limit: int = 5) -> list[Recommendation]:
    """The national recommendations with the least progress, for a national reader's
    dashboard: the lowest share of forces closed first, then the fewest forces closed, then
    the most forces tracking it. One query."""
    ranked = sorted(
        national_list(user=user, today=today),
        key=lambda r: (r.closed / r.forces, r.closed, -r.forces, r.finding.key),
    )
    return ranked[:limit]


def national_get(*, user, today: datetime.date, key: str) -> Finding:
    """A national recommendation the person may see (one of national_findings with at least
    one item), or 404."""
    finding = (
        national_findings(user=user, today=today)
        .filter(key=key)
        .filter(items__isnull=False)
        .distinct()
        .first()
    )
    if finding is None:
        raise Http404("No such national recommendation")
    return finding


@dataclass
class Figures:
    """A national recommendation's figures over every force's items."""

    forces: int
    closed: int
    median_days_to_close: int | None
    statuses: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, n

    @property
    def closed_percent(self) -> int:
        return round(100 * self.closed / self.forces) if self.forces else 0

    def count(self, status: str) -> int:
        return next((n for value, _label, n in self.statuses if value == status), 0)


def _took() -> ExpressionWrapper:
    return ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


def _days(seconds: float) -> int:
    # An item imported after it was closed can look closed before it was created: count 0.
    return max(0, round(seconds / 86400))


def national_figures(finding: Finding) -> Figures:
    """How many forces track the recommendation, how many have closed it, the median days
    from an item's creation to its closure (closed items), and the items by status: one
    aggregate query over every force's items (two on SQLite, which has no median)."""
    items = TrackedItem.objects.filter(finding=finding).order_by()
    counts: dict[str, Any] = {s.value: Count("id", filter=Q(status=s.value)) for s in Status}
    counts["total"] = Count("id")
    postgres = connection.vendor == "postgresql"
    if postgres:
        counts["median"] = dashboards.Median(
            _took(), filter=Q(status=Status.CLOSED), output_field=DurationField()
        )
    row = items.aggregate(**counts)
    median: int | None = None
    if postgres:
        if row["median"] is not None:
            median = _days(row["median"].total_seconds())
    else:
        took = [
            (closed_at - created).total_seconds()
            for created, closed_at in items.filter(
                status=Status.CLOSED, closed_at__isnull=False
            ).values_list("created_at", "closed_at")
            if closed_at is not None
        ]
        median = _days(statistics.median(took)) if took else None
    return Figures(
        forces=row["total"],
        closed=row[Status.CLOSED.value],
        median_days_to_close=median,
        statuses=[(s.value, s.label, row[s.value]) for s in Status],
    )


def sees_every_force(user) -> bool:
    return policy.sees_every_force_on_national_recommendations(user)


def national_rows(*, finding: Finding, user, today: datetime.date) -> QuerySet[TrackedItem]:
    """The forces' items of a national recommendation that the person may see: every force's
    for national readers and administrators, else their own forces' only. Each with the
    inspectorate's latest status (`inspectorate_latest`), the day it was given
    (`inspectorate_stated_on`) and a mismatch flag (`inspectorate_mismatch`); by force name.
    One query."""
    items = TrackedItem.objects.filter(finding=finding)
    if not sees_every_force(user):
        items = items.for_forces(policy.visible_force_ids(user, today))
    latest = InspectorateStatus.objects.filter(item_id=OuterRef("pk")).order_by(
        *filters.LATEST_INSPECTORATE_ORDER
    )
    return (
        filters.with_inspectorate_latest(items)
        .annotate(
            inspectorate_stated_on=Subquery(latest.values("stated_on")[:1]),
            inspectorate_precision=Subquery(latest.values("stated_precision")[:1]),
        )
        .select_related("force")
        .only(
            "uuid",
            "status",
            "due_date",
            "closed_at",
            "created_at",
            "force_id",
            "finding_id",
            "force__name",
            "force__short_name",
        )
        .order_by("force__name", "id")
    )


INSPECTORATE_LABELS = dict(InspectorateStatus.Status.choices)


def inspectorate_label(value: str | None) -> str:
    """The inspectorate's status in words ("" for none)."""
    return INSPECTORATE_LABELS.get(value or "", "")


def status_chart(figures: Figures) -> dict[str, Any]:
    """The items by status as a bar chart's geometry (dashboards.bar_chart), for the page's
    chart and the table of the same numbers beside it."""
    return dashboards.bar_chart([(label, n) for _value, label, n in figures.statuses])


# The item page ---------------------------------------------------------------------------


def is_national(item: TrackedItem) -> bool:
    """Whether the item's finding is a national recommendation (its report, already loaded
    with the item, says so)."""
    finding = item.finding
    return bool(
        finding.report.national
        and finding.force_id is None
        and finding.addressee_kind != AddresseeKind.NATIONAL_BODY
    )


def item_inspectorate(item: TrackedItem, user, today: datetime.date) -> dict[str, Any]:
    """What the item page shows of the inspectorate's view beyond its history: the latest
    status (None when it has given none), whether it disagrees with the force's status
    (filters.is_mismatch), whether the person may record one by hand, and, for a national
    recommendation, the page of every force's progress. One query."""
    latest = (
        InspectorateStatus.objects.filter(item=item)
        .order_by(*filters.LATEST_INSPECTORATE_ORDER)
        .first()
    )
    return {
        "latest": latest,
        "mismatch": filters.is_mismatch(item.status, latest.status if latest else None),
        "may_record": policy.can_record_inspectorate_status(user, item.force_id, today),
        "national_url": (
            reverse("tracker:national_detail", args=[item.finding.key]) if is_national(item) else ""
        ),
    }
