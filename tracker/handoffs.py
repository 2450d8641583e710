"""Hand-offs: the moments work passes from one person to another, and who is told of them.

A service that makes a hand-off (a closure proposed or decided, a new owner or lead, a due
date set or moved, evidence added while closure waits, a report imported with items nobody
owns) records it here, in its own transaction, with one of the `*_recorded` functions below.

1. `AUDIENCE` is the one table that says who hears of each kind of event, and in what part
   (the new owner, the previous owner, a person who may decide...). The person who acted is
   never told, nor anyone outside the force the event is about, nor anyone switched off.
2. Each person gets a notice in the app at once (a `Notification` row written in the
   caller's transaction). By email it follows their delivery choice, as reminders do: one
   email each (sent by the next sweep, through the outbox after commit) or a line in their
   daily or weekly digest; unless they switched that kind off in Email settings
   (`User.email_events_off`), when it stays in the app only.
3. Outside a batch each event is told at once. Inside `with handoffs.batched():` the events
   are gathered and, when the block ends without an error, each person gets ONE notice for
   the whole batch ("Grace Okafor made you the owner of 15 items", with the list). Put the
   block inside the transaction of the work it reports (or raise to undo): a block that
   ends with an error tells nobody.
4. When an item gets a new owner, the previous owner's unread notifications about it are
   resolved (tracker.notifications.notifications_resolve_for_item): its reminders are no
   longer theirs (the deadlines re-plan them for the new owner in the same change).
"""

import contextvars
import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import User
from tracker import deadlines, policy, webhooks
from tracker.audit import audit_record
from tracker.models import (
    AuditEvent,
    ClosureDecision,
    ClosureProposal,
    Evidence,
    Report,
    Status,
    TrackedItem,
)
from tracker.notifications import notifications_resolve_for_item
from tracker.reminders import unsubscribe
from tracker.reminders.mail import site_url
from tracker.reminders.notices import Notice, notices_create
from tracker.reminders.plan import coordinators, pcc_office


class Event(models.TextChoices):
    """The kinds of hand-off; the labels are the choices on the Email settings page."""

    CLOSURE_PROPOSED = "closure_proposed", "Closure is proposed for an item I may decide on"
    CLOSURE_APPROVED = (
        "closure_approved",
        "A closure I proposed, or of an item I own, is approved",
    )
    CLOSURE_RETURNED = (
        "closure_returned",
        "A closure I proposed, or of an item I own, is returned",
    )
    PEOPLE_CHANGED = (
        "people_changed",
        "I am made, or am no longer, the owner or accountable lead of an item",
    )
    DUE_DATE_REVISED = "due_date_revised", "The due date of an item I own is set or moved"
    EVIDENCE_ADDED = (
        "evidence_added",
        "Evidence is added to an item proposed for closure that I may decide on",
    )
    UPDATE_REQUESTED = (
        "update_requested",
        "The PCC office asks for an update on an item I own (or my force's, with no owner)",
    )
    IMPORTED_WITHOUT_OWNER = (
        "imported_without_owner",
        "A report is imported for my force and its new items have no owner",
    )


@dataclass(frozen=True)
class Handoff:
    """One event and its facts, as they were when it happened."""

    event: Event
    actor: User | None
    force_id: int
    at: datetime.datetime
    item: TrackedItem | None = None
    report: Report | None = None
    proposer: User | None = None
    previous_owner: User | None = None
    previous_lead: User | None = None
    previous_date: datetime.date | None = None
    text: str = ""  # the proposal's summary, the decision's or revision's reason, a file name
    count: int = 0  # items imported without an owner

    @property
    def new_owner(self) -> User | None:
        return self.item.owner if self.item is not None else None

    @property
    def new_lead(self) -> User | None:
        return self.item.lead if self.item is not None else None


def _deciders(h: Handoff, today: datetime.date) -> list[tuple[User | None, str]]:
    """The force's coordinators and, where it may decide this closure, its PCC office."""
    item = h.item
    proposal = open_proposal_of(item) if item is not None else None
    if item is None or proposal is None:
        return []
    people = coordinators(h.force_id) + pcc_office(h.force_id, today)
    return [(p, "decider") for p in people if policy.can_decide_closure(p, item, proposal, today)]


