"""An organisation's SCIM tokens: made by an administrator (the token shown once, only its
hash kept), revoked, and checked on each request (its last use recorded). Making and
revoking are audited; a revoked token stops working at once."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.role_rules import role_organisation_problems
from accounts.scim.errors import ScimError
from accounts.scim_models import ScimToken, scim_token_hash
from tracker import policy
from tracker.audit import audit_record
from tracker.models import AuditEvent

PREFIX = "scim_"
# Recording the last use at most this often keeps a burst of requests from writing each time.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def scim_token_create(
    *,
    by,
    organisation: Organisation,
    name: str,
    default_role: str,
    secret: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[ScimToken, str]:
    """A new token for the organisation, and the token itself (shown once). `secret` only
    for the demo's documented token (tracker/demo_scim.py)."""
    now = now or timezone.now()
    if by is not None and not policy.can_manage_scim_tokens(by):
        raise ValidationError("Only an administrator can make SCIM tokens.")
    name = (name or "").strip()
    scim_token_check(organisation=organisation, name=name, default_role=default_role)
    secret = secret or new_secret()
    token = ScimToken(
        organisation=organisation,
        name=name,
        default_role=default_role,
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
        changes={"name": (None, name), "default_role": (None, default_role)},
        note="SCIM token made",
    )
    return token, secret


def scim_token_check(*, organisation: Organisation | None, name: str, default_role: str) -> None:
    """What would stop making this token, as a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
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
