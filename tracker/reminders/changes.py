"""Changes people make to a deadline: extend it, pause and resume its clock, record the steps
that follow a response (provided, then published by the body that received it), and the local
target a PCC office sets itself where the law sets no period. Each is recorded (a deadline
change row and an audit row) and the deadline is worked out again from its rule.

Where the law names who extends (para 28B(3) Sch 3 Police Reform Act 2002: the Director
General, "following an application received before the end of the period"; reg 29(5)
Coroners (Investigations) Regulations 2013: the coroner), an extension records the day it
was applied for and who granted it, and a late application is refused where the law says so."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from tracker import deadlines, policy
from tracker.audit import audit_record
from tracker.models import (
    AuditEvent,
    Deadline,
    DeadlineChange,
    DeadlineState,
    Report,
    StatutoryResponse,
)
from tracker.reminders.sync import (
    deadlines_sync_item,
    deadlines_sync_response,
    policing_body_on,
    statutory_rule_for,
)

# Extensions and pauses --------------------------------------------------------------------

MAX_CHANGE_DAYS = 3660  # about ten years: a later date is a typing mistake


def _check_changeable(deadline: Deadline) -> None:
    if not deadline.rule.extendable:
        raise ValidationError(f"The law does not allow “{deadline.rule.name}” to be extended.")
    if deadline.state != DeadlineState.OPEN:
        raise ValidationError("This deadline has been met or no longer applies.")


def _resync(deadline: Deadline, now: datetime.datetime) -> None:
    # A deadline is on an item or on a response, never both (a check constraint).
    if deadline.item is not None:
        deadlines_sync_item(item=deadline.item, now=now)
    elif deadline.response is not None:
        deadlines_sync_response(response=deadline.response, now=now)


def _record_change(
    deadline: Deadline,
    kind: DeadlineChange.Kind,
    *,
    by: User,
    on_date: datetime.date,
    reason: str,
    approved_by: str,
    approved_on: datetime.date | None,
    now: datetime.datetime,
) -> DeadlineChange:
    change = DeadlineChange.objects.create(
        deadline=deadline,
        kind=kind,
        on_date=on_date,
        previous_due_on=deadline.due_on,
        reason=reason,
        approved_by=approved_by,
        approved_on=approved_on,
        recorded_by=by,
        recorded_at=now,
    )
    return _after_change(deadline, change, by=by, now=now)


def _after_change(
    deadline: Deadline, change: DeadlineChange, *, by: User, now: datetime.datetime
) -> DeadlineChange:
    """Work the deadline out again and record the change in the audit trail."""
    before = deadline.due_on
    _resync(deadline, now)
    deadline.refresh_from_db()
    changes: dict = {"due_on": (before, deadline.due_on)}
    if change.applied_on is not None:
        changes["applied_on"] = (None, change.applied_on)
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=deadline,
        at=now,
        changes=changes,
        note=f"{change.get_kind_display()}: {change.reason}"[:300],
    )
    return change


def _clean(reason: str, approved_by: str, granted_by: str = "") -> tuple[str, str]:
    reason, approved_by = (reason or "").strip(), (approved_by or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Enter the reason.")})
    if not approved_by:
        if granted_by:
            raise ValidationError(
                {
                    "approved_by": _("Enter who granted the extension: %(who)s, by name and role.")
                    % {"who": granted_by}
                }
            )
        raise ValidationError({"approved_by": _("Enter who approved it.")})
    return reason[:5000], approved_by[:200]


def _check_application(
    deadline: Deadline,
    *,
    applied_on: datetime.date | None,
    approved_on: datetime.date,
    today: datetime.date,
) -> None:
    """The application for an extension, where the law names who extends.

    1. It is required, and cannot be in the future or before the period began.
    2. Where the law allows an extension only on an application received before the end of
       the period (para 28B(3)), one received after the deadline as it stands is refused,
       with the last day it could have been made.
    3. An extension cannot be granted before it was applied for.
    """
    rule = deadline.rule
    who = rule.extended_by
    if applied_on is None:
        if who:
            raise ValidationError(
                {"applied_on": _("Enter the day %(who)s received the application.") % {"who": who}}
            )
        return
    if applied_on > today:
        raise ValidationError(
            {"applied_on": _("The application must have been made: enter today or earlier.")}
        )
    if applied_on < deadline.trigger_on:
        raise ValidationError(
            {
                "applied_on": _("The application cannot be before the period began, %(day)s.")
                % {"day": deadlines.format_day(deadline.trigger_on)}
            }
        )
    if (
        rule.apply_before_end
        and deadline.due_on is not None
        and not deadlines.application_in_time(applied_on, deadline.due_on)
    ):
        raise ValidationError(
            {
                "applied_on": _("%(who)s can extend only on an application made before %(day)s.")
                % {
                    "who": capfirst(who or _("the body that extends")),
                    "day": deadlines.format_day(deadlines.application_closes(deadline.due_on)),
                }
            }
        )
    if approved_on < applied_on:
        raise ValidationError(
            {
                "approved_on": _(
                    "An extension cannot be granted before it was applied for, %(day)s."
                )
                % {"day": deadlines.format_day(applied_on)}
            }
        )


@transaction.atomic
def deadline_extend(
    *,
    deadline: Deadline,
    by: User,
    new_due_on: datetime.date,
    reason: str,
    approved_by: str,
    approved_on: datetime.date | None,
    applied_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> DeadlineChange:
    """Extend a deadline to a later day. The original stays visible beside it.

    Refused, with nothing saved: a rule that cannot be extended, a paused deadline, a new
    date that is not later, an extension granted by nobody or on no day, and where the law
    names who extends, an application missing, in the future, or (para 28B(3)) received
    after the period ended."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    deadline = Deadline.objects.select_for_update().select_related("rule").get(pk=deadline.pk)
    _check_changeable(deadline)
    reason, approved_by = _clean(reason, approved_by, deadline.rule.extended_by)
    if deadline.due_on is None:
        raise ValidationError(_("The deadline is paused. Resume it before extending it."))
    try:
        deadlines.check_extension(deadline.due_on, new_due_on)
    except ValueError as exc:
        raise ValidationError({"on_date": str(exc)}) from None
    if (new_due_on - deadline.due_on).days > MAX_CHANGE_DAYS:
        raise ValidationError({"on_date": _("An extension can be for at most ten years.")})
    if approved_on is None or approved_on > today:
        raise ValidationError(
            {"approved_on": _("Enter the day the extension was granted (today or earlier).")}
        )
    _check_application(deadline, applied_on=applied_on, approved_on=approved_on, today=today)
    change = DeadlineChange.objects.create(
        deadline=deadline,
        kind=DeadlineChange.Kind.EXTENSION,
        on_date=new_due_on,
        previous_due_on=deadline.due_on,
        reason=reason,
        applied_on=applied_on,
        approved_by=approved_by,
        approved_on=approved_on,
        recorded_by=by,
        recorded_at=now,
    )
    return _after_change(deadline, change, by=by, now=now)


