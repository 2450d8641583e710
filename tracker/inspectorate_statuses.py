"""The inspectorate's status of an item entered by hand (issue 18).

An import records the statuses of a register entry (tracker/report_import/item_history.py
`statuses_record`); a coordinator or the PCC office may also record one by hand, as a letter
or the register gave it. Either way it is a row of the item's inspectorate history beside the
force's own status, which it never changes, with its audit event
(`item_history.inspectorate_status_add`, which this calls after its checks).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from tracker import policy
from tracker.models import InspectorateStatus, TrackedItem
from tracker.report_import.item_history import inspectorate_status_add


@transaction.atomic
def inspectorate_status_record(
    *,
    item: TrackedItem,
    by: User,
    status: str,
    stated_on: datetime.date | None,
    source: str,
    note: str = "",
    today: datetime.date,
    now: datetime.datetime | None = None,
) -> InspectorateStatus:
    """Record by hand one status the inspectorate gave the item's recommendation, after the
    checks: the person may (policy.can_record_inspectorate_status), the status is one of the
    inspectorate's, the date is given and not after `today`, the source is given. A refusal
    is a ValidationError naming the field (nothing is written)."""
    if not policy.can_record_inspectorate_status(by, item.force_id, today):
        raise ValidationError("You cannot record the inspectorate's status of this item.")
    problems: dict[str, str] = {}
    if status not in InspectorateStatus.Status.values:
        problems["status"] = "Choose one of the inspectorate's statuses listed"
    if stated_on is None:
        problems["stated_on"] = "Enter the date the inspectorate gave this status"
    elif stated_on > today:
        problems["stated_on"] = "The date cannot be in the future: enter today or an earlier date"
    source = " ".join((source or "").split())
    if not source:
        problems["source"] = "Enter where the inspectorate stated it"
    elif len(source) > 300:
        problems["source"] = "Keep the source to 300 characters or fewer"
    if problems:
        raise ValidationError(problems)
    return inspectorate_status_add(
        item=item,
        status=status,
        stated_on=stated_on,
        source=source,
        note=(note or "").strip()[:5_000],
        by=by,
        now=now or timezone.now(),
    )
