import django_filters
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation, Role, User
from tracker import policy
from tracker.forms import DATE_INPUT_FORMATS
from tracker.models import FindingKind, Report, Status, TrackedItem


def _date_filter(label, lookup):
    return django_filters.DateFilter(
        field_name="due_date",
        lookup_expr=lookup,
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": "Enter a real date, for example 31/03/2027"},
    )


class ItemFilter(django_filters.FilterSet):
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
        label="Overdue only", method="filter_overdue", widget=django_filters.widgets.BooleanWidget
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
        today = today or timezone.localdate()
        force_ids = policy.visible_force_ids(user, today) if user is not None else set()
        forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE)
        people = User.objects.filter(
            role_assignments__role__in=[Role.FORCE_STAFF, Role.FORCE_COORDINATOR]
        )
        if force_ids is not None:
            forces = forces.filter(pk__in=force_ids)
            people = people.filter(organisation_id__in=force_ids)
        self.filters["force"].queryset = forces.order_by("name")
        self.filters["owner"].queryset = people.distinct().order_by("full_name")
        self.filters["report"].queryset = Report.objects.for_forces(force_ids).order_by(
            "-published_on", "title"
        )
        for name in ("force", "owner", "report"):
            self.form.fields[name].error_messages["invalid_choice"] = (
                "That is not one of the choices you can see"
            )

    def search(self, queryset, name, value):
        # The ORM passes the text as a parameter: SQL and HTML characters are just text.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(finding__text__icontains=value) | Q(finding__report__title__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue(timezone.localdate())
        return queryset
