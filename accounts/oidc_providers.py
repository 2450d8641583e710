"""Setting up an organisation's identity provider from the tracker's own pages (issue 15):
administrators only (tracker.policy.can_manage_identity_providers). One save writes the
provider, its email domains and its claim-to-role mapping together, or nothing; the client
secret is stored encrypted and never read back; every save is audited with what changed (the
secret only as "replaced")."""

import dataclasses
import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import oidc_client, oidc_secrets
from accounts.identity_providers import (
    IdentityProvider,
    IdentityProviderDomain,
    IdentityProviderRole,
)
from accounts.models import Organisation, Role
from accounts.role_rules import role_organisation_problems
from tracker import policy
from tracker.audit import audit_record
from tracker.models import AuditEvent

FIELDS = (
    "name",
    "issuer",
    "client_id",
    "client_secret_env",
    "role_claims",
    "email_claim",
    "trust_email_claim",
    "mfa_acr_values",
    "password_sign_in_allowed",
    "enabled",
)


@dataclasses.dataclass
class ProviderSettings:
    name: str
    issuer: str
    client_id: str
    client_secret_env: str = ""
    role_claims: str = "groups roles"
    email_claim: str = "email"
    trust_email_claim: bool = False
    mfa_acr_values: str = ""
    password_sign_in_allowed: bool = True
    enabled: bool = True


def mapping_of(provider: IdentityProvider) -> dict[str, list[str]]:
    """The provider's mapping: each role and the claim values that give it."""
    mapping: dict[str, list[str]] = {}
    for value, role in provider.role_mappings.values_list("claim_value", "role"):
        mapping.setdefault(role, []).append(value)
    return {role: sorted(values) for role, values in sorted(mapping.items())}


def _check(
    *,
    provider: IdentityProvider | None,
    organisation: Organisation,
    values: ProviderSettings,
    domains: list[str],
    mapping: dict[str, list[str]],
    secret: str,
) -> None:
    errors: dict[str, list[str]] = {}
    parts = urlsplit(values.issuer)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (settings.OIDC_ALLOW_HTTP_LOOPBACK and loopback):
        errors.setdefault("issuer", []).append(
            "Enter the issuer as an https address, like "
            "https://login.microsoftonline.com/<tenant id>/v2.0"
        )
    if values.client_secret_env and not oidc_secrets.env_name_allowed(values.client_secret_env):
        errors.setdefault("client_secret_env", []).append(oidc_secrets.ENV_NAME_RULE)
    address_problem = oidc_client.issuer_address_problem(values.issuer)
    if address_problem:
        errors.setdefault("issuer", []).append(address_problem)
    has_stored = bool(provider and provider.client_secret_encrypted)
    if not (values.client_secret_env or secret or has_stored):
        errors.setdefault("client_secret", []).append(
            "Enter the client secret, or the name of the environment variable that holds it"
        )
    if not domains:
        errors.setdefault("domains", []).append("Enter at least one email domain")
    taken = (
        IdentityProviderDomain.objects.filter(domain__in=domains)
        .exclude(provider=provider)
        .select_related("provider__organisation")
    )
    for row in taken:
        errors.setdefault("domains", []).append(
            f"{row.domain} already signs in with {row.provider.name} "
            f"({row.provider.organisation.name})"
        )
    roles = {role for role, claim_values in mapping.items() if claim_values}
    for role in sorted(roles):
        if not policy.scim_may_give_role(role):
            errors.setdefault("mapping", []).append(
                f"A provider's groups cannot give the {Role(role).label} role: only roles an "
                "organisation's own people hold can be mapped. Give it on the People page."
            )
    if not roles:
        errors.setdefault("mapping", []).append(
            "Enter at least one group or app-role value that gives a role"
        )
    problems = role_organisation_problems(roles, organisation)
    if problems:
        errors.setdefault("mapping", []).extend(problems)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def provider_save(
    *,
    by,
    provider: IdentityProvider | None,
    organisation: Organisation,
    values: ProviderSettings,
    domains: list[str],
    mapping: dict[str, list[str]],
    secret: str = "",
    now: datetime.datetime | None = None,
) -> IdentityProvider:
    """Create or change the organisation's provider, its domains and mapping, in one go."""
    now = now or timezone.now()
    if not policy.can_manage_identity_providers(by):
        raise ValidationError("Only an administrator can set up sign-in providers.")
    domains = sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()})
    mapping = {
        Role(role): sorted({v.strip() for v in claim_values if v.strip()})
        for role, claim_values in mapping.items()
    }
    _check(
        provider=provider,
        organisation=organisation,
        values=values,
        domains=domains,
        mapping=mapping,
        secret=secret,
    )
    created = provider is None
    if provider is None:
        provider = IdentityProvider(organisation=organisation, created_at=now)
        before: dict[str, object] = {}
    else:
        provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
        before = {name: getattr(provider, name) for name in FIELDS}
        before["domains"] = sorted(provider.domains.values_list("domain", flat=True))
        before["mapping"] = mapping_of(provider)
    for name in FIELDS:
        setattr(provider, name, getattr(values, name))
    if secret:
        provider.client_secret_encrypted = oidc_secrets.encrypt(secret)
    provider.full_clean()
    provider.save()
    provider.domains.exclude(domain__in=domains).delete()
    have = set(provider.domains.values_list("domain", flat=True))
    for domain in domains:
        if domain not in have:
            IdentityProviderDomain.objects.create(provider=provider, domain=domain)
    provider.role_mappings.all().delete()
    IdentityProviderRole.objects.bulk_create(
        [
            IdentityProviderRole(provider=provider, claim_value=value, role=role)
            for role, claim_values in mapping.items()
            for value in claim_values
        ]
    )
    after: dict[str, object] = {name: getattr(provider, name) for name in FIELDS}
    after["domains"] = domains
    after["mapping"] = mapping_of(provider)
    changes = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
    if secret:
        changes["client_secret"] = ("(hidden)", "(replaced)")
    if changes or created:
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            obj=provider,
            at=now,
            changes=changes,
            note=f"Sign-in provider of {organisation.name} " + ("set up" if created else "changed"),
        )
    return provider
