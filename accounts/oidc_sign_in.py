"""Signing in through an organisation's OpenID Connect provider (issue 15): what a verified
ID token lets the person do, and the changes it makes.

1. The person is found by (provider, `sub`); at the very first sign-in, an account with the
   same email address in the provider's organisation is linked (once, and only if no other
   `sub` at this provider is linked to it), else one is created (just-in-time). Either needs
   a trusted address: `email_verified` true, or, when the token has no such claim (Entra
   ID), a provider configured to trust its email claim. After that the email address is
   never used to find them. The address comes from the one configured claim, no other.
2. Refused, with the reason in plain English and nothing changed, when: the email address is
   not valid or its domain is not one of the provider's, the claims map to no role (or to
   roles that do not go with the organisation: accounts/role_rules.py), the account is
   deactivated, belongs elsewhere, or holds a role the mapping cannot give (an
   administrator's: such an account is never linked or changed by a provider).
3. The roles follow the claims at every sign-in (all of an organisation's own people's roles
   are the provider's to give and take away), changed through accounts.services (a
   SystemActor named after the provider): the People page's checks and audit apply.
"""

import dataclasses
import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import oidc_secrets, oidc_tokens, services
from accounts.identity_providers import IdentityProvider, IdentityProviderDomain, OIDCIdentity
from accounts.models import Role, User
from accounts.role_rules import role_organisation_problems
from tracker import policy
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


def keeps_password(email: str) -> bool:
    """Whether the account with this address signs in with its tracker password even where
    its organisation has switched passwords off: an administrator's (policy.password_sign_in_
    allowed), which a provider never signs in."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    return user is not None and policy.password_sign_in_allowed(user)


def provider_of_organisation(organisation_id: int | None) -> IdentityProvider | None:
    if organisation_id is None:
        return None
    return IdentityProvider.objects.filter(organisation_id=organisation_id, enabled=True).first()


def _roles_from(provider: IdentityProvider, claims: dict[str, Any]) -> set[str]:
    """The roles the claims give. A mapping row of a role no provider may give (an
    administrator's: tracker.policy.scim_may_give_role), saved before that rule, gives
    nothing."""
    mapping = [
        (value, role)
        for value, role in provider.role_mappings.values_list("claim_value", "role")
        if policy.scim_may_give_role(role)
    ]
    values = oidc_tokens.claim_values(claims, provider.role_claim_names)
    return oidc_tokens.mapped_roles(values, mapping)


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


def _email_from(provider: IdentityProvider, claims: dict[str, Any], sub: str) -> str:
    """The address from the provider's one email claim: a valid address in one of the
    provider's domains, else refused."""
    organisation = provider.organisation
    email = oidc_tokens.email_of(claims, provider.email_claim)
    if not oidc_tokens.is_valid_email(email):
        raise _refuse(
            f"{provider.name} gave “{email or 'nothing'}” as your email address, which is not a "
            "valid email address, so the tracker cannot tell who you are. Ask your "
            "administrator to check your account at the provider.",
            "invalid email",
            provider,
            sub,
        )
    domains = set(provider.domains.values_list("domain", flat=True))
    if oidc_tokens.domain_of(email) not in domains:
        raise _refuse(
            f"{provider.name} gave the email address “{email}”, which is not one of "
            f"{organisation.name}'s addresses for the tracker. Ask your administrator to check "
            "your account at the provider.",
            "domain",
            provider,
            sub,
        )
    return email


def _account_for_email(
    provider: IdentityProvider, claims: dict[str, Any], email: str, sub: str
) -> User | None:
    """At a `sub`'s first sign-in: the account with its email address, to link, or None (to
    create one). Only a trusted address (oidc_tokens.email_trusted) may do either, and only an
    account not yet linked to another `sub` at this provider is linked."""
    if not oidc_tokens.email_trusted(claims, trust_unverified=provider.trust_email_claim):
        raise _refuse(
            f"{provider.name} did not say that your email address “{email}” is verified, so "
            "the tracker cannot use it to find or set up your account. Ask your administrator "
            "to check the sign-in settings.",
            "email not verified",
            provider,
            sub,
        )
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and OIDCIdentity.objects.filter(provider=provider, user=user).exists():
        raise _refuse(
            f"The tracker account with the address “{email}” is already linked to another "
            f"account at {provider.name}, so it cannot be linked to this one too. Ask an "
            "administrator to check your account.",
            "email of an account linked to another subject",
            provider,
            sub,
        )
    return user


def _sign_in(*, provider: IdentityProvider, claims: dict[str, Any], now) -> SignedIn:
    organisation = provider.organisation
    sub = str(claims["sub"])
    email = _email_from(provider, claims, sub)
    roles = _roles_from(provider, claims)
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
    user = identity.user if identity else _account_for_email(provider, claims, email, sub)
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
    # A role no provider may give (an administrator's) is never the provider's to keep or
    # take away: such an account is not linked, nor changed, here.
    beyond = {role for role in held if not policy.scim_may_give_role(role)}
    if beyond:
        labels = ", ".join(sorted(Role(r).label for r in beyond))
        raise _refuse(
            f"Your tracker account has a role that {provider.name} cannot give ({labels}), so "
            f"it cannot be signed in to, or have its roles changed, through {provider.name}. "
            "Ask an administrator: they can sign in with the tracker's password, or move the "
            "role to another account.",
            "holds a role the mapping cannot give",
            provider,
            sub,
        )
    problems = role_organisation_problems(
        roles, organisation, today=timezone.localdate(now), held=held
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
    try:
        if user is None:
            user = services.person_create_at_sign_in(
                provider_name=provider.name,
                organisation=organisation,
                email=email,
                full_name=_full_name(claims, email),
                roles=roles,
                now=now,
            )
        elif roles != held:
            user = services.person_roles_at_sign_in(
                provider_name=provider.name, person=user, roles=roles, now=now
            )
    except ValidationError as exc:
        raise _refuse(
            f"Your roles from {provider.name} could not be given to your tracker account: "
            f"{' '.join(exc.messages)} Ask your administrator.",
            "roles refused by the people service",
            provider,
            sub,
        ) from exc
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


def _full_name(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    return name.strip()[:200] if isinstance(name, str) and name.strip() else email


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
