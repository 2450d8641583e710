"""Structured logs: one JSON object a line when LOG_FORMAT=json (settings.LOGGING).

Every record is given the request it was made in: the request id the audit trail records
(config.middleware.AuditContextMiddleware sets it, and returns it as X-Request-ID), the
method and path, and the id of the person signed in (set by LogContextMiddleware, just after
Django's AuthenticationMiddleware). Records from Celery tasks carry the task's name as the
path; records made outside any request or task carry empty values.

No dependency: the formatter is the standard library's json over the record's fields.
"""

import contextvars
import datetime
import json
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tracker import audit_context

_user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("log_user_id", default=None)

# The record's own attributes, which are not "extra" fields given by the caller.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "user_id",
    "method",
    "path",
    "request",
}


class RequestContextFilter(logging.Filter):
    """Adds request_id, user_id, method and path to every record (empty outside requests).

    Django logs a 4xx or 5xx answer after the middleware has finished (so after the context
    is gone), giving the request with the record: then they are read from the request."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            record.request_id = getattr(request, "request_id", "")
            record.user_id = getattr(request, "log_user_id", None)
            record.method = request.method or ""
            record.path = request.path
            return True
        context = audit_context.current()
        record.request_id = context.request_id
        record.user_id = _user_id.get()
        method, _, path = context.path.partition(" ")
        record.method = method if context.source in {"web", "admin"} else ""
        record.path = path if context.source in {"web", "admin"} else context.path
        return True


class JsonFormatter(logging.Formatter):
    """time (UTC, ISO 8601), level, logger, message, request_id, user_id, method, path, the
    exception with its traceback when there is one, and any extra fields given."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            RequestContextFilter().filter(record)
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
            "user_id": getattr(record, "user_id", None),
            "method": getattr(record, "method", "") or None,
            "path": getattr(record, "path", "") or None,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
            entry["exception_type"] = getattr(record.exc_info[0], "__name__", None)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        return json.dumps(entry, default=str)


class LogContextMiddleware:
    """Remembers who is signed in for the logs of this request. After Django's
    AuthenticationMiddleware, which gives the request its user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        request.log_user_id = user_id  # type: ignore[attr-defined]
        token = _user_id.set(user_id)
        try:
            return self.get_response(request)
        finally:
            _user_id.reset(token)
