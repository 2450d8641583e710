"""The audit trail: how a row is named in it, and how a change is recorded.

Every service that changes tracked data records who, when, what (before and after) and where
the change came from (tracker/audit_context.py: the request, task or command). Both apps write
through `audit_record`; `accounts` imports this module, never `tracker.services`.
"""

import datetime
from typing import Any

from django.db import models

from tracker import audit_context
from tracker.models import AuditEvent

Action = AuditEvent.Action


def natural_key(obj: Any) -> str:
    """How the audit trail names a row: a key that survives export and import (uuid, report
    or finding key, organisation code, email), falling back to the database id."""
    for attr in ("uuid", "key", "code", "email"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return str(obj.pk)


def as_json(value: Any) -> Any:
    """A value as the audit trail stores it: dates as ISO text, rows by their natural key."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return natural_key(value)
    return value


def audit_context_fields() -> dict[str, Any]:
    """The request or job that is making the change (tracker/audit_context.py)."""
    context = audit_context.current()
    return {
        "source": context.source,
        "request_id": context.request_id,
        "ip_address": context.ip_address,
        "path": context.path,
    }


def audit_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, tuple[Any, Any]],
    at: datetime.datetime,
    note: str = "",
) -> AuditEvent:
    """One row of the audit trail, unsaved (a service that writes many saves them with
    `bulk_create`). `changes` maps a field to (before, after)."""
    return AuditEvent(
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=natural_key(obj),
        object_repr=str(obj)[:300],
        changes={k: [as_json(b), as_json(a)] for k, (b, a) in changes.items()},
        note=note[:300],
        **audit_context_fields(),
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, tuple[Any, Any]],
    at: datetime.datetime,
    note: str = "",
) -> AuditEvent:
    """Append one row to the audit trail. `changes` maps a field to (before, after)."""
    event = audit_event(actor=actor, action=action, obj=obj, changes=changes, at=at, note=note)
    event.save(force_insert=True)
    return event
