import datetime
import logging
from typing import Any, TypeVar, cast

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_filters.widgets import BooleanWidget

from accounts.models import INSPECTED_KINDS, Organisation, User
from tracker import policy
from tracker.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    FindingKind,
    FindingLink,
    InspectorateStatus,
    LinkState,
    Report,
    ReportType,
    Status,
    TrackedItem,
    TrackedItemQuerySet,
)

logger = logging.getLogger(__name__)

# The ways people may write a date, in the filters and in the forms (tracker.forms): the
# filters are read by the selectors, below the forms, so the list lives here.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d %m %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
]
# Words that may be typed for a date, any case, as days from today (London).
DATE_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}


class DayField(forms.DateField):
    """A date as people type it: any of DATE_INPUT_FORMATS, or "today", "tomorrow" or
    "yesterday" in any case. Every date field of the tracker's forms and filters is one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, str) and value.strip().casefold() in DATE_WORDS:
            days = DATE_WORDS[value.strip().casefold()]
            return timezone.localdate() + datetime.timedelta(days=days)
        return super().to_python(value)


class DayFilter(django_filters.DateFilter):
    """A date filter that takes what DayField takes."""

    field_class = DayField


class ScopedFilterSet(django_filters.FilterSet):
    """The filters of a list for one person on one day (tracker.selectors builds them): the
    choices offered are limited to what the person may see."""

    def __init__(
        self,
        data: Any = None,
        queryset: Any = None,
        *,
        user: Any = None,
        today: datetime.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)  # the queryset is scoped before it gets here


# The choices of the force, report and owner filters, for one scope (a set of forces, or
# every force): plain (value, label) pairs read with values_list, kept in the cache for
# CHOICES_SECONDS so a list page neither loads whole rows (a person's row holds their password
# hash) nor renders them one by one. A value that is not in the cached choices (a person or
# report added in the last minute) is checked against the database before it is refused.
CHOICES_SECONDS = 60
# Up to this many people, the owner filter is a drop-down (a type-ahead with JavaScript);
# beyond, a text field that matches names (a type-ahead too), so a national list never
# renders hundreds of options.
OWNER_SELECT_MOST = 60


def _scope_key(force_ids: set[int] | None) -> str:
    if force_ids is None:
        return "all"
    return ",".join(str(i) for i in sorted(force_ids)) or "none"


def _cached(kind: str, force_ids: set[int] | None, load: Any) -> Any:
    """The choices from the cache, or loaded (and kept) when missing. A cache that cannot be
    reached costs the query, never the page."""
    key = f"filter-choices:{kind}:{_scope_key(force_ids)}"
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - fail open: the list works without its cache
        logger.warning("Filter choices: the cache could not be read", exc_info=True)
        return load()
    if found is None:
        found = load()
        try:
            cache.set(key, found, CHOICES_SECONDS)
        except Exception:  # noqa: BLE001 - fail open, as above
            logger.warning("Filter choices: the cache could not be written", exc_info=True)
    return found


def force_choices(force_ids: set[int] | None) -> list[tuple[str, str]]:
    """(id, name) of the forces in scope, by name."""

    def load() -> list[tuple[str, str]]:
        forces = Organisation.objects.filter(kind__in=INSPECTED_KINDS)
        if force_ids is not None:
            forces = forces.filter(pk__in=force_ids)
        return [(str(pk), name) for pk, name in forces.order_by("name").values_list("pk", "name")]

    return _cached("force", force_ids, load)


def report_choices(force_ids: set[int] | None) -> list[tuple[str, str, int]]:
    """(key, title, id) of the reports about the forces in scope, newest first."""

    def load() -> list[tuple[str, str, int]]:
        reports = Report.objects.for_forces(force_ids).order_by("-published_on", "title")
        return [(key, title, pk) for pk, key, title in reports.values_list("pk", "key", "title")]

    return _cached("report", force_ids, load)


def owner_choices(force_ids: set[int] | None) -> list[tuple[str, str]]:
    """(id, name) of the force staff and coordinators in scope, by name."""

    def load() -> list[tuple[str, str]]:
        people = User.objects.with_role(*policy.FORCE_ROLES)
        if force_ids is not None:
            people = people.filter(organisation_id__in=force_ids)
        rows = people.order_by("full_name", "pk").values_list("pk", "full_name", "email")
        return [(str(pk), name or email) for pk, name, email in rows]

    return _cached("owner", force_ids, load)


def force_in_scope(force_ids: set[int] | None, value: str) -> bool:
    """Whether a force id (as typed in a URL) is a force in scope: one query."""
    if not value.isdigit():
        return False
    forces = Organisation.objects.filter(kind__in=INSPECTED_KINDS, pk=value)
    if force_ids is not None:
        forces = forces.filter(pk__in=force_ids)
    return forces.exists()


class ScopedChoiceFilter(django_filters.ChoiceFilter):
    """A choice among what the person may see (force, report, owner): the choices are plain
    pairs (ScopedChoiceField), and a value outside them is checked by `allowed` (one query,
    only for a value the cached choices lack) before it is refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [])
        super().__init__(*args, **kwargs)
        self.allowed: Any = None

    @property
    def field(self) -> forms.Field:
        field = super().field
        cast(ScopedChoiceField, field).allowed = self.allowed
        return field


