"""Where a change came from, for the audit trail: the request (its id, address, method and
path) or the background job or command that made it.

A context variable rather than an argument, so that every service records it without each
view passing the request down. The middleware sets it for each web request; Celery tasks
and management commands set their own source. Without either, a change is marked "system".
"""

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TypedDict, Unpack


@dataclass(frozen=True)
class AuditContext:
    source: str = "system"
    request_id: str = ""
    ip_address: str | None = None
    path: str = ""


class AuditFields(TypedDict, total=False):
    """AuditContext's fields, for `using()` to take any of them by name."""

    source: str
    request_id: str
    ip_address: str | None
    path: str


NO_CONTEXT = AuditContext()
_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "audit_context", default=None
)


def current() -> AuditContext:
    return _current.get() or NO_CONTEXT


@contextlib.contextmanager
def using(**fields: Unpack[AuditFields]) -> Iterator[None]:
    """Run the block with these context fields (the others are kept from the outer context)."""
    token = _current.set(replace(current(), **fields))
    try:
        yield
    finally:
        _current.reset(token)
