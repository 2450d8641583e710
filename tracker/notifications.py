"""Writes to a person's notifications in the app (the reminders and notices they are sent
are created by tracker.reminders)."""

import datetime
from collections.abc import Iterable

from accounts.models import User
from tracker.models import Notification


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
