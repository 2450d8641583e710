"""Lineage across inspections (issue 18): a later finding linked to earlier findings of the
same force that it repeats, continues or supersedes.

A link is first suggested (tracker/lineage.py ranks earlier findings of the same force by
text similarity, tracker/similarity.py, and records the reason), then confirmed or dismissed
by the force's coordinator or its PCC office. Links never cross forces: cross-force learning
goes only through shared summaries (tracker/models/learning.py). Suggested links are the
precomputed neighbours the item page reads, so showing them is one indexed query.
"""

from collections.abc import Collection
from typing import Self

from django.conf import settings
from django.db import models

from accounts.models import Organisation
from tracker.models.reports import Finding


class LinkRelation(models.TextChoices):
    REPEATS = "repeats", "Repeats"
    CONTINUES = "continues", "Continues"
    SUPERSEDES = "supersedes", "Supersedes"


class LinkState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class FindingLinkQuerySet(models.QuerySet["FindingLink"]):
    def confirmed(self) -> Self:
        return self.filter(state=LinkState.CONFIRMED)

    def suggested(self) -> Self:
        return self.filter(state=LinkState.SUGGESTED)

    def for_forces(self, force_ids: Collection[int] | None) -> Self:
        """Scope to the forces a person may see (None means every force)."""
        if force_ids is None:
            return self
        return self.filter(force_id__in=force_ids)


class FindingLink(models.Model):
    """`later` repeats, continues or supersedes `earlier`, for `force`."""

    later = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="earlier_links")
    earlier = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="later_links")
    # The force both findings are about (lineage stays within one force; a national report's
    # finding is linked per force).
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(
        max_length=20, choices=LinkRelation.choices, default=LinkRelation.REPEATS
    )
    state = models.CharField(max_length=20, choices=LinkState.choices, default=LinkState.SUGGESTED)
    # The suggestion's similarity (0 to 1) and its reason in plain English ("Same area; shared
    # words: attend, incidents, vulnerable"); kept when a person confirms or dismisses it.
    score = models.FloatField(default=0)
    reason = models.CharField(max_length=300, blank=True)
    suggested_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = FindingLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["later", "earlier", "force"], name="one_link_per_pair_and_force"
            ),
            models.CheckConstraint(
                condition=~models.Q(later=models.F("earlier")), name="link_not_to_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["later", "force", "state"], name="lineage_later"),
            models.Index(fields=["earlier", "force", "state"], name="lineage_earlier"),
        ]

    def __str__(self):
        return f"{self.later_id} {self.relation} {self.earlier_id} ({self.state})"
