"""The sweep: send every reminder that is due, then the notices and digests; and the health of
the sweeps, for the page that shows whether reminders are going out."""

import datetime
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from accounts.models import ReminderDelivery
from tracker import webhooks
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
    REMINDER_BATCH,
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
    rows_finish_many,
    rows_release,
)
from tracker.reminders.notices import notices_send
from tracker.reminders.plan import people_remembered, reminders_plan, target_open
from tracker.reminders.unsubscribe import EACH, digest_wanted

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
    if reminder.claim_token is None:  # only claimed rows reach here (_claim_batch)
        raise ValueError(f"Reminder {reminder.pk} is not claimed by this sweep.")
    row_finish(Reminder, reminder.pk, token=reminder.claim_token, **fields)


@dataclass
class Outgoing:
    reminder: Reminder
    message: dict
    by_email: bool


SELECT_FOR_SENDING = (
    "recipient",
    "deadline__rule",
    "deadline__force",
    "deadline__item__finding__report__marking",
    "deadline__item__marking",
    "deadline__item__owner",
    "deadline__item__lead",
    "deadline__response__report",
)


def _claim_batch(now, token: uuid.UUID, seen: set) -> tuple[list[int], list[Reminder]]:
    """The next batch: the oldest due rows not yet tried by this sweep, claimed with one
    conditional UPDATE, then read with everything their messages need in one query. Returns
    the rows asked for (empty when nothing is left) and those this sweep won."""
    # rows_due in two parts, each read in index order and cut at the batch: the waiting rows
    # (an OR of both would fetch and sort every row still due, for every batch), and the few
    # claimed by a sweep whose claim has lapsed.
    order = ("next_attempt_at", "id")
    waiting = Reminder.objects.filter(state=ReminderState.PENDING, next_attempt_at__lte=now)
    lapsed = Reminder.objects.filter(state=ReminderState.SENDING, claimed_until__lt=timezone.now())
    oldest = sorted(
        [
            *waiting.order_by(*order).values_list(*order)[:REMINDER_BATCH],
            *lapsed.order_by(*order).values_list(*order)[:REMINDER_BATCH],
        ]
    )[:REMINDER_BATCH]
    ids = [pk for _, pk in oldest if pk not in seen]
    if not ids:
        return [], []
    seen.update(ids)
    rows_claim(Reminder, ids, now=now, token=token)
    won = (
        Reminder.objects.filter(pk__in=ids, state=ReminderState.SENDING, claim_token=token)
        .select_related(*SELECT_FOR_SENDING)
        .order_by("next_attempt_at", "id")
    )
    return ids, list(won)


def _line(reminder: Reminder, message: dict) -> str:
    late = "late " if message["late"] else ""
    return f"{late}{reminder.step} to {reminder.recipient.email}: {message['subject']}"


def _prepare(
    reminders_: list[Reminder], now, result: SweepResult, planned: set, token: uuid.UUID
) -> list[Outgoing]:
    """Settle a claimed batch before any of it is emailed, in one transaction: cancel what is
    no longer wanted (one UPDATE a reason), record the notifications (one INSERT, so a retry
    after a crash finds them already there), finish the rows of people who read reminders
    in the app and their digest (one UPDATE, nothing is emailed for them), and before a
    missed-deadline reminder goes, plan the deadline's next repeat (only steps still to come,
    so a long outage gives one late reminder, not one per missed week): done first, a crash
    cannot leave a deadline with no repeat planned, and nothing but each sent mark waits on
    the mail. Returns the rows to email, in order."""
    cancel: dict[str, list[int]] = defaultdict(list)
    outgoing = []
    memo: dict = {}  # protective markings, looked up once for items that inherit alike
    for reminder in reminders_:
        reason = _still_wanted(reminder)
        if reason:
            cancel[reason].append(reminder.pk)
            continue
        by_email = reminder.recipient.reminder_delivery == ReminderDelivery.EACH
        message = reminder_message(reminder, now=now, memo=memo)
        outgoing.append(Outgoing(reminder, message, by_email))
    in_app = defaultdict(list)  # late or not -> rows only shown in the app
    for out in outgoing:
        if not out.by_email:
            in_app[out.message["late"]].append(out)
    with transaction.atomic(), people_remembered():
        for reason, ids in cancel.items():
            result.cancelled += rows_finish_many(
                Reminder, ids, token=token, state=ReminderState.CANCELLED, note=reason
            )
        for out in outgoing:
            deadline = out.reminder.deadline
            if out.reminder.step.startswith("missed-") and deadline.pk not in planned:
                reminders_plan(deadline, now=now, include_current=False)
                planned.add(deadline.pk)
        # Issue 15: each deadline step going out is a webhook event (approaching or missed).
        webhooks.reminders_recorded([o.reminder for o in outgoing], now=now)
        Notification.objects.bulk_create(
            [
                Notification(
                    user=o.reminder.recipient,
                    reminder=o.reminder,
                    created_at=now,
                    subject=o.message["title"],
                    body=o.message["text"],
                    url=o.message["url"],
                    awaiting_digest=not o.by_email and digest_wanted(o.reminder.recipient),
                )
                for o in outgoing
            ],
            ignore_conflicts=True,
        )
        for late, outs in in_app.items():
            done = rows_finish_many(
                Reminder,
                [o.reminder.pk for o in outs],
                token=token,
                state=ReminderState.SENT,
                sent_at=now,
                late=late,
                by_email=False,
                note="",
            )
            result.sent += done
            result.late += done if late else 0
            result.lines += [_line(o.reminder, o.message) for o in outs]
    return [o for o in outgoing if o.by_email]


