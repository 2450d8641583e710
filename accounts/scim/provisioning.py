"""What a SCIM token does to its organisation's people, through the same services as the
People pages (accounts.services): the same checks, role rules, hand-over and audit. The
token is the actor (accounts.services.SystemActor): it reaches only its organisation's
people, and every audit row it makes is led by its name.

Each function runs in one transaction: a refusal (ScimError) leaves nothing half-saved.
Validation errors from the services become SCIM errors: a role that cannot be given in the
organisation is 403, a conflict with the person's state (the last coordinator, open items) is
409, anything else the client sent is 400 invalidValue."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import services
from accounts.models import Role, User
from accounts.role_rules import ROLE_ORGANISATION_HINT, where_they_belong
from accounts.scim import resources
from accounts.scim.errors import ScimError
from accounts.scim_models import ScimIdentity, ScimToken
from tracker import policy
from tracker.audit import audit_record
from tracker.models import AuditEvent


def actor(token: ScimToken) -> services.SystemActor:
    return services.SystemActor(label=str(token), organisation_id=token.organisation_id)


def people(token: ScimToken) -> QuerySet[User]:
    """The people a token sees: its organisation's, and nobody else's. Service accounts
    (accounts.api_tokens) are not people: a token never sees them (404). Administrators of
    the organisation are seen (a directory lists them too) but never changed (403: the
    services refuse a SystemActor any change to someone holding a role beyond SCIM_ROLES)."""
    return (
        User.objects.filter(organisation_id=token.organisation_id, service_account__isnull=True)
        .select_related("organisation", "scim_identity")
        .prefetch_related("role_assignments")
        .order_by("pk")
    )


def person(token: ScimToken, user_id: str) -> User:
    """One of the organisation's people; anyone else, or no one, is 404 (never their data)."""
    if not str(user_id).isdigit() or len(str(user_id)) > 18:  # beyond a bigint: nobody
        raise ScimError(404, f"There is no User {str(user_id)[:40]!r} here.")
    found = people(token).filter(pk=int(user_id)).first()
    if found is None:
        raise ScimError(404, f"There is no User {user_id} here.")
    return found


def _check_may_change(token: ScimToken, user: User) -> None:
    """Any write to a person the token may not change (an administrator: a role beyond
    policy.SCIM_ROLES) is refused before anything is done, even one that would change
    nothing: 403."""
    try:
        services.check_system_actor_may_change(actor(token), user)
    except ValidationError as exc:
        raise _as_scim_error(exc, user) from None


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _as_scim_error(exc: ValidationError, who: User | None = None) -> ScimError:
    fields = set(exc.error_dict) if hasattr(exc, "error_dict") else set()
    codes = {error.code for error in getattr(exc, "error_list", [])}
    if "forbidden" in codes:  # someone a token may not change at all
        return ScimError(403, _messages(exc))
    if "roles" in fields:
        return ScimError(403, _messages(exc))
    if "email" in fields:
        return ScimError(409, _messages(exc), "uniqueness")
    if "reassign_to" in fields and who is not None:
        return ScimError(
            409,
            f"{who.full_name} owns or leads open items, and {_messages(exc)} The person stays "
            "active: give someone the Force coordinator role (the group) and deactivate them "
            "again, or deactivate them on the People page and choose who takes the items.",
        )
    text = _messages(exc)
    if "already" in text or "last active administrator" in text or "open item" in text:
        return ScimError(409, text)
    return ScimError(400, text, "invalidValue")


