"""Deadline rules, the deadlines they give items and statutory responses, and the changes
(extensions, pauses) recorded on them.

A DeadlineRule says how a deadline is worked out (trigger, length, unit, counting mode, dates
it applies between, who must act) and how people are reminded of it (offsets before it, a
repeat once it is missed, and who is copied in at each step). Rules are data: an
administrator edits them. The arithmetic is in tracker/deadlines.py; the services that keep
deadlines and reminders in step with items and responses are in tracker.reminders.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import Organisation
from tracker import deadlines
from tracker.models.base import AppendOnlyModel
from tracker.models.items import TrackedItem
from tracker.models.reports import ReportType
from tracker.models.responses import StatutoryResponse


class DeadlineTrigger(models.TextChoices):
    REPORT_PUBLISHED = "report_published", "The report is published"
    RECOMMENDATION_MADE = "recommendation_made", "The recommendation is made"
    ITEM_CREATED = "item_created", "The item is created"
    LAST_UPDATE = "last_update", "The last progress update"


class DeadlineSubject(models.TextChoices):
    STATUTORY_RESPONSE = "statutory_response", "A statutory response to a report"
    ITEM = "item", "A tracked item"


class WhoActs(models.TextChoices):
    ITEM_OWNER = "item_owner", "The item's owner"
    FORCE = "force", "The force (its coordinator, for the chief officer)"
    PCC_OFFICE = "pcc_office", "The PCC office"


class Source(models.TextChoices):
    RULE = "rule", "Worked out from the rule"
    ITEM_DUE_DATE = "item_due_date", "The item's due date"
    REPORT_TARGET = "report_target", "The target the report states"
    LOCAL_TARGET = "local_target", "The local target the PCC office set"
    CHIEF_OFFICER_DUE_DATE = "chief_officer_due_date", "The date the PCC office set"


class DeadlineRule(models.Model):
    """How one kind of deadline is worked out, and how people are reminded of it."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    subject = models.CharField(
        max_length=30, choices=DeadlineSubject.choices, help_text="What the deadline is on."
    )
    trigger = models.CharField(max_length=30, choices=DeadlineTrigger.choices)
    source = models.CharField(
        max_length=30,
        choices=Source.choices,
        default=Source.RULE,
        help_text="Where the date comes from. When a person sets it, the length is the default.",
    )
    length = models.IntegerField(help_text="How many units the period lasts.")
    unit = models.CharField(
        max_length=20,
        choices=[
            ("calendar_days", "Calendar days"),
            ("working_days", "Working days (England and Wales)"),
            ("months", "Months"),
        ],
    )
    counting = models.CharField(
        max_length=20,
        choices=[
            ("beginning_with", "Beginning with the trigger day (it is day 1)"),
            ("after", "After the trigger day"),
        ],
    )
    applies_from = models.DateField(
        null=True, blank=True, help_text="The rule applies to triggers on or after this day."
    )
    applies_until = models.DateField(
        null=True, blank=True, help_text="The rule applies to triggers on or before this day."
    )
    report_types = models.CharField(
        max_length=200,
        blank=True,
        help_text="Report types it applies to, separated by commas (blank: every type).",
    )
    who_must_act = models.CharField(max_length=20, choices=WhoActs.choices)
    statutory = models.BooleanField(default=False)
    legal_basis = models.CharField(max_length=200, blank=True)
    legal_basis_url = models.URLField(
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="The provision on legislation.gov.uk, shown as a link on the rules page.",
    )
    legal_text = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="The words of the law the rule follows, quoted.",
    )
    description = models.TextField(blank=True)
    extendable = models.BooleanField(
        default=False, help_text="Whether the deadline can be extended or paused."
    )
    extended_by = models.CharField(
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="Who may grant an extension under the law, for example “the Director "
        "General”. When set, an extension records the day it was applied for and who "
        "granted it.",
    )
    apply_before_end = models.BooleanField(
        default=False,
        db_default=False,
        help_text="An extension can be granted only on an application received before the "
        "period ends (para 28B(3) Sch 3 Police Reform Act 2002).",
    )
    publication_by = models.CharField(
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="Who publishes the response once received, for example “the Director "
        "General” (blank: no publication step).",
    )
    publication_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days, beginning with the day the response is received, within which it is "
        "published.",
    )
    active = models.BooleanField(default=True)
    # The reminder schedule.
    reminder_offsets = models.CharField(
        max_length=100,
        default="28, 14, 7, 3, 1, 0",
        help_text="Days before the deadline to send reminders (0 is the day itself).",
    )
    repeat_after_missed_days = models.PositiveIntegerField(
        default=7, help_text="Remind again every this many days once missed (0: do not repeat)."
    )
    coordinator_from_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=3,
        help_text="Copy in the force coordinator from this many days before the deadline "
        "(blank: only once it is missed).",
    )
    oversight_from_missed = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=1,
        help_text="Copy in the PCC office and the accountable lead from this reminder after "
        "the deadline is missed (1 is the first; blank: never).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.length is not None and self.length < 0:
            errors["length"] = "The length must be 0 or more."
        elif self.length is not None and self.unit and self.counting:
            try:
                deadlines.period_end(
                    datetime.date(2000, 1, 1), self.length, self.unit, self.counting
                )
            except ValueError as exc:
                errors["length"] = str(exc)
        try:
            deadlines.parse_offsets(self.reminder_offsets)
        except ValueError as exc:
            errors["reminder_offsets"] = str(exc)
        if self.oversight_from_missed == 0:
            errors["oversight_from_missed"] = "Enter 1 or more, or leave it blank for never."
        for name, most in (
            ("repeat_after_missed_days", 365),
            ("coordinator_from_days", 365),
            ("oversight_from_missed", 52),
        ):
            value = getattr(self, name)
            if value is not None and value > most:
                errors[name] = f"This must be {most} or less."
        if self.publication_days is not None and not 1 <= self.publication_days <= 365:
            errors["publication_days"] = "Enter a number of days from 1 to 365, or leave it blank."
        elif bool(self.publication_by.strip()) != (self.publication_days is not None):
            errors["publication_days"] = (
                "Give both who publishes the response and within how many days, or neither."
            )
        if self.apply_before_end and not self.extended_by.strip():
            errors["extended_by"] = "Say who grants an extension applied for before the end."
        if self.applies_from and self.applies_until and self.applies_until < self.applies_from:
            errors["applies_until"] = "The rule must stop applying on or after it starts."
        unknown = [t for t in self.report_type_list if t not in ReportType.values]
        if unknown:
            errors["report_types"] = (
                f"“{unknown[0]}” is not a report type. Use: {', '.join(ReportType.values)}."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def report_type_list(self) -> list[str]:
        return [t.strip() for t in self.report_types.split(",") if t.strip()]

    @property
    def offsets(self) -> list[int]:
        return deadlines.parse_offsets(self.reminder_offsets)

    def applies_on(self, day: datetime.date) -> bool:
        return (self.applies_from is None or day >= self.applies_from) and (
            self.applies_until is None or day <= self.applies_until
        )

    def applies_to_report(self, report) -> bool:
        types = self.report_type_list
        return not types or report.report_type in types


class DeadlineState(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    WITHDRAWN = "withdrawn", "No longer applies"


class Deadline(models.Model):
    """One deadline on one item or statutory response, kept in step by tracker.reminders.

    `due_on` is the deadline now (after extensions and pauses; empty while paused);
    `original_due_on` is the first one, which stays visible. `version` goes up each time
    `due_on` moves, so reminders planned for an old date are never sent for the new one.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="deadlines")
    item = models.ForeignKey(
        TrackedItem, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    response = models.ForeignKey(
        StatutoryResponse,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    trigger_on = models.DateField()
    original_due_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=20, choices=DeadlineState.choices, default="open")
    met_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "item"], name="one_deadline_per_item_rule"),
            models.UniqueConstraint(
                fields=["rule", "response"], name="one_deadline_per_response_rule"
            ),
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, response__isnull=True)
                | models.Q(item__isnull=True, response__isnull=False),
                name="deadline_on_item_or_response",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["force", "state"]),
        ]

    def __str__(self):
        return f"{self.rule.name}: {self.due_on or 'paused'}"

    @property
    def paused(self) -> bool:
        return self.state == DeadlineState.OPEN and self.due_on is None

    @property
    def moved(self) -> bool:
        return self.due_on is not None and self.due_on != self.original_due_on

    def days_left(self, today: datetime.date) -> int | None:
        return None if self.due_on is None else (self.due_on - today).days

    @property
    def done_word(self) -> str:
        """What meeting this deadline means: the PCC office publishes; others do."""
        return "Published" if self.rule.who_must_act == WhoActs.PCC_OFFICE else "Done"

    @property
    def show_original(self) -> bool:
        """Whether to show the original date: a rolling deadline (the next progress update)
        moves with each update, which is not an extension."""
        if self.rule.trigger == DeadlineTrigger.LAST_UPDATE:
            return False
        return self.paused or self.moved

    @property
    def days_late(self) -> int:
        """How many days after the deadline it was met (0 when on time or not met)."""
        if self.met_on is None or self.due_on is None:
            return 0
        return max(0, (self.met_on - self.due_on).days)


class DeadlineChange(AppendOnlyModel):
    """An extension, pause, resumption or recalculation of a deadline, with who approved it."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", "Extended"
        PAUSE = "pause", "Paused"
        RESUME = "resume", "Resumed"
        RECALCULATED = "recalculated", "Recalculated"
        # Steps, not changes of the date: the response provided, and its publication by the
        # body that received it (para 28B(5) Sch 3 Police Reform Act 2002).
        RESPONSE_SENT = "response_sent", "Response provided"
        PUBLISHED = "published", "Response published"

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    on_date = models.DateField(
        null=True, blank=True, help_text="The new deadline, or the day a pause starts or ends."
    )
    previous_due_on = models.DateField(null=True, blank=True)
    new_due_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    applied_on = models.DateField(
        null=True,
        blank=True,
        help_text="For an extension: the day the application for it was received.",
    )
    approved_by = models.CharField(max_length=200, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.previous_due_on} -> {self.new_due_on}"
