"""Managing people: adding them, changing their details and roles, deactivating and
reactivating them. Administrators only (tracker.policy.can_manage_people), or an
organisation's provisioning service for that organisation's people (`SystemActor`: a SCIM
token, accounts/scim/; its changes audited under its name). And a person's
own account: their email settings, and a password set from a reset link.

People are never deleted: their name stays on everything they did. Deactivating someone ends
their sessions and hands their open items over (to a colleague in the same force, or back to
the force's coordinators to choose), through the tracker's own services, so every change is
audited and reminders are re-planned. Errors are ValidationErrors keyed by form field, with
messages written for the administrator; nothing is saved when one is raised.
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from accounts import selectors
from accounts.models import (
    Language,
    Organisation,
    ReminderDelivery,
    Role,
    RoleAssignment,
    User,
)
from accounts.role_rules import role_organisation_problems

# Managing people reaches into the tracker's services (open items are handed over when
# someone leaves); the rest of accounts uses only tracker.audit, tracker.models and
# tracker.policy (its admin the audited admin base, its views the demo's people).
from tracker import outbox, policy
from tracker import services as tracker_services
from tracker.audit import audit_record
from tracker.models import AuditEvent, TrackedItem
from tracker.reminders.notices import notify
from tracker.reminders.plan import coordinators

log = logging.getLogger(__name__)


def _check_may_manage(by, *, person=None, organisation=None) -> None:
    """An administrator may manage anyone; a SystemActor (an organisation's provisioning
    service) only the people of its own organisation, and only into it."""
    if isinstance(by, SystemActor):
        places = [p.organisation_id for p in (person,) if p is not None]
        places += [o.pk for o in (organisation,) if o is not None]
        if any(place != by.organisation_id for place in places):
            raise ValidationError(f"{by.label} can manage only the people of its organisation.")
        if person is not None:
            check_system_actor_may_change(by, person)
        return
    if not policy.can_manage_people(by):
        raise ValidationError("Only an administrator can manage people.")


def check_system_actor_may_change(by, person) -> None:
    """A SystemActor never changes a service account (not a person), nor anyone holding a
    role it may not give (policy.SCIM_ROLES: an administrator): changing them at all, even
    reactivating or renaming them, is giving or taking that role's power. Refused with the
    code "forbidden" (a SCIM 403). accounts/scim/provisioning.py also asks before any write
    of its own (an externalId), so it writes nothing about them at all."""
    if User.objects.filter(pk=person.pk, service_account__isnull=False).exists():
        raise ValidationError(
            f"{by.label} cannot change {person.full_name}: a service account is not a person "
            "the organisation's provisioning service manages.",
            code="forbidden",
        )
    held = set(RoleAssignment.objects.filter(user=person).values_list("role", flat=True))
    beyond = sorted(Role(r).label for r in held if not policy.scim_may_give_role(r))
    if beyond:
        raise ValidationError(
            f"{by.label} cannot change {person.full_name}, who holds the "
            f"{' and '.join(beyond)} role{'s' if len(beyond) != 1 else ''}: "
            "that role is never given or taken through provisioning, so an administrator "
            "changes them on the People page.",
            code="forbidden",
        )


def _actor(by):
    """Who the audit trail and hand-offs name: the administrator, or nobody for a
    SystemActor (which the row's note names instead)."""
    return None if isinstance(by, SystemActor) else by


def _noted(by, note: str) -> str:
    """The audit note, led by the SystemActor's name when one made the change."""
    return f"{by.label}: {note}"[:300] if isinstance(by, SystemActor) else note


def _clean_roles(roles, organisation, *, held=()) -> set[str]:
    """The roles, if they go with the organisation; `held`, those the person already has
    there (a role given anew needs a policing body in office today)."""
    roles = {Role(r) for r in roles}
    if not roles:
        raise ValidationError({"roles": "Select at least one role."})
    problems = role_organisation_problems(
        roles, organisation, today=timezone.localdate(), held=held
    )
    if problems:
        raise ValidationError({"roles": problems})
    return roles


def _check_email_free(email: str, *, exclude_pk=None) -> None:
    others = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"email": "Someone already uses this email address."})


