"""Who may see and do what. Every view and service asks here; nothing else decides.

Scope first: a person sees the items of the forces their organisation answers for. A force's
people see their own force; a local policing body's office sees the forces it is currently the
local policing body for; national readers and administrators see every force. Anything outside
a person's scope is treated as if it did not exist (views answer 404).
"""

import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from accounts.models import POLICING_BODY_KINDS, PolicingBodyTerm, Role, User

if TYPE_CHECKING:  # for the types only: nothing here queries these models
    from tracker.models import ClosureProposal, Deadline, Report, TrackedItem

ALL_FORCES = None

# The people of a force, who may own, lead or take over its items (and see its items).
FORCE_ROLES = (Role.FORCE_STAFF, Role.FORCE_COORDINATOR)

# The dashboard a person gets (dashboard_kind).
DashboardKind = Literal["national", "pcc", "force", "own"]


class AboutAForce(Protocol):
    """Anything that belongs to one force (an item, a deadline)."""

    @property
    def force_id(self) -> int: ...


def visible_force_ids(user: User | AnonymousUser, today: datetime.date) -> set[int] | None:
    """The ids of the forces this person may see, or None for every force."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.has_role(Role.NATIONAL_READER, Role.ADMINISTRATOR):
        return ALL_FORCES
    org = user.organisation
    if org is None:
        return set()
    if org.is_inspected and user.has_role(*FORCE_ROLES):
        return {org.id}
    if org.kind in POLICING_BODY_KINDS and user.has_role(Role.PCC_OFFICE):
        return set(
            PolicingBodyTerm.objects.on(today).filter(body=org).values_list("force_id", flat=True)
        )
    return set()


def can_see_force(user: User, force_id: int, today: datetime.date) -> bool:
    """Whether this force is within the person's scope (visible_force_ids)."""
    ids = visible_force_ids(user, today)
    return ids is ALL_FORCES or force_id in ids


def _is_force_coordinator_of(user: User, item: AboutAForce) -> bool:
    return user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == item.force_id


def is_pcc_office_for(user: User, force_id: int, today: datetime.date) -> bool:
    """Whether the person is of the PCC office of the body that answers for this force today."""
    return (
        user.has_role(Role.PCC_OFFICE)
        and user.organisation_id is not None
        and PolicingBodyTerm.objects.on(today)
        .filter(body_id=user.organisation_id, force_id=force_id)
        .exists()
    )


def _is_pcc_office_of(user: User, item: AboutAForce, today: datetime.date) -> bool:
    return is_pcc_office_for(user, item.force_id, today)


def can_work_on(user: User, item: "TrackedItem") -> bool:
    """Add updates and evidence, change status, propose closure: the owner and the force's
    coordinator. Colleagues in the same force can read but not write."""
    if not item.is_open:
        return False
    if item.owner_id == user.id and user.organisation_id == item.force_id:
        return True
    return _is_force_coordinator_of(user, item)


def can_revise_due_date(user: User, item: "TrackedItem") -> bool:
    """Revising an open item's due date (the original stays on record): its force coordinator."""
    return item.is_open and _is_force_coordinator_of(user, item)


def can_assign(user: User, item: "TrackedItem") -> bool:
    """Choosing the owner and accountable lead is the force coordinator's job."""
    return item.is_open and _is_force_coordinator_of(user, item)


def decides_closures(user: User) -> bool:
    """Whether closure proposals may come to this person (coordinators and the PCC office)."""
    return user.has_role(Role.FORCE_COORDINATOR, Role.PCC_OFFICE)


def can_decide_closure(
    user: User,
    item: "TrackedItem",
    proposal: "ClosureProposal | None",
    today: datetime.date,
) -> bool:
    """The force's coordinator or the PCC office may approve or return a closure proposal,
    but never the person who proposed it."""
    if proposal is None or proposal.proposed_by_id == user.id:
        return False
    return _is_force_coordinator_of(user, item) or _is_pcc_office_of(user, item, today)


def can_change_deadline(user: User, deadline: "Deadline", today: datetime.date) -> bool:
    """Extensions and pauses: only where the rule allows them, recorded by the force
    coordinator for an item's deadline and by the PCC office for a statutory response's."""
    if not deadline.rule.extendable or deadline.state != "open":
        return False
    if deadline.item_id is not None:
        item = deadline.item
        return item is not None and item.is_open and _is_force_coordinator_of(user, item)
    return _is_pcc_office_of(user, deadline, today)