def _decided(h: Handoff, today: datetime.date) -> list[tuple[User | None, str]]:
    return [(h.proposer, "proposer"), (h.new_owner, "owner")]


def _asked(h: Handoff, today: datetime.date) -> list[tuple[User | None, str]]:
    """The owner, or with no active owner the force's coordinators."""
    if h.new_owner is not None and h.new_owner.is_active:
        return [(h.new_owner, "asked")]
    return [(c, "asked") for c in coordinators(h.force_id)]


def _people(h: Handoff, today: datetime.date) -> list[tuple[User | None, str]]:
    told: list[tuple[User | None, str]] = []
    if h.new_owner != h.previous_owner:
        told += [(h.new_owner, "new_owner"), (h.previous_owner, "previous_owner")]
    if h.new_lead != h.previous_lead:
        told += [(h.new_lead, "new_lead"), (h.previous_lead, "previous_lead")]
    return told


# Who hears of each kind of event, and in what part. The actor, people outside the force and
# people switched off are taken out afterwards (`_audience`); someone named twice hears once,
# in their first part.
AUDIENCE: dict[Event, Callable[[Handoff, datetime.date], list[tuple[User | None, str]]]] = {
    Event.CLOSURE_PROPOSED: _deciders,
    Event.CLOSURE_APPROVED: _decided,
    Event.CLOSURE_RETURNED: _decided,
    Event.PEOPLE_CHANGED: _people,
    Event.DUE_DATE_REVISED: lambda h, today: [(h.new_owner, "owner")],
    Event.EVIDENCE_ADDED: _deciders,
    Event.UPDATE_REQUESTED: _asked,
    Event.IMPORTED_WITHOUT_OWNER: lambda h, today: [
        (c, "coordinator") for c in coordinators(h.force_id)
    ],
}


def open_proposal_of(item: TrackedItem) -> ClosureProposal | None:
    return item.closure_proposals.filter(decision__isnull=True).order_by("-proposed_at").first()


@dataclass(frozen=True)
class Told:
    """One person to be told of one event, in one part."""

    user: User
    role: str
    handoff: Handoff


def _audience(h: Handoff) -> list[Told]:
    today = timezone.localdate(h.at)
    seen: set[int] = set()
    told = []
    for person, role in AUDIENCE[h.event](h, today):
        if person is None or not person.is_active or person.pk in seen:
            continue
        if h.actor is not None and person.pk == h.actor.pk:
            continue  # never the person who acted
        seen.add(person.pk)
        told.append(Told(person, role, h))
    return told


# What each part is told: the headline for one event and for several, and a line of detail.


@dataclass(frozen=True)
class Wording:
    one: str
    many: str
    detail: Callable[[Handoff], str]
    mine: bool = False  # about the person's own items: a batch links to My items


def _day(day: datetime.date | None) -> str:
    return deadlines.format_day(day) if day else "none"


def _name(person: User | None) -> str:
    return person.full_name if person is not None else "nobody"


def _their(label: str, text: str) -> str:
    return f"{label}: {text}" if text else ""


def _new_owner_line(h: Handoff) -> str:
    if h.new_owner is None:
        return "It has no owner now."
    return f"{_name(h.new_owner)} owns it now; its reminders go to them."


