"""What happened to an item or a report, for their pages: an item's timeline (its history,
newest first), the inspectorate's statuses of its recommendation, and the audit trail of an
item or a report (split from tracker.selectors, which re-exports the older names)."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from accounts.models import User
from tracker import policy
from tracker.models import (
    AuditEvent,
    InspectorateStatus,
    Judgement,
    ProgressReview,
    Report,
    Status,
    StatutoryResponse,
    TrackedItem,
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    title: str
    by: object
    text: str = ""
    detail: str = ""
    seq: int = 0  # the row's id: orders rows written at the same time


def item_timeline(item: TrackedItem) -> list[TimelineEntry]:
    """Status changes (which include closure proposals and decisions, with their reasons),
    updates, revisions, evidence and changes of owner, newest first: in the order they were
    committed, as each is timed once it holds the item's lock (tracker.services.item_lock)."""
    entries: list[TimelineEntry] = []
    # The force's people, named by email or id as the audit rows name them (one query).
    force_people = list(
        User.objects.filter(organisation_id=item.force_id).only("pk", "email", "full_name")
    )
    people = {u.email: u.full_name for u in force_people}
    people.update({str(u.pk): u.full_name for u in force_people})
    for c in item.status_changes.select_related("changed_by"):
        title = (
            f"Status: {Status(c.to_status).label}"
            if not c.from_status
            else f"Status changed from {Status(c.from_status).label} to {Status(c.to_status).label}"
        )
        entries.append(
            TimelineEntry(c.changed_at, "status", title, c.changed_by, c.reason, seq=c.id)
        )
    for u in item.updates.select_related("author"):
        entries.append(
            TimelineEntry(u.written_at, "update", "Progress update", u.author, u.text, seq=u.id)
        )
    for r in item.revisions.select_related("approved_by"):
        before = r.previous_date.strftime("%-d %B %Y") if r.previous_date else "none"
        entries.append(
            TimelineEntry(
                r.recorded_at,
                "due_date",
                "Due date revised",
                r.approved_by,
                r.reason,
                f"From {before} to {r.new_date:%-d %B %Y}",
                r.id,
            )
        )
    for e in item.evidence.all():
        entries.append(
            TimelineEntry(
                e.uploaded_at,
                "evidence",
                "Evidence added",
                e.uploaded_by,
                e.description,
                e.original_name,
                e.id,
            )
        )
    assignments = AuditEvent.objects.filter(
        object_type="tracker.TrackedItem", object_id=str(item.uuid)
    ).select_related("actor")
    for a in assignments:
        names = {"owner": "Owner", "lead": "Accountable lead"}
        changes = a.changes if isinstance(a.changes, dict) else {}
        changed = [
            f"{names[k]}: {people.get(str(v[1]), 'none')} (was {people.get(str(v[0]), 'none')})"
            for k, v in changes.items()
            if k in names and isinstance(v, list) and len(v) == 2
        ]
        if changed and a.action == AuditEvent.Action.UPDATE:
            entries.append(
                TimelineEntry(
                    a.at,
                    "assignment",
                    "Owner or lead changed",
                    a.actor,
                    "",
                    "; ".join(changed),
                    a.id,
                )
            )
    for r in item.reviews.all():  # prefetched by item_get
        if r.kind == ProgressReview.Kind.VIEW:
            title = f"PCC office's view on progress: {r.get_rating_display()}"
        else:
            title = "PCC office asked for an update"
        entries.append(TimelineEntry(r.at, "review", title, r.by, r.text, seq=r.id))
    entries.sort(key=lambda e: (e.at, e.seq), reverse=True)
    return entries


def item_inspectorate_statuses(item: TrackedItem) -> QuerySet[InspectorateStatus]:
    """The inspectorate's statuses of the item's recommendation (issue 17), in the order
    they were given (undated ones last), with where each was stated."""
    return item.inspectorate_statuses.select_related("recorded_by").order_by(
        F("stated_on").asc(nulls_last=True), "recorded_at", "id"
    )


# The audit trail ------------------------------------------------------------------------------

AUDIT_TRAIL_LIMIT = 200


def item_audit_trail(item: TrackedItem) -> QuerySet[AuditEvent]:
    """Every recorded change to the item and to what was added to it (updates, evidence,
    the PCC office's reviews, the inspectorate's statuses), newest first; the page shows the
    latest 200."""
    added = [
        str(u)
        for related in (item.updates, item.evidence, item.reviews, item.inspectorate_statuses)
        for u in related.values_list("uuid", flat=True)
    ]
    return (
        AuditEvent.objects.filter(
            Q(object_type="tracker.TrackedItem", object_id=str(item.uuid))
            | Q(
                object_type__in=[
                    "tracker.ProgressUpdate",
                    "tracker.Evidence",
                    "tracker.ProgressReview",
                    "tracker.InspectorateStatus",
                ],
                object_id__in=added,
            )
        )
        .select_related("actor")
        .order_by("-at", "-id")[:AUDIT_TRAIL_LIMIT]
    )


def report_audit_trail(*, report: Report, user, today: datetime.date) -> QuerySet[AuditEvent]:
    """Changes to the report, its findings and judgements, and the statutory responses to it
    that this person may see the record of. A fixed number of queries."""
    force_ids = policy.visible_force_ids(user, today)
    # Only findings and grades this person may see: on a report about several forces, a
    # finding or grade about one force stays with that force.
    own = Q(force__isnull=True) if force_ids is not None else Q()
    if force_ids is not None:
        own |= Q(force_id__in=force_ids)
    findings = report.findings.filter(own).values_list("key", flat=True)
    judgements = [
        str(pk) for pk in Judgement.objects.filter(own, report=report).values_list("pk", flat=True)
    ]
    # Responses: the whole record for administrators; for the others, the forces they
    # answer for.
    responses = StatutoryResponse.objects.filter(report=report)
    readable = policy.response_record_force_ids(user, force_ids)
    if readable is not None:
        responses = responses.filter(force_id__in=readable)
    response_ids = [str(u) for u in responses.values_list("uuid", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(object_type="tracker.Report", object_id=report.key)
            | Q(object_type="tracker.Finding", object_id__in=list(findings))
            | Q(object_type="tracker.Judgement", object_id__in=judgements)
            | Q(object_type="tracker.StatutoryResponse", object_id__in=response_ids)
        )
        .select_related("actor")
        .order_by("-at", "-id")[:AUDIT_TRAIL_LIMIT]
    )
