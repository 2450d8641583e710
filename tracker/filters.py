import datetime
from typing import Any, cast

import django_filters
from django.db.models import Q, QuerySet
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


def _date_filter(label: str, lookup: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="due_date",
        lookup_expr=lookup,
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": "Enter a real date, for example 31/03/2027"},
    )


class ItemFilter(ScopedFilterSet):
    """Filters for every item list, kept in the URL so a view can be bookmarked and shared.

    The choices of force, report and owner are limited to what the person may see, so a
    tampered value (another force's id) is not a valid choice: it is ignored with a message,
    like any value that does not validate, and never widens the list (the queryset is scoped
    before the filters apply)."""

    q = django_filters.CharFilter(label="Search the finding text", method="search", max_length=200)
    status = django_filters.ChoiceFilter(
        choices=Status.choices, label="Status", empty_label="Any status"
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
        queryset=User.objects.none(), label="Owner", empty_label="Anyone"
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
        return queryset.filter(
            Q(finding__text__icontains=value) | Q(finding__report__title__icontains=value)
        )

    def filter_overdue(
        self, queryset: TrackedItemQuerySet, name: str, value: bool | None
    ) -> TrackedItemQuerySet:
        if value:
            return queryset.overdue(self.today)
        return queryset


def _report_date_filter(label: str, lookup: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
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
        if value == "unpublished":
            return queryset.filter(published=False)
        return queryset