WORDING: dict[tuple[Event, str], Wording] = {
    (Event.CLOSURE_PROPOSED, "decider"): Wording(
        "{actor} proposes closing an item",
        "{actor} proposes closing {n} items",
        lambda h: _their("What was done", h.text) + "\nYou can approve the closure or return it.",
    ),
    (Event.CLOSURE_APPROVED, "proposer"): Wording(
        "{actor} approved your closure proposal",
        "{actor} approved {n} of your closure proposals",
        lambda h: "The item is closed. " + _their("Their note", h.text),
        mine=True,
    ),
    (Event.CLOSURE_APPROVED, "owner"): Wording(
        "{actor} approved the closure of an item you own",
        "{actor} approved the closure of {n} items you own",
        lambda h: "The item is closed. " + _their("Their note", h.text),
        mine=True,
    ),
    (Event.CLOSURE_RETURNED, "proposer"): Wording(
        "{actor} returned your closure proposal",
        "{actor} returned {n} of your closure proposals",
        lambda h: "The item is in progress again. " + _their("Their reason", h.text),
        mine=True,
    ),
    (Event.CLOSURE_RETURNED, "owner"): Wording(
        "{actor} returned the closure proposal of an item you own",
        "{actor} returned the closure proposals of {n} items you own",
        lambda h: "The item is in progress again. " + _their("Their reason", h.text),
        mine=True,
    ),
    (Event.PEOPLE_CHANGED, "new_owner"): Wording(
        "{actor} made you the owner of an item",
        "{actor} made you the owner of {n} items",
        lambda h: f"Due date: {_day(h.item.due_date if h.item else None)}.",
        mine=True,
    ),
    (Event.PEOPLE_CHANGED, "previous_owner"): Wording(
        "You are no longer the owner of an item",
        "You are no longer the owner of {n} items",
        _new_owner_line,
    ),
    (Event.PEOPLE_CHANGED, "new_lead"): Wording(
        "{actor} made you the accountable lead of an item",
        "{actor} made you the accountable lead of {n} items",
        lambda h: f"Owner: {_name(h.new_owner)}.",
    ),
    (Event.PEOPLE_CHANGED, "previous_lead"): Wording(
        "You are no longer the accountable lead of an item",
        "You are no longer the accountable lead of {n} items",
        lambda h: f"Accountable lead now: {_name(h.new_lead)}.",
    ),
    (Event.DUE_DATE_REVISED, "owner"): Wording(
        "{actor} changed the due date of an item you own",
        "{actor} changed the due dates of {n} items you own",
        lambda h: (
            f"Due {_day(h.item.due_date if h.item else None)} (before: {_day(h.previous_date)}). "
            + _their("Their reason", h.text)
        ),
        mine=True,
    ),
    (Event.EVIDENCE_ADDED, "decider"): Wording(
        "{actor} added evidence to an item proposed for closure",
        "{actor} added evidence to {n} items proposed for closure",
        lambda h: _their("The file", h.text),
    ),
    (Event.UPDATE_REQUESTED, "asked"): Wording(
        "The PCC office asks for an update",
        "The PCC office asks for updates on {n} items",
        lambda h: (
            f"{_actor(h)} ({h.actor.organisation if h.actor else ''}) asks for an update on "
            "this item." + (f"\n\nTheir message: {h.text}" if h.text else "")
        ),
        mine=True,
    ),
    (Event.IMPORTED_WITHOUT_OWNER, "coordinator"): Wording(
        "{actor} imported a report whose new items have no owner",
        "{actor} imported {n} reports whose new items have no owner",
        lambda h: (
            f"{h.count} new items have no owner yet: choose an owner and a due date for each."
            if h.count != 1
            else "1 new item has no owner yet: choose an owner and a due date for it."
        ),
    ),
}


def _about(h: Handoff) -> str:
    if h.item is not None:
        return h.item.finding.summary
    return h.report.title if h.report is not None else ""


def _link(h: Handoff) -> str:
    if h.item is not None:
        return reverse("tracker:item_detail", args=[h.item.uuid])
    if h.report is not None:
        query = urlencode({"report": h.report.pk, "force": h.force_id})
        return f"{reverse('tracker:item_list')}?{query}"
    return reverse("tracker:item_list")


def _actor(h: Handoff) -> str:
    return h.actor.full_name if h.actor is not None else "Someone"


def _clean(text: str) -> str:
    return " ".join(text.split())


