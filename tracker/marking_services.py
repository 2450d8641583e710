"""Setting the protective marking of a report, an item or a statutory response (issue 21).

Each change is checked (who may, a marking from the list that is still in use, a change at
all), written under the row's lock and recorded in the audit trail with the labels before and
after, so who set or changed a marking, and when, is on record. Blank (None) means the thing
inherits its marking again (tracker/markings.py)."""

import datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ProtectiveMarking, User
from tracker import policy
from tracker.audit import audit_record
from tracker.models import AuditEvent, Report, StatutoryResponse, TrackedItem

Marked = TypeVar("Marked", Report, TrackedItem, StatutoryResponse)


def marking_in_use(marking: ProtectiveMarking | None) -> ProtectiveMarking | None:
    """The marking re-read under a share of its row, refused when it has left the list or
    is no longer in use (an administrator may have changed the list since the page)."""
    if marking is None:
        return None
    current = ProtectiveMarking.objects.filter(pk=marking.pk).first()
    if current is None:
        raise ValidationError(_("Choose a marking from the list."))
    if not current.active:
        raise ValidationError(
            _("“%(label)s” is no longer in use: choose another marking.") % {"label": current.label}
        )
    return current


def _label(marking_id: int | None) -> str | None:
    """A marking's label for the audit trail; None (shown as "(none)") for no marking."""
    if marking_id is None:
        return None
    return ProtectiveMarking.objects.filter(pk=marking_id).values_list("label", flat=True).first()


def _set(
    model: type[Marked],
    obj: Marked,
    *,
    marking: ProtectiveMarking | None,
    by: User,
    now: datetime.datetime | None,
) -> Marked:
    """Write the marking of a locked row and record it; the caller has checked who may."""
    locked = model.objects.select_for_update(of=("self",)).get(pk=obj.pk)
    now = now or timezone.now()
    marking = marking_in_use(marking)
    new_id = marking.pk if marking is not None else None
    if locked.marking_id == new_id:
        raise ValidationError(
            _("The marking is already “%(label)s”.") % {"label": marking.label}
            if marking is not None
            else _("The marking is already left to be inherited.")
        )
    before = _label(locked.marking_id)
    model.objects.filter(pk=obj.pk).update(marking=marking)
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        at=now,
        changes={"marking": (before, marking.label if marking is not None else None)},
        note="Protective marking",
    )
    obj.marking = marking
    return obj


@transaction.atomic
def item_marking_set(
    *,
    item: TrackedItem,
    marking: ProtectiveMarking | None,
    by: User,
    now: datetime.datetime | None = None,
) -> TrackedItem:
    """Set (or with None, clear so it inherits) an item's protective marking."""
    today = timezone.localdate(now or timezone.now())
    if not policy.can_set_marking(by, item.force_id, today):
        raise ValidationError(_("Only the force coordinator or the PCC office can mark this item."))
    return _set(TrackedItem, item, marking=marking, by=by, now=now)


@transaction.atomic
def response_marking_set(
    *,
    response: StatutoryResponse,
    marking: ProtectiveMarking | None,
    by: User,
    now: datetime.datetime | None = None,
) -> StatutoryResponse:
    """Set (or clear) the protective marking of a statutory response's drafts. What a
    published version carries is chosen when it is published."""
    today = timezone.localdate(now or timezone.now())
    if not policy.can_set_marking(by, response.force_id, today):
        raise ValidationError(
            _("Only the force coordinator or the PCC office can mark this response.")
        )
    return _set(StatutoryResponse, response, marking=marking, by=by, now=now)


@transaction.atomic
def report_marking_set(
    *,
    report: Report,
    marking: ProtectiveMarking | None,
    by: User,
    now: datetime.datetime | None = None,
) -> Report:
    """Set (or clear) a report's protective marking, which its items and responses inherit
    unless they have their own."""
    today = timezone.localdate(now or timezone.now())
    force_ids = list(report.forces.values_list("id", flat=True))
    if not policy.can_set_report_marking(by, force_ids, today):
        raise ValidationError(
            _(
                "Only the force coordinator or the PCC office of every force the report is "
                "about can mark it."
            )
        )
    return _set(Report, report, marking=marking, by=by, now=now)