@transaction.atomic
def deadline_pause(
    *,
    deadline: Deadline,
    by: User,
    starts_on: datetime.date,
    reason: str,
    approved_by: str,
    now: datetime.datetime | None = None,
) -> DeadlineChange:
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
def deadline_resume(
    *,
    deadline: Deadline,
    by: User,
    ends_on: datetime.date,
    reason: str,
    now: datetime.datetime | None = None,
) -> DeadlineChange:
    """Restart the clock; the deadline moves on by the days it was paused."""
    now = now or timezone.now()
    deadline = Deadline.objects.select_for_update().select_related("rule").get(pk=deadline.pk)
    if deadline.due_on is not None:
        raise ValidationError("The deadline is not paused.")
    pause = deadline.changes.filter(kind=DeadlineChange.Kind.PAUSE).order_by("-recorded_at").first()
    if pause is None:  # only a pause leaves a deadline without a due date
        raise ValidationError("The deadline is not paused.")
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


# Steps after the response ------------------------------------------------------------------

STEP_KINDS = (DeadlineChange.Kind.RESPONSE_SENT, DeadlineChange.Kind.PUBLISHED)


def steps_of(deadline: Deadline) -> dict[str, DeadlineChange]:
    """The steps recorded on a deadline, by kind (each is recorded once)."""
    return {c.kind: c for c in deadline.changes.all() if c.kind in STEP_KINDS}


@transaction.atomic
def deadline_record_step(
    *,
    deadline: Deadline,
    by: User,
    kind: str,
    on_date: datetime.date,
    note: str = "",
    now: datetime.datetime | None = None,
) -> DeadlineChange:
    """Record that the response was provided, or that the body that received it published it
    (para 28B(5) Sch 3 Police Reform Act 2002: the Director General publishes it within 21
    days beginning with the day it received it). Each step is recorded once, in order, on a
    day that has come; the publication is due `rule.publication_days` days beginning with
    the day the response was provided."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    deadline = Deadline.objects.select_for_update().select_related("rule").get(pk=deadline.pk)
    rule = deadline.rule
    if not rule.publication_by or kind not in STEP_KINDS:
        raise ValidationError(_("This deadline has no publication step to record."))
    steps = steps_of(deadline)
    if kind in steps:
        raise ValidationError(
            _("This step was already recorded, on %(day)s.")
            % {"day": deadlines.format_day(steps[kind].on_date or today)}
        )
    if on_date > today:
        raise ValidationError({"on_date": _("Enter today or an earlier day.")})
    if kind == DeadlineChange.Kind.RESPONSE_SENT:
        if on_date < deadline.trigger_on:
            raise ValidationError(
                {
                    "on_date": _("The response cannot be before the period began, %(day)s.")
                    % {"day": deadlines.format_day(deadline.trigger_on)}
                }
            )
    else:
        sent = steps.get(DeadlineChange.Kind.RESPONSE_SENT)
        if sent is None:
            raise ValidationError(
                _("Record the day the response was provided before its publication.")
            )
        sent_on = sent.on_date or deadline.trigger_on  # a step always records its day
        if on_date < sent_on:
            raise ValidationError(
                {
                    "on_date": _(
                        "The response cannot be published before it was provided, %(day)s."
                    )
                    % {"day": deadlines.format_day(sent_on)}
                }
            )
    change = DeadlineChange.objects.create(
        deadline=deadline,
        kind=kind,
        on_date=on_date,
        previous_due_on=deadline.due_on,
        reason=(note or "").strip()[:5000],
        recorded_by=by,
        recorded_at=now,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=deadline,
        at=now,
        changes={kind: (None, on_date)},
        note=change.get_kind_display(),
    )
    if kind == DeadlineChange.Kind.RESPONSE_SENT:
        _resync(deadline, now)  # providing the response meets the deadline
    return change


# Local targets ----------------------------------------------------------------------------


@transaction.atomic
def response_set_local_target(
    *,
    report: Report,
    force: Organisation,
    by: User,
    target_on: datetime.date,
    now: datetime.datetime | None = None,
) -> StatutoryResponse:
    """Where the law sets no period, the PCC office may set itself a target for its comments.
    Starts the response record if there is none yet."""
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
        if body is None:  # not met: a PCC office for the force today has a body today
            raise ValidationError(f"No local policing body is recorded for {force}.")
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