def _notice_for(user: User, told: list[Told]) -> Notice:
    """One person's notice: of one event, or of a whole batch."""
    off = set(user.email_events_off or [])
    email = any(t.handoff.event not in off for t in told)
    first = told[0]
    wording = WORDING[(first.handoff.event, first.role)]
    if len(told) == 1:
        h = first.handoff
        headline = wording.one.format(actor=_actor(h))
        body = f"{headline}.\n\n{_about(h)}\n{wording.detail(h).strip()}".strip()
        return Notice(user, _clean(f"{headline} – {_about(h)}"), body, _link(h), email)
    kinds = {(t.handoff.event, t.role) for t in told}
    actors = {_actor(t.handoff) for t in told}
    actor = actors.pop() if len(actors) == 1 else "Several people"
    if len(kinds) == 1:
        headline = wording.many.format(actor=actor, n=len(told))
    else:
        headline = f"{actor} made {len(told)} changes to items you work on"
    lines = []
    for t in told:
        w = WORDING[(t.handoff.event, t.role)]
        what = "" if len(kinds) == 1 else w.one.format(actor=_actor(t.handoff)) + ": "
        detail = _clean(w.detail(t.handoff))
        lines.append(
            f"- {what}{_about(t.handoff)}\n  {detail}\n  {site_url(_link(t.handoff))}".replace(
                "\n  \n", "\n"
            )
        )
    mine = all(WORDING[k].mine for k in kinds)
    url = reverse("tracker:my_items" if mine else "tracker:item_list")
    return Notice(user, headline, f"{headline}:\n\n" + "\n".join(lines), url, email)


def _tell(told: list[Told]) -> int:
    """Write one notice per person for these events (their own email choices applied).
    People who cannot see the event's force are left out, each pair checked once."""
    if not told:
        return 0
    now = max(t.handoff.at for t in told)
    today = timezone.localdate(now)
    sees: dict[tuple[int, int], bool] = {}
    by_person: dict[int, list[Told]] = {}
    people: dict[int, User] = {}
    for t in told:
        key = (t.user.pk, t.handoff.force_id)
        if key not in sees:
            sees[key] = policy.can_see_force(t.user, t.handoff.force_id, today)
        if sees[key]:
            by_person.setdefault(t.user.pk, []).append(t)
            people.setdefault(t.user.pk, t.user)
    notices = [_notice_for(people[pk], told) for pk, told in by_person.items()]
    with transaction.atomic():
        return notices_create(notices, now=now)


_BATCH: contextvars.ContextVar[list[Told] | None] = contextvars.ContextVar(
    "handoffs_batch", default=None
)


@contextmanager
def batched() -> Iterator[None]:
    """Gather the hand-offs recorded in the block and, when it ends without an error, tell
    each person once for the whole batch. A block inside another joins the outer one."""
    if _BATCH.get() is not None:
        yield
        return
    token = _BATCH.set([])
    try:
        yield
        gathered = list(_BATCH.get() or [])
    finally:
        _BATCH.reset(token)
    _tell(gathered)


def record(h: Handoff) -> list[Told]:
    """Record one hand-off: who is told is worked out now (as things stand at the change);
    they are told now, or when the batch around it ends. Returns who will be told (before
    the check of each person's force, which is made when they are told)."""
    webhooks.handoff_recorded(h)  # issue 15: the organisation's webhook endpoints hear of it
    told = _audience(h)
    batch = _BATCH.get()
    if batch is not None:
        batch.extend(told)
    else:
        _tell(told)
    return told


# What the services call --------------------------------------------------------------------


def closure_proposed_recorded(
    *, item: TrackedItem, proposal: ClosureProposal, by: User, now: datetime.datetime
) -> list[Told]:
    return record(
        Handoff(Event.CLOSURE_PROPOSED, by, item.force_id, now, item=item, text=proposal.summary)
    )


def closure_decided_recorded(
    *, item: TrackedItem, decision: ClosureDecision, by: User, now: datetime.datetime
) -> list[Told]:
    approved = decision.outcome == ClosureDecision.Outcome.APPROVED
    return record(
        Handoff(
            Event.CLOSURE_APPROVED if approved else Event.CLOSURE_RETURNED,
            by,
            item.force_id,
            now,
            item=item,
            proposer=decision.proposal.proposed_by,
            text=decision.reason,
        )
    )