def can_record_deadline_step(user: User, deadline: "Deadline", today: datetime.date) -> bool:
    """The steps after a response (IOPC: provided, then published by the Director General):
    recorded by whoever records the deadline's changes, while it is open and after the
    response has met it, since the publication comes later (para 28B(5) Sch 3 Police Reform
    Act 2002)."""
    if not deadline.rule.publication_by or deadline.state not in ("open", "met"):
        return False
    if deadline.item_id is not None:
        item = deadline.item
        return item is not None and _is_force_coordinator_of(user, item)
    return _is_pcc_office_of(user, deadline, today)


def can_write_force_response(user: User, force_id: int, today: datetime.date) -> bool:
    """The chief constable's comments and the force's response to each recommendation: the
    force coordinator sends them; the PCC office may record what it received."""
    coordinator = user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == force_id
    return coordinator or is_pcc_office_for(user, force_id, today)


def can_review_progress(user: User, item: "TrackedItem", today: datetime.date) -> bool:
    """Ask for an update and record a view on progress: the PCC office holding its force to
    account."""
    return is_pcc_office_for(user, item.force_id, today)


def reviews_progress(user: User) -> bool:
    """The progress review (every item of the forces the office holds to account): the PCC
    office. Others are refused (403) and do not see it in the navigation."""
    return user.has_role(Role.PCC_OFFICE)


def can_manage_people(user: User | AnonymousUser) -> bool:
    """Adding people, changing their roles, deactivating and reactivating them:
    administrators only. Not a per-force object, so others are refused (403), not hidden."""
    return user.is_authenticated and user.is_active and user.has_role(Role.ADMINISTRATOR)


def can_read_audit_trail(user: User, force_id: int | None, today: datetime.date) -> bool:
    """The full change record, with every before and after: administrators, and for one
    force its coordinators and its PCC office (who answer for the changes). A report's own
    record (force_id None) is open to any coordinator or PCC office who can see the report."""
    if user.has_role(Role.ADMINISTRATOR):
        return True
    if force_id is None:
        return user.has_role(Role.FORCE_COORDINATOR, Role.PCC_OFFICE)
    coordinator = user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == force_id
    return coordinator or is_pcc_office_for(user, force_id, today)


def response_record_force_ids(user: User, visible: set[int] | None) -> set[int] | None:
    """The forces whose statutory responses' change record this person may read on a report's
    audit trail, given the forces they see (`visible`): every force (None) for
    administrators; for the others, the forces they answer for, as in can_read_audit_trail
    (a PCC office its forces, a force coordinator their own force)."""
    if is_administrator(user):
        return ALL_FORCES
    readable = set(visible or []) if user.has_role(Role.PCC_OFFICE) else set()
    if user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id:
        readable.add(user.organisation_id)
    return readable


def can_bulk_import(user: User | AnonymousUser) -> bool:
    """Import findings and items from a spreadsheet: force coordinators (for their own force)
    and administrators (for any force). Everyone else is refused (403)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return (
        user.has_role(Role.FORCE_COORDINATOR)
        and user.organisation is not None
        and user.organisation.is_inspected
    )


def can_bulk_import_for(user: User, force_id: int) -> bool:
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


def is_administrator(user: User | AnonymousUser) -> bool:
    """Administrators: the reminder health page, every force's records."""
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


def oversees_items(user: User) -> bool:
    """Coordinators, the PCC office, national readers and administrators oversee everything
    they may see (they have the Overdue and Statutory responses pages); force staff work on
    what they own. Where each starts: landing_page."""
    return decides_closures(user) or user.has_role(Role.NATIONAL_READER, Role.ADMINISTRATOR)


# The page each role starts on (landing_page): a URL name.
LandingPage = Literal[
    "tracker:response_list",
    "tracker:item_list",
    "tracker:dashboard",
    "accounts:people",
    "tracker:my_items",
]


