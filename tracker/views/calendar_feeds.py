"""Calendar feeds (issue 15): the feed itself (no sign-in: the token in the address is the
key), and making or resetting the person's address (from their Email settings page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tracker import calendar_feeds


@never_cache
@require_http_methods(["GET", "HEAD"])
def calendar_feed(request, token: str) -> HttpResponse:
    """The person's deadlines as iCalendar; an unknown or reset token is 404."""
    feed = calendar_feeds.feed_get(token)
    body = calendar_feeds.feed_calendar(feed=feed, whole_force=request.GET.get("force") == "1")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def calendar_reset(request) -> HttpResponse:
    """Make the person's calendar address, or a new one (the old stops working at once)."""
    had = calendar_feeds.feed_of(request.user) is not None
    calendar_feeds.feed_reset(user=request.user)
    messages.success(
        request,
        _("Your calendar has a new address: the old one no longer works.")
        if had
        else _("Your calendar address is ready."),
    )
    return redirect(reverse("accounts:email_settings") + "#calendar")
