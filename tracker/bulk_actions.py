"""Bulk actions: one change to many items at once, from the item lists.

A person ticks items (or chooses "all N items matching these filters") and one action:
choose the owner and lead, set or revise the due date, change the status, approve or return
closure proposals, or ask for updates. Three steps:

1. `selection_items` reads the items chosen, scoped like the lists (what the person may see;
   "all matching" re-applies the list's filters from the query string, never a list of ids).
2. `plan` says, item by item, what would change and what is refused and why: the same rules
   as each item's own page (tracker.policy and the services' checks), over the rows loaded.
   The confirmation page shows it, and carries each item's version.
3. `apply` makes the changes in one transaction, each item through the same service as its
   single action (so each is checked again under the item's lock, audited and its deadlines
   re-planned), with the people told once per batch (tracker.handoffs). All or nothing: when
   any item is refused at that point (changed by someone else since the confirmation page, or
   no longer allowed), nothing changes and `BatchRefused` lists the refusals by item.
"""

import datetime
import uuid as uuidlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from accounts.models import Role, User
from tracker import handoffs, policy, selectors, services
from tracker.conflicts import SAVE_AGAIN, ItemChanged, and_list, changes_since
from tracker.models import CHOOSABLE_STATUSES, ClosureProposal, Status, TrackedItem
from tracker.reminders.plan import coordinators
from tracker.reminders.sync import deadlines_deferred

ASSIGN = "assign"
DUE_DATE = "due_date"
STATUS = "status"
DECIDE = "decide"
REQUEST_UPDATE = "request_update"

ACTIONS = {
    ASSIGN: "Choose the owner and accountable lead",
    DUE_DATE: "Set or revise the due date",
    STATUS: "Change the status",
    DECIDE: "Approve or return closure proposals",
    REQUEST_UPDATE: "Ask for an update",
}

# The lists a selection comes from, each with its filters.
LISTS = ("all", "mine", "overdue", "review")

MAX_ITEMS = 1000  # a larger selection is refused: narrow the filters

# In `params`, an owner or lead left as it is.
UNCHANGED: Any = services.UNCHANGED


def actions_for(user: Any) -> list[tuple[str, str]]:
    """The actions a person may start from a list, by role (each item is then checked on its
    own): coordinators all but asking for updates; force staff the status of what they own;
    the PCC office decisions and requests for updates; readers none."""
    if not getattr(user, "is_authenticated", False):
        return []
    keys = []
    if user.has_role(*policy.FORCE_ROLES):
        if user.has_role(Role.FORCE_COORDINATOR):
            keys += [ASSIGN, DUE_DATE]
        keys.append(STATUS)
    if policy.decides_closures(user):
        keys.append(DECIDE)
    if policy.reviews_progress(user):
        keys.append(REQUEST_UPDATE)
    return [(key, ACTIONS[key]) for key in ACTIONS if key in keys]


class SelectionError(Exception):
    """The selection cannot be used (empty, too large, from an unknown list): the message
    says what to do."""


@dataclass(frozen=True)
class Selection:
    """What the person chose on a list: the list, its filters (the query string) and either
    every item matching them (`every`) or the ids ticked."""

    list_name: str
    query: str
    every: bool
    uuids: tuple[str, ...] = ()


def _filterset(list_name: str, *, user: Any, today: datetime.date, filters: QueryDict) -> Any:
    if list_name == "mine":
        return selectors.my_item_filter(user=user, today=today, filters=filters)
    if list_name == "overdue":
        group = filters.get("group") or "owner"
        group = group if group in selectors.OVERDUE_GROUPS else "owner"
        return selectors.overdue_item_filter(user=user, today=today, group=group, filters=filters)
    if list_name == "review":
        return selectors.review_item_filter(user=user, today=today, filters=filters)
    return selectors.item_filter(user=user, today=today, filters=filters)


def _rows(*, user: Any, today: datetime.date) -> Any:
    """The items a person may see, with what the plan and the pages read of each."""
    return selectors.item_list(user=user, today=today).select_related("lead")


def valid_uuids(values: Iterable[str]) -> tuple[list[str], int]:
    """The values that are item ids, and how many were not (a tampered form)."""
    good, bad = [], 0
    for value in values:
        try:
            good.append(str(uuidlib.UUID(str(value))))
        except ValueError:
            bad += 1
    return list(dict.fromkeys(good)), bad


