"""Signing in through an organisation's OpenID Connect provider (issue 15): what a verified
ID token lets the person do, and the changes it makes.

1. The person is found by (provider, `sub`); at the very first sign-in, an account with the
   same email address in the provider's organisation is linked (once), else one is created
   (just-in-time). After that the email address is never used to find them.
2. Refused, with the reason in plain English and nothing changed, when: the email's domain is
   not one of the provider's, the claims map to no role (or to roles that do not go with the
   organisation: accounts/role_rules.py), the account is deactivated or belongs elsewhere.
3. The roles the provider's mapping can give follow the claims at every sign-in; roles it
   cannot give (an administrator role given in the tracker) are left alone. Creation, the
   link and every change of roles are audited.
"""

import dataclasses
import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import oidc_secrets, oidc_tokens
from accounts.identity_providers import IdentityProvider, IdentityProviderDomain, OIDCIdentity
from accounts.models import Role, RoleAssignment, User
from accounts.role_rules import role_organisation_problems
from tracker.audit import audit_record
from tracker.models import AuditEvent

log = logging.getLogger(__name__)


class SignInRefused(Exception):
    """The provider signed the person in, but the tracker will not: `why` says so."""

    def __init__(self, why: str, *, reason: str) -> None:
        super().__init__(why)
        self.why = why
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class SignedIn:
    user: User
    created: bool
    provider_did_mfa: bool


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider of the email address's domain, if there is one."""
    domain = oidc_tokens.domain_of(email or "")
    if not domain:
        return None
    row = (
        IdentityProviderDomain.objects.filter(domain=domain, provider__enabled=True)
        .select_related("provider__organisation")
        .first()
    )
    return row.provider if row else None


def provider_of_organisation(organisation_id: int | None) -> IdentityProvider | None:
    if organisation_id is None:
        return None
    return IdentityProvider.objects.filter(organisation_id=organisation_id, enabled=True).first()


