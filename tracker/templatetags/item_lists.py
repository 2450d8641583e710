"""Tags for the item lists (All items, My items, the overdue report).

`{% sort_header "due" %}` is a column heading that sorts the list by that column (a link
that keeps the other filters, with `aria-sort` on the sorted column); `{% bulk_actions_for
request.user as actions %}` the bulk actions this person may start from a list."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tracker import bulk_actions
from tracker.filters import SORT_CHOICES, SORTS

register = template.Library()
VALID_SORTS = {value for value, _label in SORT_CHOICES}


@register.simple_tag(takes_context=True)
def sort_header(context: Any, key: str, label: str = "", classes: str = "") -> SafeString:
    """A table heading (`th`) whose link sorts by this column, or reverses the sort when the
    list is already sorted by it."""
    request = context["request"]
    label = label or SORTS[key][0]
    current = request.GET.get("sort", "")
    current = current if current in VALID_SORTS else ""
    if current == key:
        state, target, next_words = "ascending", f"-{key}", "sort in reverse order"
    elif current == f"-{key}":
        state, target, next_words = "descending", key, "sort in order"
    else:
        state, target, next_words = "none", key, "sort by this column"
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = target
    return format_html(
        '<th scope="col" class="govuk-table__header{}" aria-sort="{}">'
        '<a class="govuk-link app-sort-link" href="?{}">{}'
        '<span class="govuk-visually-hidden"> ({})</span></a></th>',
        f" {classes}" if classes else "",
        state,
        query.urlencode(),
        label,
        next_words,
    )


@register.simple_tag
def bulk_actions_for(user: Any) -> list[tuple[str, str]]:
    """The bulk actions this person may start (none for readers)."""
    return bulk_actions.actions_for(user)
