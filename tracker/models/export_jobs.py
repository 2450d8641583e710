"""Export jobs: an export too large for a request, made by the worker, kept a day (issue 16)."""

import uuid

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    """One export the worker makes: the list (items or statutory responses), the format, the
    filters as the person chose them, and the day they asked (so the file is the one the page
    would have sent that day). Only the person who asked sees it or downloads it; the file is
    deleted when it expires, a day after it was asked for (tracker/export_jobs.py)."""

    class Kind(models.TextChoices):
        ITEMS = "items", "Items"
        RESPONSES = "responses", "Statutory responses"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be made"
        EXPIRED = "expired", "Deleted"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "Excel")])
    filters = models.JSONField(
        default=list, blank=True, help_text="The list's filters: [name, value] pairs."
    )
    today = models.DateField(help_text="The day the export is as of.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, help_text="The name the download has.")
    stored_name = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why the file could not be made.")
    scope = models.TextField(
        blank=True,
        help_text="The forces the rows were scoped to when the file was made: 'all', or ids.",
    )
    marking_label = models.CharField(
        max_length=60,
        blank=True,
        db_default="",
        default="",
        help_text="The protective marking of the file, fixed when the job is made (issue 21).",
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export {self.file_name}"

    @property
    def percent(self) -> int:
        """How far the rows are, in whole per cent (100 once the file is ready)."""
        if self.state == self.State.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_written * 100 // self.rows_total)
