"""A change made from a page that someone else has changed since (issue 19).

An item carries a version (`TrackedItem.version`), one more with each change to what its
forms show: status, due date, owner and lead (closure proposals and decisions change the
status). A form carries the version its page was built from; the service compares it once it
holds the item's row lock (`check_version`), and when the item has changed since, saves
nothing and raises `ItemChanged`, which says who changed what and when, read from the audit
trail: each of those changes records one audit event on the item.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.models import User
from tracker.models import AuditEvent, Status, TrackedItem

SAVE_AGAIN = "Your changes have not been saved; check them and save again."
MAX_SHOWN = 5  # changes named on the page; older ones are counted

FIELD_NAMES = {
    "owner": "owner",
    "lead": "accountable lead",
    "status": "status",
    "due_date": "due date",
}
PEOPLE_FIELDS = ("owner", "lead")


@dataclass(frozen=True)
class ItemChange:
    """One change to the item since the page was built, as its audit event records it."""

    at: datetime.datetime
    by: User | None
    what: tuple[str, ...]  # for example "owner from Priya Shah to Tom Ellis"

    def sentence(self, viewer: Any, today: datetime.date) -> str:
        """'Grace Okafor changed this item at 10:02: owner from Tom Reed to Priya Shah.'"""
        if self.by is None:
            who = "Someone"
        elif viewer is not None and self.by.pk == getattr(viewer, "pk", None):
            who = "You"
        else:
            who = self.by.full_name or self.by.email
        local = timezone.localtime(self.at)
        when = f"at {local:%H:%M}"
        if local.date() != today:
            when = f"on {local:%-d %B %Y} {when}"
        what = f": {and_list(self.what)}" if self.what else ""
        return f"{who} changed this item {when}{what}."


class ItemChanged(Exception):
    """The item has changed since the page the person used was built: nothing was saved."""

    def __init__(self, *, item: TrackedItem, since: int, changes: list[ItemChange]) -> None:
        super().__init__(f"Item {item.uuid} is at version {item.version}, not {since}.")
        self.item = item  # as it is now, read under its lock
        self.since = since
        self.changes = changes

    def message(self, viewer: Any) -> str:
        """Who changed what and when, and that nothing was saved, in plain English."""
        today = timezone.localdate()
        parts = [change.sentence(viewer, today) for change in self.changes]
        total = self.item.version - self.since
        if total > len(self.changes):
            parts.insert(
                0,
                f"This item has been changed {total} times since you opened this page; "
                f"the latest {len(self.changes)} changes:",
            )
        if not parts:
            parts = ["This item was changed after you opened this page."]
        return " ".join([*parts, SAVE_AGAIN])


def check_version(*, item: TrackedItem, version: int | None) -> None:
    """Refuse a change made from the page of an earlier version. The caller holds the item's
    row lock, so no change can come between this check and the write. None (a page or caller
    that sends no version) checks nothing."""
    if version is not None and version != item.version:
        raise ItemChanged(item=item, since=version, changes=changes_since(item, version))


def changes_since(item: TrackedItem, version: int) -> list[ItemChange]:
    """The changes that took the item from `version` to its version now, oldest first: the
    latest audit events on the item, one for each version (at most MAX_SHOWN)."""
    count = min(item.version - version, MAX_SHOWN)
    if count <= 0:
        return []
    events = list(
        AuditEvent.objects.filter(
            object_type="tracker.TrackedItem",
            object_id=str(item.uuid),
            action=AuditEvent.Action.UPDATE,
        )
        .select_related("actor")
        .order_by("-id")[:count]
    )
    events.reverse()
    emails = {
        value
        for event in events
        for field, values in _changes(event).items()
        if field in PEOPLE_FIELDS
        for value in values
        if value
    }
    names = {u.email: u.full_name or u.email for u in User.objects.filter(email__in=sorted(emails))}
    return [
        ItemChange(
            at=event.at,
            by=event.actor,
            what=tuple(
                describe(field, before, after, names)
                for field, (before, after) in _changes(event).items()
            ),
        )
        for event in events
    ]


def _changes(event: AuditEvent) -> dict[str, tuple[Any, Any]]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    return {k: (v[0], v[1]) for k, v in changes.items() if isinstance(v, list) and len(v) == 2}


def describe(field: str, before: Any, after: Any, names: dict[str, str]) -> str:
    """'owner from Tom Reed to Priya Shah', from a field's values as the audit trail keeps
    them (people by email, dates as ISO text, statuses by value)."""
    name = FIELD_NAMES.get(field, field.replace("_", " "))
    return f"{name} from {value_text(field, before, names)} to {value_text(field, after, names)}"


def value_text(field: str, value: Any, names: dict[str, str]) -> str:
    if field in PEOPLE_FIELDS:
        return names.get(value, value) if value else "nobody"
    if value in (None, ""):
        return "none"
    if field == "status" and value in Status.values:
        return str(Status(value).label)
    if field == "due_date":
        try:
            return f"{datetime.date.fromisoformat(value):%-d %B %Y}"
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def and_list(parts: tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
