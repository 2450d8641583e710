"""Changes people make to a deadline: extend it, pause and resume its clock, and the local
target a PCC office sets itself where the law sets no period. Each is recorded (a deadline
change row and an audit row) and the deadline is worked out again from its rule."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

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
    *,
    deadline: Deadline,
    by: User,
    new_due_on: datetime.date,
    reason: str,
    approved_by: str,
    approved_on: datetime.date | None,
    now: datetime.datetime | None = None,
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