def _active_administrators():
    """The active administrators' ids, with their rows locked, so that two administrators
    removing each other at the same moment cannot both succeed and leave nobody to manage
    people. Read through the role rows (not User.objects.with_role(), a subquery that locks
    nothing): both the role rows and the people's rows are locked, so a role removed by the
    other transaction drops out once it commits."""
    return list(
        RoleAssignment.objects.select_for_update()
        .filter(role=Role.ADMINISTRATOR, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _check_not_last_administrator(person, what: str) -> None:
    admins = _active_administrators()
    if person.pk in admins and len(admins) == 1:
        raise ValidationError(
            f"{person.full_name} is the last active administrator, so you cannot {what}. "
            "Make someone else an administrator first."
        )


def _roles_of(person) -> list[str]:
    return sorted(RoleAssignment.objects.filter(user=person).values_list("role", flat=True))


def _set_roles(person, roles: set[str]) -> None:
    RoleAssignment.objects.filter(user=person).exclude(role__in=roles).delete()
    have = set(RoleAssignment.objects.filter(user=person).values_list("role", flat=True))
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=person, role=r) for r in sorted(roles - have)]
    )
    person.__dict__.pop("roles", None)  # the cached_property


# Setting a password ------------------------------------------------------------------------


def set_password_link(person) -> str:
    """A one-off link to set a password (Django's password reset token: it stops working once
    the password is set, or after PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


# Emails with a link are sent by a task (accounts/tasks.py) through the tracker's outbox, so
# they go only once the change commits, are retried while the mail server is down, and take
# no time in the request.
SEND_SET_PASSWORD_EMAIL = "accounts.tasks.send_set_password_email"  # noqa: S105 - a task's name
SEND_PASSWORD_RESET_EMAIL = "accounts.tasks.send_password_reset_email"  # noqa: S105 - a task's name


def person_send_set_password_email(*, by, person) -> None:
    """Email the person a link to set their password, once the transaction has committed
    (a rolled-back person gets nothing), from a task that tries again while the mail server
    is down; the administrator can also send a new link from the person's page."""
    _check_may_manage(by)
    if not person.is_active:
        raise ValidationError(f"{person.full_name} is deactivated: reactivate them first.")
    outbox.send_on_commit(SEND_SET_PASSWORD_EMAIL, person.pk)


def password_reset_request(*, email: str) -> None:
    """Someone asked for a reset link for this address. The request does the same work
    whether or not anyone has the address (one outbox row, sent to the broker), so its time
    reveals nothing; the task looks the address up and sends the email."""
    outbox.send_on_commit(SEND_PASSWORD_RESET_EMAIL, email.strip())


