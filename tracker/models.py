"""Reports, what they found, and the items each force tracks until they are done.

Writes go through tracker/services.py, which records who changed what and when. The history
rows (status changes, due date revisions, progress updates, closure decisions, audit events)
are append-only: once saved they cannot be changed or deleted through the ORM.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models

from accounts.models import Organisation


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a history row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be deleted.")


class AppendOnlyModel(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")


class GradingScale(models.TextChoices):
    BASELINE = "baseline", "Baseline assessment (Excellent, Good, Fair, Poor)"
    PEEL_2014 = "peel_2014", "PEEL 2014 to 2019 (Outstanding to Inadequate)"
    PEEL_2021 = "peel_2021", "PEEL 2021 onward (Outstanding to Inadequate, with Adequate)"
    NONE = "none", "Not graded"


GRADES = {
    GradingScale.BASELINE: ["Excellent", "Good", "Fair", "Poor", "Not graded"],
    GradingScale.PEEL_2014: [
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
        "Not graded",
    ],
    GradingScale.PEEL_2021: [
        "Outstanding",
        "Good",
        "Adequate",
        "Requires improvement",
        "Inadequate",
        "Not graded",
    ],
    GradingScale.NONE: [],
}
DIRECTIONS = ["Improved", "Stable", "Declined", "Not graded"]


class ReportType(models.TextChoices):
    PEEL_EFFECTIVENESS = "peel_effectiveness", "PEEL effectiveness"
    BASELINE_ASSESSMENT = "baseline_assessment", "Baseline assessment"
    THEMATIC = "thematic", "National thematic"
    OTHER = "other", "Other inspection"


class ReportQuerySet(models.QuerySet):
    def for_forces(self, force_ids):
        if force_ids is None:
            return self
        return self.filter(forces__in=force_ids).distinct()


class Report(models.Model):
    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"

    key = models.SlugField(max_length=120, unique=True)
    inspectorate = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="reports_published"
    )
    inspectorate_label = models.CharField(
        max_length=20, help_text="The inspectorate's name when it published (HMIC or HMICFRS)."
    )
    title = models.CharField(max_length=400)
    report_type = models.CharField(max_length=40, choices=ReportType.choices)
    published_on = models.DateField()
    published_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.DAY
    )
    url = models.URLField(blank=True, max_length=500)
    national = models.BooleanField(default=False, help_text="National or thematic report.")
    grading_scale = models.CharField(max_length=20, choices=GradingScale.choices)
    forces = models.ManyToManyField(
        Organisation, related_name="reports", limit_choices_to={"kind": Organisation.Kind.FORCE}
    )
    source_document = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self):
        return self.title

    @property
    def published_display(self) -> str:
        if self.published_precision == self.Precision.MONTH:
            return self.published_on.strftime("%B %Y")
        return f"{self.published_on.day} {self.published_on.strftime('%B %Y')}"


class Judgement(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="judgements")
    force = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(max_length=20, blank=True)
    area = models.CharField(max_length=400)
    grade = models.CharField(max_length=40)
    direction = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["report", "order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "area", "force"], name="unique_judgement"),
        ]

    def __str__(self):
        return f"{self.area}: {self.grade}"


class FindingKind(models.TextChoices):
    CAUSE_OF_CONCERN = "cause_of_concern", "Cause of concern"
    RECOMMENDATION = "recommendation", "Recommendation"
    AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"
    FINDING = "finding", "Finding"


class Finding(models.Model):
    key = models.CharField(max_length=160, unique=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The cause of concern a recommendation answers.",
    )
    reference = models.CharField(max_length=20, blank=True)
    area = models.CharField(max_length=400, blank=True)
    text = models.TextField(help_text="Exactly as published.")
    target_text = models.CharField(
        max_length=200, blank=True, help_text='The report\'s own target, e.g. "immediately".'
    )
    target_date = models.DateField(null=True, blank=True)
    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the finding is about one force only.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["report", "order"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:80]}"

    @property
    def summary(self) -> str:
        """The text on one line, cut at a word near 160 characters, for lists and titles."""
        flat = " ".join(self.text.split())
        return flat if len(flat) <= 160 else flat[:157].rsplit(" ", 1)[0] + "…"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PROPOSED_FOR_CLOSURE = "proposed_for_closure", "Proposed for closure"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.PROPOSED_FOR_CLOSURE]
# Statuses a person may choose directly; the other two come from proposing and approving closure.
CHOOSABLE_STATUSES = [Status.NOT_STARTED, Status.IN_PROGRESS]


class TrackedItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_forces(self, force_ids):
        """Scope to the forces a person may see (None means every force)."""
        if force_ids is None:
            return self
        return self.filter(force_id__in=force_ids)

    def overdue(self, today: datetime.date):
        return self.open().filter(due_date__lt=today)

    def owned_by(self, user):
        return self.filter(owner=user)


class TrackedItem(models.Model):
    """What one force does about one finding: owner, status, due date, responses, closure."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="items")
    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="items",
        limit_choices_to={"kind": Organisation.Kind.FORCE},
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_items",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_items",
        verbose_name="accountable lead",
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.NOT_STARTED)
    original_due_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    force_response = models.TextField(blank=True)
    pcc_response = models.TextField(blank=True, verbose_name="PCC response")
    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TrackedItemQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "force"], name="one_item_per_force"),
        ]
        indexes = [
            models.Index(fields=["force", "status"]),
            models.Index(fields=["owner", "-last_activity_at"]),
            models.Index(fields=["due_date"]),
        ]

    def __str__(self):
        return f"{self.force.short_name}: {self.finding.summary}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today

    def days_overdue(self, today: datetime.date) -> int:
        return (today - self.due_date).days if self.is_overdue(today) else 0


