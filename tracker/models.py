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
    IOPC_RECOMMENDATIONS = "iopc_recommendations", "IOPC recommendations"
    PREVENTION_OF_FUTURE_DEATHS = (
        "prevention_of_future_deaths",
        "Coroner's Prevention of Future Deaths report",
    )
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
        indexes = [models.Index(fields=["kind"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:80]}"

    @property
    def label(self) -> str:
        """ "Recommendation 3", "Area for improvement (AFI 2)": the kind with its reference,
        without doubling a reference that already names the kind."""
        kind = self.get_kind_display()
        if not self.reference:
            return kind
        if self.reference.lower().startswith(kind.lower()):
            return self.reference
        return f"{kind} ({self.reference})"

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
            # The overdue report and the dashboards: open items by due date.
            models.Index(fields=["status", "due_date"]),
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

    def next_step(self) -> str:
        """What has to happen next on an overdue item, in a few words."""
        if self.status == Status.PROPOSED_FOR_CLOSURE:
            return "Decide on the closure proposal (coordinator or PCC office)"
        if self.owner_id is None:
            return "Choose an owner (coordinator)"
        if self.status == Status.NOT_STARTED:
            return "Owner to start, or the coordinator to revise the due date"
        return "Owner to finish and propose closure, or the coordinator to revise the due date"

    RAG_LABELS = {
        "red": "Red: overdue",
        "amber": "Amber: due within 30 days or no update for 30 days",
        "green": "Green: on track",
        "closed": "Closed",
    }
    QUIET_DAYS = 30  # as the "next progress update" rule: an update is due every 30 days

    def rag(self, today: datetime.date) -> str:
        """Red when overdue; amber when due within 30 days or with no activity for 30 days
        (an update is due every 30 days); otherwise green. Closed items are neither."""
        from django.utils import timezone

        if not self.is_open:
            return "closed"
        if self.is_overdue(today):
            return "red"
        if self.due_date is not None and (self.due_date - today).days <= 30:
            return "amber"
        if (today - timezone.localdate(self.last_activity_at)).days > self.QUIET_DAYS:
            return "amber"
        return "green"


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
    local_target_on = models.DateField(
        null=True,
        blank=True,
        help_text="A target the PCC office sets itself where the law sets no period.",
    )
    introduction = models.TextField(
        blank=True,
        help_text="The opening of the published document; may use {{ fields }}. Blank: the "
        "standard wording.",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="What was approved; a later change needs approval."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "force"], name="one_response_per_force"),
        ]

    def __str__(self):
        return f"{self.body} on {self.report}"


class ResponseVersion(AppendOnlyModel):
    """One published version of a statutory response, exactly as it was published.

    The content is a snapshot (tracker/statutory.py builds it), so later edits make a new
    version and never change what was published."""

    response = models.ForeignKey(
        StatutoryResponse, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    published_on = models.DateField()
    url = models.URLField(blank=True, max_length=500)
    content = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["response", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["response", "number"], name="one_version_number"),
        ]

    def __str__(self):
        return f"Version {self.number} of {self.response}, published {self.published_on}"