def _identity_set(token: ScimToken, user: User, external_id: str, now) -> None:
    """Record the client's externalId (audited on the person when it changes)."""
    clash = ScimIdentity.objects.filter(
        organisation_id=token.organisation_id, external_id=external_id
    ).exclude(user=user)
    if external_id and clash.exists():
        raise ScimError(
            409, f"Another User already has the externalId “{external_id}”.", "uniqueness"
        )
    identity, created = ScimIdentity.objects.get_or_create(
        user=user,
        defaults={
            "organisation_id": token.organisation_id,
            "external_id": external_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    before = "" if created else identity.external_id
    if not created:
        identity.organisation_id = token.organisation_id
        identity.external_id = external_id
        identity.updated_at = now
        identity.save(update_fields=["organisation", "external_id", "updated_at"])
    if before != external_id:
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            at=now,
            changes={"scim_external_id": (before, external_id)},
            note=f"{token}: externalId",
        )
    user.scim_identity = identity


def _default_role(token: ScimToken) -> Role:
    role = Role(token.default_role)
    if not policy.scim_may_give_role(role):
        raise ScimError(403, f"A SCIM token cannot give the {role.label} role.")
    return role


@transaction.atomic
def user_create(*, token: ScimToken, data: Any, now: datetime.datetime | None = None) -> User:
    """A new person of the token's organisation, with its default role (groups add more)."""
    now = now or timezone.now()
    fields = resources.read_user(data)
    email = resources.check_user_name(fields["userName"], domains=token.domain_list)
    if not fields["displayName"]:
        raise ScimError(
            400,
            "A User needs a displayName (or name.formatted, or name.givenName and "
            "name.familyName): the person's full name.",
            "invalidValue",
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ScimError(409, f"A User with the userName “{email}” already exists.", "uniqueness")
    try:
        with transaction.atomic():
            created = services.person_create(
                by=actor(token),
                email=email,
                full_name=fields["displayName"],
                job_title=fields["title"],
                department=fields["department"],
                organisation=token.organisation,
                roles=[_default_role(token)],
                now=now,
            )
    except ValidationError as exc:
        raise _as_scim_error(exc) from None
    except IntegrityError:  # the same address added at the same moment
        raise ScimError(
            409, f"A User with the userName “{email}” already exists.", "uniqueness"
        ) from None
    _identity_set(token, created, fields["externalId"], now)
    if fields["active"] is False:
        services.person_deactivate(by=actor(token), person=created, now=now)
    return person(token, str(created.pk))


def _apply(token: ScimToken, user: User, new: dict[str, Any], now) -> User:
    """Make the person match `new` (user_state's keys), each change through its service."""
    _check_may_change(token, user)
    old = resources.user_state(user)
    if new["active"] is None:
        new = {**new, "active": old["active"]}
    if new["userName"] and new["userName"].lower() != old["userName"]:
        raise ScimError(
            400,
            f"userName is the person's email address, which cannot change here "
            f"(it is “{old['userName']}”).",
            "mutability",
        )
    by = actor(token)
    try:
        if new["active"] and not old["active"]:
            services.person_reactivate(by=by, person=user, now=now)
        if not new["displayName"]:
            raise ScimError(
                400, "displayName cannot be blank: it is the person's name.", "invalidValue"
            )
        if any(new[k] != old[k] for k in ("displayName", "title", "department")):
            services.person_update(
                by=by,
                person=user,
                full_name=new["displayName"],
                job_title=new["title"],
                department=new["department"],
                organisation=user.organisation,
                roles=user.roles,
                now=now,
            )
        if new["externalId"] != old["externalId"]:
            _identity_set(token, user, new["externalId"], now)
        if old["active"] and not new["active"]:
            services.person_deactivate(by=by, person=user, now=now)
    except ValidationError as exc:
        raise _as_scim_error(exc, user) from None
    ScimIdentity.objects.update_or_create(
        user=user,
        defaults={"organisation_id": token.organisation_id, "updated_at": now},
        create_defaults={
            "organisation_id": token.organisation_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    return person(token, str(user.pk))


@transaction.atomic
def user_replace(
    *, token: ScimToken, user_id: str, data: Any, now: datetime.datetime | None = None
) -> User:
    """PUT: the attributes the tracker keeps, as sent (one left out is cleared)."""
    now = now or timezone.now()
    user = person(token, user_id)
    fields = resources.read_user(data)
    if fields["userName"]:
        resources.check_user_name(fields["userName"])
    return _apply(token, user, fields, now)


@transaction.atomic
def user_patch(
    *, token: ScimToken, user_id: str, data: Any, now: datetime.datetime | None = None
) -> User:
    """PATCH: the operations applied to what the person is now."""
    now = now or timezone.now()
    user = person(token, user_id)
    new = resources.patch_user(resources.user_state(user), data)
    if new["userName"]:
        resources.check_user_name(new["userName"])
    return _apply(token, user, new, now)


@transaction.atomic
def user_deactivate(
    *, token: ScimToken, user_id: str, now: datetime.datetime | None = None
) -> User:
    """DELETE: deactivate (with the People page's hand-over), never delete. Deleting someone
    already deactivated changes nothing."""
    now = now or timezone.now()
    user = person(token, user_id)
    _check_may_change(token, user)
    if user.is_active:
        try:
            services.person_deactivate(by=actor(token), person=user, now=now)
        except ValidationError as exc:
            raise _as_scim_error(exc, user) from None
    return user


# Groups: the organisation's roles ----------------------------------------------------------


def group_role(token: ScimToken, group_id: str, *, for_change: bool = False) -> Role:
    """The role a Group id names. A role SCIM may not give, or that does not go with the
    organisation, is 403 when asked to change it; a name that is no role is 404."""
    role = resources.role_named(group_id) if group_id in Role.values else None
    if role is None:
        raise ScimError(404, f"There is no Group {str(group_id)[:40]!r} here.")
    if role not in resources.organisation_roles(token.organisation):
        if not for_change:
            raise ScimError(404, f"There is no Group {group_id!r} here.")
        if not policy.scim_may_give_role(role):
            raise ScimError(
                403,
                f"A SCIM token cannot give the {role.label} role: an administrator gives it "
                "on the People page.",
            )
        raise ScimError(
            403,
            f"{ROLE_ORGANISATION_HINT.get(role, '')} {where_they_belong(token.organisation)}, "
            f"so nobody there can be given the {role.label} role.".strip(),
        )
    return role


def group_members(token: ScimToken, role: Role) -> QuerySet[User]:
    return people(token).filter(role_assignments__role=role)


def _set_role(token: ScimToken, user: User, role: Role, *, give: bool, now) -> None:
    _check_may_change(token, user)
    roles = set(user.roles)
    roles = roles | {role} if give else roles - {role}
    if not roles & set(policy.SCIM_ROLES) and not give:
        roles.add(_default_role(token))  # everyone holds a role: out of the last group
    if roles == set(user.roles):
        return
    try:
        services.person_update(
            by=actor(token),
            person=user,
            full_name=user.full_name,
            job_title=user.job_title,
            department=user.department,
            organisation=user.organisation,
            roles=roles,
            now=now,
        )
    except ValidationError as exc:
        raise _as_scim_error(exc, user) from None


def _member(token: ScimToken, user_id: str) -> User:
    try:
        return person(token, user_id)
    except ScimError:
        raise ScimError(
            400,
            f"There is no User {str(user_id)[:40]!r} in {token.organisation} to add or remove.",
            "invalidValue",
        ) from None


@transaction.atomic
def group_patch(
    *, token: ScimToken, group_id: str, data: Any, now: datetime.datetime | None = None
) -> Role:
    """PATCH a Group: members added get the role, members removed lose it."""
    now = now or timezone.now()
    role = group_role(token, group_id, for_change=True)
    for op, ids in resources.group_patch_changes(data):
        current = {str(pk) for pk in group_members(token, role).values_list("pk", flat=True)}
        if op == "replace" or ids is None:
            wanted = set(ids or [])
            give, take = wanted - current, current - wanted
        elif op == "add":
            give, take = set(ids) - current, set()
        else:
            give, take = set(), set(ids) & current
        for user_id in sorted(give):
            _set_role(token, _member(token, user_id), role, give=True, now=now)
        for user_id in sorted(take):
            _set_role(token, _member(token, user_id), role, give=False, now=now)
    return role


@transaction.atomic
def group_replace(
    *, token: ScimToken, group_id: str, data: Any, now: datetime.datetime | None = None
) -> Role:
    """PUT a Group (or POST one named as a role): its members become exactly those sent."""
    role = group_role(token, group_id, for_change=True)
    if not isinstance(data, dict):
        raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
    name = data.get("displayName")
    if name is not None and resources.role_named(str(name)) != role:
        raise ScimError(
            400,
            "A group here is one of the tracker's roles, so it cannot be renamed.",
            "mutability",
        )
    ids = resources.member_ids(data.get("members") or [])
    patch = {
        "schemas": [resources.PATCH_SCHEMA],
        "Operations": [{"op": "replace", "path": "members", "value": [{"value": i} for i in ids]}],
    }
    return group_patch(token=token, group_id=role.value, data=patch, now=now)


def group_for_name(token: ScimToken, name: Any) -> Role:
    """POST /Groups: a group is a role, so one named as a role (its label or code) is that
    role's group; any other name is refused, naming the groups there are."""
    role = resources.role_named(str(name)) if isinstance(name, str) else None
    if role is None:
        offered = ", ".join(
            f"“{r.label}”" for r in resources.organisation_roles(token.organisation)
        )
        raise ScimError(
            400,
            f"Groups here are the tracker's roles, so a new group must be named as one of "
            f"them: {offered}. (Map your directory's group names to these in the provisioning "
            "service: docs/scim.md.)",
            "invalidValue",
        )
    return group_role(token, role.value, for_change=True)


def users_matching(token: ScimToken, expression: str | None) -> QuerySet[User]:
    query = resources.user_filter(expression) if expression else Q()
    return people(token).filter(query).distinct()
