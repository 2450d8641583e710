"""The outbox: background work asked for inside a transaction is recorded as a row in that
transaction, and sent to the broker after it commits (tracker/models/outbox.py).

Services ask for a task with `send_on_commit(background.READ_REPORT_IMPORT, pk)` instead of
enqueueing it themselves. If the broker (Redis) is down when the change commits, nothing is
lost and nothing fails: the row waits, and `outbox_sweep` (the `send_outbox` task, run by beat
every OUTBOX_SWEEP_SECONDS, and at the start of each reminder sweep) sends what is left once
the broker is back.

Delivery is at least once: each row is claimed with a conditional UPDATE before it is sent,
so two sweeps never send one row at the same time; a sender that dies after the broker took
the task and before the row is marked leaves its claim to run out (LEASE), and the task is
sent again. Every task sent this way is safe to run twice (each re-reads its rows and claims
what it changes), except that a password email could then arrive twice.
"""

import datetime
import enum
import logging
import uuid
from functools import partial

from celery.exceptions import NotRegistered
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from tracker import background
from tracker.models import OutboxMessage

log = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=2)  # far longer than one send, even to a slow broker
BATCH = 500
KEEP_SENT = datetime.timedelta(days=7)


class Outcome(enum.Enum):
    SENT = "sent"
    TAKEN = "taken"  # sent already, or another sender holds it
    BROKER_DOWN = "broker down"
    FAILED = "failed"  # no such task: it will never be sent
    ERROR = "error"  # something else went wrong; tried again by the next sweep


def is_broker_down(exc: BaseException) -> bool:
    """The broker could not be reached (Celery's publish wraps the connection error)."""
    return isinstance(exc, OperationalError | ConnectionError | TimeoutError)


def send_on_commit(task_name: str, *args: object) -> OutboxMessage:
    """Ask for a task to run in the background: recorded now (in the current transaction,
    if any) and sent once that transaction commits, or by the outbox sweep if the broker
    cannot take it then. Arguments must be JSON values (ids, strings).

    The row is born claimed by this process (a lease, its own token), so the sweep leaves it
    alone while it is sent after commit, and the request writes one row and marks it sent:
    no claim of its own. A process that dies before sending leaves a lease that runs out."""
    now = timezone.now()
    token = uuid.uuid4()
    message = OutboxMessage.objects.create(
        task_name=task_name,
        args=list(args),
        created_at=now,
        claimed_until=now + LEASE,
        claim_token=token,
        attempts=1,
    )
    transaction.on_commit(partial(message_send_after_commit, message, token), robust=True)
    return message


def message_send_after_commit(message: OutboxMessage, token: uuid.UUID) -> None:
    """Right after commit: send it now if the broker takes it; never raise into the request
    (a row that could not be sent waits for the sweep)."""
    try:
        now = timezone.now()
        if message.claimed_until and now < message.claimed_until - LEASE / 2:
            _deliver(message, token)
            return
        # A long transaction: renew the claim first, unless a sweep took the row meanwhile.
        mine = OutboxMessage.objects.waiting().filter(pk=message.pk, claim_token=token)
        if mine.update(claimed_until=now + LEASE):
            _deliver(message, token)
    except Exception:  # noqa: BLE001 - the row is still there; the sweep sends it
        log.warning("Could not send outbox message %s; the outbox sweep will.", message.pk)


def message_send(message_id: int, *, now: datetime.datetime | None = None) -> Outcome:
    """Claim one waiting row and send it (the sweep's way).

    1. Claim: a conditional UPDATE that succeeds only if the row is waiting and nobody holds
       it (or the holder's lease has run out); otherwise another sender has it: TAKEN.
    2. Send it (`_deliver`).
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id)
        .sendable(now)
        .update(claimed_until=now + LEASE, claim_token=token, attempts=F("attempts") + 1)
    )
    if not claimed:
        return Outcome.TAKEN
    return _deliver(OutboxMessage.objects.get(pk=message_id), token)


def _deliver(message: OutboxMessage, token: uuid.UUID) -> Outcome:
    """Send a row this sender holds (its token) to the broker, by task name, and mark it
    sent, only if this sender still holds it. A broker that cannot be reached puts the row
    back for the sweep (BROKER_DOWN); a task this version does not know fails the row for
    good (FAILED)."""
    mine = OutboxMessage.objects.filter(pk=message.pk, claim_token=token)
    try:
        background.send(message.task_name, *message.args)
    except NotRegistered:
        mine.update(
            state=OutboxMessage.State.FAILED,
            claimed_until=None,
            note=f"There is no task called {message.task_name}."[:300],
        )
        log.error("Outbox message %s names no known task (%s).", message.pk, message.task_name)
        return Outcome.FAILED
    except Exception as exc:  # noqa: BLE001 - put it back for the next sweep, whatever it was
        down = is_broker_down(exc)
        what = "The broker could not be reached" if down else "Sending failed"
        mine.update(claimed_until=None, claim_token=None, note=f"{what}: {exc}"[:300])
        if not down:
            log.exception("Could not send outbox message %s.", message.pk)
        return Outcome.BROKER_DOWN if down else Outcome.ERROR
    mine.update(state=OutboxMessage.State.SENT, sent_at=timezone.now(), claimed_until=None, note="")
    return Outcome.SENT


def outbox_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send what is waiting, oldest first; stop at the first sign the broker is down (the
    next sweep tries again, so a sweep while Redis is down ends quietly, never in a loop).
    Sent rows older than KEEP_SENT are deleted."""
    now = now or timezone.now()
    counts = {outcome.value: 0 for outcome in Outcome}
    waiting = OutboxMessage.objects.sendable(now).order_by("created_at", "id")
    for message_id in list(waiting.values_list("pk", flat=True)[:BATCH]):
        outcome = message_send(message_id, now=now)
        counts[outcome.value] += 1
        if outcome is Outcome.BROKER_DOWN:
            log.warning("The broker cannot be reached; the outbox sweep stops until next time.")
            break
    OutboxMessage.objects.filter(
        state=OutboxMessage.State.SENT, sent_at__lt=now - KEEP_SENT
    ).delete()
    return counts


def is_waiting(task_name: str, *args: object) -> bool:
    """Whether this task, with these arguments, is still waiting to be sent (the broker
    could not take it when it was asked for)."""
    return OutboxMessage.objects.waiting().filter(task_name=task_name, args=list(args)).exists()


def outbox_waiting_count() -> int:
    """How many tasks are waiting to be sent (for the health and metrics pages)."""
    return OutboxMessage.objects.waiting().count()