def landing_page(user: User) -> LandingPage:
    """Where a person starts, at "/" and after signing in (unless sign-in was asked for by a
    page, whose `next` wins): their main work. Someone with several roles gets the first that
    applies, in this order:

    1. The PCC office: Statutory responses (comments with a legal deadline, s55).
    2. Force coordinators: All items (assigning owners and due dates, deciding closures, with
       the count of closures waiting at the top of the list).
    3. National readers: the dashboard (every force side by side; not 10^5 rows of items).
    4. Administrators: People (joiners, movers and leavers are theirs alone).
    5. Force staff: My items (what they own).
    Anyone else (no role yet): the dashboard, which says what they can see."""
    if user.has_role(Role.PCC_OFFICE):
        return "tracker:response_list"
    if user.has_role(Role.FORCE_COORDINATOR):
        return "tracker:item_list"
    if user.has_role(Role.NATIONAL_READER):
        return "tracker:dashboard"
    if user.has_role(Role.ADMINISTRATOR):
        return "accounts:people"
    if user.has_role(Role.FORCE_STAFF):
        return "tracker:my_items"
    return "tracker:dashboard"


def shows_my_items(user: User, *, owns_items: bool) -> bool:
    """Whether "My items" is in the navigation: for force staff always (their own work, and
    where they start, empty until something is assigned to them), for anyone else only while
    they own an item (`owns_items`: the one fact the page lists). The address works for
    everyone and shows an empty list."""
    return user.has_role(Role.FORCE_STAFF) or owns_items


def can_use_admin_site(user: User | AnonymousUser) -> bool:
    """The "Admin site" link: exactly those Django's admin site lets in (active staff
    accounts, which the administrators are)."""
    return user.is_authenticated and user.is_active and user.is_staff


def starts_statutory_responses(user: User) -> bool:
    """Whether the statutory responses list offers "Respond anyway" for a report the law sets
    no period for: the PCC office (each start is checked against the force,
    is_pcc_office_for)."""
    return user.has_role(Role.PCC_OFFICE)


def dashboard_kind(user: User) -> DashboardKind:
    """Which dashboard a person gets: national readers and administrators every force
    ("national"); the PCC office its forces ("pcc"); coordinators their force ("force");
    force staff their own items ("own")."""
    if user.has_role(Role.NATIONAL_READER, Role.ADMINISTRATOR):
        return "national"
    if user.has_role(Role.PCC_OFFICE):
        return "pcc"
    if user.has_role(Role.FORCE_COORDINATOR):
        return "force"
    return "own"


def sets_local_targets(user: User) -> bool:
    """Local targets for a statutory response are set by a PCC office (for its own forces)."""
    return user.has_role(Role.PCC_OFFICE) and user.organisation_id is not None


# Who receives the weekly overdue digest (even when nothing is overdue): the people who
# hold others to account.
OVERDUE_DIGEST_ROLES = (Role.FORCE_COORDINATOR, Role.PCC_OFFICE, Role.NATIONAL_READER)


def can_import_reports(user: User | AnonymousUser) -> bool:
    """Upload a report's published document and create the report from it: force
    coordinators (for their force), the PCC office (for its forces) and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    org = user.organisation
    if org is None:
        return False
    if user.has_role(Role.FORCE_COORDINATOR) and org.is_inspected:
        return True
    return user.has_role(Role.PCC_OFFICE) and org.kind in POLICING_BODY_KINDS


def report_import_force_ids(user: User, today: datetime.date) -> set[int] | None:
    """The forces a person may import a report for (None: every force): administrators any
    force, a force coordinator their own force, a PCC office the forces it answers for today."""
    if not can_import_reports(user):
        return set()
    if user.has_role(Role.ADMINISTRATOR):
        return ALL_FORCES
    org = user.organisation
    if org is not None and org.is_inspected:
        return {org.id}
    return visible_force_ids(user, today) or set()


def can_update_report_by_import(user: User, report: "Report", today: datetime.date) -> bool:
    """An import may add to a national report (a force adds itself and its findings), or to a
    report about forces the person imports for; never to another force's own report."""
    if report.national:
        return True
    allowed = report_import_force_ids(user, today)
    return allowed is ALL_FORCES or set(report.forces.values_list("id", flat=True)) <= allowed


def requires_two_factor(user: User) -> bool:
    """Whether this person must sign in with an authenticator app: the roles named in the
    TWO_FACTOR_REQUIRED_ROLES setting (administrators and the PCC office unless set)."""
    return user.has_role(*settings.TWO_FACTOR_REQUIRED_ROLES)


