"""Who may see and do what. Every view and service asks here; nothing else decides.

Scope first: a person sees the items of the forces their organisation answers for. A force's
people see their own force; a local policing body's office sees the forces it is currently the
local policing body for; national readers and administrators see every force. Anything outside
a person's scope is treated as if it did not exist (views answer 404).
"""

import datetime

from accounts.models import Organisation, PolicingBodyTerm, Role

ALL_FORCES = None


def visible_force_ids(user, today: datetime.date) -> set[int] | None:
    """The ids of the forces this person may see, or None for every force."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.has_role(Role.NATIONAL_READER, Role.ADMINISTRATOR):
        return ALL_FORCES
    org = user.organisation
    if org is None:
        return set()
    if org.kind == Organisation.Kind.FORCE and user.has_role(
        Role.FORCE_STAFF, Role.FORCE_COORDINATOR
    ):
        return {org.id}
    if org.kind == Organisation.Kind.LOCAL_POLICING_BODY and user.has_role(Role.PCC_OFFICE):
        return set(
            PolicingBodyTerm.objects.on(today).filter(body=org).values_list("force_id", flat=True)
        )
    return set()


def can_see_force(user, force_id: int, today: datetime.date) -> bool:
    ids = visible_force_ids(user, today)
    return ids is ALL_FORCES or force_id in ids


def _is_force_coordinator_of(user, item) -> bool:
    return user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == item.force_id


def is_pcc_office_for(user, force_id: int, today) -> bool:
    return (
        user.has_role(Role.PCC_OFFICE)
        and user.organisation_id is not None
        and PolicingBodyTerm.objects.on(today)
        .filter(body_id=user.organisation_id, force_id=force_id)
        .exists()
    )


def _is_pcc_office_of(user, item, today) -> bool:
    return is_pcc_office_for(user, item.force_id, today)


def can_work_on(user, item) -> bool:
    """Add updates and evidence, change status, propose closure: the owner and the force's
    coordinator. Colleagues in the same force can read but not write."""
    if not item.is_open:
        return False
    if item.owner_id == user.id and user.organisation_id == item.force_id:
        return True
    return _is_force_coordinator_of(user, item)


def can_revise_due_date(user, item) -> bool:
    return item.is_open and _is_force_coordinator_of(user, item)


def can_assign(user, item) -> bool:
    """Choosing the owner and accountable lead is the force coordinator's job."""
    return item.is_open and _is_force_coordinator_of(user, item)


def decides_closures(user) -> bool:
    """Whether closure proposals may come to this person (coordinators and the PCC office)."""
    return user.has_role(Role.FORCE_COORDINATOR, Role.PCC_OFFICE)


def can_decide_closure(user, item, proposal, today: datetime.date) -> bool:
    """The force's coordinator or the PCC office may approve or return a closure proposal,
    but never the person who proposed it."""
    if proposal is None or proposal.proposed_by_id == user.id:
        return False
    return _is_force_coordinator_of(user, item) or _is_pcc_office_of(user, item, today)


def can_change_deadline(user, deadline, today: datetime.date) -> bool:
    """Extensions and pauses: only where the rule allows them, recorded by the force
    coordinator for an item's deadline and by the PCC office for a statutory response's."""
    if not deadline.rule.extendable or deadline.state != "open":
        return False
    if deadline.item_id is not None:
        return deadline.item.is_open and _is_force_coordinator_of(user, deadline.item)
    return _is_pcc_office_of(user, deadline, today)


def can_write_force_response(user, force_id: int, today: datetime.date) -> bool:
    """The chief constable's comments and the force's response to each recommendation: the
    force coordinator sends them; the PCC office may record what it received."""
    coordinator = user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == force_id
    return coordinator or is_pcc_office_for(user, force_id, today)


def can_review_progress(user, item, today: datetime.date) -> bool:
    """Ask for an update and record a view on progress: the PCC office holding its force to
    account."""
    return is_pcc_office_for(user, item.force_id, today)


def can_manage_people(user) -> bool:
    """Adding people, changing their roles, deactivating and reactivating them:
    administrators only. Not a per-force object, so others are refused (403), not hidden."""
    return user.is_authenticated and user.is_active and user.has_role(Role.ADMINISTRATOR)


def can_read_audit_trail(user, force_id: int | None, today: datetime.date) -> bool:
    """The full change record, with every before and after: administrators, and for one
    force its coordinators and its PCC office (who answer for the changes). A report's own
    record (force_id None) is open to any coordinator or PCC office who can see the report."""
    if user.has_role(Role.ADMINISTRATOR):
        return True
    if force_id is None:
        return user.has_role(Role.FORCE_COORDINATOR, Role.PCC_OFFICE)
    coordinator = user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == force_id
    return coordinator or is_pcc_office_for(user, force_id, today)


def can_bulk_import(user) -> bool:
    """Import findings and items from a spreadsheet: force coordinators (for their own force)
    and administrators (for any force). Everyone else is refused (403)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return (
        user.has_role(Role.FORCE_COORDINATOR)
        and user.organisation is not None
        and user.organisation.kind == Organisation.Kind.FORCE
    )


def can_bulk_import_for(user, force_id: int) -> bool:
    """Whether a spreadsheet row for this force may be imported by this person: a
    coordinator only for their own force, an administrator for any. A row for another force
    is an error in the file, never silently imported. Within an import, the importer makes
    the changes a coordinator makes on an item's pages (status, due date, owner and lead),
    under the same rules."""
    if not can_bulk_import(user):
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return user.organisation_id == force_id


def is_administrator(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


def oversees_items(user) -> bool:
    """Coordinators, the PCC office, national readers and administrators oversee everything
    they may see (they start on All items); force staff start with what they own."""
    return decides_closures(user) or user.has_role(Role.NATIONAL_READER, Role.ADMINISTRATOR)


def sets_local_targets(user) -> bool:
    """Local targets for a statutory response are set by a PCC office (for its own forces)."""
    return user.has_role(Role.PCC_OFFICE) and user.organisation_id is not None


# Who receives the weekly overdue digest (even when nothing is overdue): the people who
# hold others to account.
OVERDUE_DIGEST_ROLES = (Role.FORCE_COORDINATOR, Role.PCC_OFFICE, Role.NATIONAL_READER)


def can_import_reports(user) -> bool:
    """Upload a report's published document and create the report from it: force
    coordinators (for their force), the PCC office (for its forces) and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    org = user.organisation
    if org is None:
        return False
    if user.has_role(Role.FORCE_COORDINATOR) and org.kind == Organisation.Kind.FORCE:
        return True
    return user.has_role(Role.PCC_OFFICE) and org.kind == Organisation.Kind.LOCAL_POLICING_BODY
