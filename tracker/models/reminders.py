"""Reminders of deadlines, the digests that gather them, the notifications people see in the
app, and a record of each reminder sweep."""

from django.conf import settings
from django.db import models

from tracker.models.deadlines import Deadline


class ReminderState(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class ClaimedRow(models.Model):
    """What a reminder and a digest share: a row sent once, by whoever claims it first.

    1. Due rows are found by range (state pending, next_attempt_at <= now), so a run that
       did not happen catches up instead of skipping anyone.
    2. A sender claims a row with a conditional UPDATE (to sending, stamped with its
       claim_token and a lease in claimed_until) and sends only if the UPDATE changed it, so
       two sweeps, a retry or two workers do not both send it.
    3. It finishes as sent, cancelled or failed (the note says why), or goes back to pending
       with a later next_attempt_at to be tried again. A claim whose lease has run out may be
       taken again, so a worker stopped mid-send strands nothing.

    Delivery is at least once: a row is marked sent as soon as the mail server accepts its
    message, so a repeat is possible only when a worker dies between the two, and the repeat
    carries the same Message-ID (tracker.reminders.mail.message_id).
    """

    state = models.CharField(max_length=20, choices=ReminderState.choices, default="pending")
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, help_text="The sweep holding it.")
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["state", "next_attempt_at"])]


class Reminder(ClaimedRow):
    """One reminder due to one person about one deadline.

    The unique key (deadline, version, step, recipient) means a reminder is planned once.
    Sending claims the row with a conditional UPDATE first, so two sweeps, a retry or two
    workers do not both send it (a worker that dies after the mail server accepted it but
    before marking it leaves one repeat, with the same Message-ID); due rows are found by
    range (next_attempt_at <= now), so a sweep that did not run catches up.
    """

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    deadline_version = models.PositiveIntegerField()
    step = models.CharField(max_length=20, help_text="before-N, or missed-N.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    due_at = models.DateTimeField()
    late = models.BooleanField(default=False, help_text="Sent after it was due (catch-up).")
    by_email = models.BooleanField(default=False, help_text="Sent on its own by email.")
    # The same field as ClaimedRow's, with this model's own help text (which the migrations
    # record, so it stays as it was).
    note = models.CharField(max_length=300, blank=True, help_text="Why cancelled or failed.")

    class Meta(ClaimedRow.Meta):
        ordering = ["due_at", "id"]
        # The sweep takes the oldest due rows a batch at a time (state, next_attempt_at, id):
        # in index order, so each batch reads its own rows, not every row still due.
        indexes = [models.Index(fields=["state", "next_attempt_at", "id"], name="reminder_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "deadline_version", "step", "recipient"],
                name="one_reminder_per_step",
            ),
        ]

    def __str__(self):
        return f"{self.step} to {self.recipient_id} for deadline {self.deadline_id}"


class Notification(models.Model):
    """What a person sees in the app's notifications list (and, for digest readers, the
    lines of their next digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    reminder = models.OneToOneField(
        Reminder, on_delete=models.CASCADE, null=True, blank=True, related_name="notification"
    )
    created_at = models.DateTimeField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    awaiting_digest = models.BooleanField(default=False)
    email_state = models.CharField(
        max_length=10,
        blank=True,
        choices=[
            ("pending", "To send"),
            ("sending", "Being sent"),
            ("sent", "Sent"),
            ("failed", "Failed"),
        ],
        help_text="For notices sent by email on their own (not reminders, which have rows).",
    )
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "awaiting_digest"]),
            models.Index(fields=["email_state", "created_at"]),
        ]

    def __str__(self):
        return self.subject


class Digest(ClaimedRow):
    """One digest email to one person for one period; the unique key stops a second send."""

    class Kind(models.TextChoices):
        DAILY = "daily", "Daily reminders digest"
        WEEKLY = "weekly", "Weekly reminders digest"
        OVERDUE = "overdue", "Weekly overdue digest"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateField()
    line_count = models.PositiveIntegerField(default=0)
    # The same field as ClaimedRow's, with this model's own help text (which the migrations
    # record, so it stays as it was).
    claim_token = models.UUIDField(null=True, blank=True, help_text="The run holding it.")

    class Meta(ClaimedRow.Meta):
        ordering = ["-period_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "period_start"], name="one_digest"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user_id} from {self.period_start}"


class SweepRun(models.Model):
    """A record of each reminder sweep, for the health page."""

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    clock = models.DateTimeField(help_text="The time the sweep ran as (run_reminders --now).")
    via = models.CharField(max_length=20)
    sent = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    retried = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    digests = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Sweep at {self.started_at:%Y-%m-%d %H:%M}"
