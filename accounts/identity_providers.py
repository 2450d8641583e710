"""Sign-in with an organisation's own OpenID Connect provider: its configuration (issue 15).

An organisation has at most one provider (Entra ID for the forces). People whose email
address is in one of its domains are offered "Sign in with <provider>"; the provider's group
or app-role claim values map to the tracker's roles; each person signed in through it is
linked by (provider, `sub`), never again matched on email alone. The client secret is read
from an environment variable named here, or kept encrypted (accounts/oidc_secrets.py).
"""

from django.db import models
from django.utils import timezone

# Related models by name, not imported: accounts.models imports this module (a circle else).

__all__ = ["IdentityProvider", "IdentityProviderDomain", "IdentityProviderRole", "OIDCIdentity"]


class IdentityProvider(models.Model):
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="identity_provider"
    )
    name = models.CharField(
        max_length=100,
        help_text='As people know it: the button reads "Sign in with <name>", '
        "e.g. West Midlands Police Microsoft account.",
    )
    issuer = models.URLField(
        max_length=300,
        help_text="The issuer, exactly as the provider's discovery document gives it; for Entra "
        "ID https://login.microsoftonline.com/<tenant id>/v2.0",
    )
    client_id = models.CharField(max_length=200, help_text="Entra ID: the Application (client) ID.")
    client_secret_env = models.CharField(
        max_length=100,
        blank=True,
        help_text="The name of an environment variable holding the client secret (preferred), "
        "starting OIDC_CLIENT_SECRET_. Leave blank to store the secret here, encrypted.",
    )
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    role_claims = models.CharField(
        max_length=100,
        default="groups roles",
        help_text="The ID token claims whose values map to roles, separated by spaces: Entra "
        "ID's groups (group object ids) and roles (app roles).",
    )
    email_claim = models.CharField(
        max_length=50,
        default="email",
        help_text="The one claim with the person's email address (no other claim is tried). "
        "Entra ID: email, or upn.",
    )
    trust_email_claim = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Whether the provider's email claim may be trusted when its token does not "
        "say email_verified (Entra ID never does). Only then can a token without "
        "email_verified: true link to an existing account or create one.",
    )
    mfa_acr_values = models.CharField(
        max_length=300,
        blank=True,
        help_text="acr values that mean the person gave a second factor, separated by spaces. "
        "An amr of mfa, otp, hwk, sc or fido counts too (OIDC_MFA_AMR_VALUES).",
    )
    password_sign_in_allowed = models.BooleanField(
        default=True,
        help_text="Whether the organisation's people may still sign in with a tracker password.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self):
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret_env or self.client_secret_encrypted)

    @property
    def role_claim_names(self) -> list[str]:
        return self.role_claims.split()

    @property
    def acr_values_for_mfa(self) -> set[str]:
        return set(self.mfa_acr_values.split())


class IdentityProviderDomain(models.Model):
    """An email domain whose people sign in with the provider; a domain has one provider."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, help_text="e.g. westmidlands.police.uk")

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)


class IdentityProviderRole(models.Model):
    """A claim value (a group's object id, an app role's value) and the role it gives."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="role_mappings"
    )
    claim_value = models.CharField(max_length=200)
    # One of accounts.models.Role: the admin offers only those (accounts/oidc_admin.py).
    role = models.CharField(max_length=30)

    class Meta:
        ordering = ["claim_value", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "claim_value", "role"], name="unique_provider_claim_role"
            )
        ]

    def __str__(self):
        return f"{self.claim_value} → {self.role}"


class OIDCIdentity(models.Model):
    """A person as the provider knows them: its `sub`, linked once, at their first sign-in."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.PROTECT, related_name="identities"
    )
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="oidc_identities"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["provider", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="unique_provider_subject"),
            # One `sub` per account at a provider: a second identity can never be linked to an
            # account, even by two first sign-ins at once (the loser is refused: a race).
            models.UniqueConstraint(fields=["provider", "user"], name="unique_provider_user"),
        ]

    def __str__(self):
        return f"{self.user} at {self.provider}"