def _roles_from(provider: IdentityProvider, claims: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(the roles the claims give, every role the provider's mapping can give)."""
    mapping = list(provider.role_mappings.values_list("claim_value", "role"))
    values = oidc_tokens.claim_values(claims, provider.role_claim_names)
    return oidc_tokens.mapped_roles(values, mapping), {role for _, role in mapping}


def _refuse(why: str, reason: str, provider: IdentityProvider, sub: str) -> SignInRefused:
    log.warning("oidc sign-in refused: %s (provider %s, sub %s)", reason, provider.pk, sub)
    return SignInRefused(why, reason=reason)


def sign_in_with_claims(
    *, provider: IdentityProvider, claims: dict[str, Any], now: datetime.datetime | None = None
) -> SignedIn:
    """The person the verified claims sign in, created or updated; SignInRefused if not."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _sign_in(provider=provider, claims=claims, now=now)
    except IntegrityError as exc:  # two first sign-ins at once: the other one won
        raise SignInRefused(
            "Your account was being set up by another sign-in at the same moment. Sign in again.",
            reason="race",
        ) from exc


def _sign_in(*, provider: IdentityProvider, claims: dict[str, Any], now) -> SignedIn:
    organisation = provider.organisation
    sub = str(claims["sub"])
    email = oidc_tokens.email_of(claims, provider.email_claim)
    domain = oidc_tokens.domain_of(email)
    domains = set(provider.domains.values_list("domain", flat=True))
    if not email or domain not in domains:
        raise _refuse(
            f"{provider.name} gave the email address “{email or 'none'}”, which is not one of "
            f"{organisation.name}'s addresses for the tracker. Ask your administrator to check "
            "your account at the provider.",
            "domain",
            provider,
            sub,
        )
    roles, mappable = _roles_from(provider, claims)
    overage = claims.get("_claim_names")
    if not roles and isinstance(overage, dict) and "groups" in overage:
        raise _refuse(
            f"You are in too many groups for {provider.name} to list them when you sign in, "
            "so the tracker cannot tell your role. Ask your administrator to give the "
            "tracker's groups to the application only, or to use app roles.",
            "groups overage",
            provider,
            sub,
        )
    if not roles:
        raise _refuse(
            f"{provider.name} says who you are, but none of your groups or roles there gives "
            f"you access to the tracker. Ask {organisation.name}'s administrator to add you to "
            "the group for your role.",
            "no role",
            provider,
            sub,
        )
    identity = (
        OIDCIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider, subject=sub)
        .first()
    )
    user = identity.user if identity else User.objects.filter(email__iexact=email).first()
    if user is not None and not user.is_active:
        raise _refuse(
            "Your tracker account has been deactivated. Ask your administrator if you still "
            "need access.",
            "deactivated",
            provider,
            sub,
        )
    if user is not None and user.organisation_id != organisation.pk:
        raise _refuse(
            f"Your tracker account belongs to another organisation, not {organisation.name}. "
            "Ask your administrator to move it.",
            "organisation",
            provider,
            sub,
        )
    held = set(user.roles) if user is not None else set()
    new_roles = (held - mappable) | roles
    problems = role_organisation_problems(
        new_roles, organisation, today=timezone.localdate(now), held=held
    )
    if problems:
        raise _refuse(
            "Your groups at the provider give you a role that does not go with "
            f"{organisation.name}: {' '.join(problems)} Ask your administrator to check the "
            "sign-in settings.",
            "role rules",
            provider,
            sub,
        )
    created = user is None
    if user is None:
        user = _create(provider=provider, claims=claims, email=email, roles=new_roles, now=now)
    elif new_roles != held:
        _set_roles(user, new_roles)
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            at=now,
            changes={"roles": (sorted(held), sorted(new_roles))},
            note=f"Roles from {provider.name} at sign-in",
        )
    if identity is None:
        identity = OIDCIdentity.objects.create(
            provider=provider, subject=sub, user=user, created_at=now
        )
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            obj=identity,
            at=now,
            changes={
                "user": (None, user),
                "provider": (None, provider.name),
                "subject": (None, sub),
            },
            note=f"Linked to {provider.name} at first sign-in",
        )
    identity.last_sign_in_at = now
    identity.save(update_fields=["last_sign_in_at"])
    did_mfa = oidc_tokens.provider_did_mfa(
        claims, amr_values=settings.OIDC_MFA_AMR_VALUES, acr_values=provider.acr_values_for_mfa
    )
    return SignedIn(user=user, created=created, provider_did_mfa=did_mfa)


def _create(*, provider, claims, email: str, roles: set[str], now) -> User:
    name = claims.get("name")
    full_name = name.strip()[:200] if isinstance(name, str) and name.strip() else email
    user = User(
        email=email, full_name=full_name, organisation=provider.organisation, date_joined=now
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=user,
        at=now,
        changes={
            "full_name": (None, full_name),
            "organisation": (None, provider.organisation),
            "roles": (None, sorted(roles)),
        },
        note=f"Created at first sign-in through {provider.name}",
    )
    return user


def _set_roles(user: User, roles: set[str]) -> None:
    RoleAssignment.objects.filter(user=user).exclude(role__in=roles).delete()
    have = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=Role(r)) for r in sorted(roles - have)]
    )
    user.__dict__.pop("roles", None)  # the cached_property


# The administrator's change of a provider's client secret -----------------------------------


def provider_set_secret(*, by, provider: IdentityProvider, secret: str, now=None) -> None:
    """Store the client secret encrypted; audited without the value (never shown again)."""
    provider.client_secret_encrypted = oidc_secrets.encrypt(secret)
    provider.save(update_fields=["client_secret_encrypted"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=provider,
        at=now or timezone.now(),
        changes={"client_secret": ("(hidden)", "(replaced)")},
        note="Client secret replaced",
    )
