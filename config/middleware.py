"""Middleware for security headers, request size, idle sessions and audit context.

- ContentSecurityPolicyMiddleware: a Content Security Policy on every response. Scripts come
  only from this site's own files (no inline scripts at all). Inline <style> blocks are only
  allowed with this request's nonce (the print pages and documents carry one); the admin
  site, which Django ships with inline style attributes, is allowed inline styles only.
- RequestSizeLimitMiddleware: a request body larger than MAX_REQUEST_BYTES is refused with
  413 before any of it is read, so a 2 GB upload costs nothing.
- IdleSessionMiddleware: a signed-in person who has done nothing for SESSION_IDLE_SECONDS is
  signed out, with a message saying why. The sign-in views set the last-seen time; it is
  written again at most once a minute, so ordinary pages do not each write the session.
- AuditContextMiddleware: tells the audit trail which request made a change (an id, the
  address it came from, the method and path). The logs carry the same id
  (config/logging.py), and the response returns it as X-Request-ID.
"""

import secrets
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from tracker import audit_context

SELF_ONLY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy(nonce: str, *, admin: bool = False) -> str:
    directives = dict(SELF_ONLY)
    # Django's admin templates use inline style attributes; nothing else here does.
    directives["style-src"] = "'self' 'unsafe-inline'" if admin else f"'self' 'nonce-{nonce}'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = content_security_policy(
                request.csp_nonce, admin=admin
            )
        # A signed-in person's pages, exports and files are not kept by browsers or proxies
        # (a shared computer's Back button, a shared cache).
        # The REST API says its own: "private, no-cache", so a client may keep a response and
        # ask again with its ETag (304), while no shared cache keeps it.
        user = getattr(request, "user", None)
        api_said = request.path.startswith("/api/") and "Cache-Control" in response
        if user is not None and user.is_authenticated and not api_said:
            response["Cache-Control"] = "no-store"
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            return render(
                request,
                "413.html",
                {"limit_mb": limit // (1024 * 1024), "sent_mb": max(1, length // (1024 * 1024))},
                status=413,
            )
        return self.get_response(request)


class IdleSessionMiddleware:
    KEY = "seen_at"
    WRITE_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            seen_at = request.session.get(self.KEY)
            if seen_at is not None and now - seen_at > settings.SESSION_IDLE_SECONDS:
                logout(request)
                minutes = settings.SESSION_IDLE_SECONDS // 60
                messages.info(
                    request,
                    f"You were signed out because you had done nothing for {minutes} minutes. "
                    "Sign in again to carry on.",
                )
                sign_in = reverse(settings.LOGIN_URL)
                if request.method == "GET":
                    sign_in += "?" + urlencode({"next": request.get_full_path()})
                return redirect(sign_in)
            # Sessions begun by the sign-in views carry the time; refreshing it at most once a
            # minute keeps ordinary pages from writing the session each time.
            if seen_at is not None and now - seen_at > self.WRITE_EVERY:
                request.session[self.KEY] = now
        return self.get_response(request)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        source = "admin" if request.path.startswith("/admin/") else "web"
        with audit_context.using(
            source=source,
            request_id=request.request_id,
            ip_address=request.META.get("REMOTE_ADDR") or None,
            path=f"{request.method} {request.path}"[:300],
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
