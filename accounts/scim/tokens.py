"""An organisation's SCIM tokens: made by an administrator (the token shown once, only its
hash kept), revoked, and checked on each request (its last use recorded). Making and
revoking are audited; a revoked token stops working at once."""

import datetime
import re
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import IdentityProviderDomain, Organisation, Role
from accounts.role_rules import role_organisation_problems
from accounts.scim.errors import ScimError
from accounts.scim_models import ScimToken, scim_token_hash
from tracker import policy
from tracker.audit import audit_record
from tracker.models import AuditEvent

PREFIX = "scim_"
# Recording the last use at most this often keeps a burst of requests from writing each time.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


# A domain name as people write it in an address: labels of letters, digits and hyphens.
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def domains_from(value: str | Iterable[str]) -> list[str]:
    """Email domains as typed (separated by spaces, commas or lines; "@" before one
    ignored), in lower case, each once, in order."""
    parts = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value)
    return sorted({p.strip().lower().lstrip("@") for p in parts if p and p.strip()})


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def scim_token_create(
    *,
    by,
    organisation: Organisation,
    name: str,
    default_role: str,
    email_domains: str | Iterable[str],
    secret: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[ScimToken, str]:
    """A new token for the organisation, and the token itself (shown once). The people it
    adds must have an address in one of `email_domains`. `secret` only for the demo's
    documented token (tracker/demo_scim.py)."""
    now = now or timezone.now()
    if by is not None and not policy.can_manage_scim_tokens(by):
        raise ValidationError("Only an administrator can make SCIM tokens.")
    name = (name or "").strip()
    domains = domains_from(email_domains)
    scim_token_check(
        organisation=organisation, name=name, default_role=default_role, email_domains=domains
    )
    secret = secret or new_secret()
    token = ScimToken(
        organisation=organisation,
        name=name,
        default_role=default_role,
        email_domains=" ".join(domains),
        token_hash=scim_token_hash(secret),
        prefix=secret[:12],
        created_at=now,
        created_by=by,
    )
    token.full_clean(exclude=["token_hash", "prefix", "created_by"])
    token.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=token,
        at=now,
        changes={
            "name": (None, name),
            "default_role": (None, default_role),
            "email_domains": (None, domains),
        },
        note="SCIM token made",
    )
    return token, secret


def scim_token_check(
    *,
    organisation: Organisation | None,
    name: str,
    default_role: str,
    email_domains: str | Iterable[str] = (),
) -> None:
    """What would stop making this token, as a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    domain_problems = _domain_problems(organisation, domains_from(email_domains))
    if domain_problems:
        errors["email_domains"] = domain_problems
    if not (name or "").strip():
        errors["name"] = ["Name the token after what uses it."]
    elif (
        organisation is not None
        and ScimToken.objects.filter(organisation=organisation, name=name.strip()).exists()
    ):
        errors["name"] = ["This organisation already has a SCIM token of that name."]
    if default_role not in Role.values or not policy.scim_may_give_role(default_role):
        label = Role(default_role).label if default_role in Role.values else default_role
        errors["default_role"] = [
            f"A SCIM token cannot give the {label} role: choose a role of the organisation's work."
        ]
    elif organisation is None:
        errors["organisation"] = ["Choose the organisation whose people the token manages."]
    else:
        problems = role_organisation_problems([default_role], organisation)
        if problems:
            errors["default_role"] = problems
    if errors:
        raise ValidationError(errors)


def _domain_problems(organisation: Organisation | None, domains: list[str]) -> list[str]:
    """Each domain must be one, and not another organisation's: one its identity provider
    signs in, or one a usable SCIM token of it provisions."""
    if not domains:
        return ["Enter the organisation's email domains, e.g. westmidlands.police.uk."]
    wrong = [d for d in domains if not _DOMAIN.match(d)]
    if wrong:
        return [f"“{wrong[0][:100]}” is not an email domain (the part after the @)."]
    if organisation is None:
        return []
    theirs: dict[str, str] = {
        row.domain: str(row.provider.organisation)
        for row in IdentityProviderDomain.objects.filter(domain__in=domains)
        .exclude(provider__organisation=organisation)
        .select_related("provider__organisation")
    }
    for token in (
        ScimToken.objects.usable().exclude(organisation=organisation).select_related("organisation")
    ):
        for domain in set(token.domain_list) & set(domains):
            theirs.setdefault(domain, str(token.organisation))
    return [
        f"{domain} is {owner}'s email domain: a token provisions only its own organisation's."
        for domain, owner in sorted(theirs.items())
    ]


@transaction.atomic
def scim_token_revoke(*, by, token: ScimToken, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if not policy.can_manage_scim_tokens(by):
        raise ValidationError("Only an administrator can revoke SCIM tokens.")
    token = ScimToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=token,
        at=now,
        changes={"revoked_at": (None, now)},
        note="SCIM token revoked",
    )


def scim_token_authenticate(
    authorization: str, *, now: datetime.datetime | None = None
) -> ScimToken:
    """The usable token in an `Authorization: Bearer ...` header, or 401."""
    scheme, _, secret = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ScimError(401, "Send the organisation's SCIM token: Authorization: Bearer <token>.")
    token = (
        ScimToken.objects.usable()
        .select_related("organisation")
        .filter(token_hash=scim_token_hash(secret.strip()))
        .first()
    )
    if token is None:
        raise ScimError(
            401,
            "The SCIM token is not valid: it is wrong or has been revoked. Ask the "
            "tracker's administrator for a new one.",
        )
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
