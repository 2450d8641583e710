"""Deadlines and reminders: keep them in step with items and responses, and send them.

The arithmetic (periods, working days, when a reminder is due) is in tracker/deadlines.py;
this module applies it to rows:

- `deadlines_sync_item` and `deadlines_sync_response` work out each deadline an item or
  statutory response has under the active rules, move it when its inputs change (raising its
  version), mark it met when the work is done, and re-plan its reminders. Every service that
  changes a due date, an owner, a status or a publication date calls one of them.
- `reminders_plan` turns one deadline into reminder rows, one per step and recipient, keyed
  uniquely, and cancels the rows that no longer apply.
- `sweep` sends the reminders that are due. Each row is claimed with a conditional UPDATE
  before it is sent, so overlapping sweeps, retries and two workers never send it twice; due
  rows are found by range, so a sweep that did not run catches up.
- `digests_run` sends daily and weekly digests and the managers' weekly overdue digest.
"""

import datetime
import logging
import smtplib
import time
import uuid as uuidlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import PolicingBodyTerm, ReminderDelivery, Role, User
from tracker import background, deadlines, policy
from tracker.models import (
    AuditEvent,
    Deadline,
    DeadlineChange,
    DeadlineRule,
    DeadlineState,
    DeadlineSubject,
    DeadlineTrigger,
    Digest,
    Notification,
    Reminder,
    ReminderState,
    Report,
    Source,
    Status,
    StatutoryResponse,
    SweepRun,
    TrackedItem,
    WhoActs,
)

log = logging.getLogger(__name__)


# Working out deadlines --------------------------------------------------------------------


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


@transaction.atomic
def response_set_local_target(
    *, report: Report, force, by, target_on: datetime.date, now=None
) -> StatutoryResponse:
    """Where the law sets no period, the PCC office may set itself a target for its comments.
    Starts the response record if there is none yet."""
    from tracker.audit import audit_record

    now = now or timezone.now()
    today = timezone.localdate(now)
    if statutory_rule_for(report) is not None:
        raise ValidationError("This report has a statutory deadline; a local target is not needed.")
    if not policy.is_pcc_office_for(by, force.id, today):
        raise ValidationError("Only the PCC office for this force can set its local target.")
    if (target_on - today).days > MAX_CHANGE_DAYS:
        raise ValidationError("The target must be within ten years.")
    if target_on < today:
        raise ValidationError("The target must be today or in the future.")
    if target_on < report.published_on:
        raise ValidationError(
            "The target must be on or after the day the report was published, "
            f"{report.published_display}."
        )
    response = report.statutory_responses.filter(force=force).first()
    if response is None:
        body = policing_body_on(force, today)
        response = StatutoryResponse.objects.create(report=report, body=body, force=force)
    if response.published_on:
        raise ValidationError("The comments on this report have already been published.")
    before = response.local_target_on
    response.local_target_on = target_on
    response.save(update_fields=["local_target_on"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=response,
        at=now,
        changes={"local_target_on": (before, target_on)},
    )
    deadlines_sync_response(response=response, now=now)
    return response


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


def statutory_rule_for(report: Report) -> DeadlineRule | None:
    """The active statutory rule for a PCC's comments on this report, or None when the law
    sets no period (reports published before 2 May 2017)."""
    for rule in DeadlineRule.objects.filter(
        active=True,
        statutory=True,
        subject=DeadlineSubject.STATUTORY_RESPONSE,
        who_must_act=WhoActs.PCC_OFFICE,
    ):
        if rule.applies_to_report(report) and rule.applies_on(report.published_on):
            return rule
    return None


def _effective_due(deadline: Deadline, base_due_on: datetime.date) -> datetime.date | None:
    """Apply the recorded extensions and pauses to the date the rule gives.

    1. The latest extension replaces the rule's date.
    2. Pauses (each a pause row and, once over, a resume row) then stop the clock.
    """
    due = base_due_on
    pauses: list[deadlines.Pause] = []
    open_start = None
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
    if open_start is not None:
        pauses.append(deadlines.Pause(open_start, None))
    return deadlines.apply_pauses(due, pauses, deadline.rule.unit)


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
    due = _effective_due(deadline, target.base_due_on)
    state = DeadlineState.MET if target.met_on else DeadlineState.OPEN
    changed = deadline.pk is None or (
        deadline.due_on != due
        or deadline.state != state
        or deadline.met_on != target.met_on
        or deadline.trigger_on != target.trigger_on
    )
    if changed:
        if deadline.pk is not None and deadline.due_on != due:
            deadline.version += 1
        deadline.trigger_on = target.trigger_on
        deadline.due_on = due
        deadline.state = state
        deadline.met_on = target.met_on
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


def deadlines_sync_item(
    *, item: TrackedItem, now: datetime.datetime | None = None, rules=None
) -> None:
    """Bring an item's deadlines (its due date, the next progress update, any rule on its
    report type) and their reminders up to date. Called by every service that changes the
    item."""
    _sync_owner(
        item,
        DeadlineSubject.ITEM,
        lambda rule: _item_target(rule, item),
        now or timezone.now(),
        rules,
        item=item,
        force_id=item.force_id,
    )


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


def policing_body_on(force, day: datetime.date):
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
    for force in report.forces.all():
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


# Extensions and pauses --------------------------------------------------------------------


# The rule in words (shown beside each deadline) --------------------------------------------


def days_before_in_words(offsets: list[int]) -> str:
    words = [f"{n}" for n in offsets if n > 0]
    text = (
        ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + (words[-1] if words else "")
    )
    text = f"{text} day{'s' if words != ['1'] else ''} before" if words else ""
    if 0 in offsets:
        text = f"{text} and on the day" if text else "on the day"
    return text


def describe_reminders(deadline: Deadline) -> str:
    """When reminders go and to whom, from the rule (the escalation ladder in words)."""
    rule = deadline.rule
    who = {
        WhoActs.ITEM_OWNER: "the owner",
        WhoActs.FORCE: "the force coordinator",
        WhoActs.PCC_OFFICE: "the PCC office",
    }[rule.who_must_act]
    parts = [f"Reminders go to {who} {days_before_in_words(rule.offsets)}"]
    if rule.who_must_act != WhoActs.FORCE:
        if rule.coordinator_from_days is None:
            parts.append("the force coordinator is copied in once it is missed")
        elif rule.coordinator_from_days == 0:
            parts.append("the force coordinator is copied in on the day")
        else:
            n = rule.coordinator_from_days
            parts.append(
                f"the force coordinator is copied in from {n} day{'s' if n != 1 else ''} before"
            )
    if rule.repeat_after_missed_days:
        n = rule.repeat_after_missed_days
        parts.append(f"once missed, every {n} days" if n != 7 else "once missed, every week")
    else:
        parts.append("and once when it is missed")
    if rule.oversight_from_missed:
        copied = "the PCC office" + (" and the accountable lead" if deadline.item_id else "")
        nth = {1: "first", 2: "second", 3: "third"}.get(
            rule.oversight_from_missed, f"{rule.oversight_from_missed}th"
        )
        parts.append(f"{copied} from the {nth} reminder after it is missed")
    return "; ".join(parts) + "."


TRIGGER_PHRASES = {
    DeadlineTrigger.REPORT_PUBLISHED: "the day the report is published",
    DeadlineTrigger.RECOMMENDATION_MADE: "the day the recommendation is made",
    DeadlineTrigger.ITEM_CREATED: "the day the item is created",
    DeadlineTrigger.LAST_UPDATE: "the day of the item's last update or other activity",
}


def describe_rule(rule: DeadlineRule) -> str:
    """The rule in words: "56 days beginning with the day the report is published"."""
    if rule.source != Source.RULE:
        return rule.get_source_display()
    unit = {"calendar_days": "days", "working_days": "working days", "months": "months"}[rule.unit]
    how = "beginning with" if rule.counting == "beginning_with" else "after"
    return f"{rule.length} {unit} {how} {TRIGGER_PHRASES[rule.trigger]}"


MAX_CHANGE_DAYS = 3660


def _check_changeable(deadline: Deadline) -> None:
    if not deadline.rule.extendable:
        raise ValidationError(f"The law does not allow “{deadline.rule.name}” to be extended.")
    if deadline.state != DeadlineState.OPEN:
        raise ValidationError("This deadline has been met or no longer applies.")


def _resync(deadline: Deadline, now) -> None:
    if deadline.item_id:
        deadlines_sync_item(item=deadline.item, now=now)
    else:
        deadlines_sync_response(response=deadline.response, now=now)


def _record_change(deadline, kind, *, by, on_date, reason, approved_by, approved_on, now):
    before = deadline.due_on
    change = DeadlineChange.objects.create(
        deadline=deadline,
        kind=kind,
        on_date=on_date,
        previous_due_on=before,
        reason=reason,
        approved_by=approved_by,
        approved_on=approved_on,
        recorded_by=by,
        recorded_at=now,
    )
    _resync(deadline, now)
    deadline.refresh_from_db()
    from tracker.audit import audit_record

    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=deadline,
        at=now,
        changes={"due_on": (before, deadline.due_on)},
        note=f"{change.get_kind_display()}: {reason}",
    )
    return change


