"""Protective marking (Government Security Classifications, issue 21): what marking a report,
an item, a statutory response or a document made for a person carries. Reads only.

A marking is a short label ("OFFICIAL", "OFFICIAL-SENSITIVE"); "" means no marking (print
nothing). Each thing may have its own marking; without one it inherits:

- a report: its own, else the highest default of the forces it is about, else none;
- an item: its own, else its report's own, else its force's default, else none;
- a statutory response (its drafts): its own, else its report's own, else its force's
  default, else none (a published version keeps the label chosen at publication);
- a document made for a person about no one thing (a board pack): their organisation's
  default, else the PROTECTIVE_MARKING_DEFAULT setting ("OFFICIAL");
- a list of items (an export): the highest of the items' markings, and at least the
  person's marking.

"Highest" follows each marking's rank (higher is more protected). An inactive marking is no
longer offered, but stays in force where it was set.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Max, QuerySet
from django.db.models.functions import Coalesce

from accounts.models import Organisation, ProtectiveMarking
from tracker.models import Report, StatutoryResponse, TrackedItem

if TYPE_CHECKING:
    from accounts.models import User


def marking_line(label: str) -> str:
    """What to print for a marking: the label in capitals, or "" for none."""
    return (label or "").strip().upper()


def active_markings() -> QuerySet[ProtectiveMarking]:
    """The markings that may be chosen now, lowest first."""
    return ProtectiveMarking.objects.filter(active=True).order_by("rank")


def _cached(obj: Any, field: str) -> Any:
    """A foreign key's object if it is already loaded (select_related or an earlier read),
    None for a blank key, and the marker _UNKNOWN when reading it would need a query."""
    if getattr(obj, f"{field}_id") is None:
        return None
    if obj._meta.get_field(field).is_cached(obj):
        return getattr(obj, field)
    return _UNKNOWN


_UNKNOWN = object()


def _label(obj: Any, field: str) -> str | None:
    """The label of a marking foreign key, reading it only when not already loaded."""
    marking = _cached(obj, field)
    if marking is None:
        return None
    if marking is _UNKNOWN:
        return (
            ProtectiveMarking.objects.filter(pk=getattr(obj, f"{field}_id"))
            .values_list("label", flat=True)
            .first()
        )
    return str(marking.label)


def _force_default(force_id: int) -> str:
    label = (
        Organisation.objects.filter(pk=force_id)
        .values_list("default_marking__label", flat=True)
        .first()
    )
    return label or ""


def report_marking(report: Report) -> str:
    """The report's own marking, else the highest default of the forces it is about
    (a national report's forces may choose differently), else ""."""
    own = _label(report, "marking")
    if own is not None:
        return own
    label = (
        ProtectiveMarking.objects.filter(
            pk__in=report.forces.filter(default_marking__isnull=False).values("default_marking")
        )
        .order_by("-rank")
        .values_list("label", flat=True)
        .first()
    )
    return label or ""


def _report_own_or_force(report: Report, force_id: int) -> str:
    """A report's marking as seen from one of its forces: its own, else that force's default."""
    own = _label(report, "marking")
    return own if own is not None else _force_default(force_id)


def _loaded_report(obj: Any, *path: str) -> Any:
    """The report reached through already-loaded foreign keys, or None if a query is needed."""
    for field in path:
        obj = _cached(obj, field)
        if obj is None or obj is _UNKNOWN:
            return None
    return obj


def item_marking(item: TrackedItem) -> str:
    """The item's own marking, else its report's own, else its force's default, else "".

    One query when nothing is loaded; none when the item's marking (or its report and the
    markings) were read with select_related."""
    own = _cached(item, "marking")
    if own is None:
        report = _loaded_report(item, "finding", "report")
        if report is not None:
            return _report_own_or_force(report, item.force_id)
    elif own is not _UNKNOWN:
        return str(own.label)
    label = (
        TrackedItem.objects.filter(pk=item.pk)
        .values_list(
            Coalesce(
                "marking__label", "finding__report__marking__label", "force__default_marking__label"
            ),
            flat=True,
        )
        .first()
    )
    return label or ""


def response_marking(response: StatutoryResponse) -> str:
    """The response's own marking, else its report's own, else its force's default, else "".

    One query when nothing is loaded."""
    own = _cached(response, "marking")
    if own is None:
        report = _loaded_report(response, "report")
        if report is not None:
            return _report_own_or_force(report, response.force_id)
    elif own is not _UNKNOWN:
        return str(own.label)
    label = (
        StatutoryResponse.objects.filter(pk=response.pk)
        .values_list(
            Coalesce("marking__label", "report__marking__label", "force__default_marking__label"),
            flat=True,
        )
        .first()
    )
    return label or ""


def items_markings(item_ids: Iterable[int]) -> dict[int, str]:
    """Each item's marking (as item_marking: its own, else its report's own, else its
    force's default, else ""), keyed by the item's id; one query whatever their number."""
    ids = set(item_ids)
    if not ids:
        return {}
    rows = TrackedItem.objects.filter(pk__in=ids).values_list(
        "pk",
        Coalesce(
            "marking__label", "finding__report__marking__label", "force__default_marking__label"
        ),
    )
    return {pk: label or "" for pk, label in rows}


def responses_markings(response_ids: Iterable[int]) -> dict[int, str]:
    """Each statutory response's marking (as response_marking), keyed by its id; one query
    whatever their number."""
    ids = set(response_ids)
    if not ids:
        return {}
    rows = StatutoryResponse.objects.filter(pk__in=ids).values_list(
        "pk",
        Coalesce("marking__label", "report__marking__label", "force__default_marking__label"),
    )
    return {pk: label or "" for pk, label in rows}


def person_marking(user: "User") -> str:
    """The marking of a document made for a person that is about no one thing (a board
    pack): their organisation's default, else the PROTECTIVE_MARKING_DEFAULT setting."""
    label = None
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is not None:
        label = (
            Organisation.objects.filter(pk=organisation_id)
            .values_list("default_marking__label", flat=True)
            .first()
        )
    return label or str(getattr(settings, "PROTECTIVE_MARKING_DEFAULT", "OFFICIAL"))


def _highest(labels_by_rank: dict[int, str], floor: str, rank: int | None) -> str:
    """The higher of a floor label and the marking of this rank (a floor outside the list,
    such as a setting naming no listed marking, gives way to any marking of the list)."""
    if rank is None:
        return floor
    floor_rank = next((r for r, label in labels_by_rank.items() if label == floor), None)
    if floor_rank is not None and floor_rank >= rank:
        return floor
    return labels_by_rank.get(rank, floor)


def items_marking(items: QuerySet[TrackedItem], user: "User") -> str:
    """The highest effective marking among these items, at least person_marking(user).

    Three queries whatever the number of items: the list of markings, one aggregate over
    the items, the person's organisation."""
    labels_by_rank = dict(ProtectiveMarking.objects.values_list("rank", "label"))
    rank = items.order_by().aggregate(
        highest=Max(
            Coalesce(
                "marking__rank",
                "finding__report__marking__rank",
                "force__default_marking__rank",
            )
        )
    )["highest"]
    return _highest(labels_by_rank, person_marking(user), rank)


def responses_marking(responses: QuerySet[StatutoryResponse], user: "User") -> str:
    """The highest effective marking among these statutory responses (for their export),
    at least person_marking(user); three queries whatever the number of responses."""
    labels_by_rank = dict(ProtectiveMarking.objects.values_list("rank", "label"))
    rank = responses.order_by().aggregate(
        highest=Max(
            Coalesce("marking__rank", "report__marking__rank", "force__default_marking__rank")
        )
    )["highest"]
    return _highest(labels_by_rank, person_marking(user), rank)
