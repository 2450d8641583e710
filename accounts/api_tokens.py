"""Personal access tokens and service accounts for the REST API (issue 15).

A token is shown once, when it is made: only its SHA-256 is kept (the token is 256 random
bits, so a plain hash is enough; nothing to slow down), with its first characters (`prefix`)
so people can tell their tokens apart. Every token starts with TOKEN_PREFIX, so a token
pasted somewhere it should not be is easy to recognise (and secret scanners can look for it).

A service account is a person-like account of an organisation (for Power BI or a force's own
systems): it cannot sign in, it holds the reader role of its organisation's kind, and its
tokens can only read.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["TOKEN_PREFIX", "ApiToken", "ServiceAccount", "token_hash"]

# Every token starts with this: "itk" for inspection tracker key.
TOKEN_PREFIX = "itk_"  # noqa: S105 - a prefix, not a secret


def token_hash(raw: str) -> str:
    """How a token is stored and looked up: the hex SHA-256 of the whole token."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now=None) -> "ApiTokenQuerySet":
        """Tokens that still work: not revoked, not expired, their person still active."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal access token (or a service account's token) for the REST API."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(
        max_length=16, help_text="The token's first characters, to tell tokens apart."
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Blank: never expires.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def state(self, now=None) -> str:
        """'Active', 'Revoked' or 'Expired', for the pages."""
        if self.revoked_at is not None:
            return "Revoked"
        if self.is_expired(now):
            return "Expired"
        return "Active"

    @property
    def audit_label(self) -> str:
        """How the audit trail names the token: 'api token 12 "Power BI" (itk_AbC…)'."""
        return f'api token {self.pk} "{self.name}" ({self.prefix}…)'


class ServiceAccount(models.Model):
    """An organisation's account for a system (Power BI, a force's own systems). Its `user`
    cannot sign in (no usable password); it holds the reader role of its organisation's kind
    (accounts.api_token_services.service_account_create) and reads through read-only tokens."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_account"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="service_accounts"
    )
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"