class ScopedChoiceField(django_filters.fields.ChoiceField):
    allowed: Any = None

    def valid_value(self, value: Any) -> bool:
        if super().valid_value(value):
            return True
        return bool(self.allowed and str(value).isascii() and self.allowed(str(value)))


ScopedChoiceFilter.field_class = ScopedChoiceField


def _date_filter(label: str, lookup: str, field_name: str = "due_date") -> DayFilter:
    return DayFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": "Enter a real date, for example 31/03/2027"},
    )


# The columns an item list may be sorted by (`?sort=due`, `?sort=-due` for the reverse): the
# key in the URL, the column's label, and the fields it sorts on. Anything else is ignored
# with a message, like any filter value that does not validate. "days" (days overdue) is the
# due date the other way round: most days overdue first is the earliest due date first.
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "finding": ("Finding", ("finding__text",)),
    "due": ("Due", ("due_date",)),
    "days": ("Days overdue", ("-due_date",)),
    "status": ("Status", ("status",)),
    "force": ("Force", ("force__name",)),
    "owner": ("Owner", ("owner_name",)),  # the owner's name, copied onto the item
    "activity": ("Last activity", ("last_activity_at",)),
}
SORT_CHOICES = [
    (f"{sign}{key}", f"{label}{' (reversed)' if sign else ''}")
    for key, (label, _fields) in SORTS.items()
    for sign in ("", "-")
]


def sort_order(value: str) -> list[Any]:
    """The ORDER BY terms of a sort key from SORT_CHOICES (nulls last either way: an item
    with no due date or no owner sorts after the others), then the id, so pages are stable."""
    descending = value.startswith("-")
    terms = []
    for field in SORTS[value.lstrip("-")][1]:
        down = descending != field.startswith("-")
        name = field.lstrip("-")
        terms.append(F(name).desc(nulls_last=True) if down else F(name).asc(nulls_last=True))
    return [*terms, "-id" if descending else "id"]


# The inspectorate's latest status of an item, and a mismatch with the force's (issue 18) ----
#
# Defined once, here, for every page that filters or flags on them (the item lists, the
# overdue report, the dashboards, a national recommendation's page, the item page): the
# latest status is the one stated last (undated statuses rank below dated ones, then the
# one recorded last), read as a subquery of the items' own query, never a query per item.