def selection_items(
    *, user: Any, today: datetime.date, selection: Selection
) -> tuple[list[TrackedItem], int]:
    """The items chosen, scoped to what the person may see, in the list's order; and how many
    ticked ids are not among them (they do not exist, or the person may not see them)."""
    if selection.list_name not in LISTS:
        raise SelectionError("Choose items from one of the item lists.")
    if selection.every:
        filters = QueryDict(selection.query)
        queryset = _filterset(selection.list_name, user=user, today=today, filters=filters).qs
        ids = list(queryset.values_list("pk", flat=True)[: MAX_ITEMS + 1])
        missing = 0
    else:
        uuids, missing = valid_uuids(selection.uuids)
        ids = list(
            _rows(user=user, today=today).filter(uuid__in=uuids).values_list("pk", flat=True)
        )
        missing += len(uuids) - len(ids)
    if not ids and not missing:
        raise SelectionError("Select at least one item.")
    if len(ids) > MAX_ITEMS:
        raise SelectionError(
            f"Choose at most {MAX_ITEMS:,} items at once: narrow the filters and try again."
        )
    rows = _rows(user=user, today=today).filter(pk__in=ids).in_bulk()
    return [rows[pk] for pk in ids if pk in rows], missing


def items_by_uuid(
    *, user: Any, today: datetime.date, uuids: Iterable[str]
) -> tuple[list[TrackedItem], list[str]]:
    """The items the confirmation page carried (scoped), and the ids no longer found."""
    good, _bad = valid_uuids(uuids)
    rows = {str(i.uuid): i for i in _rows(user=user, today=today).filter(uuid__in=good)}
    return [rows[u] for u in good if u in rows], [u for u in good if u not in rows]


def people_for(*, user: Any, items: Iterable[TrackedItem]) -> list[User]:
    """Who may be chosen as owner or lead of these items: active people of the forces of the
    items this person may assign."""
    force_ids = {i.force_id for i in items if policy.can_assign(user, i)}
    return list(
        User.objects.with_role(*policy.FORCE_ROLES)
        .active()
        .filter(organisation_id__in=force_ids)
        .order_by("full_name", "pk")
    )


@dataclass(frozen=True)
class Row:
    """One item of the plan: what will change (`change`), or why it will not (`refused`)."""

    item: TrackedItem
    change: str = ""
    refused: str = ""


@dataclass
class Plan:
    action: str
    rows: list[Row] = field(default_factory=list)
    missing: int = 0  # ids chosen that are not among the items the person may see

    @property
    def changes(self) -> list[Row]:
        return [r for r in self.rows if not r.refused]

    @property
    def refusals(self) -> list[Row]:
        return [r for r in self.rows if r.refused]


@dataclass
class Context:
    """What the rules read besides the items, loaded once for all of them."""

    user: Any
    today: datetime.date
    proposals: dict[int, ClosureProposal] = field(default_factory=dict)
    force_coordinators: dict[int, list[User]] = field(default_factory=dict)


def load_context(
    *, user: Any, today: datetime.date, action: str, items: list[TrackedItem]
) -> Context:
    """The open closure proposals (for decisions) and each force's coordinators (for requests
    for updates on items without an active owner): one query each, not one per item."""
    context = Context(user=user, today=today)
    if action == DECIDE:
        for proposal in ClosureProposal.objects.filter(
            item__in=[i.pk for i in items], decision__isnull=True
        ).order_by("proposed_at", "pk"):
            context.proposals[proposal.item_id] = proposal  # the latest wins
    if action == REQUEST_UPDATE:
        for force_id in {i.force_id for i in items}:
            context.force_coordinators[force_id] = coordinators(force_id)
    return context


def _name(person: Any) -> str:
    return (person.full_name or person.email) if person is not None else "nobody"


