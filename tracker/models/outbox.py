"""The outbox: background work recorded in the same transaction as the change that asks for it."""

import datetime

from django.db import models
from django.db.models import Q


class OutboxQuerySet(models.QuerySet):
    def waiting(self) -> "OutboxQuerySet":
        """Not sent yet (claimed by a sender or not)."""
        return self.filter(state=OutboxMessage.State.WAITING)

    def sendable(self, now: datetime.datetime) -> "OutboxQuerySet":
        """Waiting and free to claim: nobody holds it, or its sender's lease has run out."""
        return self.waiting().filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


class OutboxMessage(models.Model):
    """One piece of background work: a Celery task, by name, with its arguments.

    1. Recorded (tracker.outbox.send_on_commit) in the transaction of the change that asks
       for it, so a change that rolls back asks for nothing and one that commits cannot lose
       its work.
    2. Once that transaction commits, sent to the broker at once. If the broker cannot be
       reached, the row waits and the outbox sweep (every minute, run by beat) sends it when
       the broker is back.
    3. A sender claims the row with a conditional UPDATE (a lease in claimed_until, its own
       claim_token) before sending, and marks it sent after, so two senders never send one
       row at the same time. A sender that dies between the broker taking the task and the
       row being marked leaves a claim whose lease runs out: the task is then sent again
       (at least once; every task it sends is safe to run twice).
    """

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, help_text="The sender holding it.")
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="Why the last try failed.")

    objects = OutboxQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)!r} ({self.get_state_display()})"
