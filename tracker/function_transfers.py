"""Transfers of functions: a local policing body's functions passing to a successor (issue 22;
the Home Office announced on 13 November 2025 that PCC functions pass to mayors and Policing
and Crime Boards "at the end of the existing term of office, in May 2028", subject to
legislation).

An administrator records a transfer ahead of time (`transfer_record`); its plan
(`transfer_plan`, shown on the preview page) says what it will move; on its day the daily task
(`transfers_carry_out_due`) or an administrator (`transfer_carry_out`) moves it, in one
transaction, once. The checks (`transfer_problems`) run when it is recorded and again when it
is carried out, so nothing is half done.
"""

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, PolicingBodyTerm, User
from tracker import deadlines as deadline_days
from tracker import policy
from tracker.audit import audit_record
from tracker.function_transfer_plan import (
    forces_answered_for,
    open_responses,
    pending_reminders,
    people_moving,
    revisions_in_progress,
    terms_passing,
    transfer_problems,
)
from tracker.models import (
    AuditEvent,
    Deadline,
    DeadlineState,
    FunctionTransfer,
)
from tracker.reminders.plan import people_remembered, reminders_plan

log = logging.getLogger(__name__)
ONE_DAY = datetime.timedelta(days=1)


def _day(day: datetime.date) -> str:
    return deadline_days.format_day(day)


def _raise(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError({name: list(messages) for name, messages in problems.items()})


def _check_may_record(by: User) -> None:
    if not policy.can_record_function_transfers(by):
        raise ValidationError(_("Only an administrator can record or carry out a transfer."))


# Recording and cancelling ------------------------------------------------------------------


@transaction.atomic
def transfer_record(
    *,
    by: User,
    from_body: Organisation | None,
    to_body: Organisation | None,
    takes_effect_on: datetime.date | None,
    legal_basis: str,
    legal_basis_url: str = "",
    date_is_placeholder: bool = False,
    staff_move: bool = True,
    now: datetime.datetime | None = None,
) -> FunctionTransfer:
    """Record a transfer ahead of time. Refused, with the reason by field, when a body does
    not exist or is the same, the day is backwards in time, or another transfer overlaps."""
    now = now or timezone.now()
    _check_may_record(by)
    # Two administrators recording at once: the second waits, then sees the first.
    if from_body is not None:
        list(Organisation.objects.select_for_update().filter(pk=from_body.pk))
    _raise(
        transfer_problems(
            from_body=from_body,
            to_body=to_body,
            takes_effect_on=takes_effect_on,
            legal_basis=legal_basis,
        )
    )
    if takes_effect_on is None:  # not met: transfer_problems asks for it
        raise ValidationError(_("Enter the day the functions pass to the successor."))
    transfer = FunctionTransfer(
        from_body=from_body,
        to_body=to_body,
        takes_effect_on=takes_effect_on,
        date_is_placeholder=date_is_placeholder,
        legal_basis=legal_basis.strip(),
        legal_basis_url=(legal_basis_url or "").strip(),
        staff_move=staff_move,
        recorded_by=by,
        recorded_at=now,
    )
    transfer.full_clean()
    transfer.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=transfer,
        at=now,
        changes={
            "from_body": (None, from_body),
            "to_body": (None, to_body),
            "takes_effect_on": (None, takes_effect_on),
            "date_is_placeholder": (None, date_is_placeholder),
            "legal_basis": (None, transfer.legal_basis),
            "staff_move": (None, staff_move),
        },
        note="Transfer of functions recorded",
    )
    return transfer