# The services ------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    by,
    email: str,
    full_name: str,
    job_title: str = "",
    department: str = "",
    organisation: Organisation | None,
    roles,
    now: datetime.datetime | None = None,
) -> User:
    """Add a person with the given roles and no usable password; they are emailed a link
    to set one."""
    now = now or timezone.now()
    _check_may_manage(by, organisation=organisation)
    email = (email or "").strip().lower()
    full_name = (full_name or "").strip()
    errors: dict[str, str | list[ValidationError]] = {}
    if not full_name:
        errors["full_name"] = "Enter their full name."
    try:
        if email:
            _check_email_free(email)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        roles = _clean_roles(roles, organisation)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    person = User(
        email=email,
        full_name=full_name,
        job_title=(job_title or "").strip(),
        department=(department or "").strip(),
        organisation=organisation,
        date_joined=now,
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    _set_roles(person, roles)
    audit_record(
        actor=_actor(by),
        action=AuditEvent.Action.CREATE,
        obj=person,
        at=now,
        changes={
            field: (None, value)
            for field, value in (
                ("full_name", person.full_name),
                ("job_title", person.job_title),
                ("department", person.department),
                ("organisation", organisation),
                ("roles", sorted(roles)),
            )
            if value
        },
        note="Added by " + (by.label if isinstance(by, SystemActor) else "an administrator"),
    )
    if not isinstance(by, SystemActor):
        # A provisioned person signs in with their organisation's provider; an administrator
        # can still send them a link to set a password from their page (docs/scim.md).
        person_send_set_password_email(by=by, person=person)
    return person


@transaction.atomic
def person_update(
    *,
    by,
    person: User,
    full_name: str,
    job_title: str = "",
    department: str = "",
    organisation: Organisation | None,
    roles,
    now: datetime.datetime | None = None,
) -> User:
    """Change a person's name, job, organisation and roles (the email address is how the
    audit trail names them, so it is not changed here)."""
    now = now or timezone.now()
    _check_may_manage(by)
    locked = User.objects.select_for_update(of=("self",))  # not the organisation's row
    person = locked.select_related("organisation").get(pk=person.pk)
    _check_may_manage(by, person=person, organisation=organisation)
    full_name = (full_name or "").strip()
    errors: dict[str, str | list[ValidationError]] = {}
    if not full_name:
        errors["full_name"] = "Enter their full name."
    same_place = organisation is not None and person.organisation_id == organisation.pk
    try:
        roles = _clean_roles(roles, organisation, held=_roles_of(person) if same_place else ())
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)

    before_roles = _roles_of(person)
    if Role.ADMINISTRATOR in before_roles and Role.ADMINISTRATOR not in roles:
        if person.pk == by.pk:
            raise ValidationError(
                {"roles": "You cannot remove your own administrator role. Ask another one."}
            )
        try:
            _check_not_last_administrator(person, "remove their administrator role")
        except ValidationError as exc:
            raise ValidationError({"roles": exc.messages}) from None

    # Someone who owns or leads open items must stay able to work on them: a force person
    # of that force. Otherwise the items would sit with someone who cannot see them.
    still_eligible = bool(roles & set(policy.FORCE_ROLES))
    stranded = [
        item
        for item in selectors.person_open_items(person=person)
        if not still_eligible or organisation is None or item.force_id != organisation.pk
    ]
    if stranded:
        raise ValidationError(
            {
                "organisation" if still_eligible else "roles": (
                    f"{person.full_name} owns or leads {len(stranded)} open "
                    f"item{'s' if len(stranded) != 1 else ''} of {stranded[0].force}. "
                    "Deactivate them to hand the items over, or ask the force coordinator "
                    "to reassign them first."
                )
            }
        )

    before = {
        "full_name": person.full_name,
        "job_title": person.job_title,
        "department": person.department,
        "organisation": person.organisation,
    }
    person.full_name = full_name
    person.job_title = (job_title or "").strip()
    person.department = (department or "").strip()
    person.organisation = organisation
    person.full_clean()
    person.save(update_fields=["full_name", "job_title", "department", "organisation"])
    _set_roles(person, roles)
    after = {
        "full_name": person.full_name,
        "job_title": person.job_title,
        "department": person.department,
        "organisation": person.organisation,
    }
    changes: dict[str, tuple[Any, Any]] = {
        k: (before[k], after[k]) for k in before if before[k] != after[k]
    }
    if before_roles != sorted(roles):
        changes["roles"] = (before_roles, sorted(roles))
    if changes:
        audit_record(
            actor=_actor(by),
            action=AuditEvent.Action.UPDATE,
            obj=person,
            at=now,
            changes=changes,
            note=_noted(by, "Changed") if isinstance(by, SystemActor) else "",
        )
    return person