def _send_one(out: Outgoing, now, connection, result: SweepResult) -> None:
    """Send one claimed reminder, on its own, and mark it sent with one UPDATE as soon as the
    mail server has accepted it, before the next message goes: a worker that dies in between
    leaves one message to be sent again, with the same Message-ID."""
    reminder, message, recipient = out.reminder, out.message, out.reminder.recipient
    email = build_email(
        recipient,
        message["subject"],
        message["text"],
        message["html"],
        headers={
            "X-Tracker-Reminder": f"{reminder.pk}",
            "Message-ID": reminder_message_id(reminder),
        },
        kind=EACH,
    )
    try:
        connection.send_messages([email])
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is lost
        _record_failure(reminder, exc, now, result)
        if not is_permanent_failure(exc) and is_connection_error(exc):
            raise MailServerDown(str(exc)) from exc
        return
    # The only statement between the server's acceptance and the next message.
    _finish(
        reminder,
        state=ReminderState.SENT,
        sent_at=now,
        late=message["late"],
        by_email=True,
        note="",
    )
    result.sent += 1
    result.late += int(message["late"])
    result.lines.append(_line(reminder, message))


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


def _send_batch(
    outgoing: list[Outgoing], now, result: SweepResult, token: uuid.UUID, deadline: float
) -> list[int]:
    """Email a batch over one SMTP connection, each message on its own and marked sent as
    soon as the server accepts it. Past `deadline` (time.monotonic(); most of the claim
    spent) the rest is given back untried; returns their ids. A server that cannot be
    reached gives back everything not yet tried and stops the sweep (MailServerDown)."""
    if not outgoing:
        return []
    connection = get_connection()
    try:
        try:
            connection.open()
        except OSError as exc:
            rows_release(Reminder, [o.reminder.pk for o in outgoing], token=token)
            raise MailServerDown(str(exc)) from exc
        for n, out in enumerate(outgoing):
            if time.monotonic() > deadline:
                rest = [o.reminder.pk for o in outgoing[n:]]
                rows_release(Reminder, rest, token=token)
                return rest
            try:
                _send_one(out, now, connection, result)
            except MailServerDown:
                # Give the rest of the batch back at once, untried.
                rows_release(Reminder, [o.reminder.pk for o in outgoing[n + 1 :]], token=token)
                raise
    finally:
        connection.close()
    return []


def sweep(*, now: datetime.datetime | None = None, via: str = "command") -> SweepResult:
    """Send every reminder that is due at `now`, then the notices and digests that are due.

    1. Find due rows by range (waiting and due at or before now, or claimed by a sweep whose
       claim has lapsed), oldest first, REMINDER_BATCH at a time.
    2. Claim a batch with one conditional UPDATE stamped with this sweep's token (rows
       another sweep won are left to it), and read the rows it won with their deadlines,
       items and recipients in one query.
    3. Check each is still wanted (same deadline version, deadline open, item open) and word
       it; then in one transaction cancel the rest, record the notifications, finish the rows
       of people who take a digest, and for a missed-deadline reminder plan the next repeat.
    4. Open one SMTP connection for the batch and send each email on its own, with a
       Message-ID derived from its row, and mark it sent by its own UPDATE as soon as the
       server accepts it, before the next goes (late if it went out after it was due). So a
       worker that dies mid-sweep leaves at most one message to be repeated, with the same
       Message-ID. A batch that takes longer than most of its claim gives the rest back, so
       no claim lapses while this sweep still holds it.
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
    try:
        seen: set = set()
        while True:
            claimed_at = time.monotonic()
            asked, rows = _claim_batch(now, token, seen)
            if not asked:
                break
            outgoing = _prepare(rows, now, result, planned, token)
            given_back = _send_batch(outgoing, now, result, token, claimed_at + hold_for)
            seen.difference_update(given_back)
        connection = get_connection()
        try:
            try:
                connection.open()
            except OSError as exc:
                raise MailServerDown(str(exc)) from exc
            result.sent += notices_send(now=now, connection=connection)
            result.digests = digests_run(now=now, connection=connection)
        finally:
            connection.close()
    except MailServerDown as exc:
        run.error = f"The mail server could not be reached: {exc}"[:2000]
        raise
    finally:
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
