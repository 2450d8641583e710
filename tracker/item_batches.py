"""Many new items at once (a spreadsheet import, a report import; issue 16).

`items_create` makes the same items, history rows, audit events, deadlines and reminders as
`services.item_create` for each in turn, under the same checks, with one INSERT per table per
thousand rows: the active deadline rules are read once and each force's coordinators and PCC
office looked up once, so the queries do not grow with the number of items.
tests/test_batched_planning.py makes the same items both ways and compares every row.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation
from tracker.audit import audit_event
from tracker.models import (
    CHOOSABLE_STATUSES,
    AuditEvent,
    Finding,
    Status,
    StatusChange,
    TrackedItem,
)
from tracker.reminders.sync import deadlines_plan_new_items
from tracker.services import (
    finding_forces,
    item_check_due_date,
    item_check_organisation,
    item_refuse_national_body,
)


class KeysTaken:
    """The keys a model uses under some prefixes, read once, to choose many new keys as
    `unique_key` would one after another (each key chosen counts as taken)."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken

    def take(self, base: str) -> str:
        key, n = base, 2
        while key in self.taken:
            key, n = f"{base}-{n}", n + 1
        self.taken.add(key)
        return key


def unique_keys(model, prefixes: Sequence[str]) -> KeysTaken:
    """For choosing many keys in one query: each base passed to `take` must start with one of
    `prefixes`."""
    if not prefixes:
        return KeysTaken(set())
    among = Q()
    for prefix in prefixes:
        among |= Q(key__startswith=prefix)
    return KeysTaken(set(model.objects.filter(among).values_list("key", flat=True)))


@dataclass
class NewItem:
    """One item for `items_create`: what `item_create` takes, and the status it starts in (a
    bulk import may start an item "In progress": recorded as `item_set_status` records it,
    with `reason`)."""

    finding: Finding
    force: Organisation
    owner: Any = None
    lead: Any = None
    due_date: datetime.date | None = None
    status: str = Status.NOT_STARTED
    reason: str = ""


BATCH_SIZE = 1000  # rows to an INSERT


@transaction.atomic
def items_create(
    *, new: Sequence[NewItem], created_by=None, now: datetime.datetime | None = None
) -> list[TrackedItem]:
    """Create many items at once (a bulk import, a report import): the same items, history
    rows, audit events, deadlines and reminders as `item_create` for each in turn (followed by
    `item_set_status` for one that starts "In progress"), under the same checks, written with
    a few INSERTs whatever their number (tests/test_batched_planning.py compares the two).

    Starting "In progress" changes nothing a deadline depends on (only "proposed for
    closure" and "closed" do, and the time of the change is the time of creation), so each
    item's deadlines are worked out once, from the status it starts in."""
    if not new:
        return []
    now = now or timezone.now()
    forces_of: dict[int, list[Organisation]] = {}
    for spec in new:
        item_check_due_date(report=spec.finding.report, due_date=spec.due_date)
        item_check_organisation(spec.force)
        item_refuse_national_body(spec.finding)
        if spec.finding.force is None and spec.finding.report_id not in forces_of:
            forces_of[spec.finding.report_id] = finding_forces(spec.finding)
        if spec.force not in (
            [spec.finding.force] if spec.finding.force else forces_of[spec.finding.report_id]
        ):
            raise ValidationError(f"This finding is not about {spec.force}.")
        if spec.status not in CHOOSABLE_STATUSES:
            raise ValueError(f"A new item cannot start as {spec.status}.")
    tracked = set(
        TrackedItem.objects.filter(finding__in={s.finding.pk for s in new}).values_list(
            "finding_id", "force_id"
        )
    )
    items = []
    for spec in new:
        pair = (spec.finding.pk, spec.force.pk)
        if pair in tracked:
            raise ValidationError(f"{spec.force} already tracks this finding.")
        tracked.add(pair)
        item = TrackedItem(
            finding=spec.finding,
            force=spec.force,
            owner=spec.owner,
            lead=spec.lead,
            status=spec.status,
            original_due_date=spec.due_date,
            due_date=spec.due_date,
            created_at=now,
            last_activity_at=now,
            version=1 if spec.status == Status.NOT_STARTED else 2,
        )
        # The uuid is new and the finding and force were checked above: no query per item.
        item.full_clean(
            exclude=["finding", "force", "owner", "lead"],
            validate_unique=False,
            validate_constraints=False,
        )
        items.append(item)
    TrackedItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
    changes, events = [], []
    for spec, item in zip(new, items, strict=True):
        changes.append(
            StatusChange(
                item=item,
                from_status="",
                to_status=Status.NOT_STARTED,
                changed_by=created_by,
                changed_at=now,
                reason="Item created",
            )
        )
        events.append(
            audit_event(
                actor=created_by,
                action=AuditEvent.Action.CREATE,
                obj=item,
                at=now,
                changes={"owner": (None, spec.owner), "due_date": (None, spec.due_date)},
            )
        )
        if spec.status != Status.NOT_STARTED:
            changes.append(
                StatusChange(
                    item=item,
                    from_status=Status.NOT_STARTED,
                    to_status=spec.status,
                    changed_by=created_by,
                    changed_at=now,
                    reason=spec.reason,
                )
            )
            events.append(
                audit_event(
                    actor=created_by,
                    action=AuditEvent.Action.UPDATE,
                    obj=item,
                    at=now,
                    changes={"status": (Status.NOT_STARTED, spec.status)},
                    note=spec.reason,
                )
            )
    StatusChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    deadlines_plan_new_items(items, now=now)
    return items