def _date(day: datetime.date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "not set"


def _check_assign(item: TrackedItem, ctx: Context, params: dict[str, Any]) -> str:
    if not policy.can_assign(ctx.user, item):
        raise ValidationError("Only the force coordinator can choose the owner and lead.")
    owner = item.owner if params["owner"] is UNCHANGED else params["owner"]
    lead = item.lead if params["lead"] is UNCHANGED else params["lead"]
    for person, what in ((owner, "owner"), (lead, "accountable lead")):
        if person is not None and (person.organisation_id != item.force_id or not person.is_active):
            raise ValidationError(
                f"{_name(person)} cannot be the {what}: they do not work for {item.force}."
            )
    parts = []
    if owner != item.owner:
        parts.append(f"owner {_name(item.owner)} → {_name(owner)}")
    if lead != item.lead:
        parts.append(f"accountable lead {_name(item.lead)} → {_name(lead)}")
    # An owner and a due date in one action (a date the item already has is left alone).
    if params.get("new_date") and params["new_date"] != item.due_date:
        parts.append(_check_due_date(item, ctx, params).replace("Due date", "due date", 1))
    if not parts:
        raise ValidationError("The owner, accountable lead and due date are already as chosen.")
    words = and_list(tuple(parts))
    return words[0].upper() + words[1:]


def _check_due_date(item: TrackedItem, ctx: Context, params: dict[str, Any]) -> str:
    if not policy.can_revise_due_date(ctx.user, item):
        raise ValidationError("Only the force coordinator can revise due dates.")
    new_date = params["new_date"]
    services.item_check_due_date(report=item.finding.report, due_date=new_date)
    if new_date < ctx.today:
        raise ValidationError("The new due date must be today or in the future.")
    if new_date == item.due_date:
        raise ValidationError("The due date is already this date.")
    return f"Due date {_date(item.due_date)} → {_date(new_date)}"


def _check_status(item: TrackedItem, ctx: Context, params: dict[str, Any]) -> str:
    to_status = params["to_status"]
    if to_status not in CHOOSABLE_STATUSES:
        raise ValidationError("To close an item, propose closure on its page.")
    if not policy.can_work_on(ctx.user, item):
        raise ValidationError("Only its owner or the force coordinator can change its status.")
    if item.status == Status.PROPOSED_FOR_CLOSURE:
        raise ValidationError("It is waiting for a closure decision.")
    if item.status == to_status:
        raise ValidationError(f"It is already “{Status(to_status).label}”.")
    return f"Status {Status(item.status).label} → {Status(to_status).label}"


def _check_decide(item: TrackedItem, ctx: Context, params: dict[str, Any]) -> str:
    proposal = ctx.proposals.get(item.pk)
    if proposal is None or item.status != Status.PROPOSED_FOR_CLOSURE:
        raise ValidationError("There is no closure proposal waiting for a decision.")
    if proposal.proposed_by_id == ctx.user.id:
        raise ValidationError(
            "You proposed this closure, so someone else must approve or return it."
        )
    if not policy.can_decide_closure(ctx.user, item, proposal, ctx.today):
        raise ValidationError("You cannot approve or return closure proposals for this item.")
    return (
        "Closure approved: the item closes"
        if params["approve"]
        else "Closure returned to the owner"
    )


def _check_request_update(item: TrackedItem, ctx: Context, params: dict[str, Any]) -> str:
    if not policy.can_review_progress(ctx.user, item, ctx.today):
        raise ValidationError("Only the PCC office for this force can ask for an update.")
    owner = item.owner if item.owner is not None and item.owner.is_active else None
    if owner is not None:
        return f"{_name(owner)} is asked for an update"
    people = ctx.force_coordinators.get(item.force_id, [])
    if not people:
        raise ValidationError(
            f"Nobody can be asked: no active owner, and {item.force} has no active force "
            "coordinator."
        )
    return f"No owner: {and_list(tuple(_name(p) for p in people))} asked for an update"


CHECKS = {
    ASSIGN: _check_assign,
    DUE_DATE: _check_due_date,
    STATUS: _check_status,
    DECIDE: _check_decide,
    REQUEST_UPDATE: _check_request_update,
}


def plan_row(item: TrackedItem, ctx: Context, action: str, params: dict[str, Any]) -> Row:
    """What the action would do to one item, by the rules of its own page."""
    if not item.is_open:
        return Row(item, refused="It is closed.")
    try:
        return Row(item, change=CHECKS[action](item, ctx, params))
    except ValidationError as exc:
        return Row(item, refused=" ".join(exc.messages))


def plan(
    *,
    user: Any,
    action: str,
    params: dict[str, Any],
    items: list[TrackedItem],
    today: datetime.date,
    missing: int = 0,
    context: Context | None = None,
) -> Plan:
    """What the action would change on each item, and what it would refuse and why. Reads
    only what `load_context` loaded (and what tracker.policy reads)."""
    if action not in ACTIONS:
        raise SelectionError("Choose an action from the list.")
    ctx = context or load_context(user=user, today=today, action=action, items=items)
    return Plan(
        action=action,
        rows=[plan_row(item, ctx, action, params) for item in items],
        missing=missing,
    )


class BatchRefused(Exception):
    """Nothing was changed: these items were refused (each a Row with its reason)."""

    def __init__(self, refusals: list[Row], missing: int = 0) -> None:
        super().__init__(f"{len(refusals) + missing} items refused")
        self.refusals = refusals
        self.missing = missing


def _apply_one(
    item: TrackedItem,
    *,
    user: Any,
    action: str,
    params: dict[str, Any],
    version: int,
    now: datetime.datetime,
) -> None:
    """The service of the item's own page for this action."""
    if action == ASSIGN:
        owner = item.owner if params["owner"] is UNCHANGED else params["owner"]
        lead = item.lead if params["lead"] is UNCHANGED else params["lead"]
        if owner != item.owner or lead != item.lead:
            item = services.item_assign(
                item=item, by=user, owner=owner, lead=lead, version=version, now=now
            )
            version = item.version
        if params.get("new_date") and params["new_date"] != item.due_date:
            services.item_revise_due_date(
                item=item,
                by=user,
                new_date=params["new_date"],
                reason=params["reason"],
                version=version,
                now=now,
            )
    elif action == DUE_DATE:
        services.item_revise_due_date(
            item=item,
            by=user,
            new_date=params["new_date"],
            reason=params["reason"],
            version=version,
            now=now,
        )
    elif action == STATUS:
        services.item_change_status(
            item=item,
            by=user,
            to_status=params["to_status"],
            reason=params["reason"],
            version=version,
            now=now,
        )
    elif action == DECIDE:
        services.closure_decide(
            item=item,
            by=user,
            approve=params["approve"],
            reason=params.get("reason", ""),
            version=version,
            now=now,
        )
    elif action == REQUEST_UPDATE:
        services.item_request_update(item=item, by=user, message=params.get("message", ""), now=now)


def stale_message(item: TrackedItem, version: int, user: Any) -> str:
    """Who changed the item since the confirmation page was built, and what."""
    changed = ItemChanged(item=item, since=version, changes=changes_since(item, version))
    return changed.message(user).replace(SAVE_AGAIN, "").strip()


def apply(
    *,
    user: Any,
    action: str,
    params: dict[str, Any],
    versions: dict[str, int],
    now: datetime.datetime | None = None,
) -> int:
    """Make the change to every item the confirmation page listed (`versions`: each item's id
    and the version the page showed), each through its own service, in one transaction.
    Returns how many items changed. Raises BatchRefused, having changed nothing, when any item
    is refused: no longer found, changed since, or no longer allowed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not versions:
        raise SelectionError("Select at least one item.")
    items, gone = items_by_uuid(user=user, today=today, uuids=versions)
    checked = plan(user=user, action=action, params=params, items=items, today=today)
    refusals = checked.refusals
    refusals += [
        Row(r.item, refused=stale_message(r.item, versions[str(r.item.uuid)], user))
        for r in checked.changes
        if r.item.version != versions[str(r.item.uuid)]
    ]
    if refusals or gone:
        raise BatchRefused(refusals, missing=len(gone))
    with transaction.atomic(), handoffs.batched(), deadlines_deferred():
        for row in checked.changes:
            try:
                _apply_one(
                    row.item,
                    user=user,
                    action=action,
                    params=params,
                    version=versions[str(row.item.uuid)],
                    now=now,
                )
            except ItemChanged as changed:
                message = changed.message(user).replace(SAVE_AGAIN, "").strip()
                refusals.append(Row(row.item, refused=message))
            except ValidationError as exc:
                refusals.append(Row(row.item, refused=" ".join(exc.messages)))
        if refusals:
            raise BatchRefused(refusals)  # rolls the whole batch back
    return len(checked.changes)
