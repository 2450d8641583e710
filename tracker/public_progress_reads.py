"""The public progress register's reads (issue 18): what the PCC office's page shows (each
recommendation and cause of concern of a report for one force, its item's status and the
words approved for publication), the rows a publication would freeze, and the public pages'
published versions (the latest of each report, and a version by its number).

The public reads answer for anyone, signed in or not, and show only what was published: the
frozen content of a `ProgressPublication`, never an item, its progress updates or a wording
approved since. The office's reads are scoped first (`progress_scope_get`: 404 for a force
the person may not see).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from accounts.models import POLICING_BODY_KINDS, Organisation
from tracker import policy, selectors
from tracker.models import (
    Finding,
    ProgressPublication,
    PublicWording,
    Report,
    Status,
    TrackedItem,
)
from tracker.statutory.content import answered_findings

# An item's status as the public register gives it: (code, English label). A proposal to
# close is an internal step (the coordinator or the office has not agreed it yet), so the
# public reads "In progress" until the closure is agreed. The label is kept in English in the
# published content; the public pages word each code in the page's language
# (templates/public/_progress_status.html).
PUBLIC_STATUS: dict[str, tuple[str, str]] = {
    Status.NOT_STARTED: ("not_started", "Not started"),
    Status.IN_PROGRESS: ("in_progress", "In progress"),
    Status.PROPOSED_FOR_CLOSURE: ("in_progress", "In progress"),
    Status.CLOSED: ("closed", "Closed"),
    Status.SUPERSEDED: ("superseded", "Superseded"),
}
# A finding the force tracks no item for (a cause of concern followed through its
# recommendations, most often).
NOT_TRACKED = ("", "No progress recorded")

# What makes two versions' rows the same for the reader: a change in any of these is news.
COMPARED = ("key", "label", "text", "status", "words")


@dataclass(frozen=True)
class ProgressRow:
    """One row of the office's page: the finding, the force's item (None when it tracks
    none) and the words approved for publication (None when there are none yet)."""

    finding: Finding
    item: TrackedItem | None
    wording: PublicWording | None

    @property
    def status(self) -> tuple[str, str]:
        return public_status(self.item)

    @property
    def words(self) -> str:
        return self.wording.text if self.wording is not None else ""


def public_status(item: TrackedItem | None) -> tuple[str, str]:
    """The public status code and its English label for an item (or for none)."""
    if item is None:
        return NOT_TRACKED
    return PUBLIC_STATUS.get(item.status, NOT_TRACKED)


def progress_scope_get(
    *, user: Any, key: str, force_code: str, today: datetime.date
) -> tuple[Report, Organisation]:
    """The report and force of the office's page, or 404 when the person cannot see the
    report or that force, or the report is not about the force."""
    report = selectors.report_get(user=user, key=key, today=today)
    force = next((f for f in report.forces.all() if f.code == force_code), None)
    if force is None or not policy.can_see_force(user, force.id, today):
        raise Http404("No such report for this force")
    return report, force


def progress_rows(*, report: Report, force: Organisation) -> list[ProgressRow]:
    """The report's causes of concern and recommendations for the force, in published order,
    each with the force's item and its approved words (three queries, whatever the length)."""
    findings = answered_findings(report, force)
    items = {
        i.finding_id: i
        for i in TrackedItem.objects.filter(finding__in=findings, force=force).only(
            "id", "uuid", "finding_id", "force_id", "status"
        )
    }
    wordings = {
        w.item_id: w
        for w in PublicWording.objects.filter(item_id__in=[i.pk for i in items.values()])
    }
    rows = []
    for finding in findings:
        item = items.get(finding.pk)
        rows.append(ProgressRow(finding, item, wordings.get(item.pk) if item else None))
    return rows


def content_row(row: ProgressRow) -> dict[str, Any]:
    """What a publication freezes of one row, without its date of last public update (the
    service sets it, comparing with the version before)."""
    code, label = row.status
    return {
        "key": row.finding.key,
        "kind": row.finding.kind,
        "label": row.finding.label,
        "text": row.finding.text,
        "status": code,
        "status_label": label,
        "words": row.words,
    }


def same_rows(current: list[dict[str, Any]], published: list[dict[str, Any]]) -> bool:
    """Whether a publication of `current` would say nothing the published rows do not."""
    return [tuple(r.get(k) for k in COMPARED) for r in current] == [
        tuple(r.get(k) for k in COMPARED) for r in published
    ]


def progress_versions(
    *, body: Organisation, force: Organisation, report: Report
) -> QuerySet[ProgressPublication]:
    """The office's published versions for one report and force, newest first."""
    return (
        ProgressPublication.objects.filter(body=body, force=force, report=report)
        .select_related("published_by")
        .order_by("-number")
    )


def progress_latest(
    *, body: Organisation, force: Organisation, report: Report
) -> ProgressPublication | None:
    return progress_versions(body=body, force=force, report=report).first()


def progress_page(
    *, report: Report, force: Organisation, body: Organisation | None
) -> dict[str, Any]:
    """The office's page: the rows, its published versions (newest first), and whether the
    rows differ from the latest version (so "Publish progress" would make a new one)."""
    rows = progress_rows(report=report, force=force)
    versions = list(progress_versions(body=body, force=force, report=report)) if body else []
    latest = versions[0] if versions else None
    current = [content_row(r) for r in rows]
    return {
        "rows": rows,
        "versions": versions,
        "latest": latest,
        "unpublished_changes": latest is None or not same_rows(current, latest.content["rows"]),
        "worded": sum(1 for r in rows if r.wording is not None),
        "tracked": sum(1 for r in rows if r.item is not None),
    }


# The public side: no sign-in, only what was published ---------------------------------------


def public_progress_list(*, body: Organisation) -> QuerySet[ProgressPublication]:
    """The latest published version of each report's progress a body published, newest
    first, without the content (the list shows the title, the force and the dates)."""
    latest = ProgressPublication.objects.filter(
        body_id=OuterRef("body_id"), force_id=OuterRef("force_id"), report_id=OuterRef("report_id")
    ).order_by("-number")
    return (
        ProgressPublication.objects.filter(body=body)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("report", "force")
        .defer("content")
        .order_by("-published_on", "-id")
    )


def public_progress_get(
    *, body_code: str, report_key: str, number: int | None = None
) -> ProgressPublication:
    """A body's published progress on a report: the latest version, or version `number`;
    404 when there is none. Should a body publish for two of its forces on one report (a
    police force and a fire and rescue service it answers for), the address shows the one
    published most recently."""
    versions = ProgressPublication.objects.filter(
        body__code=body_code, report__key=report_key, body__kind__in=POLICING_BODY_KINDS
    ).select_related("body", "force", "report")
    if number is None:
        found = versions.order_by("-recorded_at", "-id").first()
    else:
        latest_force = versions.order_by("-recorded_at", "-id").values("force_id")[:1]
        found = versions.filter(number=number, force_id=Subquery(latest_force)).first()
    if found is None:
        raise Http404("No such published progress")
    return found


def public_progress_versions(*, publication: ProgressPublication) -> QuerySet[ProgressPublication]:
    """Every published version of the same report's progress, newest first (no content)."""
    return (
        ProgressPublication.objects.filter(
            body_id=publication.body_id,
            force_id=publication.force_id,
            report_id=publication.report_id,
        )
        .defer("content")
        .order_by("-number")
    )
