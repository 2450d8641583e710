"""Statutory responses: a local policing body's published comments on a report, and each
version as it was published."""

import uuid

from django.conf import settings
from django.db import models

from accounts.models import POLICING_BODY_KINDS, Organisation
from tracker.models.base import AppendOnlyModel
from tracker.models.reports import Finding, Report


class StatutoryResponse(models.Model):
    """A local policing body's published comments on a report (s55 Police Act 1996)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="statutory_responses")
    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": POLICING_BODY_KINDS},
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
    # Protective marking of the drafts (issue 21): blank inherits (tracker/markings.py).
    marking = models.ForeignKey(
        "accounts.ProtectiveMarking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank: its report's marking, else its force's default.",
    )

    # Welsh (issue 22): for a body under the Welsh Language Standards, the Welsh text of each
    # part; the per-finding parts are WelshResponseText rows.
    introduction_cy = models.TextField(
        blank=True, default="", db_default="", verbose_name="introduction (Welsh)"
    )
    pcc_comments_cy = models.TextField(
        blank=True, default="", db_default="", verbose_name="PCC comments (Welsh)"
    )
    chief_officer_comments_cy = models.TextField(
        blank=True, default="", db_default="", verbose_name="chief constable's comments (Welsh)"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "force"], name="one_response_per_force"),
        ]

    def __str__(self):
        return f"{self.body} on {self.report}"

    @property
    def bilingual(self) -> bool:
        """Written and published in Welsh and English: the body (or its force) works under
        the Welsh Language Standards."""
        return bool(self.body.welsh_language_standards or self.force.welsh_language_standards)


class WelshResponseText(models.Model):
    """The Welsh text of the force's and the PCC's responses to one finding, for a response
    published in Welsh and English (the English text is on the force's tracked item)."""

    response = models.ForeignKey(
        StatutoryResponse, on_delete=models.CASCADE, related_name="welsh_texts"
    )
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="+")
    force_response = models.TextField(blank=True, default="", db_default="")
    pcc_response = models.TextField(blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "finding"], name="one_welsh_text"),
        ]

    def __str__(self):
        return f"Welsh text on {self.finding} for {self.response}"


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
    marking_label = models.CharField(
        max_length=60,
        blank=True,
        db_default="",
        default="",
        help_text="The protective marking chosen at publication, as printed (blank: none).",
    )
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
