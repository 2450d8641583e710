"""The inspectorate's own view of an item's recommendation (issue 17).

HMICFRS keeps a register of its recommendations, each entry with dated statuses ("being
progressed", "complete", ...). Imported from a register page, each status is a row here: the
inspectorate's history beside the force's own status, which it never changes. Append-only,
like the item's other history; issue 18 filters and flags on the latest one.
"""

from django.conf import settings
from django.db import models
from django.utils import formats

from tracker.models.base import AppendOnlyModel
from tracker.models.items import TrackedItem
from tracker.models.reports import Report


class InspectorateStatus(AppendOnlyModel):
    """One dated status the inspectorate gave an item's recommendation, with where it was
    stated."""

    class Status(models.TextChoices):
        # The values are tracker.extraction.result.INSPECTORATE_STATUSES.
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        BEING_PROGRESSED = "being_progressed", "Being progressed"
        COMPLETE = "complete", "Complete"
        NO_FURTHER_ACTION = "no_further_action", "No further action needed"
        SUPERSEDED = "superseded", "Superseded"

    item = models.ForeignKey(
        TrackedItem, on_delete=models.PROTECT, related_name="inspectorate_statuses"
    )
    status = models.CharField(max_length=30, choices=Status.choices)
    # The day the status was given; the 1st with MONTH precision when only the month is known.
    stated_on = models.DateField(null=True, blank=True)
    stated_precision = models.CharField(
        max_length=10, choices=Report.Precision.choices, default=Report.Precision.DAY
    )
    source = models.CharField(
        max_length=300,
        blank=True,
        help_text='Where it was stated: "HMICFRS register, entry 6989".',
    )
    note = models.TextField(blank=True, help_text="The entry's own words, if any.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    report_import = models.ForeignKey(
        "ReportImport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspectorate_statuses",
        help_text="The imported document it came from.",
    )

    class Meta:
        ordering = ["item", "stated_on", "recorded_at", "id"]
        verbose_name_plural = "inspectorate statuses"
        indexes = [
            # An item's latest status (its page; issue 18's filters).
            models.Index(fields=["item", "-stated_on", "-id"], name="inspectorate_latest"),
        ]

    def __str__(self):
        return f"{self.get_status_display()} ({self.stated_display or 'undated'})"

    @property
    def stated_display(self) -> str:
        """The day as given: "14 March 2024", or "March 2024" when only the month is known."""
        if self.stated_on is None:
            return ""
        return stated_display(self.stated_on, self.stated_precision)


def stated_display(day, precision: str) -> str:
    """A stated day as a person writes it, in the language of the page (its month name
    translated, as `config/formats` and the `date` filter give it): "14 March 2024", or
    "March 2024" when only the month is known."""
    if day is None:
        return ""
    if precision == Report.Precision.MONTH:
        return formats.date_format(day, "F Y")
    return formats.date_format(day, "j F Y")
