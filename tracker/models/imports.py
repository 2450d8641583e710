"""Importing a report from its published document."""

import uuid

from django.conf import settings
from django.db import models


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