def _clean(reason: str, approved_by: str) -> tuple[str, str]:
    reason, approved_by = (reason or "").strip(), (approved_by or "").strip()
    if not reason:
        raise ValidationError("Enter the reason.")
    if not approved_by:
        raise ValidationError("Enter who approved it.")
    return reason[:5000], approved_by[:200]


@transaction.atomic
def deadline_extend(
    *, deadline: Deadline, by, new_due_on, reason, approved_by, approved_on, now=None
) -> DeadlineChange:
    """Extend a deadline to a later day. The original stays visible beside it."""
    now = now or timezone.now()
    deadline = Deadline.objects.select_for_update().select_related("rule").get(pk=deadline.pk)
    _check_changeable(deadline)
    reason, approved_by = _clean(reason, approved_by)
    if deadline.due_on is None:
        raise ValidationError("The deadline is paused. Resume it before extending it.")
    try:
        deadlines.check_extension(deadline.due_on, new_due_on)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if (new_due_on - deadline.due_on).days > MAX_CHANGE_DAYS:
        raise ValidationError("An extension can be for at most ten years.")
    if approved_on is None or approved_on > timezone.localdate(now):
        raise ValidationError("Enter the day the extension was approved (today or earlier).")
    return _record_change(
        deadline,
        DeadlineChange.Kind.EXTENSION,
        by=by,
        on_date=new_due_on,
        reason=reason,
        approved_by=approved_by,
        approved_on=approved_on,
        now=now,
    )


@transaction.atomic
def deadline_pause(*, deadline: Deadline, by, starts_on, reason, approved_by, now=None):
    """Stop the clock (for example while a judicial review runs)."""
    now = now or timezone.now()
    deadline = Deadline.objects.select_for_update().select_related("rule").get(pk=deadline.pk)
    _check_changeable(deadline)
    reason, approved_by = _clean(reason, approved_by)
    if deadline.due_on is None:
        raise ValidationError("The deadline is already paused.")
    if starts_on < deadline.trigger_on:
        raise ValidationError(
            "A pause cannot start before the deadline began, "
            f"{deadlines.format_day(deadline.trigger_on)}."
        )
    if starts_on > deadline.due_on:
        raise ValidationError(
            "A pause must start on or before the deadline, "
            f"{deadlines.format_day(deadline.due_on)}."
        )
    return _record_change(
        deadline,
        DeadlineChange.Kind.PAUSE,
        by=by,
        on_date=starts_on,
        reason=reason,
        approved_by=approved_by,
        approved_on=timezone.localdate(now),
        now=now,
    )