LATEST_INSPECTORATE_ORDER = (F("stated_on").desc(nulls_last=True), "-recorded_at", "-id")
# The inspectorate's statuses that say the work is still to be done, and that it is done.
INSPECTORATE_OPEN = (
    InspectorateStatus.Status.AWAITING_REVIEW,
    InspectorateStatus.Status.BEING_PROGRESSED,
)
INSPECTORATE_DONE = (
    InspectorateStatus.Status.COMPLETE,
    InspectorateStatus.Status.NO_FURTHER_ACTION,
)
# The annotations `with_inspectorate_latest` adds.
LATEST = "inspectorate_latest"
MISMATCH = "inspectorate_mismatch"


def latest_inspectorate_status(item_ref: str = "pk") -> Subquery:
    """The inspectorate's latest status (its value) of the item `item_ref` names."""
    latest = InspectorateStatus.objects.filter(item_id=OuterRef(item_ref)).order_by(
        *LATEST_INSPECTORATE_ORDER
    )
    return Subquery(latest.values("status")[:1])


def mismatch_q(latest: str = LATEST, status: str = "status") -> Q:
    """A mismatch, over an item's status and its `latest` inspectorate status annotation: the
    force says closed (or superseded) while the inspectorate says awaiting review or being
    progressed, or the force's item is open while the inspectorate says complete or no
    further action needed. As `is_mismatch`."""
    return Q(**{f"{status}__in": CLOSED_STATUSES, f"{latest}__in": INSPECTORATE_OPEN}) | Q(
        **{f"{status}__in": OPEN_STATUSES, f"{latest}__in": INSPECTORATE_DONE}
    )


def is_mismatch(force_status: str, inspectorate_status: str | None) -> bool:
    """Whether the force's status and the inspectorate's latest disagree (as `mismatch_q`).
    Pure."""
    if not inspectorate_status:
        return False
    if force_status in CLOSED_STATUSES:
        return inspectorate_status in INSPECTORATE_OPEN
    if force_status in OPEN_STATUSES:
        return inspectorate_status in INSPECTORATE_DONE
    return False


