"""The items each force tracks until they are done, and their append-only history: status
changes, due date revisions, progress updates, evidence, closure proposals and decisions, and
the PCC office's reviews.

Writes go through tracker/services.py, which records who changed what and when.
"""

import datetime
import uuid
from collections.abc import Collection, Iterable
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import Organisation, User
from tracker.models.base import AppendOnlyModel
from tracker.models.reports import INSPECTED_KINDS, Finding


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PROPOSED_FOR_CLOSURE = "proposed_for_closure", "Proposed for closure"
    CLOSED = "closed", "Closed"
    # Issue 18: closed because a later finding supersedes it (TrackedItem.superseded_by names
    # it). Never chosen directly: confirming a "supersedes" link sets it (tracker/lineage.py).
    SUPERSEDED = "superseded", "Superseded"


OPEN_STATUSES = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.PROPOSED_FOR_CLOSURE]
# Done with: closed on its own, or superseded by a later finding (issue 18).
CLOSED_STATUSES = [Status.CLOSED, Status.SUPERSEDED]
# Statuses a person may choose directly; the other two come from proposing and approving closure.
CHOOSABLE_STATUSES = [Status.NOT_STARTED, Status.IN_PROGRESS]


class TrackedItemQuerySet(models.QuerySet["TrackedItem"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def for_forces(self, force_ids: Collection[int] | None) -> Self:
        """Scope to the forces a person may see (None means every force)."""
        if force_ids is None:
            return self
        return self.filter(force_id__in=force_ids)

    def overdue(self, today: datetime.date) -> Self:
        return self.open().filter(due_date__lt=today)

    def owned_by(self, user: User) -> Self:
        return self.filter(owner=user)

    # owner_name (the owner's name, which the lists sort and group by) is kept right on every
    # write: save(), update() and bulk_create() set it from the owner; renaming a person
    # updates their items (owner_renamed, below).
    def update(self, **kwargs: Any) -> int:
        if "owner" in kwargs or "owner_id" in kwargs:
            kwargs["owner_name"] = _name_of(kwargs.get("owner", kwargs.get("owner_id")))
        return super().update(**kwargs)

    def bulk_create(self, objs: Iterable["TrackedItem"], *args: Any, **kwargs: Any) -> Any:
        objs = list(objs)
        unnamed = {o.owner_id for o in objs if o.owner_id and "owner" not in o._state.fields_cache}
        names = dict(User.objects.filter(pk__in=unnamed).values_list("pk", "full_name"))
        for o in objs:
            o.owner_name = (
                None
                if o.owner_id is None
                else o.owner.full_name
                if "owner" in o._state.fields_cache and o.owner is not None
                else names.get(o.owner_id)
            )
        return super().bulk_create(objs, *args, **kwargs)

    def copy_owner_names(self) -> None:
        """Copy each owner's name onto their items afresh (after a rolling upgrade, when the
        old version may have changed owners without it)."""
        names = User.objects.filter(pk=models.OuterRef("owner_id")).values("full_name")[:1]
        self.filter(owner__isnull=False).update(owner_name=models.Subquery(names))
        self.filter(owner__isnull=True, owner_name__isnull=False).update(owner_name=None)


def _name_of(owner: Any) -> str | None:
    """The full name of an owner given as a person, an id or None."""
    if owner is None:
        return None
    if isinstance(owner, User):
        return owner.full_name
    return User.objects.filter(pk=owner).values_list("full_name", flat=True).first()


class TrackedItem(models.Model):
    """What one force does about one finding: owner, status, due date, responses, closure."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="items")
    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="items",
        # A police force, or a fire and rescue service (issue 17).
        limit_choices_to={"kind__in": INSPECTED_KINDS},
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
    # One more with each change to what the item's forms show (status, due date, owner,
    # lead); a form carries the version it was built from, and a change from a page built
    # before someone else's change is refused (tracker/conflicts.py).
    version = models.PositiveIntegerField(default=1, editable=False)
    # The owner's full name, copied (issue 16): the overdue report groups by it and the lists
    # sort by it from an index, without joining every owner. Kept by the model layer (save(),
    # TrackedItemQuerySet.update() and bulk_create(), owner_renamed). NULL with no owner, so
    # such items sort after the named ones, as they did by the owner's name.
    owner_name = models.CharField(  # noqa: DJ001
        max_length=200, null=True, blank=True, editable=False
    )
    # Protective marking (issue 21): blank inherits (tracker/markings.py). No index: items
    # are never looked up by marking (joins go to the marking's key), and building one on
    # this big table would block writes during the upgrade.
    marking = models.ForeignKey(
        "accounts.ProtectiveMarking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="Blank: its report's marking, else its force's default.",
    )

    # Issue 18: the later finding that superseded this item's finding, when its status is
    # SUPERSEDED. Null for every other item.
    superseded_by = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="The later finding that superseded this one.",
    )

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
            # The item lists' default order (newest activity first, then the id, so pages are
            # stable): a page of the whole list is read from the index, not sorted (issue 16).
            models.Index(fields=["-last_activity_at", "-id"], name="tracker_item_activity_idx"),
            # The overdue report by owner (its default) and the lists sorted by owner: open
            # items in that order, read from the index until a page is full.
            models.Index(
                fields=["owner_name", "owner_id", "due_date", "id"],
                name="tracker_item_open_owner_idx",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
        ]

    def __str__(self):
        return f"{self.force.short_name}: {self.finding.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.owner_id is None:
            self.owner_name = None
        elif "owner" in self._state.fields_cache and self.owner is not None:
            self.owner_name = self.owner.full_name
        else:
            self.owner_name = _name_of(self.owner_id)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "owner_name"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today

    def days_overdue(self, today: datetime.date) -> int:
        if self.due_date is None or not self.is_overdue(today):
            return 0
        return (today - self.due_date).days

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
        "amber": "Amber: due within 30 days or no activity for more than 30 days",
        "green": "Green: on track",
        "closed": "Closed",
    }
    QUIET_DAYS = 30  # as the "next progress update" rule: an update is due every 30 days

    def rag(self, today: datetime.date) -> str:
        """Red when overdue; amber when due within 30 days or with no activity for 30 days
        (an update is due every 30 days); otherwise green. Closed items are neither."""
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
        indexes = [
            # The latest update of an item (exports, item pages): newest first.
            models.Index(fields=["item", "-written_at", "-id"], name="progress_latest"),
        ]

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
    no_evidence_reason = models.TextField(
        blank=True, help_text="Why no evidence is needed, when the proposer chose none."
    )

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


@receiver(post_save, sender=User, dispatch_uid="tracker_item_owner_renamed")
def owner_renamed(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """A person's new name reaches the items they own (TrackedItem.owner_name)."""
    if created:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and "full_name" not in fields:
        return
    TrackedItem.objects.filter(owner_id=instance.pk).exclude(owner_name=instance.full_name).update(
        owner_name=instance.full_name
    )
