"""Reports and what they found: graded judgements and findings (causes of concern,
recommendations, areas for improvement), with the grading scales and report types."""

from collections.abc import Collection
from typing import Self

from django.db import models

# INSPECTED_KINDS: police forces and (issue 17) the fire and rescue services a Police, Fire
# and Crime Commissioner governs, whose findings are tracked as items (re-exported).
from accounts.models import INSPECTED_KINDS, Organisation

# The longest reference a finding keeps whole (issue 17): long enough for every reference
# the inspectorate publishes, so none is cut or rewritten.
REFERENCE_LENGTH = 80


class GradingScale(models.TextChoices):
    BASELINE = "baseline", "Baseline assessment (Excellent, Good, Fair, Poor)"
    PEEL_2014 = "peel_2014", "PEEL 2014 to 2019 (Outstanding to Inadequate)"
    PEEL_2021 = "peel_2021", "PEEL 2021 onward (Outstanding to Inadequate, with Adequate)"
    NONE = "none", "Not graded"


GRADES: dict[str, list[str]] = {
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
    # Issue 17: the kinds of inspection a force or PCC office receives besides these.
    PEEL = "peel", "PEEL (2021 onward: effectiveness, efficiency and legitimacy)"
    CRIME_DATA_INTEGRITY = "crime_data_integrity", "Crime data integrity"
    CUSTODY = "custody", "Police custody (joint with HM Inspectorate of Prisons)"
    CHILD_PROTECTION = "child_protection", "Child protection"
    JOINT_INSPECTION = "joint_inspection", "Joint inspection with other inspectorates"
    FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue service inspection"
    IOPC_RECOMMENDATIONS = "iopc_recommendations", "IOPC recommendations"
    PREVENTION_OF_FUTURE_DEATHS = (
        "prevention_of_future_deaths",
        "Coroner's Prevention of Future Deaths report",
    )
    OTHER = "other", "Other inspection"


class ReportQuerySet(models.QuerySet["Report"]):
    def for_forces(self, force_ids: Collection[int] | None) -> Self:
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
        Organisation, related_name="reports", limit_choices_to={"kind__in": INSPECTED_KINDS}
    )
    source_document = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    # Protective marking (issue 21): blank inherits (tracker/markings.py).
    marking = models.ForeignKey(
        "accounts.ProtectiveMarking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank: its forces' default marking.",
    )

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


class AddresseeKind(models.TextChoices):
    """Who is to act on a finding (issue 17). Thematic reports address recommendations to
    someone: to chief constables (every force tracks it) or to a national body (the College
    of Policing, the Home Office, the NPCC lead), which forces do not own: such a finding is
    recorded on the report, shown to everyone who reads it, and gets no items."""

    REPORT_FORCES = "", "The forces the report is about"
    FORCES = "forces", "Every force (addressed to them all)"
    NATIONAL_BODY = "national_body", "A national body"


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
    # As published (issue 17): "Recommendation 12(a)(ii)", "Cause of concern 2,
    # recommendation 3", "HMICFRS register entry 6989".
    reference = models.CharField(
        max_length=REFERENCE_LENGTH, blank=True, help_text="As the inspectorate published it."
    )
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
    # Issue 17: who the finding is addressed to, as published ("Chief constables", "The
    # College of Policing"); blank when it is the report's own forces. A database default,
    # so the running release's inserts (which leave these out) still work during an upgrade.
    addressee = models.CharField(max_length=200, blank=True, default="", db_default="")
    addressee_kind = models.CharField(
        max_length=20,
        choices=AddresseeKind.choices,
        blank=True,
        default="",
        db_default="",
        help_text="A national body's finding is recorded on the report and gets no items.",
    )

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
    def for_national_body(self) -> bool:
        """Addressed to a national body: forces do not own it, so it has no items."""
        return self.addressee_kind == AddresseeKind.NATIONAL_BODY

    @property
    def summary(self) -> str:
        """The text on one line, cut at a word near 160 characters, for lists and titles."""
        flat = " ".join(self.text.split())
        return flat if len(flat) <= 160 else flat[:157].rsplit(" ", 1)[0] + "…"


class ReportEdition(models.Model):
    """A translation of a report published by the inspectorate (HMICFRS publishes Welsh
    editions of its reports on Welsh forces): attached to the report it translates, never a
    report of its own (issue 22)."""

    class Language(models.TextChoices):
        WELSH = "cy", "Welsh (Cymraeg)"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="editions")
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.WELSH)
    title = models.CharField(max_length=400, help_text="The title as the edition gives it.")
    url = models.URLField(max_length=500, help_text="Where the inspectorate publishes it.")
    added_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "language"]
        constraints = [
            models.UniqueConstraint(fields=["report", "language"], name="one_edition_a_language"),
        ]

    def __str__(self):
        return f"{self.get_language_display()} edition of {self.report}"
