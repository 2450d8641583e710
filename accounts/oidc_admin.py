"""Admin for identity providers (issue 15): an organisation's OpenID Connect provider, its
email domains and the mapping of its group or app-role claim values to the tracker's roles.
Edits are audited (tracker.admin_audit); the client secret is write-only: typed once, stored
encrypted (accounts/oidc_secrets.py), never shown again, and its change audited without it."""

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from accounts import oidc_client, oidc_secrets
from accounts.identity_providers import (
    IdentityProvider,
    IdentityProviderDomain,
    IdentityProviderRole,
    OIDCIdentity,
)
from accounts.oidc_forms import mappable_role_choices
from accounts.oidc_sign_in import provider_set_secret
from accounts.role_rules import role_organisation_problems
from tracker.admin_audit import AuditedAdmin, ReadOnlyAdmin


class IdentityProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Entra ID: Certificates & secrets, the secret's Value. Stored encrypted and "
        "never shown again; leave blank to keep the one saved.",
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "organisation",
            "name",
            "issuer",
            "client_id",
            "client_secret_env",
            "client_secret",
            "role_claims",
            "email_claim",
            "trust_email_claim",
            "mfa_acr_values",
            "password_sign_in_allowed",
            "enabled",
        ]

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        parts = urlsplit(issuer)
        loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
        if parts.scheme != "https" and not (settings.OIDC_ALLOW_HTTP_LOOPBACK and loopback):
            raise ValidationError("The issuer must be an https address.")
        problem = oidc_client.issuer_address_problem(issuer)
        if problem:
            raise ValidationError(problem)
        return issuer

    def clean_client_secret_env(self) -> str:
        name = (self.cleaned_data.get("client_secret_env") or "").strip()
        if name and not oidc_secrets.env_name_allowed(name):
            raise ValidationError(oidc_secrets.ENV_NAME_RULE)
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_stored = bool(self.instance.pk and self.instance.client_secret_encrypted)
        if not (cleaned.get("client_secret_env") or cleaned.get("client_secret") or has_stored):
            raise ValidationError(
                "Give the client secret, or the name of the environment variable that holds it."
            )
        return cleaned


class RoleMappingFormSet(BaseInlineFormSet):
    """Each mapped role must go with the provider's organisation (accounts/role_rules.py)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        roles = {
            form.cleaned_data["role"]
            for form in self.forms
            if form.cleaned_data.get("role") and not form.cleaned_data.get("DELETE")
        }
        organisation = getattr(self.instance, "organisation", None)
        problems = role_organisation_problems(roles, organisation)
        if problems:
            raise ValidationError(problems)


class DomainInline(admin.TabularInline):
    model = IdentityProviderDomain
    extra = 1


class RoleMappingForm(forms.ModelForm):
    # Never an administrator's role: only those an organisation's own people may hold.
    role = forms.ChoiceField(choices=mappable_role_choices)

    class Meta:
        model = IdentityProviderRole
        fields = ["claim_value", "role"]


class RoleInline(admin.TabularInline):
    model = IdentityProviderRole
    form = RoleMappingForm
    formset = RoleMappingFormSet
    extra = 2
    verbose_name = "claim value that gives a role"
    verbose_name_plural = "claim values that give roles"


@admin.register(IdentityProvider)
class IdentityProviderAdmin(AuditedAdmin):
    form = IdentityProviderForm
    inlines = [DomainInline, RoleInline]
    list_display = ["name", "organisation", "issuer", "password_sign_in_allowed", "enabled"]
    list_select_related = ["organisation"]
    readonly_fields = ["secret_status", "redirect_uri"]

    @admin.display(description="Client secret")
    def secret_status(self, obj) -> str:
        if obj and obj.client_secret_env:
            return f"From the environment variable {obj.client_secret_env}"
        if obj and obj.client_secret_encrypted:
            return "Saved (encrypted; not shown)"
        return "Not set"

    @admin.display(description="Redirect URI to register at the provider")
    def redirect_uri(self, obj) -> str:
        return oidc_client.redirect_uri()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        secret = form.cleaned_data.get("client_secret")
        if secret:
            provider_set_secret(by=request.user, provider=form.instance, secret=secret)


@admin.register(OIDCIdentity)
class OIDCIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "provider", "subject", "created_at", "last_sign_in_at"]
    list_select_related = ["user", "provider"]
    search_fields = ["user__email", "subject"]
