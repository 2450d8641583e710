"""Deadlines kept in step with items and statutory responses.

`deadlines_sync_item` and `deadlines_sync_response` work out each deadline an item or statutory
response has under the active rules, move it when its inputs change (raising its version), mark
it met when the work is done, and re-plan its reminders. Every service that changes a due date,
an owner, a status or a publication date calls one of them. The arithmetic (periods, working
days, pauses) is in tracker/deadlines.py.
"""

import contextlib
import datetime
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation, PolicingBodyTerm
from tracker import deadlines
from tracker.models import (
    Deadline,
    DeadlineChange,
    DeadlineRule,
    DeadlineState,
    DeadlineSubject,
    DeadlineTrigger,
    Report,
    Source,
    Status,
    StatutoryResponse,
    TrackedItem,
    WhoActs,
)
from tracker.reminders.plan import (
    BATCH_SIZE,
    people_remembered,
    reminders_plan,
    reminders_plan_new,
)


@dataclass
class Target:
    """What a rule gives for one item or response: the trigger day, the date the rule or a
    person sets, and the day the work was done (None while open)."""

    trigger_on: datetime.date
    base_due_on: datetime.date
    met_on: datetime.date | None
    withdrawn: bool = False


def _rule_date(rule: DeadlineRule, trigger_on: datetime.date) -> datetime.date:
    return deadlines.period_end(trigger_on, rule.length, rule.unit, rule.counting)


def _item_target(rule: DeadlineRule, item: TrackedItem) -> Target | None:
    report = item.finding.report
    if not rule.applies_to_report(report):
        return None
    met_on = timezone.localdate(item.closed_at) if item.closed_at else None
    if rule.trigger == DeadlineTrigger.LAST_UPDATE:
        if item.status == Status.PROPOSED_FOR_CLOSURE:
            return None  # the owner waits for a closure decision; no update is owed meanwhile
        # Any recorded activity counts: an update, evidence, a change of status.
        trigger_on = timezone.localdate(item.last_activity_at)
    elif rule.trigger == DeadlineTrigger.ITEM_CREATED:
        trigger_on = timezone.localdate(item.created_at)
    else:
        trigger_on = report.published_on
    if not rule.applies_on(trigger_on):
        return None
    if rule.source == Source.ITEM_DUE_DATE:
        if item.due_date is None:
            return None
        return Target(trigger_on, item.due_date, met_on)
    if rule.source == Source.REPORT_TARGET:
        target = report_target(item.finding)
        return None if target is None else Target(trigger_on, target, met_on)
    return Target(trigger_on, _rule_date(rule, trigger_on), met_on)


def _response_target(rule: DeadlineRule, response: StatutoryResponse) -> Target | None:
    report = response.report
    trigger_on = report.published_on
    if not rule.applies_to_report(report) or not rule.applies_on(trigger_on):
        return None
    if rule.source == Source.CHIEF_OFFICER_DUE_DATE:
        # Only once the PCC office has asked for the chief officer's comments.
        if not (
            response.chief_officer_comments_requested_on or response.chief_officer_comments_due_on
        ):
            return None
        due = response.chief_officer_comments_due_on or _rule_date(rule, trigger_on)
        met = response.chief_officer_comments_received_on or response.published_on
        return Target(trigger_on, due, met)
    if rule.source == Source.LOCAL_TARGET:
        if response.local_target_on is None:
            return None
        return Target(trigger_on, response.local_target_on, response.published_on)
    return Target(trigger_on, _rule_date(rule, trigger_on), response.published_on)


def report_target(finding) -> datetime.date | None:
    """The target the report sets for a finding: a date it states, or one its words give
    ("immediately", "within six months"), counted from publication."""
    if finding.target_date:
        return finding.target_date
    if finding.target_text:
        return deadlines.parse_target(finding.target_text, finding.report.published_on)
    return None


S55_RULE = "s55-pcc-comments"


def s55_rule() -> DeadlineRule | None:
    return DeadlineRule.objects.filter(key=S55_RULE).first()


def about_fire_and_rescue(report: Report) -> bool:
    """Whether the report is about fire and rescue services only (issue 17). Section 55 of
    the Police Act 1996 is about police forces: no statute sets a period for a response to a
    fire and rescue inspection (the service answers it with an action plan, by convention),
    so such a report gets no statutory response and no s55 deadline."""
    kinds = {force.kind for force in report.forces.all()}  # free once prefetched
    return bool(kinds) and kinds <= {Organisation.Kind.FIRE_AND_RESCUE}


def statutory_rule_for(report: Report) -> DeadlineRule | None:
    """The active statutory rule for a PCC's comments on this report, or None when the law
    sets no period (reports published before 2 May 2017, and reports on fire and rescue
    services, which s55 is not about)."""
    if about_fire_and_rescue(report):
        return None
    for rule in DeadlineRule.objects.filter(
        active=True,
        statutory=True,
        subject=DeadlineSubject.STATUTORY_RESPONSE,
        who_must_act=WhoActs.PCC_OFFICE,
    ):
        if rule.applies_to_report(report) and rule.applies_on(report.published_on):
            return rule
    return None


