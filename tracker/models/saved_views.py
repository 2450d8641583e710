"""Saved views: a named set of filters (and a sort) on one of the item lists, kept by one
person and, if they choose, shared with the colleagues of their organisation (issue 14).

What is stored is the list's URL name and the query string as the list's page would show it;
it is checked against the list's filters again each time it is used (tracker.saved_views), so
a value that no longer applies is dropped with a message rather than an error page."""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Organisation, User


class SavedViewList(models.TextChoices):
    """The lists a view may be saved for: their URL names in the tracker's URL conf."""

    ITEM_LIST = "item_list", "All items"
    MY_ITEMS = "my_items", "My items"
    OVERDUE = "overdue", "Overdue"
    REVIEW = "review", "Progress review"


class SavedViewQuerySet(models.QuerySet["SavedView"]):
    def visible_to(self, user: User) -> Self:
        """The person's own views, and those shared within their organisation."""
        shared = Q(shared=True, organisation__isnull=False, organisation_id=user.organisation_id)
        if user.organisation_id is None:
            shared = Q(pk__in=[])
        return self.filter(Q(owner=user) | shared)

    def for_list(self, list_name: str) -> Self:
        return self.filter(list_name=list_name)


class SavedView(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    # The organisation the view is shared within: the owner's when it was saved.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=100)
    list_name = models.CharField(max_length=30, choices=SavedViewList.choices)
    query = models.CharField(max_length=2000, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_name", "name"], name="one_saved_view_name_per_list"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "shared", "list_name"])]

    def __str__(self):
        return f"{self.name} ({self.get_list_name_display()})"