def can_take_over_items(user: User, force_id: int) -> bool:
    """Whether this person may be handed a force's open items (when their owner or lead is
    deactivated): an active member of staff or coordinator of that force, never a service
    account (an organisation's system reading through the API)."""
    return (
        user.is_active
        and user.organisation_id == force_id
        and user.has_role(*FORCE_ROLES)
        and not is_service_account(user)
    )


# Protective marking (issue 21) ------------------------------------------------------------


def can_set_marking(user: User, force_id: int, today: datetime.date) -> bool:
    """Setting or changing the protective marking of a force's item or statutory response:
    the force's coordinator or the PCC office that answers for the force today. Everyone
    else who sees the thing (force staff, national readers) sees its marking; administrators
    keep the list and each organisation's default in the admin."""
    coordinator = user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == force_id
    return coordinator or is_pcc_office_for(user, force_id, today)


def can_set_report_marking(user: User, force_ids: list[int], today: datetime.date) -> bool:
    """A report's protective marking, which its items and responses inherit: only someone who
    may set the marking for every force the report is about (a report about other forces
    too, such as a national one, is marked by an administrator in the admin)."""
    return bool(force_ids) and all(can_set_marking(user, f, today) for f in force_ids)


def can_record_function_transfers(user: User | AnonymousUser) -> bool:
    """Recording, cancelling and carrying out a transfer of a local policing body's functions
    to a successor (issue 22): administrators only, as for people (others are refused, 403)."""
    return is_administrator(user) and user.is_active


def can_see_function_transfer(user: User, force_ids: set[int], today: datetime.date) -> bool:
    """The preview of a transfer of functions: those who oversee the work of any of its forces
    (their coordinators, the PCC office, national readers, administrators). Force staff are
    refused; anyone who cannot see its forces is told it does not exist (404)."""
    return sees_transfer_of_forces(visible_force_ids(user, today), force_ids)


def sees_transfer_of_forces(visible: set[int] | None, force_ids: set[int]) -> bool:
    """can_see_function_transfer with the person's `visible_force_ids` read once already (a
    list of transfers asks it once, not once a transfer)."""
    return visible is ALL_FORCES or bool(visible & force_ids)


def sees_function_transfers(user: User) -> bool:
    """The transfers of functions list: whoever oversees items (force staff are refused, 403)."""
    return oversees_items(user)


# --- Sign-in with an identity provider (issue 15) ---


def can_manage_identity_providers(user: User | AnonymousUser) -> bool:
    """Setting up an organisation's sign-in provider (issue 15): administrators only, as for
    people, since the provider's groups give roles. Others are refused (403)."""
    return can_manage_people(user)


def password_sign_in_allowed(user: User) -> bool:
    """Whether the person may sign in with a tracker password: not when their organisation
    signs in through its own provider and has switched password sign-in off (issue 15). An
    account holding a role no provider may give (an administrator) keeps its password (and
    the tracker's own two-factor step): a provider never signs it in, so it would be locked
    out of both."""
    from accounts.models import IdentityProvider

    if user.organisation_id is None or not keeps_roles_from_provider(user):
        return True
    return not IdentityProvider.objects.filter(
        organisation_id=user.organisation_id, enabled=True, password_sign_in_allowed=False
    ).exists()


# --- SCIM provisioning (issue 15) ---

# Roles an organisation's provisioning service may give (as SCIM Groups, accounts/scim/): the
# roles of the organisation's own work. Not the administrator: it manages every
# organisation's people, so it is given by an administrator, never by one force's directory.
SCIM_ROLES = (Role.FORCE_STAFF, Role.FORCE_COORDINATOR, Role.PCC_OFFICE, Role.NATIONAL_READER)


def scim_may_give_role(role: str) -> bool:
    """Whether a SCIM token may give (or take away) this role; which organisation each role
    goes with is accounts.role_rules' (the same rule as the People pages)."""
    return role in SCIM_ROLES


def keeps_roles_from_provider(user: User) -> bool:
    """Whether every role this person holds is one an organisation's provider or SCIM may
    give: false for an administrator, whose account a provider never signs in or changes."""
    return all(scim_may_give_role(role) for role in user.roles)


