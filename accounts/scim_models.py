"""SCIM 2.0 provisioning (issue 15): an organisation's bearer tokens, and what the tracker
keeps about a provisioned person that its User has no field for (the client's externalId).

Only a token's SHA-256 hash is stored: a token is 256 random bits, so a fast hash is enough
(nothing to guess), and a lookup by hash is one indexed query. The token itself is shown
once, when it is made (accounts/scim/admin.py)."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

__all__ = ["ScimIdentity", "ScimToken"]


def scim_token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


class ScimTokenQuerySet(models.QuerySet):
    def usable(self) -> "ScimTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token with which an organisation's provisioning service (Entra ID, SailPoint)
    manages that organisation's people, and only theirs."""

    # By name, not by import: accounts.models imports this module (an import circle otherwise).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="scim_tokens"
    )
    name = models.CharField(
        max_length=100,
        help_text="What uses it, e.g. “Entra ID provisioning”: it names the "
        "token in the audit trail.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=16, editable=False, help_text="The token's first characters, to recognise it."
    )
    default_role = models.CharField(
        max_length=30,
        # One of accounts.models.Role, checked by accounts/scim/tokens.py (no `choices`: that
        # would import accounts.models); the admin's form offers them.
        help_text="The role of a person the service adds before putting them in a group, and "
        "the role they keep when taken out of their last group.",
    )
    email_domains = models.CharField(
        max_length=1000,
        help_text="The email domains of the organisation's people, separated by spaces, e.g. "
        "“westmidlands.police.uk”: the service can add only people whose address is in one "
        "of them. Another organisation's domain cannot be given.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = "SCIM token"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="unique_scim_token_name",
                violation_error_message="This organisation already has a SCIM token of that name.",
            )
        ]

    def __str__(self) -> str:
        return f"SCIM token {self.name} of {self.organisation}"

    @property
    def key(self) -> str:
        """How the audit trail names it (tracker.audit.natural_key): never the hash."""
        return f"{self.organisation.code}/{self.name}"

    @property
    def domain_list(self) -> list[str]:
        """The domains a userName it adds must be in (lower case; accounts/scim/tokens.py
        normalises them when the token is made)."""
        return self.email_domains.split()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None


class ScimIdentity(models.Model):
    """A person as their organisation's provisioning service knows them: the client's own
    identifier (SCIM `externalId`) and when the service last changed them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identity"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "SCIM identity"
        verbose_name_plural = "SCIM identities"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="unique_scim_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.external_id or 'no externalId'})"
