"""Writes to a person's notifications in the app (the reminders and notices they are sent
are created by tracker.reminders; hand-offs by tracker.handoffs): marking them read, and
resolving those about an item that is no longer the person's."""

import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from tracker.models import Notification, TrackedItem


def notifications_mark_read(
    *, user: User, ids: Iterable[int] | None = None, now: datetime.datetime
) -> int:
    """Mark the person's unread notifications read at `now`: all of them, or only those with
    these ids. Only their own: another person's id is left alone. Returns how many were
    marked (one conditional UPDATE, so marking twice changes nothing)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now)


def notifications_resolve_for_item(*, user: User, item: TrackedItem, now: datetime.datetime) -> int:
    """When an item is no longer the person's to act on (it has a new owner): their unread
    notifications about it (its reminders, and notices that link to it, such as a request
    for an update) are marked read at `now`, so they no longer stand as things to do; their
    lines leave the next digest and a notice not yet emailed is not sent. The rows stay, so
    the person can still see what they were told. Returns how many were resolved."""
    link = reverse("tracker:item_detail", args=[item.uuid])
    stale = Notification.objects.filter(user=user, read_at__isnull=True).filter(
        Q(reminder__deadline__item=item) | Q(reminder__isnull=True, url=link)
    )
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, email_state="pending").update(email_state="")
    return Notification.objects.filter(pk__in=ids).update(read_at=now, awaiting_digest=False)
