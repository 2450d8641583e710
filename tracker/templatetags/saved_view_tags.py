"""`{% saved_views_for "item_list" as views %}`: the saved views a person may use on a list,
for the menu the list pages include (templates/tracker/_saved_views.html)."""

from typing import Any

from django import template

from tracker import saved_views
from tracker.models import SavedView

register = template.Library()


@register.simple_tag(takes_context=True)
def saved_views_for(context: dict[str, Any], list_name: str) -> list[SavedView]:
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return saved_views.saved_views_for_list(user=user, list_name=list_name)
