"""Which organisation each role goes with: the one rule that the People pages
(accounts.services) and the admin's person page (accounts.admin) both apply, so that nobody
gets a role, from either page, that shows them forces they should not see, or nothing at
all: a new role in a local policing body needs the body to be in office today."""

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import (
    INSPECTED_KINDS,
    POLICING_BODY_KINDS,
    Organisation,
    PolicingBodyTerm,
    Role,
)

# Which kinds of organisation each role goes with (None: any organisation, or none).
ROLE_ORGANISATIONS: dict[Role, set[str] | None] = {
    # A fire and rescue service's own people work on its items as a force's do (issue 17).
    Role.FORCE_STAFF: set(INSPECTED_KINDS),
    Role.FORCE_COORDINATOR: set(INSPECTED_KINDS),
    Role.PCC_OFFICE: set(POLICING_BODY_KINDS),
    Role.NATIONAL_READER: {Organisation.Kind.INSPECTORATE, Organisation.Kind.GOVERNMENT},
    Role.ADMINISTRATOR: None,
}
ROLE_ORGANISATION_HINT = {
    Role.FORCE_STAFF: "Force staff must belong to a police force or a fire and rescue service.",
    Role.FORCE_COORDINATOR: (
        "A force coordinator must belong to a police force or a fire and rescue service."
    ),
    Role.PCC_OFFICE: "The PCC office role is for people of a local policing body.",
    Role.NATIONAL_READER: (
        "A national reader must belong to the inspectorate or a government department."
    ),
}


# Roles that see a force through the organisation's term in office as its policing body.
ROLES_THROUGH_A_TERM = {Role.PCC_OFFICE}


def role_organisation_problems(
    roles: Iterable[str],
    organisation: Organisation | None,
    *,
    today: datetime.date | None = None,
    held: Iterable[str] = (),
) -> list[str]:
    """What is wrong with giving these roles to someone of this organisation, in plain
    English for the administrator, one sentence a role, in the roles' order; empty if
    nothing is. With `today`, a role given anew (not among `held`, the roles the person
    already has in this organisation) in a local policing body not in office that day is
    refused too: its people would see no force, and nothing would say why."""
    given = sorted({Role(r) for r in roles})
    problems = [
        ROLE_ORGANISATION_HINT[role]
        for role in given
        if (kinds := ROLE_ORGANISATIONS[role]) is not None
        and (organisation is None or organisation.kind not in kinds)
    ]
    new = (set(given) - {Role(r) for r in held}) & ROLES_THROUGH_A_TERM
    if problems or not new or today is None or organisation is None:
        return problems
    if organisation.kind in POLICING_BODY_KINDS and not in_office(organisation, today):
        problems.append(not_in_office(organisation, today))
    return problems


def in_office(organisation: Organisation, today: datetime.date) -> bool:
    """Whether a local policing body holds a term for a force today."""
    return PolicingBodyTerm.objects.on(today).filter(body=organisation).exists()


def bodies_not_in_office(today: datetime.date) -> set[int]:
    """The ids of the local policing bodies with no term in office today."""
    return set(
        Organisation.objects.filter(kind__in=POLICING_BODY_KINDS)
        .exclude(pk__in=PolicingBodyTerm.objects.on(today).values("body_id"))
        .values_list("pk", flat=True)
    )


def organisations_for_new_roles(
    today: datetime.date, *, keep: int | None = None
) -> QuerySet[Organisation]:
    """The organisations a person can be given roles in today, by name: every one but the
    local policing bodies no longer (or not yet) in office; `keep`, the person's own
    organisation, stays on the list whatever it is."""
    current = PolicingBodyTerm.objects.on(today).values("body_id")
    return Organisation.objects.filter(
        ~Q(kind__in=POLICING_BODY_KINDS) | Q(pk__in=current) | Q(pk=keep)
    ).order_by("name")


def not_in_office(organisation: Organisation, today: datetime.date) -> str:
    """The refusal for a role in a body not in office: when its term ended (or that it has
    none), and the body in office now for the same forces."""
    terms = PolicingBodyTerm.objects.filter(body=organisation)
    ended = terms.filter(ends_on__lt=today).order_by("-ends_on").values_list("ends_on", flat=True)
    last = ended.first()
    when = f" (its term ended on {last.day} {last:%B %Y})" if last else ""
    successors = list(
        PolicingBodyTerm.objects.on(today)
        .filter(force__in=terms.values("force"))
        .exclude(body=organisation)
        .select_related("body")
        .order_by("body__name")
        .values_list("body__name", flat=True)
        .distinct()
    )
    instead = (
        f" Choose the body in office now: {', '.join(successors)}."
        if successors
        else " Choose a body in office now."
    )
    return (
        f"{organisation.name} is not in office today{when}, so nobody can be given the PCC "
        f"office role there: they would see no force.{instead}"
    )


KIND_PHRASE = {
    Organisation.Kind.FORCE: "a police force",
    Organisation.Kind.FIRE_AND_RESCUE: "a fire and rescue service",
    Organisation.Kind.LOCAL_POLICING_BODY: "a local policing body",
    Organisation.Kind.MAYOR: "a mayor with PCC functions",
    Organisation.Kind.POLICING_AND_CRIME_BOARD: "a Policing and Crime Board",
    Organisation.Kind.INSPECTORATE: "the inspectorate",
    Organisation.Kind.GOVERNMENT: "a government department",
}


def where_they_belong(organisation: Organisation | None) -> str:
    """ "West Midlands Police is a police force", for a refusal to say what to change."""
    if organisation is None:
        return "They belong to no organisation"
    return f"{organisation.name} is {KIND_PHRASE[Organisation.Kind(organisation.kind)]}"
