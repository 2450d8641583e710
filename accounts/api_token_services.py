"""Personal access tokens and service accounts for the REST API (issue 15): making,
revoking and checking them. Every change is audited; a token itself is never stored or
recorded, only its SHA-256 and its first characters (accounts.api_tokens)."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.api_tokens import TOKEN_PREFIX, ApiToken, ServiceAccount, token_hash
from accounts.models import POLICING_BODY_KINDS, Organisation, Role, RoleAssignment, User
from tracker import policy
from tracker.audit import audit_record
from tracker.models import AuditEvent

# How many characters of a token the pages show (TOKEN_PREFIX and 8 more).
SHOWN = len(TOKEN_PREFIX) + 8
# How long a token may last at most, and what the form offers.
LONGEST_DAYS = 366
# A token's last use is written at most this often, so a busy client does not write its
# token's row on every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)
# Service accounts' addresses: never a real mailbox, never matched by a sign-in provider.
SERVICE_ACCOUNT_DOMAIN = "service-accounts.invalid"


def token_new() -> str:
    """A new token: the prefix and 256 random bits, URL-safe (47 characters)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _audit_token(*, by, token: ApiToken, now, changes, action=AuditEvent.Action.UPDATE, note=""):
    audit_record(actor=by, action=action, obj=token, at=now, changes=changes, note=note)


@transaction.atomic
def token_create(
    *,
    user: User,
    by: User,
    name: str,
    scope: str,
    expires_on: datetime.date | None,
    now: datetime.datetime | None = None,
    raw: str | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for `user` (a person makes their own; an administrator makes a service
    account's). Returns the token's row and the token itself, which is shown once and never
    kept. `raw` is only for the demo's documented token."""
    now = now or timezone.now()
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for the token, so you know what it is for"})
    if len(name) > 100:
        raise ValidationError({"name": "The name must be 100 characters or fewer"})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": "Choose what the token may do"})
    if not policy.can_have_api_tokens(user):
        raise ValidationError("This account cannot have API tokens.")
    if by.pk != user.pk and not policy.can_manage_service_accounts(by):
        raise ValidationError("You can only make tokens for yourself.")
    if policy.is_service_account(user) and scope != ApiToken.Scope.READ:
        raise ValidationError({"scope": "A service account's tokens can only read"})
    expires_at = None
    if expires_on is not None:
        today = timezone.localdate(now)
        if expires_on <= today:
            raise ValidationError({"expires_on": "The expiry date must be in the future"})
        if expires_on > today + datetime.timedelta(days=LONGEST_DAYS):
            raise ValidationError(
                {"expires_on": f"The expiry date must be within {LONGEST_DAYS} days from today"}
            )
        # The token works to the end of its expiry day, in the tracker's time zone.
        expires_at = timezone.make_aware(
            datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time())
        )
    elif not policy.is_service_account(user):
        raise ValidationError({"expires_on": "Enter the date the token stops working"})
    raw = raw or token_new()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=raw[:SHOWN],
        token_hash=token_hash(raw),
        created_at=now,
        created_by=by,
        expires_at=expires_at,
    )
    _audit_token(
        by=by,
        token=token,
        now=now,
        action=AuditEvent.Action.CREATE,
        changes={
            "user": (None, user.email),
            "name": (None, name),
            "scope": (None, scope),
            "prefix": (None, token.prefix),
            "expires_at": (None, expires_at),
        },
        note=f"API token {token.prefix}… made",
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User, now: datetime.datetime | None = None) -> ApiToken:
    """Stop a token working, at once. Its owner, or an administrator; revoking twice changes
    nothing."""
    now = now or timezone.now()
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk and not policy.can_manage_service_accounts(by):
        raise ValidationError("You can only revoke your own tokens.")
    if token.revoked_at is not None:
        return token
    token.revoked_at = now
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    _audit_token(
        by=by,
        token=token,
        now=now,
        changes={"revoked_at": (None, now)},
        note=f"API token {token.prefix}… revoked",
    )
    return token


def token_for(raw: str, *, now: datetime.datetime | None = None) -> ApiToken | None:
    """The usable token this is, or None (unknown, revoked, expired, or its person inactive)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiToken.objects.usable(now)
        .select_related("user__organisation")
        .filter(token_hash=token_hash(raw))
        .first()
    )


def token_note_use(
    token: ApiToken, *, ip: str | None, now: datetime.datetime | None = None
) -> None:
    """Record when (and from where) the token was last used, at most once a minute; a
    conditional UPDATE, so concurrent requests never wait on each other."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at = now
    token.last_used_ip = ip


def service_account_role(organisation: Organisation) -> str:
    """The reader role of the organisation's kind: a force's staff (sees its force), a
    policing body's office (sees the forces it answers for), or a national reader."""
    if organisation.kind == Organisation.Kind.FORCE:
        return Role.FORCE_STAFF
    if organisation.kind in POLICING_BODY_KINDS:
        return Role.PCC_OFFICE
    return Role.NATIONAL_READER


@transaction.atomic
def service_account_create(
    *,
    organisation: Organisation,
    name: str,
    by: User,
    description: str = "",
    now: datetime.datetime | None = None,
) -> ServiceAccount:
    """An organisation's service account: an account that cannot sign in, with the reader
    role of its organisation. Administrators only."""
    now = now or timezone.now()
    if not policy.can_manage_service_accounts(by):
        raise ValidationError("Only an administrator can make service accounts.")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for the service account"})
    slug = slugify(f"{organisation.code}-{name}")[:60] or "service"
    email = f"{slug}-{secrets.token_hex(3)}@{SERVICE_ACCOUNT_DOMAIN}"
    user = User(
        email=email,
        full_name=f"{name} (service account)"[:200],
        organisation=organisation,
        date_joined=now,
    )
    user.set_unusable_password()
    user.save()
    role = service_account_role(organisation)
    RoleAssignment.objects.create(user=user, role=role)
    account = ServiceAccount.objects.create(
        user=user,
        organisation=organisation,
        name=name[:100],
        description=description[:300],
        created_at=now,
        created_by=by,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=account,
        at=now,
        changes={
            "organisation": (None, organisation.code),
            "name": (None, account.name),
            "user": (None, email),
            "roles": (None, [role]),
        },
        note="Service account made",
    )
    return account
