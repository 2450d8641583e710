"""Planning reminders: the steps of a deadline's reminders, who each goes to (the escalation
ladder), the reminder rows kept in step with them, and the rule and its reminders in words.

`reminders_plan` turns one deadline into reminder rows, one per step and recipient, keyed
uniquely, and cancels the rows that no longer apply.
"""

import contextlib
import datetime
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import PolicingBodyTerm, Role, User
from tracker import deadlines
from tracker.models import (
    CLOSED_STATUSES,
    Deadline,
    DeadlineRule,
    DeadlineState,
    DeadlineTrigger,
    Reminder,
    ReminderState,
    ReportType,
    Source,
    WhoActs,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A past step is not sent to someone joining late when the next step before the deadline
# comes within this time: it would only be followed at once by that one.
CURRENT_STEP_SKIPPED_WITHIN = datetime.timedelta(days=1)


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
       stale reminders; and not at all when a step before the deadline comes within a day
       anyway (issue 14, bug 2: comments asked for early on 4 December for the 7th got the
       30 November step, and that morning's 3-day step an hour later).
    3. That past step is planned for now, not for its time: it fell before this deadline (or
       this person) was planned, so sending it now is on time, not late. Past steps that
       were planned before but not sent are not affected: their rows exist, keep their time,
       and the sweep catches them up (late).
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
    soon = any(
        s.before is not None and s.due_at <= now + CURRENT_STEP_SKIPPED_WITHIN for s in future
    )
    if not past or not include_current or soon:
        return future
    return [*future, replace(max(past, key=lambda s: s.due_at), due_at=now)]


@dataclass
class Ladder:
    responsible: list[User] = field(default_factory=list)
    coordinators: list[User] = field(default_factory=list)
    oversight: list[User] = field(default_factory=list)


def _active(users: Iterable[User | None]) -> list[User]:
    return [u for u in users if u is not None and u.is_active]


# Inside `people_remembered()`, who the coordinators and PCC office of a force are is looked
# up once (a bulk action re-plans hundreds of items of the same few forces).
_remembered: ContextVar[dict[tuple, list[User]] | None] = ContextVar(
    "people_remembered", default=None
)


@contextlib.contextmanager
def people_remembered() -> Iterator[None]:
    """Remember each force's coordinators and PCC office for the length of the block."""
    if _remembered.get() is not None:
        yield
        return
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _looked_up(key: tuple, find: Callable[[], list[User]]) -> list[User]:
    remembered = _remembered.get()
    if remembered is None:
        return find()
    if key not in remembered:
        remembered[key] = find()
    return remembered[key]


def pcc_office(force_id: int, today: datetime.date) -> list[User]:
    """The active people of the PCC office that answers for this force today (people, never
    a service account)."""

    def find() -> list[User]:
        bodies = PolicingBodyTerm.objects.on(today).filter(force_id=force_id).values("body_id")
        people = User.objects.with_role(Role.PCC_OFFICE).active()
        return list(people.filter(organisation_id__in=bodies, service_account__isnull=True))

    return _looked_up(("pcc", force_id, today), find)


def coordinators(force_id: int) -> list[User]:
    """The force's active coordinators: people, never a service account (a system's account
    that reads through tokens: it cannot act on a reminder or take over items)."""

    def find() -> list[User]:
        people = User.objects.with_role(Role.FORCE_COORDINATOR).active()
        return list(people.filter(organisation_id=force_id, service_account__isnull=True))

    return _looked_up(("coordinators", force_id), find)


def ladder_for(deadline: Deadline, today: datetime.date) -> Ladder:
    """Who is reminded, by level: whoever must act, then the force coordinator, then the PCC
    office and the item's accountable lead."""
    force_coordinators = coordinators(deadline.force_id)
    pcc = pcc_office(deadline.force_id, today)
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


def step_recipients(rule: DeadlineRule, ladder: Ladder, step: Step) -> list[User]:
    people = list(ladder.responsible)
    if step.missed is not None:
        people += ladder.coordinators
        if rule.oversight_from_missed and step.missed >= rule.oversight_from_missed:
            people += ladder.oversight
    elif (
        step.before is not None  # a step is before the deadline or after it is missed
        and rule.coordinator_from_days is not None
        and step.before <= rule.coordinator_from_days
    ):
        people += ladder.coordinators
    seen, unique = set(), []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            unique.append(person)
    return unique


def target_open(deadline: Deadline) -> bool:
    if deadline.item is not None:
        return deadline.item.status not in CLOSED_STATUSES  # closed or superseded
    return True


def _plannable(deadline: Deadline) -> bool:
    """Whether the deadline gets reminders: open, not paused, and its item not closed."""
    return (
        deadline.state == DeadlineState.OPEN
        and deadline.due_on is not None
        and target_open(deadline)
    )


def _wanted(
    deadline: Deadline, ladder: Ladder, now: datetime.datetime, include_current: bool
) -> dict[tuple[str, int], datetime.datetime]:
    """The reminder rows a deadline should have: (step, recipient id) -> when it is due."""
    if deadline.due_on is None:  # not met: only plannable deadlines are asked
        return {}
    wanted = {}
    for step in _steps(deadline.rule, deadline.due_on, now, include_current):
        for person in step_recipients(deadline.rule, ladder, step):
            wanted[(step.name, person.id)] = step.due_at
    return wanted


def _reminder(deadline: Deadline, step: str, person_id: int, due_at) -> Reminder:
    return Reminder(
        deadline=deadline,
        deadline_version=deadline.version,
        step=step,
        recipient_id=person_id,
        due_at=due_at,
        next_attempt_at=due_at,
    )


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
    if deadline.state != DeadlineState.OPEN or deadline.due_on is None or not target_open(deadline):
        reasons: dict[str, str] = {
            DeadlineState.MET: "The deadline was met.",
            DeadlineState.WITHDRAWN: "The deadline no longer applies.",
        }
        reason = reasons.get(
            deadline.state, "The item was closed." if deadline.due_on else "The deadline is paused."
        )
        return {"cancelled": waiting.update(state=ReminderState.CANCELLED, note=reason)}
    ladder = ladder_for(deadline, timezone.localdate(now))
    wanted = _wanted(deadline, ladder, now, include_current)
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
        _reminder(deadline, step, person_id, due_at)
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


BATCH_SIZE = 1000  # rows to an INSERT when many are planned at once


def reminders_plan_new(deadlines: Iterable[Deadline], *, now: datetime.datetime) -> int:
    """Plan the reminders of deadlines just created (none has a reminder row yet), all at
    once: the rows `reminders_plan` would make for each, by the same steps and escalation
    ladder, written with one INSERT per BATCH_SIZE rows, each force's coordinators and PCC
    office looked up once. Returns how many were planned.

    A new deadline has nothing to cancel or bring back, so this is `reminders_plan` without
    its reads: a deadline that is met, paused or on a closed item gets no rows (one by one,
    its cancelling UPDATE would find none)."""
    today = timezone.localdate(now)
    rows = []
    with people_remembered():
        for deadline in deadlines:
            if deadline.pk is None:  # not met: the caller saves the deadlines first
                raise ValueError("Save the deadlines before planning their reminders.")
            if not _plannable(deadline):
                continue
            wanted = _wanted(deadline, ladder_for(deadline, today), now, include_current=True)
            rows += [_reminder(deadline, *key, due_at) for key, due_at in wanted.items()]
    Reminder.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(rows)


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
    return describe_rule_reminders(deadline.rule, on_item=deadline.item_id is not None)


def describe_rule_reminders(rule: DeadlineRule, *, on_item: bool) -> str:
    """The escalation ladder of a rule in words; `on_item` adds the item's accountable lead
    to those copied in once it is missed."""
    acting: dict[str, str] = {
        WhoActs.ITEM_OWNER: "the owner",
        WhoActs.FORCE: "the force coordinator",
        WhoActs.PCC_OFFICE: "the PCC office",
    }
    who = acting[rule.who_must_act]
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
        copied = "the PCC office" + (" and the accountable lead" if on_item else "")
        nth = {1: "first", 2: "second", 3: "third"}.get(
            rule.oversight_from_missed, f"{rule.oversight_from_missed}th"
        )
        parts.append(f"{copied} from the {nth} reminder after it is missed")
    return "; ".join(parts) + "."


# Words that end in "s" but name one thing.
_SINGULAR_S = {"analysis", "basis", "process", "progress", "status", "access", "address"}
_PREPOSITIONS = {"on", "to", "by", "for", "of", "from", "in", "set", "after", "before"}


def name_is_plural(name: str) -> bool:
    """Whether a rule's name is plural, so that a sentence about it says "are due": its head
    noun, the last word before the first preposition (of the part after a colon, if any), ends
    in "s". "Chief officer's comments to the PCC" is plural; "PCC's comments: local target",
    "Action due date" and "Next progress update" are not."""
    words = name.rpartition(":")[2].split()
    head = ""
    for word in words:
        if word.lower() in _PREPOSITIONS and head:
            break
        head = word
    head = head.lower().strip(".,;()'’")
    return head.endswith("s") and not head.endswith(("ss", "'s", "’s")) and head not in _SINGULAR_S


TRIGGER_PHRASES: dict[str, str] = {
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


# The rule explained (the Deadline rules page, /rules/) ---------------------------------------

# What sets each rule's clock going, as the subject of a worked example.
EXAMPLE_SUBJECTS: "dict[str, StrOrPromise]" = {
    DeadlineTrigger.REPORT_PUBLISHED: gettext_lazy("A report published today, %(day)s,"),
    DeadlineTrigger.RECOMMENDATION_MADE: gettext_lazy("A recommendation made today, %(day)s,"),
    DeadlineTrigger.ITEM_CREATED: gettext_lazy("An item created today, %(day)s,"),
    DeadlineTrigger.LAST_UPDATE: gettext_lazy("An update given today, %(day)s,"),
}
TRIGGERS_PLURAL: "dict[str, StrOrPromise]" = {
    DeadlineTrigger.REPORT_PUBLISHED: gettext_lazy("reports published"),
    DeadlineTrigger.RECOMMENDATION_MADE: gettext_lazy("recommendations made"),
    DeadlineTrigger.ITEM_CREATED: gettext_lazy("items created"),
    DeadlineTrigger.LAST_UPDATE: gettext_lazy("updates given"),
}


def describe_counting(rule: DeadlineRule) -> str:
    """How a rule counts, in words, with the arithmetic the tracker does."""
    if rule.source == Source.ITEM_DUE_DATE:
        return _(
            "The date is the one the force set for the item. It moves only when the force "
            "coordinator revises it, and every revision is kept."
        )
    if rule.source == Source.REPORT_TARGET:
        return _(
            "The date is the target the report states for the recommendation, counted from "
            "the day the report was published: “immediately” is that day; “within six months” "
            "is the same date six months on (the last day of the month when that month is "
            "shorter); “by March 2023” is 31 March 2023; a date the report gives is that date."
        )
    if rule.source == Source.LOCAL_TARGET:
        return _("The date is the one the PCC office sets itself: the law sets none.")
    if rule.source == Source.CHIEF_OFFICER_DUE_DATE:
        return _(
            "The date is the one the PCC office gives when it invites the chief officer's "
            "comments. When it gives none, the tracker uses %(length)s days after the report "
            "is published."
        ) % {"length": rule.length}
    when = TRIGGER_PHRASES[rule.trigger]
    end = _("A deadline ends at midnight at the end of its last day, London time.")
    if rule.unit == "working_days":
        days = _(
            "Only working days count: Monday to Friday, except bank holidays in England and "
            "Wales (and the substitute days when a holiday falls at a weekend)."
        )
        first = (
            _("%(when)s is day 1 when it is a working day.")
            if rule.counting == "beginning_with"
            else _("%(when)s is not counted: counting starts on the next working day.")
        ) % {"when": capfirst(when)}
        return f"{days} {first} {end}"
    if rule.unit == "months":
        if rule.counting == "beginning_with":
            how = _(
                "%(when)s is the first day, so the period ends the day before the same date "
                "%(length)s months on."
            )
        else:
            how = _(
                "The period ends on the same date %(length)s months after %(when)s, or on the "
                "last day of that month when it is shorter."
            )
        first = capfirst(when) if rule.counting == "beginning_with" else when
        return f"{how % {'when': first, 'length': rule.length}} {end}"
    if rule.counting == "beginning_with":
        how = _(
            "%(when)s is day 1, so the last day is that day plus %(more)s days: it is not that "
            "day plus %(length)s."
        ) % {"when": capfirst(when), "more": rule.length - 1, "length": rule.length}
    else:
        how = _(
            "%(when)s is not counted: day 1 is the day after, so the last day is that day plus "
            "%(length)s days."
        ) % {"when": capfirst(when), "length": rule.length}
    return f"{how} {end}"


def describe_extensions(rule: DeadlineRule) -> list[str]:
    """Whether and how a rule's deadline can be extended or paused, and the steps after the
    response, sentence by sentence."""
    if not rule.extendable:
        lines = [_("It cannot be extended or paused.")]
    elif rule.extended_by and rule.apply_before_end:
        lines = [
            _(
                "%(who)s may extend it only following an application received before the end "
                "of the period (as already extended): an application received later is "
                "refused. An extension records the day the application was received and who "
                "granted it."
            )
            % {"who": capfirst(rule.extended_by)}
        ]
    elif rule.extended_by:
        lines = [
            _(
                "%(who)s may extend it, and the law sets no time for applying. An extension "
                "records the day it was applied for and who granted it."
            )
            % {"who": capfirst(rule.extended_by)}
        ]
    else:
        lines = [_("It can be extended, with the reason and who approved it.")]
    if rule.extendable and rule.apply_before_end:
        lines.append(
            _(
                "Proceedings for judicial review started within the period extend it by the "
                "days they are in progress: record them as a pause, and when it ends the "
                "deadline moves on by the days it lasted."
            )
        )
    elif rule.extendable:
        lines.append(
            _(
                "The clock can be paused, with the reason and who approved it: when the pause "
                "ends, the deadline moves on by the days it lasted."
            )
        )
    if rule.publication_by and rule.publication_days:
        lines.append(
            _(
                "Once the response is provided, %(who)s publishes it within %(days)s days "
                "beginning with the day it was received. Both days are recorded on the "
                "deadline."
            )
            % {"who": rule.publication_by, "days": rule.publication_days}
        )
    return lines


def describe_effective(rule: DeadlineRule) -> str:
    """The dates a rule applies between, and to what."""
    what = TRIGGERS_PLURAL[rule.trigger]
    start, until = rule.applies_from, rule.applies_until
    if start and until:
        text = _("Applies to %(what)s from %(start)s to %(until)s.") % {
            "what": what,
            "start": deadlines.format_day(start),
            "until": deadlines.format_day(until),
        }
    elif start:
        text = _("Applies to %(what)s on or after %(start)s.") % {
            "what": what,
            "start": deadlines.format_day(start),
        }
    elif until:
        text = _("Applies to %(what)s on or before %(until)s.") % {
            "what": what,
            "until": deadlines.format_day(until),
        }
    else:
        text = _("Applies to %(what)s on any date.") % {"what": what}
    if rule.report_type_list:
        labels = dict(ReportType.choices)
        kinds = ", ".join(str(labels.get(t, t)) for t in rule.report_type_list)
        text = f"{text} {_('Only for reports of these types: %(kinds)s.') % {'kinds': kinds}}"
    if not rule.active:
        text = f"{text} {_('Not in use: an administrator has switched it off.')}"
    return text


def _example_due(rule: DeadlineRule, today: datetime.date) -> tuple[str, datetime.date]:
    """A worked example's sentence and the deadline it gives, for a trigger today."""
    day = deadlines.format_day(today)
    if rule.source == Source.RULE:
        due = deadlines.period_end(today, rule.length, rule.unit, rule.counting)
        subject = EXAMPLE_SUBJECTS[rule.trigger] % {"day": day}
        if rule.trigger == DeadlineTrigger.LAST_UPDATE:
            text = _("%(subject)s would make the next one due on %(due)s.")
        else:
            text = _("%(subject)s would be due on %(due)s.")
        return text % {"subject": subject, "due": deadlines.format_day(due)}, due
    if rule.source == Source.REPORT_TARGET:
        due = deadlines.parse_target("within six months", today) or today
        return (
            _(
                "A recommendation to act “within six months” in a report published today, "
                "%(day)s, would be due on %(due)s."
            )
            % {"day": day, "due": deadlines.format_day(due)},
            due,
        )
    if rule.source == Source.CHIEF_OFFICER_DUE_DATE:
        due = deadlines.period_end(today, rule.length, rule.unit, rule.counting)
        return (
            _(
                "Comments invited today, %(day)s, on a report published today with no date "
                "given would be due on %(due)s."
            )
            % {"day": day, "due": deadlines.format_day(due)},
            due,
        )
    due = today + datetime.timedelta(days=28)
    what = (
        _("A local target of %(due)s, set today, %(day)s,")
        if rule.source == Source.LOCAL_TARGET
        else _("An item due on %(due)s, set today, %(day)s,")
    )
    sentence = what % {"due": deadlines.format_day(due), "day": day}
    return f"{sentence} {_('would be due on that day.')}", due


def worked_example(rule: DeadlineRule, today: datetime.date) -> list[str]:
    """The rule worked through for a trigger today: the deadline, when its reminders would
    go, and any last day for applying for an extension or publishing the response."""
    text, due = _example_due(rule, today)
    lines = [text]
    days = [
        deadlines.reminder_due_at(due, n).date()
        for n in rule.offsets
        if deadlines.reminder_due_at(due, n).date() >= today
    ]
    if days:
        names = [deadlines.format_day(d) for d in days]
        listed = (
            names[0]
            if len(names) == 1
            else _("%(first)s and %(last)s")
            % {
                "first": ", ".join(names[:-1]),
                "last": names[-1],
            }
        )
        lines.append(_("Reminders would go at 8am on %(days)s.") % {"days": listed})
    # Every rule reminds once its deadline is missed (the first the morning after).
    first_missed = deadlines.missed_due_at(due, 1, max(rule.repeat_after_missed_days, 1))
    lines.append(
        _("If it were missed, the first reminder after it would go on %(day)s.")
        % {"day": deadlines.format_day(first_missed.date())}
    )
    if rule.extendable and rule.extended_by and rule.apply_before_end:
        lines.append(
            _("An application for an extension would have to reach %(who)s by %(due)s.")
            % {"who": rule.extended_by, "due": deadlines.format_day(due)}
        )
    if rule.publication_by and rule.publication_days:
        published_by = deadlines.publication_due(today, rule.publication_days)
        lines.append(
            _("A response provided today would have to be published by %(due)s.")
            % {"due": deadlines.format_day(published_by)}
        )
    return lines


# The steps after a response, beside a deadline -------------------------------------------------


def describe_steps(deadline: Deadline) -> tuple[list[dict[str, str]], bool]:
    """The response and publication steps of a deadline whose rule has a publication step:
    what was recorded, whether it was in time, and what is due next. Returns the rows and
    whether a step is still to be recorded."""
    rule = deadline.rule
    if not (rule.publication_by and rule.publication_days):
        return [], False
    steps = {c.kind: c for c in deadline.changes.all()}
    sent = steps.get("response_sent")
    published = steps.get("published")
    rows = []
    if sent is None:
        rows.append(
            {
                "label": str(_("Response provided")),
                "text": str(_("Not yet recorded.")),
            }
        )
        return rows, True
    late = deadline.due_on is not None and sent.on_date > deadline.due_on
    rows.append(
        {
            "label": str(_("Response provided")),
            "text": (
                ngettext(
                    "%(day)s, %(late)s day after the deadline.",
                    "%(day)s, %(late)s days after the deadline.",
                    deadlines.days_late(deadline.due_on, sent.on_date),
                )
                % {
                    "day": deadlines.format_day(sent.on_date),
                    "late": deadlines.days_late(deadline.due_on, sent.on_date),
                }
                if late and deadline.due_on is not None
                else _("%(day)s, in time.") % {"day": deadlines.format_day(sent.on_date)}
            ),
        }
    )
    due = deadlines.publication_due(sent.on_date, rule.publication_days)
    if published is None:
        text = _("%(who)s must publish it by %(due)s (%(basis)s). Not yet recorded.") % {
            "who": capfirst(rule.publication_by),
            "due": deadlines.format_day(due),
            "basis": rule.legal_basis,
        }
    elif published.on_date > due:
        text = ngettext(
            "Published on %(day)s, %(late)s day after %(due)s.",
            "Published on %(day)s, %(late)s days after %(due)s.",
            deadlines.days_late(due, published.on_date),
        ) % {
            "day": deadlines.format_day(published.on_date),
            "late": deadlines.days_late(due, published.on_date),
            "due": deadlines.format_day(due),
        }
    else:
        text = _("Published on %(day)s, on time (due by %(due)s).") % {
            "day": deadlines.format_day(published.on_date),
            "due": deadlines.format_day(due),
        }
    rows.append(
        {
            "label": str(_("Publication by %(who)s") % {"who": rule.publication_by}),
            "text": str(text),
        }
    )
    return rows, published is None