class ProgressReview(AppendOnlyModel):
    """The PCC office holding the force to account on one item: a request for an update, or
    its view on progress with a RAG rating."""

    class Kind(models.TextChoices):
        UPDATE_REQUEST = "update_request", "Update requested"
        VIEW = "view", "PCC office's view on progress"

    class Rating(models.TextChoices):
        GREEN = "green", "Green: on track"
        AMBER = "amber", "Amber: at risk"
        RED = "red", "Red: off track"

    item = models.ForeignKey(TrackedItem, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    text = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item", "kind", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.item_id}"


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
    object_id = models.CharField(max_length=200)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    note = models.CharField(max_length=300, blank=True)
    # Where the change came from (tracker/audit_context.py): the web app, the admin site, a
    # background task, a command or an import; for web changes, which request made it.
    source = models.CharField(max_length=20, blank=True)
    request_id = models.CharField(max_length=32, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.action} {self.object_repr}"


# Deadlines and reminders ----------------------------------------------------------------------
#
# A DeadlineRule says how a deadline is worked out (trigger, length, unit, counting mode, dates
# it applies between, who must act) and how people are reminded of it (offsets before it, a
# repeat once it is missed, and who is copied in at each step). Rules are data: an
# administrator edits them. The arithmetic is in tracker/deadlines.py; the services that keep
# deadlines and reminders in step with items and responses are in tracker/reminders.py.


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
    description = models.TextField(blank=True)
    extendable = models.BooleanField(
        default=False, help_text="Whether the deadline can be extended or paused."
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

    def clean(self):
        from tracker import deadlines

        errors = {}
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
        if self.applies_from and self.applies_until and self.applies_until < self.applies_from:
            errors["applies_until"] = "The rule must stop applying on or after it starts."
        unknown = [t for t in self.report_type_list if t not in ReportType.values]
        if unknown:
            errors["report_types"] = (
                f"“{unknown[0]}” is not a report type. Use: {', '.join(ReportType.values)}."
            )
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)

    @property
    def report_type_list(self) -> list[str]:
        return [t.strip() for t in self.report_types.split(",") if t.strip()]

    @property
    def offsets(self) -> list[int]:
        from tracker import deadlines

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
    """One deadline on one item or statutory response, kept in step by tracker/reminders.py.

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

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    on_date = models.DateField(
        null=True, blank=True, help_text="The new deadline, or the day a pause starts or ends."
    )
    previous_due_on = models.DateField(null=True, blank=True)
    new_due_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
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


class ReminderState(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class Reminder(models.Model):
    """One reminder due to one person about one deadline.

    The unique key (deadline, version, step, recipient) means a reminder is planned once.
    Sending claims the row with a conditional UPDATE first, so two sweeps, a retry or two
    workers never send it twice; due rows are found by range (next_attempt_at <= now), so a
    sweep that did not run catches up.
    """

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    deadline_version = models.PositiveIntegerField()
    step = models.CharField(max_length=20, help_text="before-N, or missed-N.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    due_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=ReminderState.choices, default="pending")
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, help_text="The sweep holding it.")
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False, help_text="Sent after it was due (catch-up).")
    by_email = models.BooleanField(default=False, help_text="Sent on its own by email.")
    note = models.CharField(max_length=300, blank=True, help_text="Why cancelled or failed.")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "deadline_version", "step", "recipient"],
                name="one_reminder_per_step",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

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


class Digest(models.Model):
    """One digest email to one person for one period; the unique key stops a second send."""

    class Kind(models.TextChoices):
        DAILY = "daily", "Daily reminders digest"
        WEEKLY = "weekly", "Weekly reminders digest"
        OVERDUE = "overdue", "Weekly overdue digest"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateField()
    state = models.CharField(max_length=20, choices=ReminderState.choices, default="pending")
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, help_text="The run holding it.")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-period_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "period_start"], name="one_digest"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

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


# Importing a report from its published document ----------------------------------------------


class ReportImport(models.Model):
    """One uploaded document on its way to becoming a report: read in the background, then
    checked and corrected by the person who uploaded it, then created (or used to update the
    report it duplicates). Only the uploader sees it. The file itself is deleted once read;
    its text is kept here for the side-by-side preview."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be read"
        READING = "reading", "Being read"
        READY = "ready", "Ready to check"
        FAILED = "failed", "Could not be read"
        CREATED = "created", "Created"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_imports"
    )
    uploaded_at = models.DateTimeField()
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    stage = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True, help_text="Why the file could not be read.")
    document_format = models.CharField(max_length=10, blank=True)
    pages = models.PositiveIntegerField(default=0)
    source_text = models.TextField(blank=True)
    extraction = models.JSONField(default=dict, blank=True)
    draft = models.JSONField(
        default=dict, blank=True, help_text="The extraction as the person has corrected it."
    )
    report = models.ForeignKey(
        "Report", on_delete=models.PROTECT, null=True, blank=True, related_name="imports"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"Import of {self.original_name}"
