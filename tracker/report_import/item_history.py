"""What a later document says of items already tracked (issue 17): the inspectorate's dated
statuses from a register entry, and the responses of a progress report or committee paper.

Both are added to the items' history, never in place of what the force recorded: an
inspectorate status is a row of its own (`InspectorateStatus`), and a response becomes a
progress update labelled with where it was given and the status it states, so the force's
own status is never changed by a document. Importing the same document again adds nothing:
a status already recorded for the item (same status, same day) and an update with the same
text are skipped.
"""

import datetime
import re
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext

from accounts.models import Organisation, User
from tracker import item_batches, services
from tracker.audit import audit_event
from tracker.models import (
    AuditEvent,
    Finding,
    InspectorateStatus,
    ProgressUpdate,
    Report,
    ReportImport,
    TrackedItem,
)
from tracker.reminders.sync import deadlines_sync_item
from tracker.report_import.draft import DraftFinding

Pairs = Sequence[tuple[Finding, DraftFinding]]


def stated(dated: str | None) -> tuple[datetime.date | None, str]:
    """A register entry's date as (day, precision): "2024-03-14" is that day, "2024-03" the
    1st with month precision; anything else is no date. Pure."""
    value = (dated or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.date.fromisoformat(value), Report.Precision.DAY
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return datetime.date.fromisoformat(f"{value}-01"), Report.Precision.MONTH
    except ValueError:
        pass
    return None, Report.Precision.DAY


def _items(pairs: Pairs, forces: Iterable[Organisation]) -> dict[int, list[TrackedItem]]:
    """The items of these findings for these forces, by finding id (one query), locked as
    `services.item_lock` locks one: two imports of the same page at once then take turns,
    and the second reads what the first added before it decides what is new (so nothing is
    added twice). Called inside the import's transaction."""
    found: dict[int, list[TrackedItem]] = {}
    findings = [finding.pk for finding, _ in pairs]
    if not findings:
        return found
    for item in (
        TrackedItem.objects.select_for_update(of=("self",))
        .filter(finding__in=findings, force__in=[f.pk for f in forces])
        .order_by("pk")
    ):
        found.setdefault(item.finding_id, []).append(item)
    return found


def statuses_record(
    *,
    pairs: Pairs,
    forces: Sequence[Organisation],
    report_import: ReportImport,
    by: User,
    now: datetime.datetime,
) -> int:
    """Each finding's dated statuses (a register entry's) as its items' inspectorate status
    history, with their source; audited. A status the item already has on that day is not
    added again. Returns how many were added."""
    items = _items([p for p in pairs if p[1].status_history], forces)
    known = set(
        InspectorateStatus.objects.filter(
            item__in=[i for found in items.values() for i in found]
        ).values_list("item_id", "status", "stated_on")
    )
    new = []
    for finding, draft_finding in pairs:
        for item in items.get(finding.pk, []):
            for entry in draft_finding.status_history:
                status = entry.get("status", "")
                if status not in InspectorateStatus.Status.values:
                    continue
                day, precision = stated(entry.get("dated"))
                if (item.pk, status, day) in known:
                    continue
                known.add((item.pk, status, day))
                new.append(
                    InspectorateStatus(
                        item=item,
                        status=status,
                        stated_on=day,
                        stated_precision=precision,
                        source=(entry.get("source") or report_import.original_name)[:300],
                        note=entry.get("note") or "",
                        recorded_by=by,
                        recorded_at=now,
                        report_import=report_import,
                    )
                )
    InspectorateStatus.objects.bulk_create(new, batch_size=item_batches.BATCH_SIZE)
    AuditEvent.objects.bulk_create(
        [
            audit_event(
                actor=by,
                action=AuditEvent.Action.CREATE,
                obj=status,
                at=now,
                changes={"status": (None, status.status), "stated_on": (None, status.stated_on)},
                note=f"Inspectorate status on item {status.item.uuid}, from "
                f"{report_import.original_name}"[:300],
            )
            for status in new
        ],
        batch_size=item_batches.BATCH_SIZE,
    )
    return len(new)


@transaction.atomic
def inspectorate_status_add(
    *,
    item: TrackedItem,
    status: str,
    stated_on: datetime.date | None,
    source: str,
    by: User | None,
    now: datetime.datetime,
    note: str = "",
    precision: str = Report.Precision.DAY,
) -> InspectorateStatus:
    """One inspectorate status on one item, audited (the demo's; an import records many with
    `statuses_record`): the row and its audit event together, or neither."""
    item = services.item_lock(item=item)
    row = InspectorateStatus(
        item=item,
        status=status,
        stated_on=stated_on,
        stated_precision=precision,
        source=source[:300],
        note=note,
        recorded_by=by,
        recorded_at=now,
    )
    row.full_clean(exclude=["item", "recorded_by", "report_import"])
    row.save()
    AuditEvent.objects.bulk_create(
        [
            audit_event(
                actor=by,
                action=AuditEvent.Action.CREATE,
                obj=row,
                at=now,
                changes={"status": (None, status), "stated_on": (None, stated_on)},
                note=f"Inspectorate status on item {item.uuid}",
            )
        ]
    )
    return row


def progress_text(draft_finding: DraftFinding, *, party: str, fallback_source: str) -> str:
    """A response from a progress report or committee paper as a progress update: labelled
    with where it was given, and the status it states shown as the document's, not the
    force's. Pure."""
    text = (
        draft_finding.force_response if party == "force" else draft_finding.pcc_response
    ).strip()
    source = draft_finding.response_source or fallback_source
    if party == "force":
        label = gettext("From %(source)s:") % {"source": source}
    else:
        label = gettext("The PCC office, in %(source)s:") % {"source": source}
    parts = [label, text]
    if draft_finding.response_status:
        parts.append(
            gettext("Status given there: %(status)s (the item's own status is unchanged).")
            % {"status": draft_finding.response_status}
        )
    return "\n\n".join(parts)


def progress_record(
    *,
    pairs: Pairs,
    forces: Sequence[Organisation],
    report_import: ReportImport,
    by: User,
    now: datetime.datetime,
) -> int:
    """Each finding's responses (a progress report's or minutes') as a labelled progress
    update on its items, audited, each item's deadlines worked out again (an update is
    activity). An update whose text the item already has is not added again. Returns how
    many were added."""
    wanted = [p for p in pairs if p[1].force_response.strip() or p[1].pcc_response.strip()]
    items = _items(wanted, forces)
    have = set(
        ProgressUpdate.objects.filter(
            item__in=[i for found in items.values() for i in found]
        ).values_list("item_id", "text")
    )
    added = 0
    for finding, draft_finding in wanted:
        for item in items.get(finding.pk, []):
            for party in ("force", "pcc"):
                if not (
                    draft_finding.force_response if party == "force" else draft_finding.pcc_response
                ).strip():
                    continue
                text = progress_text(
                    draft_finding, party=party, fallback_source=report_import.original_name
                )
                if (item.pk, text) in have:
                    continue
                have.add((item.pk, text))
                update = ProgressUpdate.objects.create(
                    item=item, author=by, written_at=now, text=text
                )
                TrackedItem.objects.filter(pk=item.pk).update(last_activity_at=now)
                item.last_activity_at = now
                AuditEvent.objects.bulk_create(
                    [
                        audit_event(
                            actor=by,
                            action=AuditEvent.Action.CREATE,
                            obj=update,
                            at=now,
                            changes={"text": (None, text)},
                            note=f"Progress update on item {item.uuid}, from "
                            f"{report_import.original_name}"[:300],
                        )
                    ]
                )
                deadlines_sync_item(item=item, now=now)
                added += 1
    return added