def with_inspectorate_latest(items: QuerySet) -> QuerySet:
    """The items, each with the inspectorate's latest status (`inspectorate_latest`, None
    when it has given none) and whether it disagrees with the force's (`inspectorate_mismatch`)."""
    return items.annotate(**{LATEST: latest_inspectorate_status()}).annotate(
        **{
            MISMATCH: Case(
                When(mismatch_q(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        }
    )


def recurring_q() -> Q:
    """An item whose finding was raised before: it has a confirmed link (it repeats,
    continues or supersedes) to an earlier finding of the same force (tracker/lineage.py
    confirms links). The dashboards' and the progress review's count of recurring findings
    and the item list's `recurring` filter."""
    return Q(
        Exists(
            FindingLink.objects.filter(
                state=LinkState.CONFIRMED,
                later_id=OuterRef("finding_id"),
                force_id=OuterRef("force_id"),
            )
        )
    )


QuerySetT = TypeVar("QuerySetT", bound=QuerySet)

# `?inspectorate=` values: a status, or "none" (the inspectorate has given none).
INSPECTORATE_NONE = "none"
INSPECTORATE_CHOICES = [
    *InspectorateStatus.Status.choices,
    (INSPECTORATE_NONE, "None recorded"),
]


def inspectorate_narrow(
    items: QuerySetT, *, inspectorate: str = "", mismatch: bool = False
) -> QuerySetT:
    """The items whose inspectorate's latest status is `inspectorate` ("none": no status),
    and, with `mismatch`, only those where it disagrees with the force's. Both empty: the
    items as they are."""
    if not inspectorate and not mismatch:
        return items
    if LATEST not in items.query.annotations:
        items = items.annotate(**{LATEST: latest_inspectorate_status()})
    if inspectorate == INSPECTORATE_NONE:
        items = items.filter(**{f"{LATEST}__isnull": True})
    elif inspectorate:
        items = items.filter(**{LATEST: inspectorate})
    if mismatch:
        items = items.filter(mismatch_q())
    return items


class ItemFilter(ScopedFilterSet):
    """Filters for every item list, kept in the URL so a view can be bookmarked and shared.

    The choices of force, report and owner are limited to what the person may see, so a
    tampered value (another force's id) is not a valid choice: it is ignored with a message,
    like any value that does not validate, and never widens the list (the queryset is scoped
    before the filters apply)."""

    q = django_filters.CharFilter(
        label="Search the finding text, report, owner or lead", method="search", max_length=200
    )
    # "Open" (any status but closed): the dashboards' open items (tracker.dashboards.OPEN).
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open (any status but closed)"), *Status.choices],
        label="Status",
        empty_label="Any status",
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(
        field_name="finding__kind",
        choices=FindingKind.choices,
        label="Kind",
        empty_label="Any kind",
    )
    force = ScopedChoiceFilter(field_name="force_id", label="Force", empty_label="Any force")
    report = ScopedChoiceFilter(label="Report", empty_label="Any report", method="filter_report")
    owner = ScopedChoiceFilter(
        field_name="owner_id", label="Owner", empty_label="Anyone", null_label="No owner"
    )
    # Where the owner filter is a text field (more than OWNER_SELECT_MOST people): part of a
    # name, any case.
    owner_name = django_filters.CharFilter(
        field_name="owner_name",
        lookup_expr="icontains",
        label="Owner",
        max_length=200,
        help_text="Type part of a name",
    )
    area = django_filters.CharFilter(
        field_name="finding__area",
        lookup_expr="icontains",
        label="Area of the report (e.g. a graded question)",
        max_length=200,
    )
    due_after = _date_filter("Due on or after", "gte")
    due_before = _date_filter("Due on or before", "lte")
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="filter_overdue", widget=BooleanWidget
    )
    # For the dashboards' figures (tracker.dashboards.*_filters): no due date, the report's
    # age, closed since a day.
    no_due_date = django_filters.BooleanFilter(
        field_name="due_date", lookup_expr="isnull", label="No due date only", widget=BooleanWidget
    )
    published_after = _date_filter(
        "Report published on or after", "gte", "finding__report__published_on"
    )
    published_before = _date_filter(
        "Report published on or before", "lte", "finding__report__published_on"
    )
    closed_after = _date_filter("Closed on or after", "date__gte", "closed_at")
    # Issue 18: the inspectorate's latest status, and where it disagrees with the force's.
    inspectorate = django_filters.ChoiceFilter(
        choices=INSPECTORATE_CHOICES,
        label="The inspectorate's latest status",
        empty_label="Any",
        method="filter_inspectorate",
    )
    mismatch = django_filters.BooleanFilter(
        label="Only where the inspectorate's status differs from the force's",
        method="filter_mismatch",
        widget=BooleanWidget,
    )
    recurring = django_filters.BooleanFilter(
        label="Only findings raised before (recurring)",
        method="filter_recurring",
        widget=BooleanWidget,
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES,
        label="Sort by",
        method="sort_by",
        error_messages={"invalid_choice": "Sort by one of the column headings"},
    )

    class Meta:
        model = TrackedItem
        fields = [
            "q",
            "status",
            "kind",
            "force",
            "report",
            "owner",
            "owner_name",
            "area",
            "due_after",
            "due_before",
            "overdue",
            "no_due_date",
            "published_after",
            "published_before",
            "closed_after",
            "inspectorate",
            "mismatch",
            "recurring",
            "sort",
        ]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """The rows, each with the inspectorate's latest status and a mismatch flag (two
        subqueries in the rows' own query: the lists and the overdue report show them), then
        filtered. Counting and paging by id leave them out of the SQL."""
        return super().filter_queryset(with_inspectorate_latest(queryset))

    @property
    def qs(self) -> QuerySet:
        # Unbound (no filter chosen), django-filter skips filter_queryset: annotate anyway.
        if not self.is_bound and not hasattr(self, "_qs") and self.queryset is not None:
            self._qs = with_inspectorate_latest(self.queryset.all())
        return super().qs

    def filter_inspectorate(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return inspectorate_narrow(queryset, inspectorate=value or "")

    def filter_mismatch(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return inspectorate_narrow(queryset, mismatch=bool(value))

    def filter_recurring(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return queryset.filter(recurring_q()) if value else queryset

    def __init__(self, *args, user=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = self.today = today or timezone.localdate()
        force_ids = policy.visible_force_ids(user, today) if user is not None else set()
        self.force_ids = force_ids
        reports = report_choices(force_ids)
        self.report_ids = {key: pk for key, _title, pk in reports}
        owners = owner_choices(force_ids)
        # The owner filter as a drop-down only when the choice is small (see OWNER_SELECT_MOST).
        self.owner_as_select = len(owners) <= OWNER_SELECT_MOST
        self.scoped_choices = {
            "force": force_choices(force_ids),
            "report": [(key, title) for key, title, _pk in reports],
            "owner": owners,
        }
        for name, choices in self.scoped_choices.items():
            scoped = cast(ScopedChoiceFilter, self.filters[name])
            scoped.extra["choices"] = choices
            scoped.allowed = getattr(self, f"_allowed_{name}")
        for name in ("force", "owner", "report"):
            self.form.fields[name].error_messages["invalid_choice"] = (
                "That is not one of the choices you can see"
            )

    # Values missing from the cached choices (added within CHOICES_SECONDS): one query each.
    def _allowed_force(self, value: str) -> bool:
        return force_in_scope(self.force_ids, value)

    def _allowed_report(self, value: str) -> bool:
        found = Report.objects.for_forces(self.force_ids).filter(key=value).values_list("pk")
        pk = next(iter(found[:1]), None)
        if pk is not None:
            self.report_ids[value] = pk[0]
        return pk is not None

    def _allowed_owner(self, value: str) -> bool:
        if not value.isdigit():
            return False
        people = User.objects.with_role(*policy.FORCE_ROLES).filter(pk=value)
        if self.force_ids is not None:
            people = people.filter(organisation_id__in=self.force_ids)
        return people.exists()

    def options(self, name: str) -> SafeString:
        """The <option>s of a scoped drop-down, built in one pass (no template per option):
        its empty choice, "No owner" for the owner, then the cached choices; the value chosen
        selected."""
        field: Any = self.form.fields[name]
        chosen = self.form[name].value()
        chosen = "" if chosen is None else str(chosen)
        pairs: list[tuple[str, str]] = [("", str(field.empty_label))]
        if getattr(field, "null_label", None):
            pairs.append((str(field.null_value), str(field.null_label)))
        pairs.extend(self.scoped_choices[name])
        return mark_safe(  # noqa: S308 -- every value and label is escaped here
            "".join(
                f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>'
                f"{escape(label)}</option>"
                for v, label in pairs
            )
        )

    @property
    def scoped_selects(self) -> list[tuple[Any, SafeString]]:
        """The drop-downs of force, report and (when the choice is small) owner, each as its
        bound field and its options."""
        names = ["force", "report", *(["owner"] if self.owner_as_select else [])]
        return [(self.form[name], self.options(name)) for name in names]

    @property
    def owner_chosen_label(self) -> str:
        """The name of the owner chosen by id (a link from a dashboard or a saved view), for
        the text form of the owner filter; "" when none."""
        value = self.form["owner"].value()
        if not value:
            return ""
        if value == "null":
            return "No owner"
        return dict(self.scoped_choices["owner"]).get(str(value), "")

    def filter_report(
        self, queryset: TrackedItemQuerySet, name: str, value: str
    ) -> TrackedItemQuerySet:
        if not value:
            return queryset
        return queryset.filter(finding__report_id=self.report_ids[value])

    def search(self, queryset: TrackedItemQuerySet, name: str, value: str) -> TrackedItemQuerySet:
        # The ORM passes the text as a parameter: SQL and HTML characters are just text.
        value = value.strip()
        if not value:
            return queryset
        # The owner's and lead's names too, so "?q=Priya" finds Priya's items (issue 14).
        return queryset.filter(
            Q(finding__text__icontains=value)
            | Q(finding__report__title__icontains=value)
            | Q(owner_name__icontains=value)
            | Q(lead__full_name__icontains=value)
        )

    def filter_status(
        self, queryset: TrackedItemQuerySet, name: str, value: str
    ) -> TrackedItemQuerySet:
        if value == "open":
            return queryset.open()
        return queryset.filter(status=value) if value else queryset

    def filter_overdue(
        self, queryset: TrackedItemQuerySet, name: str, value: bool | None
    ) -> TrackedItemQuerySet:
        if value:
            return queryset.overdue(self.today)
        return queryset

    def sort_by(self, queryset: TrackedItemQuerySet, name: str, value: str) -> TrackedItemQuerySet:
        """Sort by a column. A grouped list (the overdue report's `group`) stays grouped: its
        grouping (the terms of its order before the due date) comes first, and the column
        sorts the items within each group."""
        if not value:
            return queryset
        keep: list[Any] = []
        if self.data and self.data.get("group"):
            for term in queryset.query.order_by:
                if term == "due_date":
                    break
                keep.append(term)
        return queryset.order_by(*keep, *sort_order(value))


def _report_date_filter(label: str, lookup: str) -> DayFilter:
    return DayFilter(
        field_name="published_on",
        lookup_expr=lookup,
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": "Enter a real date, for example 31/03/2017"},
    )


class ReportFilter(ScopedFilterSet):
    """Filters for the reports list."""

    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label="Search the title", max_length=200
    )
    report_type = django_filters.ChoiceFilter(
        choices=ReportType.choices, label="Type", empty_label="Any type"
    )
    published_after = _report_date_filter("Published on or after", "gte")
    published_before = _report_date_filter("Published on or before", "lte")

    class Meta:
        model = Report
        fields = ["q", "report_type", "published_after", "published_before"]


class ResponseFilter(ScopedFilterSet):
    """Filters for the statutory responses list (rows are a report and one of its forces)."""

    q = django_filters.CharFilter(
        field_name="report__title",
        lookup_expr="icontains",
        label="Search the report title",
        max_length=200,
    )
    force = ScopedChoiceFilter(field_name="organisation_id", label="Force", empty_label="Any force")
    state = django_filters.ChoiceFilter(
        label="Show",
        empty_label="Every response",
        choices=[
            ("unpublished", "Not yet published"),
            ("late", "Past the deadline, not published"),
            ("due_soon", "Due in the next 30 days, not published"),
            ("published", "Published"),
        ],
        method="filter_state",
    )

    class Meta:
        model = Report.forces.through
        fields = ["q", "force", "state"]

    def __init__(self, *args, user=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        force_ids = policy.visible_force_ids(user, self.today) if user is not None else set()
        self.force_ids = force_ids
        scoped = cast(ScopedChoiceFilter, self.filters["force"])
        scoped.extra["choices"] = force_choices(force_ids)
        scoped.allowed = lambda value: force_in_scope(force_ids, value)
        self.form.fields["force"].error_messages["invalid_choice"] = (
            "That is not one of the choices you can see"
        )

    def filter_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # The rows are Report.forces.through's, annotated by selectors.response_pairs.
        if value == "published":
            return queryset.filter(published=True)
        if value == "late":
            return queryset.filter(published=False, due__lt=self.today)
        if value == "due_soon":  # as the PCC office's dashboard counts them
            soon = self.today + datetime.timedelta(days=30)
            return queryset.filter(published=False, due__gte=self.today, due__lte=soon)
        if value == "unpublished":
            return queryset.filter(published=False)
        return queryset
