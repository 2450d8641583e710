"""`{% calendar_feed_links as calendar %}`: the person's calendar feed addresses, for the
section of the Email settings page (templates/accounts/email_settings.html). Reads only:
the address is made by a POST to /calendar/reset/."""

from typing import Any

from django import template

from tracker import calendar_feeds

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_feed_links(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    if not user.is_authenticated:
        return {"feed": None}
    return calendar_feeds.feed_links(user)
