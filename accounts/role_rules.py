"""Which organisation each role goes with: the one rule that the People pages
(accounts.services) and the admin's person page (accounts.admin) both apply, so that nobody
gets a role, from either page, that shows them forces they should not see."""

from collections.abc import Iterable

from accounts.models import Organisation, Role

# Which kinds of organisation each role goes with (None: any organisation, or none).
ROLE_ORGANISATIONS: dict[Role, set[str] | None] = {
    Role.FORCE_STAFF: {Organisation.Kind.FORCE},
    Role.FORCE_COORDINATOR: {Organisation.Kind.FORCE},
    Role.PCC_OFFICE: {Organisation.Kind.LOCAL_POLICING_BODY},
    Role.NATIONAL_READER: {Organisation.Kind.INSPECTORATE, Organisation.Kind.GOVERNMENT},
    Role.ADMINISTRATOR: None,
}
ROLE_ORGANISATION_HINT = {
    Role.FORCE_STAFF: "Force staff must belong to a police force.",
    Role.FORCE_COORDINATOR: "A force coordinator must belong to a police force.",
    Role.PCC_OFFICE: "The PCC office role is for people of a local policing body.",
    Role.NATIONAL_READER: (
        "A national reader must belong to the inspectorate or a government department."
    ),
}


def role_organisation_problems(
    roles: Iterable[str], organisation: Organisation | None
) -> list[str]:
    """What is wrong with giving these roles to someone of this organisation, in plain
    English for the administrator, one sentence a role, in the roles' order; empty if
    nothing is."""
    return [
        ROLE_ORGANISATION_HINT[role]
        for role in sorted({Role(r) for r in roles})
        if (kinds := ROLE_ORGANISATIONS[role]) is not None
        and (organisation is None or organisation.kind not in kinds)
    ]


KIND_PHRASE = {
    Organisation.Kind.FORCE: "a police force",
    Organisation.Kind.LOCAL_POLICING_BODY: "a local policing body",
    Organisation.Kind.INSPECTORATE: "the inspectorate",
    Organisation.Kind.GOVERNMENT: "a government department",
}


def where_they_belong(organisation: Organisation | None) -> str:
    """ "West Midlands Police is a police force", for a refusal to say what to change."""
    if organisation is None:
        return "They belong to no organisation"
    return f"{organisation.name} is {KIND_PHRASE[Organisation.Kind(organisation.kind)]}"
