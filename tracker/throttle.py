"""Per-person limits on expensive requests: PDFs, exports and documents, uploads, and checking
or confirming a spreadsheet import.

Each kind of request has a limit: how many one person may make in a fixed window of time
(counted in the cache, so every web process shares the count) and, for some, how many may run
at once. Over a limit, the person gets a 429 page saying what happened and when to try again,
with a Retry-After header. A person is the signed-in account; a visitor who is not signed in
(the public register's documents) is counted by network address.

The limits come from settings (RATE_LIMIT_*; 0 turns one off). When the cache cannot be
reached, requests go through uncounted, with a warning in the log: the limits protect the
service and must never be the reason it fails.

Applied in tracker/urls.py, around the views: `limited("pdf")(view)`.
"""

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

log = logging.getLogger(__name__)

MINUTE = 60
TEN_MINUTES = 10 * 60
# A place taken by a request still running is given back when its response has been sent;
# if the process dies first, the place frees itself after this long.
HELD_AT_MOST = 5 * 60
# What Retry-After says when the limit reached is the number running at once.
RETRY_WHEN_BUSY = 10


@dataclass(frozen=True)
class Limit:
    """How many requests of one kind one person may make: `count` in each `window` seconds
    (0: no limit), and `at_once` running at the same time (0: no limit). `did`, `one`, `many`
    make the sentence on the 429 page: "You have {did} 4 {many} in the last minute"."""

    kind: str
    count: int
    window: int
    at_once: int
    did: str
    one: str
    many: str

    def things(self, n: int) -> str:
        return f"{n} {self.one if n == 1 else self.many}"


def limits() -> dict[str, Limit]:
    """The limits, from settings."""
    return {
        "pdf": Limit(
            "pdf",
            settings.RATE_LIMIT_PDF,
            MINUTE,
            settings.RATE_LIMIT_PDF_AT_ONCE,
            did="downloaded",
            one="PDF",
            many="PDFs",
        ),
        "export": Limit(
            "export",
            settings.RATE_LIMIT_EXPORT,
            MINUTE,
            settings.RATE_LIMIT_EXPORT_AT_ONCE,
            did="downloaded",
            one="export or document",
            many="exports and documents",
        ),
        "upload": Limit(
            "upload",
            settings.RATE_LIMIT_UPLOAD,
            TEN_MINUTES,
            0,
            did="uploaded",
            one="file",
            many="files",
        ),
        "import": Limit(
            "import",
            settings.RATE_LIMIT_IMPORT,
            TEN_MINUTES,
            0,
            did="checked or imported",
            one="spreadsheet",
            many="spreadsheets",
        ),
    }


# What a refusal says ----------------------------------------------------------------------


def window_words(seconds: int) -> str:
    """'minute', '10 minutes', 'hour': how the page names a window."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds} seconds"


def wait_words(seconds: int) -> str:
    """'1 second', '40 seconds', '3 minutes' (rounded up): how long to wait."""
    if seconds < 90:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


@dataclass(frozen=True)
class Refusal:
    """A request over its limit: what to tell the person, and when they may try again."""

    limit: Limit
    retry_after: int
    busy: bool  # True: the limit reached is the number running at once

    @property
    def what_happened(self) -> str:
        limit = self.limit
        if self.busy:
            n = limit.at_once
            return (
                f"You already have {n} {'download' if n == 1 else 'downloads'} of "
                f"{limit.many} under way, the most one person can have at once. Wait until "
                f"{'it has' if n == 1 else 'they have'} finished."
            )
        return (
            f"You have {limit.did} {limit.things(limit.count)} in the last "
            f"{window_words(limit.window)}."
        )

    @property
    def when_to_try_again(self) -> str:
        return f"Try again in {wait_words(self.retry_after)}."


def window_state(now: float, window: int) -> tuple[int, int]:
    """The fixed window `now` falls in (its number), and the whole seconds until it ends."""
    number = int(now // window)
    return number, max(1, math.ceil((number + 1) * window - now))


# Counting, in the cache -------------------------------------------------------------------


def person_key(request: HttpRequest) -> str:
    """Who is counted: the signed-in account, or else the network address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', 'unknown')}"


def count_request(limit: Limit, who: str, now: float) -> Refusal | None:
    """Count one request in this window; a Refusal if it is one too many. Raises what the
    cache raises (the caller lets the request through)."""
    number, left = window_state(now, limit.window)
    key = f"throttle:{limit.kind}:{who}:{number}"
    cache.add(key, 0, timeout=limit.window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=limit.window + 1)
        count = 1
    if count > limit.count:
        return Refusal(limit, left, busy=False)
    return None


def take_place(limit: Limit, who: str) -> str | None:
    """Take one of the person's `at_once` places; the key to give it back by, or None if all
    are taken. Each place is its own cache key that frees itself after HELD_AT_MOST, so a
    process that dies mid-request cannot keep a place for ever."""
    for n in range(limit.at_once):
        key = f"throttle-running:{limit.kind}:{who}:{n}"
        if cache.add(key, 1, timeout=HELD_AT_MOST):
            return key
    return None


def give_back(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 - the place frees itself after HELD_AT_MOST
        log.warning("Could not give back the place %s; it frees itself later", key)


def release_after(response: HttpResponseBase, key: str) -> HttpResponseBase:
    """Give the place back once the response has been sent: the WSGI server calls close()
    after the last byte (for a streamed export, after the whole stream), and so does the
    test client. Until then the work is still going on."""
    close = response.close

    def close_and_give_back() -> None:
        try:
            close()
        finally:
            give_back(key)

    response.close = close_and_give_back  # type: ignore[method-assign]
    return response


def refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    response = render(
        request,
        "429.html",
        {"refusal": refusal, "upload": refusal.limit.kind == "upload"},
        status=429,
    )
    response["Retry-After"] = str(refusal.retry_after)
    return response


def limited(
    kind: str | Callable[..., str], *, methods: tuple[str, ...]
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Limit a view: requests with one of `methods` (those that do the work: POST for an
    upload, GET for a download) are counted against the limit of `kind`, or of the kind
    `kind(**kwargs)` names from the URL's arguments (a document's format). Other methods go
    straight to the view, which answers them as it would."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in methods:
                return view(request, *args, **kwargs)
            limit = limits()[kind if isinstance(kind, str) else kind(**kwargs)]
            who = person_key(request)
            place = None
            try:
                refusal = count_request(limit, who, time.time()) if limit.count > 0 else None
                if refusal is None and limit.at_once > 0:
                    place = take_place(limit, who)
                    if place is None:
                        refusal = Refusal(limit, RETRY_WHEN_BUSY, busy=True)
            except Exception:  # noqa: BLE001 - fail open: never refuse or 500 for the cache
                log.warning("Rate limits are not applied: the cache cannot be reached")
                refusal = place = None
            if refusal is not None:
                return refused(request, refusal)
            if place is None:
                return view(request, *args, **kwargs)
            try:
                response = view(request, *args, **kwargs)
            except BaseException:
                give_back(place)
                raise
            return release_after(response, place)

        wrapper.limited_as = kind  # type: ignore[attr-defined]
        return wrapper

    return decorate


def document_kind(*, fmt: str = "", **kwargs: Any) -> str:
    """A document's kind by its format: a PDF is a PDF, Word and HTML are exports."""
    return "pdf" if fmt == "pdf" else "export"
