"""What a token may do: a read-only token may only read (403 otherwise)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from accounts.api_tokens import ApiToken


class TokenScope(permissions.BasePermission):
    message = _(
        "This token can only read. Make a token with the “Read and write” scope to make changes."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, ApiToken):
            return token.can_write
        return True  # a session: the pages' own rules apply, in the view