def _end_sessions(person, now) -> int:
    """Delete the person's sessions. (The auth backend refuses an inactive person's session
    on the next request anyway; this makes sure nothing of it is left.)"""
    ended = []
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def person_deactivate(
    *, by, person: User, reassign_to: User | None = None, now: datetime.datetime | None = None
) -> list[TrackedItem]:
    """Deactivate a person: they can no longer sign in, and their open items move on.

    1. Refuse deactivating yourself, someone already deactivated, or the last active
       administrator.
    2. Each open item they own or lead goes to `reassign_to` (an active member of staff or
       coordinator of that item's force), through the tracker's hand-over service, which
       audits it and re-plans its reminders. With nobody chosen, the owner (or lead) is
       cleared and the force's coordinators are notified, to choose someone.
    3. They are marked inactive (never deleted: their name stays on their history) and their
       sessions are ended. The change is audited.

    Returns the items handed over."""
    now = now or timezone.now()
    _check_may_manage(by)
    person = User.objects.select_for_update().get(pk=person.pk)
    _check_may_manage(by, person=person)
    if person.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself. Ask another administrator.")
    if not person.is_active:
        raise ValidationError(f"{person.full_name} is already deactivated.")
    _check_not_last_administrator(person, "deactivate them")
    if not isinstance(by, SystemActor) and by.pk not in _active_administrators():
        raise ValidationError("Only an active administrator can manage people.")

    items = list(selectors.person_open_items(person=person))
    if reassign_to is not None:
        reassign_to = User.objects.select_related("organisation").get(pk=reassign_to.pk)
        wrong = [
            item
            for item in items
            if reassign_to.pk == person.pk
            or not policy.can_take_over_items(reassign_to, item.force_id)
        ]
        if wrong:
            raise ValidationError(
                {
                    "reassign_to": (
                        f"{reassign_to.full_name} cannot take these items: choose an active "
                        f"member of staff or coordinator of {wrong[0].force}."
                    )
                }
            )
    unassigned = []
    if reassign_to is None:
        for force_id in {item.force_id for item in items}:
            # Another coordinator is a person: coordinators() leaves out service accounts,
            # which hold roles but cannot choose new owners (nor read a notification).
            if not [c for c in coordinators(force_id) if c.pk != person.pk]:
                force = next(i.force for i in items if i.force_id == force_id)
                raise ValidationError(
                    {
                        "reassign_to": (
                            f"{force} has no other active coordinator to choose new owners, "
                            "so choose who takes these items."
                        )
                    }
                )

    note = _noted(by, f"Handed over: {person.full_name} was deactivated")
    for item in items:
        roles_held = {"owner": item.owner_id, "accountable lead": item.lead_id}
        was = [what for what, pk in roles_held.items() if pk == person.pk]
        item = tracker_services.item_hand_over(
            item=item,
            by=_actor(by),
            owner=reassign_to if item.owner_id == person.pk else item.owner,
            lead=reassign_to if item.lead_id == person.pk else item.lead,
            now=now,
            note=note,
        )
        if reassign_to is None:
            unassigned.append((item, " and ".join(was)))

    person.is_active = False
    person.full_clean()
    person.save(update_fields=["is_active"])
    for item, missing in unassigned:
        notify(
            coordinators(item.force_id),
            subject=f"Choose a new {missing}: {item.finding.summary}"[:300],
            body=(
                f"{person.full_name} no longer uses the tracker, so this item of {item.force} "
                f"has no {missing}. Choose who takes it over.\n\n{item.finding.summary}"
            ),
            url=reverse("tracker:item_detail", args=[item.uuid]),
            now=now,
        )
    sessions = _end_sessions(person, now)
    handed = (
        f"{len(items)} open item{'s' if len(items) != 1 else ''} "
        + (f"handed to {reassign_to.full_name}" if reassign_to else "left for the coordinator")
        if items
        else "no open items"
    )
    audit_record(
        actor=_actor(by),
        action=AuditEvent.Action.UPDATE,
        obj=person,
        at=now,
        changes={"is_active": (True, False)},
        note=_noted(
            by, f"Deactivated; {handed}; {sessions} session{'s' if sessions != 1 else ''} ended"
        ),
    )
    return items


@transaction.atomic
def person_reactivate(*, by, person: User, now: datetime.datetime | None = None) -> User:
    """Let a deactivated person sign in again. Items handed over stay where they went."""
    now = now or timezone.now()
    _check_may_manage(by)
    person = User.objects.select_for_update().get(pk=person.pk)
    _check_may_manage(by, person=person)
    if person.is_active:
        raise ValidationError(f"{person.full_name} is already active.")
    person.is_active = True
    person.full_clean()
    person.save(update_fields=["is_active"])
    audit_record(
        actor=_actor(by),
        action=AuditEvent.Action.UPDATE,
        obj=person,
        at=now,
        changes={"is_active": (False, True)},
        note=_noted(by, "Reactivated"),
    )
    return person


# The person's own account ------------------------------------------------------------------


@transaction.atomic
def person_set_reminder_delivery(
    *, person: User, reminder_delivery: str, now: datetime.datetime | None = None
) -> None:
    """Each reminder by email, or a daily or weekly digest of them: the person's own choice,
    audited when it changes."""
    if reminder_delivery not in ReminderDelivery.values:
        raise ValidationError({"reminder_delivery": "Choose one of the ways to get reminders."})
    before = person.reminder_delivery
    if before == reminder_delivery:
        return
    person.reminder_delivery = reminder_delivery
    person.save(update_fields=["reminder_delivery"])
    audit_record(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        at=now or timezone.now(),
        changes={"reminder_delivery": (before, reminder_delivery)},
    )