@transaction.atomic
def deadline_resume(*, deadline: Deadline, by, ends_on, reason, now=None):
    """Restart the clock; the deadline moves on by the days it was paused."""
    now = now or timezone.now()
    deadline = Deadline.objects.select_for_update().select_related("rule").get(pk=deadline.pk)
    if deadline.due_on is not None:
        raise ValidationError("The deadline is not paused.")
    pause = deadline.changes.filter(kind=DeadlineChange.Kind.PAUSE).order_by("-recorded_at").first()
    if ends_on < pause.on_date:
        raise ValidationError(
            "The pause must end on or after the day it started, "
            f"{deadlines.format_day(pause.on_date)}."
        )
    if ends_on > timezone.localdate(now):
        raise ValidationError("The pause must have ended: enter today or an earlier day.")
    reason = (reason or "").strip() or "Resumed"
    return _record_change(
        deadline,
        DeadlineChange.Kind.RESUME,
        by=by,
        on_date=ends_on,
        reason=reason,
        approved_by="",
        approved_on=None,
        now=now,
    )


# Planning reminders ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str  # before-N or missed-N
    due_at: datetime.datetime
    before: int | None = None  # days before the deadline
    missed: int | None = None  # the n-th reminder after it was missed


def _steps(
    rule: DeadlineRule, due_on: datetime.date, now: datetime.datetime, include_current: bool
) -> list[Step]:
    """The steps worth planning now.

    1. Every step still to come: each offset before the deadline, and the first reminder
       after it is missed (and, when it repeats, the next repeat after now).
    2. Of the steps already past, only the latest: someone who joins late (a new owner, a
       deadline set close to its day) is told where things stand once, not with a burst of
       stale reminders. Past steps that were planned before but not sent are not affected:
       their rows exist, and the sweep catches them up.
    """
    steps = [
        Step(f"before-{n}", deadlines.reminder_due_at(due_on, n), before=n) for n in rule.offsets
    ]
    repeat = rule.repeat_after_missed_days
    first = deadlines.missed_due_at(due_on, 1, max(repeat, 1))
    if first > now or not repeat:
        steps.append(Step("missed-1", first, missed=1))
    else:
        n = deadlines.next_missed_number(due_on, now, repeat)
        for m in (n - 1, n):
            steps.append(Step(f"missed-{m}", deadlines.missed_due_at(due_on, m, repeat), missed=m))
    future = [s for s in steps if s.due_at > now]
    past = [s for s in steps if s.due_at <= now]
    current = [max(past, key=lambda s: s.due_at)] if past and include_current else []
    return future + current


@dataclass
class Ladder:
    responsible: list = field(default_factory=list)
    coordinators: list = field(default_factory=list)
    oversight: list = field(default_factory=list)


def _active(users) -> list:
    return [u for u in users if u is not None and u.is_active]


def _pcc_office(force_id: int, today: datetime.date) -> list:
    bodies = PolicingBodyTerm.objects.on(today).filter(force_id=force_id).values("body_id")
    return list(
        User.objects.filter(
            organisation_id__in=bodies, is_active=True, role_assignments__role=Role.PCC_OFFICE
        ).distinct()
    )


def coordinators(force_id: int) -> list:
    return list(
        User.objects.filter(
            organisation_id=force_id, is_active=True, role_assignments__role=Role.FORCE_COORDINATOR
        ).distinct()
    )


def ladder_for(deadline: Deadline, today: datetime.date) -> Ladder:
    """Who is reminded, by level: whoever must act, then the force coordinator, then the PCC
    office and the item's accountable lead."""
    force_coordinators = coordinators(deadline.force_id)
    pcc = _pcc_office(deadline.force_id, today)
    who = deadline.rule.who_must_act
    item = deadline.item
    if who == WhoActs.ITEM_OWNER and item is not None and item.owner and item.owner.is_active:
        responsible = [item.owner]
    elif who == WhoActs.PCC_OFFICE:
        responsible = pcc
    else:
        responsible = force_coordinators
    oversight = pcc + _active([item.lead] if item is not None else [])
    return Ladder(responsible, force_coordinators, oversight)


def step_recipients(rule: DeadlineRule, ladder: Ladder, step: Step) -> list:
    people = list(ladder.responsible)
    if step.missed is not None:
        people += ladder.coordinators
        if rule.oversight_from_missed and step.missed >= rule.oversight_from_missed:
            people += ladder.oversight
    elif rule.coordinator_from_days is not None and step.before <= rule.coordinator_from_days:
        people += ladder.coordinators
    seen, unique = set(), []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            unique.append(person)
    return unique


def _target_open(deadline: Deadline) -> bool:
    if deadline.item_id is not None:
        return deadline.item.status != Status.CLOSED
    return True