@transaction.atomic
def transfer_cancel(
    *, transfer: FunctionTransfer, by: User, now: datetime.datetime | None = None
) -> FunctionTransfer:
    """Cancel a transfer not yet carried out (recorded in error, or the law changed)."""
    now = now or timezone.now()
    _check_may_record(by)
    transfer = FunctionTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.carried_out_at is not None:
        raise ValidationError(_("This transfer has been carried out; it cannot be cancelled."))
    if transfer.cancelled_at is not None:
        return transfer
    transfer.cancelled_at = now
    transfer.cancelled_by = by
    transfer.save(update_fields=["cancelled_at", "cancelled_by"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=transfer,
        at=now,
        changes={"cancelled_at": (None, now)},
        note="Transfer of functions cancelled",
    )
    return transfer


# Carrying it out ----------------------------------------------------------------------------


def _note(transfer: FunctionTransfer) -> str:
    return (
        f"Functions passed from {transfer.from_body} to {transfer.to_body} (transfer of functions)"
    )


@transaction.atomic
def transfer_carry_out(
    *, transfer: FunctionTransfer, by: User | None, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """Carry out a transfer whose day has come, in one transaction. Returns what moved; run
    again, it changes nothing and returns the same (the row records that it was done).

    1. Lock the transfer; if it was carried out already, stop. Check again everything
       checked when it was recorded (terms may have changed since).
    2. The old body's terms that pass (the one rule, FunctionTransfer.terms_passing) end the
       day before; the successor's begin on the day, to the old term's end if that was later,
       else open (never ending before they start).
    3. Open statutory responses (drafts included) pass to the successor: the same rows, so
       their history, deadlines and audit trail stay with them. Published ones are unchanged
       and stay on the old body's public page.
    4. If its staff move, the old body's active people move to the successor (same roles).
    5. Waiting reminders are planned again for the body in office now: those to people who
       are no longer its office are cancelled, and its people are given theirs.
    6. Record what moved on the transfer and in the audit trail.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if by is not None:
        _check_may_record(by)
    transfer = (
        FunctionTransfer.objects.select_for_update(of=("self",))
        .select_related("from_body", "to_body")
        .get(pk=transfer.pk)
    )
    if transfer.carried_out_at is not None:
        return {**transfer.outcome, "changed": False}
    if transfer.cancelled_at is not None:
        raise ValidationError(_("This transfer was cancelled; it cannot be carried out."))
    if transfer.takes_effect_on > today:
        raise ValidationError(
            _("This transfer takes effect on %(day)s; it cannot be carried out before then.")
            % {"day": _day(transfer.takes_effect_on)}
        )
    _raise(
        transfer_problems(
            from_body=transfer.from_body,
            to_body=transfer.to_body,
            takes_effect_on=transfer.takes_effect_on,
            legal_basis=transfer.legal_basis,
            exclude=transfer,
        )
    )
    old, new, day = transfer.from_body, transfer.to_body, transfer.takes_effect_on
    note = _note(transfer)

    # 2. Terms: the old body's are locked, then chosen by the one rule.
    list(PolicingBodyTerm.objects.select_for_update().filter(body_id=old.pk).order_by("pk"))
    terms = terms_passing(transfer)
    force_ids = {t.force_id for t in terms}
    answered_for = forces_answered_for(transfer)
    for term in terms:
        ended = term.ends_on
        if ended != day - ONE_DAY:
            term.ends_on = day - ONE_DAY
            term.save(update_fields=["ends_on"])
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=term,
                at=now,
                changes={"ends_on": (ended, term.ends_on)},
                note=note,
            )
        # The successor's term runs to the old term's end if that was later (never ends
        # before it starts: a term already ended on the day before leaves it open).
        successor_ends = ended if ended is not None and ended >= day else None
        successor, created = PolicingBodyTerm.objects.get_or_create(
            force_id=term.force_id, body=new, starts_on=day, defaults={"ends_on": successor_ends}
        )
        if created:
            audit_record(
                actor=by,
                action=AuditEvent.Action.CREATE,
                obj=successor,
                at=now,
                changes={
                    "force": (None, term.force),
                    "body": (None, new),
                    "starts_on": (None, day),
                },
                note=note,
            )

    # 3. Open responses.
    responses = list(
        open_responses(transfer, force_ids).select_for_update(of=("self",)).order_by("pk")
    )
    response_ids = [r.pk for r in responses]
    for response in responses:
        response.body = new
        response.save(update_fields=["body"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=response,
            at=now,
            changes={"body": (old, new)},
            note=note,
        )

    # 4. People.
    moved_people = []
    if transfer.staff_move:
        for person in people_moving(transfer).select_for_update(of=("self",)):
            person.organisation = new
            person.save(update_fields=["organisation"])
            moved_people.append(person.email)
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=person,
                at=now,
                changes={"organisation": (old, new)},
                note=note,
            )

    # 5. Reminders: every open deadline with a waiting reminder to re-address, planned again
    # for the body now in office (its people, from the terms just changed).
    pending_before = pending_reminders(transfer, answered_for, response_ids)
    deadline_ids = set(pending_before.values_list("deadline_id", flat=True))
    deadline_ids |= set(
        Deadline.objects.filter(response_id__in=response_ids).values_list("pk", flat=True)
    )
    reminders_cancelled = reminders_planned = 0
    with people_remembered():
        for deadline in (
            Deadline.objects.filter(pk__in=deadline_ids, state=DeadlineState.OPEN)
            .select_related("rule", "item__owner", "item__lead")
            .order_by("pk")
        ):
            result = reminders_plan(deadline, now=now)
            reminders_cancelled += result.get("cancelled", 0)
            reminders_planned += result.get("planned", 0)

    outcome: dict[str, Any] = {
        "forces": sorted(t.force.code for t in terms),
        "responses": [str(r.uuid) for r in responses],
        # Published, with a revision in progress: from now on the successor's to publish.
        "revisions": [str(r.uuid) for r in revisions_in_progress(transfer, force_ids)],
        "people": moved_people,
        "reminders_cancelled": reminders_cancelled,
        "reminders_planned": reminders_planned,
    }
    transfer.carried_out_at = now
    transfer.carried_out_by = by
    transfer.outcome = outcome
    transfer.save(update_fields=["carried_out_at", "carried_out_by", "outcome"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=transfer,
        at=now,
        changes={"carried_out_at": (None, now)},
        note=(
            f"Carried out: {len(terms)} term(s), {len(responses)} open response(s), "
            f"{len(moved_people)} person(s), {reminders_cancelled} reminder(s) re-addressed"
        ),
    )
    return {**outcome, "changed": True}


def _refusal_record(transfer: FunctionTransfer, messages: list[str], now: datetime.datetime):
    """Keep why it was refused on the transfer (its page shows it to administrators) until it
    is carried out; and in the log."""
    log.warning("Transfer of functions %s not carried out: %s", transfer.uuid, messages)
    FunctionTransfer.objects.filter(pk=transfer.pk, carried_out_at__isnull=True).update(
        outcome={"refused_at": now.isoformat(), "refused": messages}
    )


def transfer_attempt(
    *, transfer: FunctionTransfer, by: User | None, now: datetime.datetime | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """Carry it out (`transfer_carry_out`); refused, nothing of it is done, and why is kept on
    the transfer for its page. Returns (what moved, None when refused; the reasons). A
    failure of the database (an IntegrityError: two rows that cannot both be) is a refusal
    like any other: its own transaction is undone, and the others go on."""
    now = now or timezone.now()
    try:
        return transfer_carry_out(transfer=transfer, by=by, now=now), []
    except ValidationError as exc:
        messages = list(exc.messages)
    except DatabaseError as exc:
        log.exception("Transfer of functions %s failed in the database", transfer.uuid)
        messages = [
            _(
                "The database refused a change (%(error)s); nothing of this transfer was "
                "done. Check the terms of its forces, then carry it out again."
            )
            % {"error": str(exc)[:300]}
        ]
    if transfer.is_due(timezone.localdate(now)):  # not for one cancelled or not yet due
        _refusal_record(transfer, messages, now)
    return None, messages


def transfers_carry_out_due(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Carry out every transfer whose day has come and that is not done yet (the daily task;
    a day it did not run is caught up the next). Each in its own transaction: one that is
    refused (something changed since it was recorded, or the database refused a row) is
    kept on the transfer for its page and logged, left for an administrator, and does not
    stop the others."""
    now = now or timezone.now()
    done = refused = 0
    for transfer in FunctionTransfer.objects.due(timezone.localdate(now)).order_by("pk"):
        outcome, _reasons = transfer_attempt(transfer=transfer, by=None, now=now)
        if outcome is None:
            refused += 1
        else:
            done += 1
    return {"carried_out": done, "refused": refused}
