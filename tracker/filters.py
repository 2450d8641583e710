import datetime
from typing import Any, cast

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_filters.widgets import BooleanWidget

from accounts.models import Organisation, User
from tracker import policy
from tracker.models import (
    FindingKind,
    Report,
    ReportType,
    Status,
    TrackedItem,
    TrackedItemQuerySet,
)

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


def _choices(filterset: django_filters.FilterSet, name: str) -> django_filters.ModelChoiceFilter:
    """A filter whose choices (its queryset) are set for the person."""
    return cast(django_filters.ModelChoiceFilter, filterset.filters[name])


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
    "owner": ("Owner", ("owner__full_name",)),
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
    force = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Force", empty_label="Any force"
    )
    report = django_filters.ModelChoiceFilter(
        field_name="finding__report",
        queryset=Report.objects.none(),
        label="Report",
        empty_label="Any report",
        to_field_name="key",
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), label="Owner", empty_label="Anyone", null_label="No owner"
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
            "area",
            "due_after",
            "due_before",
            "overdue",
            "no_due_date",
            "published_after",
            "published_before",
            "closed_after",
            "sort",
        ]

    def __init__(self, *args, user=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = self.today = today or timezone.localdate()
        force_ids = policy.visible_force_ids(user, today) if user is not None else set()
        forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE)
        people = User.objects.with_role(*policy.FORCE_ROLES)
        if force_ids is not None:
            forces = forces.filter(pk__in=force_ids)
            people = people.filter(organisation_id__in=force_ids)
        _choices(self, "force").queryset = forces.order_by("name")
        _choices(self, "owner").queryset = people.order_by("full_name")
        _choices(self, "report").queryset = Report.objects.for_forces(force_ids).order_by(
            "-published_on", "title"
        )
        for name in ("force", "owner", "report"):
            self.form.fields[name].error_messages["invalid_choice"] = (
                "That is not one of the choices you can see"
            )

    def search(self, queryset: TrackedItemQuerySet, name: str, value: str) -> TrackedItemQuerySet:
        # The ORM passes the text as a parameter: SQL and HTML characters are just text.
        value = value.strip()
        if not value:
            return queryset
        # The owner's and lead's names too, so "?q=Priya" finds Priya's items (issue 14).
        return queryset.filter(
            Q(finding__text__icontains=value)
            | Q(finding__report__title__icontains=value)
            | Q(owner__full_name__icontains=value)
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
    force = django_filters.ModelChoiceFilter(
        field_name="organisation",
        queryset=Organisation.objects.none(),
        label="Force",
        empty_label="Any force",
    )
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
        forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE)
        if force_ids is not None:
            forces = forces.filter(pk__in=force_ids)
        _choices(self, "force").queryset = forces.order_by("name")
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
