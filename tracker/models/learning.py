"""Learning shared between forces (issue 18).

Forces see nothing of each other by default. A coordinator (or the force's PCC office) may
share a closed item's closing summary with every force; `SharedLearning.shared` says whether
it is shared now (withdrawing keeps the row, so sharing again keeps its words). Every read of
shared learning filters on `shared=True` first: nothing unshared ever appears.

`LearningMatch` rows are the precomputed neighbours of each shared summary: the findings of
other forces most like the shared item's finding (tracker/similarity.py), so "How other forces
answered similar findings" is one indexed query however many findings there are.
"""

from typing import Self

from django.conf import settings
from django.db import models

from accounts.models import Organisation
from tracker.models.items import TrackedItem
from tracker.models.reports import Finding


class SharedLearningQuerySet(models.QuerySet["SharedLearning"]):
    def shared(self) -> Self:
        return self.filter(shared=True)


class SharedLearning(models.Model):
    item = models.OneToOneField(
        TrackedItem, on_delete=models.PROTECT, related_name="shared_learning"
    )
    # Copied from the item, for scoping and matching without joins.
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="+")
    what_was_done = models.TextField()
    evidence_of_effect = models.TextField(
        help_text="What evidence showed that it worked.", verbose_name="evidence that it worked"
    )
    contact_role = models.CharField(
        max_length=200, help_text="A role other forces may contact, not a person's name."
    )
    shared = models.BooleanField(default=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = SharedLearningQuerySet.as_manager()

    class Meta:
        ordering = ["-shared_at", "id"]
        indexes = [models.Index(fields=["shared", "force"], name="learning_shared_force")]

    def __str__(self):
        return f"Shared learning from {self.force_id} on item {self.item_id}"


class LearningMatch(models.Model):
    """A finding (of another force) similar to a shared summary's finding."""

    learning = models.ForeignKey(SharedLearning, on_delete=models.CASCADE, related_name="matches")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["learning", "finding"], name="one_match_per_finding"),
        ]
        indexes = [models.Index(fields=["finding", "-score"], name="learning_match_finding")]

    def __str__(self):
        return f"{self.finding_id} ~ {self.learning_id} ({self.score:.2f})"
