"""Pages for a person's notifications in the app, and the reminder health page for
administrators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tracker import policy, selectors
from tracker.notifications import notifications_mark_read
from tracker.reminders import sweeps

NOTIFICATIONS_PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request) -> HttpResponse:
    """The person's reminders in the app, newest first; POST marks them all read."""
    if request.method == "POST":
        marked = notifications_mark_read(user=request.user, now=timezone.now())
        messages.success(
            request, f"{marked} notification{'s' if marked != 1 else ''} marked as read"
        )
        return redirect("tracker:notifications")
    page = Paginator(selectors.notification_list(user=request.user), NOTIFICATIONS_PAGE_SIZE)
    return render(
        request,
        "tracker/notifications.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


@login_required
@require_GET
def notification_open(request, pk) -> HttpResponseRedirect:
    """Open a notification: mark it read and go to what it is about."""
    notification = selectors.notification_list(user=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification")
    if notification.read_at is None:
        notifications_mark_read(user=request.user, ids=[pk], now=timezone.now())
    url = notification.url
    target = url if url.startswith("/") and not url.startswith("//") else "/"
    return redirect(target)


@login_required
@require_GET
def reminders_health(request) -> HttpResponse:
    """For administrators: is the sweep running, and what is waiting, sent or failed?"""
    if not policy.is_administrator(request.user):
        raise PermissionDenied("Only administrators can see the reminder health page.")
    return render(
        request,
        "tracker/reminders_health.html",
        sweeps.health(now=timezone.now()),
    )