def _effective_due(
    deadline: Deadline, base_due_on: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """Apply the recorded extensions and pauses to the date the rule gives; and the day the
    response was provided, when that step is recorded (IOPC recommendations: para 28B(2) Sch 3
    Police Reform Act 2002 asks for a response, so providing it meets the deadline).

    1. The latest extension replaces the rule's date.
    2. Pauses (each a pause row and, once over, a resume row) then stop the clock.
    """
    due = base_due_on
    pauses: list[deadlines.Pause] = []
    open_start = None
    provided_on = None
    for change in deadline.changes.all() if deadline.pk else []:
        if change.kind == DeadlineChange.Kind.EXTENSION:
            # The new date was chosen against the deadline as pauses had already moved it.
            due = change.on_date
            pauses.clear()
        elif change.kind == DeadlineChange.Kind.PAUSE:
            open_start = change.on_date
        elif change.kind == DeadlineChange.Kind.RESUME and open_start is not None:
            pauses.append(deadlines.Pause(open_start, change.on_date))
            open_start = None
        elif change.kind == DeadlineChange.Kind.RESPONSE_SENT:
            provided_on = change.on_date
    if open_start is not None:
        pauses.append(deadlines.Pause(open_start, None))
    return deadlines.apply_pauses(due, pauses, deadline.rule.unit), provided_on


def _sync(deadline: Deadline | None, rule, target: Target | None, now, **owner) -> None:
    """Create, move, complete or withdraw one deadline, then re-plan its reminders."""
    if target is None:
        if deadline is not None and deadline.state == DeadlineState.OPEN:
            deadline.state = DeadlineState.WITHDRAWN
            deadline.updated_at = now
            deadline.save(update_fields=["state", "updated_at"])
            reminders_plan(deadline, now=now)
        return
    if deadline is None:
        deadline = Deadline(
            rule=rule,
            trigger_on=target.trigger_on,
            original_due_on=target.base_due_on,
            updated_at=now,
            **owner,
        )
    due, provided_on = _effective_due(deadline, target.base_due_on)
    met_on = target.met_on
    if provided_on is not None and (met_on is None or provided_on < met_on):
        met_on = provided_on
    state = DeadlineState.MET if met_on else DeadlineState.OPEN
    changed = deadline.pk is None or (
        deadline.due_on != due
        or deadline.state != state
        or deadline.met_on != met_on
        or deadline.trigger_on != target.trigger_on
    )
    if changed:
        if deadline.pk is not None and deadline.due_on != due:
            deadline.version += 1
        deadline.trigger_on = target.trigger_on
        deadline.due_on = due
        deadline.state = state
        deadline.met_on = met_on
        deadline.updated_at = now
        deadline.save()
    # Re-plan even when the date stands: the owner or the escalation ladder may have changed.
    if changed or deadline.state == DeadlineState.OPEN:
        reminders_plan(deadline, now=now)


def _active_rules(subject: str, only=None) -> list[DeadlineRule]:
    rules = DeadlineRule.objects.filter(active=True, subject=subject)
    return list(rules.filter(pk__in=only) if only is not None else rules)


def _sync_owner(owner, subject: str, target_for, now, rules, **fields) -> None:
    """Sync each active rule for an item or response; withdraw the deadlines of rules switched
    off (or moved to another subject), so their reminders stop. `rules` limits the work to
    some rules' ids (after an administrator edits one)."""
    existing = {
        d.rule_id: d
        for d in owner.deadlines.select_related("rule")
        if rules is None or d.rule_id in rules
    }
    active = _active_rules(subject, rules)
    for rule in active:
        _sync(existing.get(rule.id), rule, target_for(rule), now, **fields)
    active_ids = {rule.id for rule in active}
    for rule_id, deadline in existing.items():
        if rule_id not in active_ids:
            _sync(deadline, deadline.rule, None, now, **fields)


# Inside `deadlines_deferred()`, syncing an item only notes it (its latest state and time);
# each noted item is synced once when the block ends.
_deferred: ContextVar[dict[int, tuple[TrackedItem, datetime.datetime]] | None] = ContextVar(
    "deferred_item_syncs", default=None
)


@contextlib.contextmanager
def deadlines_deferred() -> Iterator[None]:
    """For a change to many items in one transaction (a bulk action): each item's deadlines
    and reminders are worked out once, at the end of the block, from its final state, with
    each force's coordinators and PCC office looked up once. Nothing is synced if the block
    raises (its transaction is being undone). Blocks nest: the outermost one syncs."""
    if _deferred.get() is not None:
        yield
        return
    token = _deferred.set({})
    try:
        yield
        noted = _deferred.get() or {}
    finally:
        _deferred.reset(token)
    with people_remembered():
        for item, now in noted.values():
            deadlines_sync_item(item=item, now=now)


def deadlines_sync_item(
    *, item: TrackedItem, now: datetime.datetime | None = None, rules=None
) -> None:
    """Bring an item's deadlines (its due date, the next progress update, any rule on its
    report type) and their reminders up to date. Called by every service that changes the
    item (inside `deadlines_deferred()`, once at the end for each item)."""
    deferred = _deferred.get()
    if deferred is not None and rules is None:
        deferred[item.pk] = (item, now or timezone.now())
        return
    _sync_owner(
        item,
        DeadlineSubject.ITEM,
        lambda rule: _item_target(rule, item),
        now or timezone.now(),
        rules,
        item=item,
        force_id=item.force_id,
    )


def _new_deadline(rule: DeadlineRule, target: Target, now, **owner) -> Deadline:
    """The deadline `_sync` makes for a rule with no deadline yet (unsaved): due on the date
    the rule gives, as no extension or pause is recorded on it."""
    deadline = Deadline(
        rule=rule,
        trigger_on=target.trigger_on,
        original_due_on=target.base_due_on,
        updated_at=now,
        **owner,
    )
    deadline.due_on, _provided_on = _effective_due(deadline, target.base_due_on)
    deadline.state = DeadlineState.MET if target.met_on else DeadlineState.OPEN
    deadline.met_on = target.met_on
    return deadline


def deadlines_plan_new_items(
    items: list[TrackedItem], *, now: datetime.datetime | None = None
) -> list[Deadline]:
    """The deadlines and reminders of items just created (a bulk import, a report import),
    worked out together: the same rows `deadlines_sync_item` makes for each in turn, written
    with a few INSERTs (the active rules read once, each force's coordinators and PCC office
    looked up once) instead of several queries per item.

    Only for items that have no deadline yet, saved, with their finding, report, owner and
    lead at hand (as the creating service has them)."""
    now = now or timezone.now()
    if _deferred.get() is not None:
        # Inside a bulk action's block the items are synced at its end, one by one.
        for item in items:
            deadlines_sync_item(item=item, now=now)
        return []
    rules = _active_rules(DeadlineSubject.ITEM)
    made = []
    for item in items:
        for rule in rules:
            target = _item_target(rule, item)
            if target is not None:
                made.append(_new_deadline(rule, target, now, item=item, force_id=item.force_id))
    Deadline.objects.bulk_create(made, batch_size=BATCH_SIZE)
    reminders_plan_new(made, now=now)
    return made


def deadlines_sync_response(
    *, response: StatutoryResponse, now: datetime.datetime | None = None, rules=None
) -> None:
    _sync_owner(
        response,
        DeadlineSubject.STATUTORY_RESPONSE,
        lambda rule: _response_target(rule, response),
        now or timezone.now(),
        rules,
        response=response,
        force_id=response.force_id,
    )


def policing_body_on(force: Organisation, day: datetime.date) -> Organisation | None:
    term = PolicingBodyTerm.objects.on(day).filter(force=force).select_related("body").first()
    if term is None:
        term = (
            PolicingBodyTerm.objects.filter(force=force)
            .select_related("body")
            .order_by(F("starts_on").desc(nulls_last=True))
            .first()
        )
    return term.body if term else None


@transaction.atomic
def responses_ensure(*, report: Report, now: datetime.datetime | None = None, rules=None) -> int:
    """Make sure each force the report concerns has a statutory response row (the PCC's
    comments are due on every report about the force) and that its deadlines are current.
    Returns how many responses were created."""
    now = now or timezone.now()
    created = 0
    have = {r.force_id: r for r in report.statutory_responses.all()}
    statutory = statutory_rule_for(report) is not None
    # Police forces only: a fire and rescue service has no s55 response (issue 17).
    for force in report.forces.filter(kind=Organisation.Kind.FORCE):
        response = have.get(force.id)
        if response is None and not statutory:
            continue  # no statutory period: a response row is made when someone starts one
        if response is None:
            body = policing_body_on(force, report.published_on)
            if body is None:
                continue
            response = StatutoryResponse.objects.create(report=report, body=body, force=force)
            created += 1
        deadlines_sync_response(response=response, now=now, rules=rules)
    return created


def deadlines_sync_all(*, now: datetime.datetime | None = None, rules=None) -> dict:
    """Re-work every deadline (after a rule changes, or to set up a new installation). Each
    item is locked while its deadlines are worked out, so a person's change at the same time
    waits rather than interleaves. `rules` limits the work to some rules' ids."""
    now = now or timezone.now()
    counts = {"reports": 0, "responses_created": 0, "items": 0}
    for report in Report.objects.all():
        counts["responses_created"] += responses_ensure(report=report, now=now, rules=rules)
        counts["reports"] += 1
    for item_id in TrackedItem.objects.values_list("pk", flat=True).iterator(chunk_size=2000):
        with transaction.atomic():
            item = (
                TrackedItem.objects.select_for_update(of=("self",))
                .select_related("finding__report", "owner", "lead")
                .get(pk=item_id)
            )
            deadlines_sync_item(item=item, now=now, rules=rules)
        counts["items"] += 1
    return counts


def deadlines_sync_report_items(*, report: Report, now=None) -> None:
    """After a report's date or type changes: its responses' and items' deadlines."""
    now = now or timezone.now()
    responses_ensure(report=report, now=now)
    for item in TrackedItem.objects.filter(finding__report=report).select_related(
        "finding__report"
    ):
        deadlines_sync_item(item=item, now=now)