def can_manage_scim_tokens(user: User | AnonymousUser) -> bool:
    """Making and revoking an organisation's SCIM tokens: whoever manages people
    (administrators), since a token adds, changes and deactivates people."""
    return can_manage_people(user)


# --- The REST API (issue 15) ---


def is_service_account(user: User | AnonymousUser) -> bool:
    """An organisation's account for a system (accounts.api_tokens.ServiceAccount): it reads
    through the API with read-only tokens and never signs in."""
    if not user.is_authenticated:
        return False
    from accounts.models import ServiceAccount

    return ServiceAccount.objects.filter(user_id=user.pk).exists()


def can_have_api_tokens(user: User | AnonymousUser) -> bool:
    """Personal access tokens: anyone signed in and active (a token reads and does no more
    than its person could on the pages); a service account's tokens are made by an
    administrator."""
    return user.is_authenticated and user.is_active


def can_manage_service_accounts(user: User | AnonymousUser) -> bool:
    """Service accounts and their tokens: administrators (they set up a force's feeds)."""
    return is_administrator(user) and user.is_active


# --- Webhooks and calendar feeds (issue 15) ---


def can_manage_webhooks(user: User | AnonymousUser) -> bool:
    """Registering the webhook endpoints of an organisation, and reading their delivery log:
    a force's coordinators for their force, a PCC office for its office, and an
    administrator who belongs to an organisation for that organisation (administrators
    without one use the admin site). Everyone else is refused (403)."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return False
    org = user.organisation
    if org is None:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    if org.is_inspected:
        return user.has_role(Role.FORCE_COORDINATOR)
    return org.kind in POLICING_BODY_KINDS and user.has_role(Role.PCC_OFFICE)


def calendar_covers_force(user: User) -> bool:
    """Whether a person's calendar feed may cover every deadline of their force (the
    option on their Email settings page): the force's coordinators."""
    return (
        user.is_active
        and user.has_role(Role.FORCE_COORDINATOR)
        and user.organisation is not None
        and user.organisation.is_inspected
    )


# Issue 18: lineage, national recommendations, shared learning, the public progress register.


def can_decide_lineage(user: User, force_id: int, today: datetime.date) -> bool:
    """Confirming or dismissing a suggested link between a force's findings (and so
    superseding an older item): the force's coordinator or its PCC office. Lineage stays
    within one force."""
    coordinator = user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == force_id
    return coordinator or is_pcc_office_for(user, force_id, today)


def can_record_inspectorate_status(user: User, force_id: int, today: datetime.date) -> bool:
    """Recording by hand the inspectorate's own status of an item's recommendation (as its
    register or a letter gave it): the force's coordinator or its PCC office."""
    return can_decide_lineage(user, force_id, today)


def can_share_learning(user: User, item: "TrackedItem", today: datetime.date) -> bool:
    """Sharing (or withdrawing) a closed item's closing summary with every force: the force's
    coordinator or its PCC office. Only a closed item (not a superseded one) has a summary
    to share; the check that it is closed is the service's, which says so."""
    coordinator = user.has_role(Role.FORCE_COORDINATOR) and user.organisation_id == item.force_id
    return coordinator or is_pcc_office_for(user, item.force_id, today)


def sees_shared_learning(user: User | AnonymousUser, today: datetime.date) -> bool:
    """Reading the closing summaries forces shared "with every force": people who see the
    items of some force (force people, PCC offices with a current term, national readers,
    administrators). Not someone signed in who sees no force's items: a summary is shared
    with the forces, not with every account."""
    if not user.is_authenticated or not user.is_active:
        return False
    ids = visible_force_ids(user, today)
    return ids is ALL_FORCES or bool(ids)


def sees_every_force_on_national_recommendations(user: User) -> bool:
    """A national recommendation's page with every force's row: national readers and
    administrators. Everyone else sees the counts and their own forces' rows only."""
    return user.has_role(Role.NATIONAL_READER, Role.ADMINISTRATOR)


def can_publish_progress(user: User, force_id: int, today: datetime.date) -> bool:
    """Approving public wording and publishing a force's progress on a report on the public
    page: the PCC office of the body that answers for the force today."""
    return is_pcc_office_for(user, force_id, today)