def reminders_plan(
    deadline: Deadline, *, now: datetime.datetime, include_current: bool = True
) -> dict:
    """Plan the reminders of one deadline and cancel those that no longer apply.

    1. A deadline that is met, withdrawn, paused, or on a closed item gets no reminders:
       every waiting row is cancelled with the reason.
    2. Otherwise the wanted rows are the steps worth planning (`_steps`) times the people
       each step goes to (the escalation ladder), for the deadline's current version.
    3. Waiting rows that are not wanted (an old version, a former owner) are cancelled;
       wanted rows are created, or brought back if they were cancelled before.
    """
    waiting = Reminder.objects.filter(deadline=deadline, state=ReminderState.PENDING)
    if (
        deadline.state != DeadlineState.OPEN
        or deadline.due_on is None
        or not _target_open(deadline)
    ):
        reason = {
            DeadlineState.MET: "The deadline was met.",
            DeadlineState.WITHDRAWN: "The deadline no longer applies.",
        }.get(
            deadline.state, "The item was closed." if deadline.due_on else "The deadline is paused."
        )
        return {"cancelled": waiting.update(state=ReminderState.CANCELLED, note=reason)}
    ladder = ladder_for(deadline, timezone.localdate(now))
    wanted = {}
    for step in _steps(deadline.rule, deadline.due_on, now, include_current):
        for person in step_recipients(deadline.rule, ladder, step):
            wanted[(step.name, person.id)] = step.due_at
    recipients_of: dict[str, set] = {}

    def still_eligible(row: Reminder) -> bool:
        # A waiting row stays if its step still goes to its recipient, even if its time has
        # passed (a retry, or a catch-up the sweep has yet to do).
        if row.step not in recipients_of:
            kind, number = row.step.split("-")
            step = Step(row.step, row.due_at, **{kind: int(number)})
            recipients_of[row.step] = {p.id for p in step_recipients(deadline.rule, ladder, step)}
        return row.recipient_id in recipients_of[row.step]

    stale = [
        r.pk for r in waiting if r.deadline_version != deadline.version or not still_eligible(r)
    ]
    moved = f"The deadline moved to {deadlines.format_day(deadline.due_on)}."
    # Only rows still waiting: a sweep may have sent one since `waiting` was read.
    stale_rows = Reminder.objects.filter(pk__in=stale, state=ReminderState.PENDING)
    cancelled = stale_rows.filter(deadline_version__lt=deadline.version).update(
        state=ReminderState.CANCELLED, note=moved
    ) + stale_rows.filter(deadline_version=deadline.version).update(
        state=ReminderState.CANCELLED, note="No longer a recipient of this reminder."
    )
    existing = {
        (r.step, r.recipient_id): r
        for r in Reminder.objects.filter(deadline=deadline, deadline_version=deadline.version)
    }
    new = [
        Reminder(
            deadline=deadline,
            deadline_version=deadline.version,
            step=step,
            recipient_id=person_id,
            due_at=due_at,
            next_attempt_at=due_at,
        )
        for (step, person_id), due_at in wanted.items()
        if (step, person_id) not in existing
    ]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    revived = [
        r.pk
        for key, r in existing.items()
        if key in wanted and r.state == ReminderState.CANCELLED and r.pk not in stale
    ]
    Reminder.objects.filter(pk__in=revived, state=ReminderState.CANCELLED).update(
        state=ReminderState.PENDING, note=""
    )
    return {"planned": len(new) + len(revived), "cancelled": cancelled}


def reminders_start_afresh(*, now: datetime.datetime) -> int:
    """For a new installation, a bulk import or the demo: reminders that fell due before now
    are not sent in a burst; each open deadline gets its current step and those to come.
    Returns how many waiting reminders were set aside."""
    set_aside = Reminder.objects.filter(state=ReminderState.PENDING, due_at__lte=now).update(
        state=ReminderState.CANCELLED, note="Fell due before reminders were started."
    )
    for deadline in Deadline.objects.filter(state=DeadlineState.OPEN).select_related(
        "rule", "item__owner", "item__lead"
    ):
        reminders_plan(deadline, now=now)
    return set_aside


# Sending --------------------------------------------------------------------------------


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def deadline_link(deadline: Deadline) -> str:
    if deadline.item_id:
        return reverse("tracker:item_detail", args=[deadline.item.uuid])
    return reverse("tracker:report_detail", args=[deadline.response.report.key])


def deadline_about(deadline: Deadline) -> str:
    if deadline.item_id:
        return deadline.item.finding.summary
    return deadline.response.report.title


def reminder_message(reminder: Reminder, *, now: datetime.datetime) -> dict:
    """The words of a reminder, worked out when it is sent (so a late reminder says how
    things stand now, not when it was due)."""
    deadline = reminder.deadline
    today = timezone.localdate(now)
    left = deadlines.days_left(deadline.due_on, today)
    due_text = deadlines.format_day(deadline.due_on)
    if left > 1:
        when = f"due in {left} days, on {due_text}"
    elif left == 1:
        when = f"due tomorrow, {due_text}"
    elif left == 0:
        when = f"due today, {due_text}"
    else:
        when = f"{-left} day{'s' if left != -1 else ''} overdue (it was due on {due_text})"
    about = deadline_about(deadline)
    rule = deadline.rule
    status = when.split(" (")[0].split(", on ")[0].replace("due tomorrow, ", "due tomorrow")
    subject = f"{rule.name}: {status} ({due_text}) – {about}"
    context = {
        "reminder": reminder,
        "deadline": deadline,
        "rule": rule,
        "about": about,
        "when": when,
        "overdue": left < 0,
        "late": reminder.due_at < now - datetime.timedelta(seconds=settings.REMINDER_LATE_AFTER),
        "due_at": reminder.due_at,
        "link": site_url(deadline_link(deadline)),
        "force": deadline.force,
        "item": deadline.item,
        "why": _why(reminder),
    }
    return {
        "subject": " ".join(subject.split())[:250],
        "text": render_to_string("email/reminder.txt", context),
        "html": render_to_string("email/reminder.html", context),
        "url": deadline_link(deadline),
        "late": context["late"],
    }


