"""The sweep: send every reminder that is due, then the notices and digests; and the health of
the sweeps, for the page that shows whether reminders are going out."""

import datetime
import logging
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone

from accounts.models import ReminderDelivery
from tracker.models import (
    DeadlineState,
    Digest,
    Notification,
    Reminder,
    ReminderState,
    SweepRun,
)
from tracker.reminders.digests import digests_run
from tracker.reminders.mail import (
    BATCH,
    MailServerDown,
    build_email,
    is_connection_error,
    is_permanent_failure,
    reminder_message,
    reminder_message_id,
    retry_backoff,
    row_finish,
    rows_claim,
    rows_due,
    rows_held,
    rows_release,
)
from tracker.reminders.notices import notices_send
from tracker.reminders.plan import reminders_plan, target_open

log = logging.getLogger(__name__)


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
    if not target_open(deadline):
        return "The item was closed."
    if not reminder.recipient.is_active:
        return "The recipient's account is deactivated."
    return ""


def _finish(reminder: Reminder, **fields: object) -> None:
    """Record the outcome, only while this sweep still holds the claim."""
    if reminder.claim_token is None:  # only claimed rows reach here (rows_held)
        raise ValueError(f"Reminder {reminder.pk} is not claimed by this sweep.")
    row_finish(Reminder, reminder.pk, token=reminder.claim_token, **fields)


@dataclass
class Outgoing:
    reminder: Reminder
    message: dict
    by_email: bool


def _prepare(reminders_: list[Reminder], now, result: SweepResult, planned: set) -> list[Outgoing]:
    """Cancel what is no longer wanted; word the rest and record their notifications (in one
    query, so a retry after a crash finds them already there). Before a missed-deadline
    reminder goes, plan the deadline's next repeat (only steps still to come, so a long
    outage gives one late reminder, not one per missed week): done first, a crash cannot leave
    a deadline with no repeat planned, and nothing but the sent mark waits on the mail."""
    outgoing = []
    for reminder in reminders_:
        reason = _still_wanted(reminder)
        if reason:
            _finish(reminder, state=ReminderState.CANCELLED, note=reason)
            result.cancelled += 1
            continue
        if reminder.step.startswith("missed-") and reminder.deadline_id not in planned:
            reminders_plan(reminder.deadline, now=now, include_current=False)
            planned.add(reminder.deadline_id)
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


def _send_one(out: Outgoing, now, connection, result: SweepResult) -> None:
    """Send one claimed reminder, on its own, and mark it sent with one UPDATE as soon as the
    mail server has accepted it, before the next message goes: a worker that dies in between
    leaves one message to be sent again, with the same Message-ID."""
    reminder, message, recipient = out.reminder, out.message, out.reminder.recipient
    if out.by_email:
        email = build_email(
            recipient,
            message["subject"],
            message["text"],
            message["html"],
            headers={
                "X-Tracker-Reminder": f"{reminder.pk}",
                "Message-ID": reminder_message_id(reminder),
            },
        )
        try:
            connection.send_messages([email])
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is lost
            _record_failure(reminder, exc, now, result)
            if not is_permanent_failure(exc) and is_connection_error(exc):
                raise MailServerDown(str(exc)) from exc
            return
    _finish(
        reminder,
        state=ReminderState.SENT,
        sent_at=now,
        late=message["late"],
        by_email=out.by_email,
        note="",
    )
    result.sent += 1
    result.late += int(message["late"])
    result.lines.append(
        f"{'late ' if message['late'] else ''}{reminder.step} to {recipient.email}: "
        f"{message['subject']}"
    )


def _record_failure(reminder: Reminder, exc: Exception, now, result: SweepResult) -> None:
    error = f"{type(exc).__name__}: {exc}"[:280]
    attempts = reminder.attempts  # the claim counted this attempt
    if is_permanent_failure(exc) or attempts >= settings.REMINDER_MAX_ATTEMPTS:
        why = "The mail server refused the address" if is_permanent_failure(exc) else "Gave up"
        _finish(reminder, state=ReminderState.FAILED, note=f"{why}. {error}"[:300])
        result.failed += 1
        log.error("Reminder %s failed for good: %s", reminder.pk, error)
    else:
        _finish(
            reminder,
            state=ReminderState.PENDING,
            claimed_until=None,
            next_attempt_at=now + retry_backoff(attempts),
            note=f"Will retry. {error}"[:300],
        )
        result.retried += 1
        log.warning("Reminder %s will be retried: %s", reminder.pk, error)


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
       the notifications, and for a missed-deadline reminder plan the next repeat.
    4. Send each email on its own over one SMTP connection, with a Message-ID derived from
       its row, and mark it sent by its own UPDATE as soon as the server accepts it, before
       the next goes (late if it went out after it was due). So a worker that dies mid-sweep
       leaves at most one message to be repeated, with the same Message-ID. A batch that
       takes longer than most of its claim gives the rest back, so no claim lapses while this
       sweep still holds it.
    5. On a mail server error: a refused address fails for good at once; anything else is
       retried with backoff, and a server that cannot be reached stops the sweep (raised as
       MailServerDown, which the Celery task retries with backoff).
    """
    now = now or timezone.now()
    run = SweepRun.objects.create(started_at=timezone.now(), clock=now, via=via)
    result = SweepResult()
    planned: set = set()
    token = uuid.uuid4()
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
                for pk in rows_due(Reminder, now=now)
                .order_by("next_attempt_at", "id")
                .values_list("pk", flat=True)[:BATCH]
                if pk not in seen
            ]
            if not batch:
                break
            seen.update(batch)
            claimed_at = time.monotonic()
            rows_claim(Reminder, batch, now=now, token=token)
            claimed = rows_held(Reminder, batch, token=token)
            rows = (
                Reminder.objects.filter(pk__in=claimed)
                .select_related(*SELECT_FOR_SENDING)
                .order_by("next_attempt_at", "id")
            )
            outgoing = _prepare(list(rows), now, result, planned)
            for n, out in enumerate(outgoing):
                if time.monotonic() - claimed_at > hold_for:
                    rest = [o.reminder.pk for o in outgoing[n:]]
                    rows_release(Reminder, rest, token=token)
                    seen.difference_update(rest)
                    break
                try:
                    _send_one(out, now, connection, result)
                except MailServerDown:
                    # Give the rest of the batch back at once, untried.
                    rows_release(Reminder, [o.reminder.pk for o in outgoing[n + 1 :]], token=token)
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
        "due_now": rows_due(Reminder, now=now).count(),
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
