"""Switching a kind of email off from the unsubscribe link every automated email carries
(RFC 8058; the kinds and their tokens are in tracker/reminders/unsubscribe.py).

The link changes the same choices as the Email settings page, audited the same way (the
person is the actor, with a note saying it came from a link in an email):

- an email for each reminder or notice, or the daily digest: delivery becomes the weekly
  digest (reminders cannot be stopped altogether; they stay in the app);
- the weekly digest: switched off (`WEEKLY_DIGEST_OFF`); what was waiting for it stays in
  the app only;
- the overdue digest: switched off (`OVERDUE_DIGEST_OFF`).

A link for an email the person no longer gets (they changed their choice since) changes
nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import ReminderDelivery, User
from tracker.audit import audit_record
from tracker.models import AuditEvent, Notification
from tracker.reminders import unsubscribe

NOTE = "Switched off from the unsubscribe link in an email"
WEEKLY_DELIVERY: str = ReminderDelivery.WEEKLY.value

# Which delivery each kind of reminder email comes from.
_DELIVERY = {
    unsubscribe.EACH: ReminderDelivery.EACH,
    unsubscribe.DAILY: ReminderDelivery.DAILY,
    unsubscribe.WEEKLY: ReminderDelivery.WEEKLY,
}


def describe(kind: str) -> str:
    """The kind of email, as the unsubscribe page names it."""
    return {
        unsubscribe.EACH: gettext("an email for each reminder and notice"),
        unsubscribe.DAILY: gettext("the daily digest of your reminders and notices"),
        unsubscribe.WEEKLY: gettext("the weekly digest of your reminders and notices"),
        unsubscribe.OVERDUE: gettext("the weekly overdue digest"),
    }[kind]


def still_sent(person: User, kind: str) -> bool:
    """Whether the person still gets this kind of email (so the link would change something)."""
    if kind == unsubscribe.OVERDUE:
        return not unsubscribe.overdue_digest_off(person)
    if person.reminder_delivery != _DELIVERY[kind]:
        return False
    return kind != unsubscribe.WEEKLY or not unsubscribe.weekly_digest_off(person)


@transaction.atomic
def person_unsubscribe(*, person: User, kind: str, now: datetime.datetime | None = None) -> bool:
    """Switch this kind of email off for the person (see the module's docstring), audited.
    Returns whether anything changed."""
    if kind not in unsubscribe.KINDS:
        raise ValueError(f"Not a kind of email a link can switch off: {kind!r}")
    person = User.objects.select_for_update().get(pk=person.pk)
    if not still_sent(person, kind):
        return False
    now = now or timezone.now()
    before: object
    after: object
    if kind in (unsubscribe.EACH, unsubscribe.DAILY):
        field, before, after = "reminder_delivery", person.reminder_delivery, WEEKLY_DELIVERY
    else:
        flag = (
            unsubscribe.OVERDUE_DIGEST_OFF
            if kind == unsubscribe.OVERDUE
            else unsubscribe.WEEKLY_DIGEST_OFF
        )
        off = sorted(person.email_events_off or [])
        field, before, after = "email_events_off", off, sorted({*off, flag})
    setattr(person, field, after)
    person.save(update_fields=[field])
    if kind == unsubscribe.WEEKLY:
        # What waited for the weekly digest stays in the app, and no digest will carry it.
        Notification.objects.filter(user=person, awaiting_digest=True).update(awaiting_digest=False)
    audit_record(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        at=now,
        changes={field: (before, after)},
        note=NOTE,
    )
    return True