def people_changed_recorded(
    *,
    item: TrackedItem,
    by: User | None,
    previous_owner: User | None,
    previous_lead: User | None,
    now: datetime.datetime,
) -> list[Told]:
    """A new owner or lead (item already changed). The previous owner's unread notifications
    about the item are resolved first, unless the item is still theirs to act on or oversee
    (they coordinate the force, or lead the item)."""
    if previous_owner is not None and previous_owner != item.owner:
        duty = item.lead == previous_owner or policy.can_assign(previous_owner, item)
        if not duty:
            notifications_resolve_for_item(user=previous_owner, item=item, now=now)
    return record(
        Handoff(
            Event.PEOPLE_CHANGED,
            by,
            item.force_id,
            now,
            item=item,
            previous_owner=previous_owner,
            previous_lead=previous_lead,
        )
    )


def due_date_changed_recorded(
    *,
    item: TrackedItem,
    by: User | None,
    previous_date: datetime.date | None,
    reason: str,
    now: datetime.datetime,
) -> list[Told]:
    return record(
        Handoff(
            Event.DUE_DATE_REVISED,
            by,
            item.force_id,
            now,
            item=item,
            previous_date=previous_date,
            text=reason,
        )
    )


def evidence_added_recorded(
    *, item: TrackedItem, evidence: Evidence, by: User, now: datetime.datetime
) -> list[Told]:
    """Evidence added while a closure proposal waits: the people who may decide are told.
    At any other time nobody is."""
    if item.status != Status.PROPOSED_FOR_CLOSURE:
        return []
    return record(
        Handoff(
            Event.EVIDENCE_ADDED,
            by,
            item.force_id,
            now,
            item=item,
            text=evidence.original_name,
        )
    )


def update_requested_recorded(
    *, item: TrackedItem, by: User, message: str, now: datetime.datetime
) -> list[Told]:
    """The PCC office asks for an update (item_request_update has checked someone can be
    asked): the owner, or with no active owner the force's coordinators."""
    return record(Handoff(Event.UPDATE_REQUESTED, by, item.force_id, now, item=item, text=message))


def report_imported_recorded(*, report: Report, by: User, now: datetime.datetime) -> list[Told]:
    """After an import created items (at `now`): for each force with new items nobody owns,
    its coordinators are told once, in one notice, how many."""
    ownerless = (
        TrackedItem.objects.filter(finding__report=report, owner__isnull=True, created_at=now)
        .values_list("force_id", flat=True)
        .order_by("force_id")
    )
    counts: dict[int, int] = {}
    for force_id in ownerless:
        counts[force_id] = counts.get(force_id, 0) + 1
    told: list[Told] = []
    for force_id, count in counts.items():
        told += record(
            Handoff(Event.IMPORTED_WITHOUT_OWNER, by, force_id, now, report=report, count=count)
        )
    return told


# The person's own choice, on the Email settings page -------------------------------------


def person_set_email_events(
    *,
    person: User,
    off: Iterable[str],
    digests_off: Iterable[str] | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Which kinds of hand-off the person is not emailed about (they stay in the app), and,
    when given, which weekly digests they switched off (the weekly reminders digest, the
    overdue digest: what a one-click unsubscribe link also switches off). Left out, the
    digests stay as they were, so saving hand-off choices never undoes an unsubscribe. An
    unknown kind is refused, nothing saved; a change is audited."""
    handoff_kinds = set(off)
    unknown = [kind for kind in sorted(handoff_kinds) if kind not in Event.values]
    if unknown:
        raise ValidationError(
            {"email_events": f"“{unknown[0][:60]}” is not a kind of email you can switch off."}
        )
    before = sorted(person.email_events_off or [])
    if digests_off is None:
        digests = {kind for kind in before if kind not in Event.values}
    else:
        digests = set(digests_off)
        stray = [kind for kind in sorted(digests) if kind not in unsubscribe.DIGESTS_OFF]
        if stray:
            raise ValidationError(
                {"digests": f"“{stray[0][:60]}” is not a digest you can switch off."}
            )
    wanted = sorted(handoff_kinds | digests)
    if before == wanted:
        return
    person.email_events_off = wanted
    person.save(update_fields=["email_events_off"])
    audit_record(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        at=now or timezone.now(),
        changes={"email_events_off": (before, wanted)},
    )
