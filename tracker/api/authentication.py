"""Who is asking: a bearer token (a personal access token or a service account's), or the
signed-in session (for the reference page; its writes need the CSRF token, as DRF's session
authentication enforces).

A token request runs with the token named in the audit context, so every change the
services make through it records which token made it (tracker/audit_context.py).
"""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts import api_token_services
from accounts.api_tokens import TOKEN_PREFIX, ApiToken
from accounts.models import User
from tracker.api import schema  # noqa: F401  (registers the schema's description)

REALM = "inspection-tracker"


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer itk_…`. No header: not this scheme (the session may still
    apply). A header with a token that is unknown, revoked or expired: 401."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _sep, raw = header.strip().partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        raw = raw.strip()
        if not raw:
            raise exceptions.AuthenticationFailed(_("The Authorization header has no token."))
        if not raw.startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed(
                _("This is not an inspection tracker token: tokens start with “%(prefix)s”.")
                % {"prefix": TOKEN_PREFIX}
            )
        token = api_token_services.token_for(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: it may have been revoked or have expired.")
            )
        api_token_services.token_note_use(token, ip=request.META.get("REMOTE_ADDR") or None)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="{REALM}"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in session (the reference page's "Try it out"). DRF checks the CSRF token
    on its writes; a session that is not signed in is not this scheme, so the answer is 401
    with the Bearer challenge."""
