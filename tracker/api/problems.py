"""Every error as an RFC 9457 problem: `application/problem+json` with `type`, `title`,
`status`, `detail` and `instance`, and `errors` (field: [messages]) when what was sent did
not validate. `type` is a stable URN for the kind of problem (`urn:inspection-tracker:problem:
rate-limit`), listed in docs/api.md: a name to match on, with no made-up address behind it."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:inspection-tracker:problem:"

TITLES = {
    400: "The request could not be used",
    401: "Authentication needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "The item has changed",
    412: "Precondition failed",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Something went wrong",
}
TYPES = {
    400: "invalid-request",
    401: "authentication",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    415: "unsupported-media-type",
    429: "rate-limit",
}


class Problem(exceptions.APIException):
    """An error answered as a problem, with field messages (`errors`) when there are some."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        *,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.errors = errors or {}
        self.extra = extra or {}


def problem_body(
    status_code: int,
    detail: str,
    instance: str,
    *,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + TYPES.get(status_code, "error"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def problem_response(
    request: Any,
    status_code: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem_body(status_code, detail, request.get_full_path(), errors=errors, extra=extra)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_JSON)


def _messages(data: Any) -> list[str]:
    if isinstance(data, list):
        return [str(m) for item in data for m in _messages(item)]
    if isinstance(data, dict):
        return [str(m) for value in data.values() for m in _messages(value)]
    return [str(data)]


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): _messages(v) for k, v in detail.items()}
    return {"non_field_errors": _messages(detail)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with each answer made a problem (settings' REST_FRAMEWORK)."""
    request = context["request"]
    if isinstance(exc, DjangoValidationError):
        messages = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"non_field_errors": [str(m) for m in exc.messages]}
        )
        return problem_response(
            request, 400, " ".join(m for ms in messages.values() for m in ms), errors=messages
        )
    if isinstance(exc, Problem):
        return problem_response(
            request, exc.status_code, str(exc.detail), errors=exc.errors, extra=exc.extra
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("There is nothing here, or you may not see it."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    headers = {
        name: value
        for name, value in response.items()
        if name in ("Retry-After", "WWW-Authenticate", "Allow")
    }
    errors: dict[str, list[str]] | None = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        detail = " ".join(m for ms in errors.values() for m in ms)
    elif isinstance(exc, exceptions.APIException):
        detail = " ".join(_messages(exc.detail))
    else:
        detail = TITLES.get(response.status_code, "Error")
    extra = None
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra = {"retry_after": int(exc.wait) + (0 if float(exc.wait).is_integer() else 1)}
        headers["Retry-After"] = str(extra["retry_after"])
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="inspection-tracker"'
    return problem_response(
        request, response.status_code, detail, errors=errors, extra=extra, headers=headers
    )
