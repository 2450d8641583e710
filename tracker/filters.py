import django_filters
from django.db.models import Q
from django.utils import timezone

from tracker.models import FindingKind, Status, TrackedItem


class ItemFilter(django_filters.FilterSet):
    """Filters for item lists. Values that do not validate are ignored and reported."""

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
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="filter_overdue", widget=django_filters.widgets.BooleanWidget
    )

    class Meta:
        model = TrackedItem
        fields = ["q", "status", "kind", "overdue"]

    def search(self, queryset, name, value):
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
