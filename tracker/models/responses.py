"""Statutory responses: a local policing body's published comments on a report, and each
version as it was published."""

import uuid

from django.conf import settings
from django.db import models

from accounts.models import Organisation
from tracker.models.base import AppendOnlyModel
from tracker.models.reports import Report


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

    The content is a snapshot (tracker.statutory builds it), so later edits make a new
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