class StatusChange(AppendOnlyModel):
    item = models.ForeignKey(TrackedItem, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.item_id}: {self.from_status or 'new'} -> {self.to_status}"


class DueDateRevision(AppendOnlyModel):
    item = models.ForeignKey(TrackedItem, on_delete=models.PROTECT, related_name="revisions")
    previous_date = models.DateField(null=True, blank=True)
    new_date = models.DateField()
    reason = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.item_id}: due {self.previous_date} -> {self.new_date}"


class ProgressUpdate(AppendOnlyModel):
    item = models.ForeignKey(TrackedItem, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    written_at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self):
        return f"Update on {self.item_id} at {self.written_at:%Y-%m-%d %H:%M}"


class Evidence(AppendOnlyModel):
    item = models.ForeignKey(TrackedItem, on_delete=models.PROTECT, related_name="evidence")
    stored_name = models.CharField(
        max_length=200, unique=True, help_text="File name under EVIDENCE_ROOT."
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name


class ClosureProposal(AppendOnlyModel):
    """A proposal to close an item. The decision is a separate row, so both stay as written."""

    item = models.ForeignKey(
        TrackedItem, on_delete=models.PROTECT, related_name="closure_proposals"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField()
    summary = models.TextField(help_text="What was done, and why the item can close.")
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="closure_proposals")

    class Meta:
        ordering = ["proposed_at", "id"]

    def __str__(self):
        return f"Closure proposal on {self.item_id} at {self.proposed_at:%Y-%m-%d %H:%M}"


class ClosureDecision(AppendOnlyModel):
    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned to the force"

    proposal = models.OneToOneField(
        ClosureProposal, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self):
        return f"{self.get_outcome_display()} at {self.decided_at:%Y-%m-%d %H:%M}"


class StatutoryResponse(models.Model):
    """A local policing body's published comments on a report (s55 Police Act 1996)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="statutory_responses")
    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.LOCAL_POLICING_BODY},
    )
    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.FORCE},
    )
    chief_officer_comments_requested_on = models.DateField(null=True, blank=True)
    chief_officer_comments_due_on = models.DateField(null=True, blank=True)
    chief_officer_comments_received_on = models.DateField(null=True, blank=True)
    chief_officer_comments = models.TextField(blank=True)
    pcc_comments = models.TextField(blank=True, verbose_name="PCC comments")
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(blank=True, max_length=500)
    sent_to_inspectorate_on = models.DateField(null=True, blank=True)
    sent_to_home_secretary_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "force"], name="one_response_per_force"),
        ]

    def __str__(self):
        return f"{self.body} on {self.report}"


class AuditEvent(AppendOnlyModel):
    """One change to tracked data: who, when, what, before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.action} {self.object_repr}"