def _why(reminder: Reminder) -> str:
    """Why this person gets this reminder, in words, without more queries."""
    deadline, person = reminder.deadline, reminder.recipient
    item, rule = deadline.item, deadline.rule
    if item is not None and person.id == item.owner_id:
        return "you own this item"
    missed = int(reminder.step.split("-")[1]) if reminder.step.startswith("missed-") else 0
    copies_lead = rule.oversight_from_missed and missed >= rule.oversight_from_missed
    if item is not None and person.id == item.lead_id and copies_lead:
        return "you are its accountable lead"
    if person.organisation_id == deadline.force_id:
        return f"you coordinate inspection work for {deadline.force.name}"
    return f"you work in the PCC office for {deadline.force.name}"


def _email(to: User, subject: str, text: str, html: str, headers=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to.email], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    return message


PERMANENT_SMTP = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


class MailServerDown(Exception):
    """The mail server could not be reached: stop the sweep and retry it later."""


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, PERMANENT_SMTP):
        return True
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 240))


@dataclass
class SweepResult:
    sent: int = 0
    late: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    digests: int = 0
    lines: list = field(default_factory=list)


def _still_wanted(reminder: Reminder) -> str:
    """Empty when the reminder should go; otherwise why not."""
    deadline = reminder.deadline
    if not deadline.rule.active:
        return "The deadline's rule was switched off."
    if deadline.version != reminder.deadline_version:
        return "The deadline moved."
    if deadline.state != DeadlineState.OPEN:
        return (
            "The deadline was met."
            if deadline.state == DeadlineState.MET
            else ("The deadline no longer applies.")
        )
    if deadline.due_on is None:
        return "The deadline is paused."
    if not _target_open(deadline):
        return "The item was closed."
    if not reminder.recipient.is_active:
        return "The recipient's account is deactivated."
    return ""


def _due(now, model=Reminder):
    """Rows due at `now` by range: waiting and due, or claimed by a run whose claim has
    lapsed. Claims are timed by the real clock, whatever time the run is told it is (--now)."""
    return model.objects.filter(
        Q(state=ReminderState.PENDING, next_attempt_at__lte=now)
        | Q(state=ReminderState.SENDING, claimed_until__lt=timezone.now())
    )


def _claim_batch(ids, now: datetime.datetime, token) -> list[int]:
    """Take due reminders for this sweep alone: a conditional UPDATE that only one sweep can
    win for each row (the healthchecks pattern), stamped with this sweep's token so it knows
    which rows it won. A claim lapses after REMINDER_CLAIM_SECONDS, so a worker killed
    mid-send does not strand a reminder."""
    lease = timezone.now() + datetime.timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)
    _due(now).filter(pk__in=ids).update(
        state=ReminderState.SENDING,
        claimed_until=lease,
        claim_token=token,
        attempts=F("attempts") + 1,
    )
    return list(
        Reminder.objects.filter(
            pk__in=ids, state=ReminderState.SENDING, claim_token=token
        ).values_list("pk", flat=True)
    )


def _claim(reminder_id: int, now: datetime.datetime) -> bool:
    return bool(_claim_batch([reminder_id], now, uuidlib.uuid4()))


def _finish(reminder: Reminder, **fields) -> None:
    """Record the outcome, only while this sweep still holds the claim."""
    Reminder.objects.filter(
        pk=reminder.pk, state=ReminderState.SENDING, claim_token=reminder.claim_token
    ).update(**fields)


def _release(ids, token) -> None:
    Reminder.objects.filter(pk__in=ids, state=ReminderState.SENDING, claim_token=token).update(
        state=ReminderState.PENDING, claimed_until=None, attempts=F("attempts") - 1
    )


@dataclass
class Outgoing:
    reminder: Reminder
    message: dict
    by_email: bool


def _prepare(reminders_: list[Reminder], now, result: SweepResult) -> list[Outgoing]:
    """Cancel what is no longer wanted; word the rest and record their notifications (in one
    query, so a retry after a crash finds them already there)."""
    outgoing = []
    for reminder in reminders_:
        reason = _still_wanted(reminder)
        if reason:
            _finish(reminder, state=ReminderState.CANCELLED, note=reason)
            result.cancelled += 1
            continue
        by_email = reminder.recipient.reminder_delivery == ReminderDelivery.EACH
        outgoing.append(Outgoing(reminder, reminder_message(reminder, now=now), by_email))
    Notification.objects.bulk_create(
        [
            Notification(
                user=o.reminder.recipient,
                reminder=o.reminder,
                created_at=now,
                subject=o.message["subject"],
                body=o.message["text"],
                url=o.message["url"],
                awaiting_digest=not o.by_email,
            )
            for o in outgoing
        ],
        ignore_conflicts=True,
    )
    return outgoing


def _send_one(out: Outgoing, now, connection, result: SweepResult, planned: set) -> None:
    """Send one claimed reminder and mark it sent. After a missed-deadline reminder, plan the
    next repeat in the same transaction (only steps still to come, so a long outage gives one
    late reminder, not one per missed week; and a crash cannot leave a deadline with no
    repeat planned)."""
    reminder, message, recipient = out.reminder, out.message, out.reminder.recipient
    if out.by_email:
        email = _email(
            recipient,
            message["subject"],
            message["text"],
            message["html"],
            headers={"X-Tracker-Reminder": f"{reminder.pk}"},
        )
        try:
            connection.send_messages([email])
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is lost
            _record_failure(reminder, exc, now, result)
            if not _is_permanent(exc) and _is_connection_error(exc):
                raise MailServerDown(str(exc)) from exc
            return
    sent = {
        "state": ReminderState.SENT,
        "sent_at": now,
        "late": message["late"],
        "by_email": out.by_email,
        "note": "",
    }
    if reminder.step.startswith("missed-") and reminder.deadline_id not in planned:
        with transaction.atomic():
            _finish(reminder, **sent)
            reminders_plan(reminder.deadline, now=now, include_current=False)
        planned.add(reminder.deadline_id)
    else:
        _finish(reminder, **sent)
    result.sent += 1
    result.late += int(message["late"])
    result.lines.append(
        f"{'late ' if message['late'] else ''}{reminder.step} to {recipient.email}: "
        f"{message['subject']}"
    )


