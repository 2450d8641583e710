"""What the API's endpoints share: today's date, the query parameters a list takes (any
other is refused, naming it), ETags on single things, and the audit context of a change
made through a token."""

import contextlib
import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_tokens import ApiToken
from tracker import audit_context
from tracker.api.problems import Problem

# What every list takes, besides its filters.
PAGING_PARAMS = frozenset({"cursor", "page_size"})
# The item lists' sort is the page's: the API lists in a fixed order its cursor can follow.
NOT_FOR_THE_API = frozenset({"sort"})


def today() -> datetime.date:
    return timezone.localdate()


def check_params(request: Request, allowed: Iterable[str]) -> None:
    """Refuse a query parameter the endpoint does not take (a misspelt filter would
    otherwise be ignored, and the list would look filtered when it is not)."""
    allowed = set(allowed)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        names = ", ".join(unknown)
        raise Problem(
            400,
            _("Unknown query parameter: %(names)s. This endpoint takes: %(allowed)s.")
            % {"names": names, "allowed": ", ".join(sorted(allowed)) or _("none")},
            errors={name: [_("This endpoint has no parameter of this name")] for name in unknown},
        )


def etag_of(data: Any) -> str:
    body = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'


def matches(if_none_match: str, etag: str) -> bool:
    """Whether If-None-Match names this ETag (weak or strong: the gzip middleware makes
    ETags weak), or is "*"."""
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def with_etag(request: Request, data: Any) -> Response:
    """The thing with its ETag, or 304 Not Modified when the client has it already."""
    etag = etag_of(data)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if matches(request.headers.get("If-None-Match", ""), etag):
        return Response(status=304, headers=headers)
    return Response(data, headers=headers)


@contextlib.contextmanager
def acting(request: Request) -> Iterator[None]:
    """The audit context of a change made through the API: the source says it came through
    the API (and which token, by its id), the path names the token."""
    token = request.auth
    if isinstance(token, ApiToken):
        source = f"api:token:{token.pk}"[:20]
        what = token.audit_label
    else:
        source = "api:session"
        what = "signed-in session"
    path = f"{request.method} {request.path} by {what}"[:300]
    with audit_context.using(source=source, path=path):
        yield


class ReadList(generics.ListAPIView):
    """A list: its own parameters (`filter_params`) and the paging ones, nothing else."""

    filter_params: frozenset[str] = frozenset()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check_params(request, self.filter_params | PAGING_PARAMS)
        return super().list(request, *args, **kwargs)
