"""The public progress register (issue 18): a PCC office publishes its force's progress on
chosen reports on its public page, beside its statutory responses.

`PublicWording` is the words the office approves for publication about one item (never the
internal progress updates). A `ProgressPublication` is one published version for a report and
force: its content (each recommendation with its status, the date of its last public update
and the approved words) is frozen when published, and versions are kept, like a response's.
"""

from django.conf import settings
from django.db import models

from accounts.models import Organisation
from tracker.models.base import AppendOnlyModel
from tracker.models.items import TrackedItem
from tracker.models.reports import Report


class PublicWording(models.Model):
    item = models.OneToOneField(
        TrackedItem, on_delete=models.PROTECT, related_name="public_wording"
    )
    text = models.TextField(help_text="The words the PCC office approves for publication.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()

    def __str__(self):
        return f"Public wording for item {self.item_id}"


class ProgressPublication(AppendOnlyModel):
    body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="progress_publications"
    )
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="progress_publications"
    )
    number = models.PositiveIntegerField()
    published_on = models.DateField()
    # {"rows": [{"label", "text", "status", "status_label", "last_public_update", "words"}]}
    content = models.JSONField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "force", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "force", "report", "number"], name="one_progress_version_number"
            ),
        ]

    def __str__(self):
        return f"Progress on {self.report_id} for {self.force_id}, version {self.number}"