@transaction.atomic
def person_set_language(
    *, person: User, language: str, now: datetime.datetime | None = None
) -> None:
    """The language of the person's pages and emails (issue 22): their own choice among
    settings.LANGUAGES, audited when it changes. A code that is not offered is refused."""
    if language not in Language.values:
        offered = ", ".join(f"{label} ({code})" for code, label in Language.choices)
        raise ValidationError(
            {
                "language": gettext(
                    "“%(code)s” is not a language the tracker offers. Choose one of: %(offered)s."
                )
                % {"code": str(language)[:20], "offered": offered}
            }
        )
    before = person.language
    if before == language:
        return
    person.language = language
    person.save(update_fields=["language"])
    audit_record(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        at=now or timezone.now(),
        changes={"language": (before, language)},
    )


@transaction.atomic
def password_reset_finish(*, person: User, now: datetime.datetime | None = None) -> None:
    """After a password is set from an emailed reset link: clear any lockout on the address
    (the person has shown they hold it) and record it in the person's audit history."""
    axes_reset(username=person.email)
    audit_record(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        changes={},
        at=now or timezone.now(),
        note="Password set from an emailed reset link",
    )


# --- Sign-in with an identity provider (issue 15) ---


def _sign_in_actor(provider_name: str, organisation_id: int) -> "SystemActor":
    return SystemActor(label=f"Sign-in through {provider_name}", organisation_id=organisation_id)


def _check_provider_may_give(roles, held=()) -> None:
    """A provider gives or takes away only the roles an organisation's own people hold,
    never an administrator's (the SCIM rule: tracker.policy.scim_may_give_role)."""
    changed = {Role(r) for r in roles} ^ {Role(r) for r in held}
    refused = sorted(Role(r).label for r in changed if not policy.scim_may_give_role(r))
    if refused:
        raise ValidationError(
            {"roles": f"A sign-in provider cannot give or take away: {', '.join(refused)}."}
        )


def person_create_at_sign_in(
    *,
    provider_name: str,
    organisation: Organisation,
    email: str,
    full_name: str,
    roles,
    now: datetime.datetime | None = None,
) -> User:
    """Add the person an organisation's identity provider has just signed in (their first
    sign-in, accounts/oidc_sign_in.py): person_create, by a SystemActor named after the
    provider (so no set-password email; audited under its name)."""
    _check_provider_may_give(roles)
    return person_create(
        by=_sign_in_actor(provider_name, organisation.pk),
        email=email,
        full_name=full_name,
        organisation=organisation,
        roles=roles,
        now=now,
    )


def person_roles_at_sign_in(
    *, provider_name: str, person: User, roles, now: datetime.datetime | None = None
) -> User:
    """Give a person the roles their organisation's identity provider gives them at sign-in:
    person_update, by a SystemActor named after the provider, so the People page's checks
    (the last active administrator, open items left with someone who could not work on them)
    and audit apply. Only roles a provider may give can be given or taken away."""
    if person.organisation_id is None:
        raise ValidationError({"organisation": "Only an organisation's people sign in this way."})
    _check_provider_may_give(roles, held=_roles_of(person))
    return person_update(
        by=_sign_in_actor(provider_name, person.organisation_id),
        person=person,
        full_name=person.full_name,
        job_title=person.job_title,
        department=person.department,
        organisation=person.organisation,
        roles=roles,
        now=now,
    )


# --- SCIM provisioning (issue 15) ---


@dataclass(frozen=True)
class SystemActor:
    """Not a person: a service that manages one organisation's people, such as a SCIM token
    (accounts/scim/). The services above take it as `by` in place of an administrator: it
    may manage only the people of its organisation; the audit rows it makes have no actor and
    a note led by its `label` ("SCIM token Entra ID of West Midlands Police"); the items it
    hands over are handed over by nobody, as the daily transfer task does."""

    label: str
    organisation_id: int
    pk: None = None
    is_authenticated: bool = False