def _is_connection_error(exc: Exception) -> bool:
    """The server could not be reached or dropped the line (SMTP errors are OSErrors too, so
    those with a reply code from a working server are told apart)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _record_failure(reminder: Reminder, exc: Exception, now, result: SweepResult) -> None:
    error = f"{type(exc).__name__}: {exc}"[:280]
    attempts = reminder.attempts  # the claim counted this attempt
    if _is_permanent(exc) or attempts >= settings.REMINDER_MAX_ATTEMPTS:
        why = "The mail server refused the address" if _is_permanent(exc) else "Gave up"
        _finish(reminder, state=ReminderState.FAILED, note=f"{why}. {error}"[:300])
        result.failed += 1
        log.error("Reminder %s failed for good: %s", reminder.pk, error)
    else:
        _finish(
            reminder,
            state=ReminderState.PENDING,
            claimed_until=None,
            next_attempt_at=now + _backoff(attempts),
            note=f"Will retry. {error}"[:300],
        )
        result.retried += 1
        log.warning("Reminder %s will be retried: %s", reminder.pk, error)


BATCH = 100
SELECT_FOR_SENDING = (
    "recipient",
    "deadline__rule",
    "deadline__force",
    "deadline__item__finding__report",
    "deadline__item__owner",
    "deadline__item__lead",
    "deadline__response__report",
)


def sweep(*, now: datetime.datetime | None = None, via: str = "command") -> SweepResult:
    """Send every reminder that is due at `now`, then the digests that are due.

    1. Find due rows by range (waiting and due at or before now, or claimed by a sweep whose
       claim has lapsed), oldest first, in batches.
    2. Claim them with a conditional UPDATE stamped with this sweep's token; rows another
       sweep won are left to it.
    3. Check each is still wanted (same deadline version, deadline open, item open), record
       the notifications, then send each email over one SMTP connection and mark it sent at
       once (late if it went out after it was due). A batch that takes longer than most of
       its claim gives the rest back, so no claim lapses while this sweep still holds it.
    4. After a missed-deadline reminder, plan the next repeat (with the sent mark).
    5. On a mail server error: a refused address fails for good at once; anything else is
       retried with backoff, and a server that cannot be reached stops the sweep (raised as
       MailServerDown, which the Celery task retries with backoff).
    """
    now = now or timezone.now()
    run = SweepRun.objects.create(started_at=timezone.now(), clock=now, via=via)
    result = SweepResult()
    planned: set = set()
    token = uuidlib.uuid4()
    hold_for = settings.REMINDER_CLAIM_SECONDS * 0.8
    connection = get_connection()
    try:
        try:
            connection.open()
        except OSError as exc:
            raise MailServerDown(str(exc)) from exc
        seen: set = set()
        while True:
            batch = [
                pk
                for pk in _due(now)
                .order_by("next_attempt_at", "id")
                .values_list("pk", flat=True)[:BATCH]
                if pk not in seen
            ]
            if not batch:
                break
            seen.update(batch)
            claimed_at = time.monotonic()
            claimed = _claim_batch(batch, now, token)
            rows = (
                Reminder.objects.filter(pk__in=claimed)
                .select_related(*SELECT_FOR_SENDING)
                .order_by("next_attempt_at", "id")
            )
            outgoing = _prepare(list(rows), now, result)
            for n, out in enumerate(outgoing):
                if time.monotonic() - claimed_at > hold_for:
                    rest = [o.reminder.pk for o in outgoing[n:]]
                    _release(rest, token)
                    seen.difference_update(rest)
                    break
                try:
                    _send_one(out, now, connection, result, planned)
                except MailServerDown:
                    # Give the rest of the batch back at once, untried.
                    _release([o.reminder.pk for o in outgoing[n + 1 :]], token)
                    raise
        result.sent += notices_send(now=now, connection=connection)
        result.digests = digests_run(now=now, connection=connection)
    except MailServerDown as exc:
        run.error = f"The mail server could not be reached: {exc}"[:2000]
        raise
    finally:
        connection.close()
        run.finished_at = timezone.now()
        for name in ("sent", "late", "cancelled", "retried", "failed", "digests"):
            setattr(run, name, getattr(result, name))
        run.save()
    return result


# Notices: things people are told at once (a request for comments, for an update) -------


def notify(users, *, subject: str, body: str, url: str, now) -> int:
    """Tell people something now: a notification in the app and, for those who take one
    email per reminder, an email sent by the next reminder sweep (enqueued at once after
    commit); digest readers get it in their next digest."""
    rows = [
        Notification(
            user=user,
            created_at=now,
            subject=subject[:300],
            body=body,
            url=url,
            awaiting_digest=user.reminder_delivery != "each",
            email_state="pending" if user.reminder_delivery == "each" else "",
        )
        for user in {u.pk: u for u in users if u.is_active}.values()
    ]
    Notification.objects.bulk_create(rows)
    if any(r.email_state for r in rows):
        transaction.on_commit(background.sweep_soon)
    return len(rows)


NOTICE_STUCK_AFTER = datetime.timedelta(minutes=30)


def notices_send(*, now: datetime.datetime, connection) -> int:
    """Email the notices waiting to go on their own, each once.

    1. A notice is claimed with a conditional UPDATE (pending to sending, stamped with the
       real time of the claim) before it is sent; one whose claim is over half an hour old
       (its sweep died) can be claimed again.
    2. A refused address fails for good at once; another error puts it back to be tried by
       the next sweep, up to REMINDER_MAX_ATTEMPTS; a server that cannot be reached gives it
       back and stops the sweep.
    """
    sent = 0
    stuck = timezone.now() - NOTICE_STUCK_AFTER
    waiting = Notification.objects.filter(
        Q(email_state="pending") | Q(email_state="sending", email_claimed_at__lt=stuck)
    ).filter(created_at__lte=now)
    for pk in list(waiting.order_by("created_at", "id").values_list("pk", flat=True)[:BATCH]):
        claimed = waiting.filter(pk=pk).update(
            email_state="sending",
            email_claimed_at=timezone.now(),
            email_attempts=F("email_attempts") + 1,
        )
        if not claimed:
            continue  # another sweep has it
        note = Notification.objects.select_related("user").get(pk=pk)
        context = {"note": note, "user": note.user, "link": site_url(note.url)}
        message = _email(
            note.user,
            note.subject,
            render_to_string("email/notice.txt", context),
            render_to_string("email/notice.html", context),
        )
        message.connection = connection
        mine = Notification.objects.filter(pk=pk, email_state="sending")
        try:
            message.send()
        except Exception as exc:
            if _is_connection_error(exc):
                mine.update(email_state="pending", email_attempts=F("email_attempts") - 1)
                raise MailServerDown(str(exc)) from exc
            give_up = _is_permanent(exc) or note.email_attempts >= settings.REMINDER_MAX_ATTEMPTS
            mine.update(email_state="failed" if give_up else "pending")
            log.warning(
                "Notice %s not sent (%s): %s", pk, "gave up" if give_up else "will retry", exc
            )
            continue
        mine.update(email_state="sent")
        sent += 1
    return sent


# Digests -------------------------------------------------------------------------------


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _digest_rows_for(now: datetime.datetime) -> None:
    """Create the digest rows due by now (one per person per period; the unique key makes
    this safe to repeat)."""
    today = timezone.localdate(now)
    if now < deadlines.reminder_due_at(today, 0):
        today = today - datetime.timedelta(days=1)
    rows = []
    due = deadlines.reminder_due_at
    # Daily readers, and anyone who switched back to one email per reminder while some were
    # still waiting for a digest (they go out in one last digest).
    daily = User.objects.filter(is_active=True).filter(
        Q(reminder_delivery=ReminderDelivery.DAILY)
        | Q(reminder_delivery=ReminderDelivery.EACH, notifications__awaiting_digest=True)
    )
    for user_id in daily.values_list("pk", flat=True).distinct():
        rows.append(
            Digest(
                user_id=user_id,
                kind=Digest.Kind.DAILY,
                period_start=today,
                next_attempt_at=due(today, 0),
            )
        )
    monday = _monday(today)
    weekly_at = due(monday, 0)
    for user_id in User.objects.filter(
        is_active=True, reminder_delivery=ReminderDelivery.WEEKLY
    ).values_list("pk", flat=True):
        rows.append(
            Digest(
                user_id=user_id,
                kind=Digest.Kind.WEEKLY,
                period_start=monday,
                next_attempt_at=weekly_at,
            )
        )
    managers = (
        User.objects.active().with_role(*policy.OVERDUE_DIGEST_ROLES).values_list("pk", flat=True)
    )
    for user_id in managers:
        rows.append(
            Digest(
                user_id=user_id,
                kind=Digest.Kind.OVERDUE,
                period_start=monday,
                next_attempt_at=weekly_at,
            )
        )
    Digest.objects.bulk_create(rows, ignore_conflicts=True)


DIGEST_LIMIT = 50


def overdue_digest_context(user: User, today: datetime.date) -> dict:

    forces = policy.visible_force_ids(user, today)
    items = (
        TrackedItem.objects.for_forces(forces)
        .overdue(today)
        .select_related("finding__report", "owner", "force")
        .order_by("due_date", "id")
    )
    responses = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_on__lt=today, response__isnull=False)
        .select_related("rule", "response__report", "force")
        .order_by("due_on", "id")
    )
    others = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_on__lt=today, item__isnull=False)
        .exclude(rule__source=Source.ITEM_DUE_DATE)
        .select_related("rule", "force", "item__finding", "item__owner")
        .order_by("due_on", "id")
    )
    if forces is not None:
        responses = responses.filter(force_id__in=forces)
        others = others.filter(force_id__in=forces)
    return {
        "others": [
            {
                "deadline": d,
                "days": (today - d.due_on).days,
                "link": site_url(reverse("tracker:item_detail", args=[d.item.uuid])),
            }
            for d in others[:DIGEST_LIMIT]
        ],
        "other_count": others.count(),
        "user": user,
        "today": today,
        "items": [
            {
                "item": i,
                "days": (today - i.due_date).days,
                "link": site_url(reverse("tracker:item_detail", args=[i.uuid])),
            }
            for i in items[:DIGEST_LIMIT]
        ],
        "item_count": items.count(),
        "responses": [
            {
                "deadline": d,
                "days": (today - d.due_on).days,
                "link": site_url(reverse("tracker:report_detail", args=[d.response.report.key])),
            }
            for d in responses[:DIGEST_LIMIT]
        ],
        "response_count": responses.count(),
        "list_link": site_url(reverse("tracker:overdue")),
        "limit": DIGEST_LIMIT,
    }


def _digest_message(digest: Digest, now) -> tuple[str, str, str, list] | None:
    today = timezone.localdate(now)
    user = digest.user
    if digest.kind == Digest.Kind.OVERDUE:
        context = overdue_digest_context(user, today)
        total = context["item_count"] + context["response_count"] + context["other_count"]
        subject = (
            f"Weekly overdue digest: {total} overdue"
            if total
            else "Weekly overdue digest: nothing is overdue"
        )
        return (
            subject,
            render_to_string("email/overdue_digest.txt", context),
            render_to_string("email/overdue_digest.html", context),
            [],
        )
    notes = list(
        Notification.objects.filter(user=user, awaiting_digest=True).order_by("created_at", "id")
    )
    if not notes:
        return None
    context = {
        "user": user,
        "notifications": notes,
        "period": "today" if digest.kind == Digest.Kind.DAILY else "this week",
        "site": site_url(""),
    }
    subject = f"Your reminders digest: {len(notes)} reminder{'s' if len(notes) != 1 else ''}"
    return (
        subject,
        render_to_string("email/reminders_digest.txt", context),
        render_to_string("email/reminders_digest.html", context),
        [n.pk for n in notes],
    )


def digests_run(*, now: datetime.datetime, connection=None) -> int:
    """Send the digests that are due, each once. Returns how many were sent.

    Like reminders, each digest row is claimed with a conditional UPDATE stamped with this
    run's token and timed by the real clock; every outcome is written only while the claim
    is still this run's. A digest that cannot be built or sent is retried with backoff and
    marked failed after REMINDER_MAX_ATTEMPTS.
    """
    _digest_rows_for(now)
    sent = 0
    own_connection = connection is None
    connection = connection or get_connection()
    token = uuidlib.uuid4()

    def due():
        return _due(now, Digest)

    def outcome(digest_id, **fields):
        return Digest.objects.filter(
            pk=digest_id, state=ReminderState.SENDING, claim_token=token
        ).update(**fields)

    try:
        for digest_id in list(due().values_list("pk", flat=True)):
            lease = timezone.now() + datetime.timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)
            claimed = (
                due()
                .filter(pk=digest_id)
                .update(
                    state=ReminderState.SENDING,
                    claimed_until=lease,
                    claim_token=token,
                    attempts=F("attempts") + 1,
                )
            )
            if not claimed:
                continue
            digest = Digest.objects.select_related("user").get(pk=digest_id)
            try:
                built = _digest_message(digest, now)
                if built is None:
                    outcome(
                        digest_id, state=ReminderState.SENT, sent_at=now, note="Nothing to send."
                    )
                    continue
                subject, text, html, note_ids = built
                connection.send_messages(
                    [_email(digest.user, subject, text, html, {"X-Tracker-Digest": str(digest_id)})]
                )
            except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is lost
                error = f"{type(exc).__name__}: {exc}"[:250]
                if _is_permanent(exc) or digest.attempts >= settings.REMINDER_MAX_ATTEMPTS:
                    outcome(digest_id, state=ReminderState.FAILED, note=error)
                    log.error("Digest %s failed for good: %s", digest_id, error)
                else:
                    outcome(
                        digest_id,
                        state=ReminderState.PENDING,
                        claimed_until=None,
                        next_attempt_at=now + _backoff(digest.attempts),
                        note=f"Will retry. {error}",
                    )
                if _is_connection_error(exc) and not _is_permanent(exc):
                    raise MailServerDown(str(exc)) from exc
                continue
            with transaction.atomic():
                if outcome(
                    digest_id,
                    state=ReminderState.SENT,
                    sent_at=now,
                    line_count=len(note_ids),
                    note="",
                ):
                    Notification.objects.filter(pk__in=note_ids).update(awaiting_digest=False)
            sent += 1
    finally:
        if own_connection:
            connection.close()
    return sent


# Health -------------------------------------------------------------------------------


def health(*, now: datetime.datetime) -> dict:
    last = SweepRun.objects.order_by("-started_at").first()
    stale_after = datetime.timedelta(seconds=settings.REMINDER_STALE_AFTER)
    day_ago = now - datetime.timedelta(days=1)
    return {
        "last": last,
        "stale": last is None or last.started_at < now - stale_after,
        "stale_after_minutes": settings.REMINDER_STALE_AFTER // 60,
        "pending": Reminder.objects.filter(state=ReminderState.PENDING).count(),
        "due_now": _due(now).count(),
        "sending": Reminder.objects.filter(state=ReminderState.SENDING).count(),
        "sent_last_day": Reminder.objects.filter(
            state=ReminderState.SENT, sent_at__gte=day_ago
        ).count(),
        "digests_last_day": Digest.objects.filter(
            state=ReminderState.SENT, sent_at__gte=day_ago, line_count__gt=0
        ).count()
        + Digest.objects.filter(
            state=ReminderState.SENT, sent_at__gte=day_ago, kind=Digest.Kind.OVERDUE
        ).count(),
        "sweep_minutes": settings.REMINDER_SWEEP_SECONDS // 60,
        "failed": Reminder.objects.filter(state=ReminderState.FAILED)
        .select_related("recipient", "deadline__rule")
        .order_by("-next_attempt_at")[:50],
        "failed_count": Reminder.objects.filter(state=ReminderState.FAILED).count(),
        "failed_digests": Digest.objects.filter(state=ReminderState.FAILED)
        .select_related("user")
        .order_by("-period_start")[:50],
        "recent_runs": SweepRun.objects.order_by("-started_at")[:10],
    }
