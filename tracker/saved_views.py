"""Saved views of the item lists: reading them (scoped to the person), checking a saved query
string against the list's filters, and saving and deleting them.

A view belongs to one person; shared, it is seen by the people of the same organisation (a
force's colleagues) and nobody else: another organisation's view is "not found" (404)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, QueryDict

from accounts.models import User
from tracker import selectors
from tracker.models import SavedView, SavedViewList, SavedViewQuerySet

# Besides the list's filters, the query string may choose the overdue report's grouping.
PAGE_PARAMETERS = {SavedViewList.OVERDUE: {"group"}}
IGNORED = {"page"}  # kept out of a saved view: it opens at the first page


@dataclass(frozen=True)
class CheckedQuery:
    """A query string with only what applies to the list, and what was left out (why)."""

    query: str
    ignored: tuple[str, ...]


def check_query(*, list_name: str, query: str, user: User, today: datetime.date) -> CheckedQuery:
    """Check a query string against the list's filters (as the person sees them today):
    unknown names, values that do not validate (a tampered id, another force's report, a
    sort that no longer exists) and empty values are left out; what was left out is named."""
    data = QueryDict(query or "", mutable=True)
    allowed = PAGE_PARAMETERS.get(SavedViewList(list_name), set())
    filterset = selectors.item_filter(user=user, today=today, filters=None)
    ignored: list[str] = []
    for name in list(data.keys()):
        values = [v for v in data.getlist(name) if v.strip()]
        if name in IGNORED or not values:
            data.pop(name)
        elif name not in filterset.filters and name not in allowed:
            ignored.append(f"“{name[:40]}” is not a filter of this list")
            data.pop(name)
        else:
            data.setlist(name, values)
    if "group" in data and data["group"] not in selectors.OVERDUE_GROUPS:
        ignored.append("the grouping is not one of the choices")
        data.pop("group")
    filterset = selectors.item_filter(user=user, today=today, filters=data or None)
    if filterset.is_bound and not filterset.is_valid():
        for name, errors in filterset.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            ignored.append(f"{label} ({' '.join(errors)})")
            data.pop(name, None)
    return CheckedQuery(query=data.urlencode(), ignored=tuple(ignored))


def visible_saved_views(*, user: User) -> SavedViewQuerySet:
    """The person's own saved views and those shared within their organisation."""
    return SavedView.objects.visible_to(user).select_related("owner")


def saved_views_for_list(*, user: User, list_name: str) -> list[SavedView]:
    """The saved views the person may use on one list, by name."""
    return list(visible_saved_views(user=user).for_list(list_name))


def saved_view_get(*, user: User, pk: int) -> SavedView:
    """A saved view the person may use; anyone else's (unshared, or shared in another
    organisation) is not found."""
    view = visible_saved_views(user=user).filter(pk=pk).first()
    if view is None:
        raise Http404("No such saved view")
    return view


def own_saved_view_get(*, user: User, pk: int) -> SavedView:
    """One of the person's own saved views (to delete): anyone else's is not found."""
    view = SavedView.objects.filter(owner=user, pk=pk).first()
    if view is None:
        raise Http404("No such saved view")
    return view


def can_share(user: User) -> bool:
    """Sharing is within the person's organisation, so it needs one."""
    return user.organisation_id is not None


@transaction.atomic
def saved_view_create(
    *,
    owner: User,
    name: str,
    list_name: str,
    query: str,
    shared: bool,
    now: datetime.datetime,
) -> SavedView:
    """Save a view (its query string already checked with check_query). A second view of
    the same name on the same list is refused (ValidationError on "name")."""
    name = " ".join(name.split())
    if SavedView.objects.filter(owner=owner, list_name=list_name, name__iexact=name).exists():
        raise ValidationError(
            {"name": "You already have a saved view with this name for this list"}
        )
    view = SavedView(
        owner=owner,
        organisation_id=owner.organisation_id if shared and can_share(owner) else None,
        name=name,
        list_name=list_name,
        query=query,
        shared=shared and can_share(owner),
        created_at=now,
    )
    view.full_clean()
    view.save()
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, by: User) -> None:
    """Delete one of the person's own saved views."""
    if view.owner_id != by.pk:
        raise Http404("No such saved view")
    view.delete()
