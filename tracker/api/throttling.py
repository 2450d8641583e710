"""A request limit for each token (or, without one, each signed-in person): settings'
API_RATE_LIMIT ("600/min"; "" or "0" turns it off). Over it: 429 with Retry-After.

Counted in the cache, so every web process shares the count. When the cache cannot be
reached, requests go through uncounted (as tracker/throttle.py does for the pages)."""

import logging
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from accounts.api_tokens import ApiToken

log = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str | None:
        rate = settings.API_RATE_LIMIT
        return None if rate in ("", "0") else rate

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            who = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            who = f"user:{request.user.pk}"
        else:
            who = f"ip:{self.get_ident(request)}"
        return f"throttle:api:{who}"

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - fail open: never refuse or 500 for the cache
            log.warning("API rate limits are not applied: the cache cannot be reached")
            return True
