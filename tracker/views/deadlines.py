"""The page for changing a deadline (an item's or a statutory response's): an extension, a
pause or the end of a pause, where its rule allows them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tracker import forms, policy, selectors
from tracker.reminders.changes import deadline_extend, deadline_pause, deadline_resume
from tracker.reminders.mail import deadline_about, deadline_link
from tracker.views import common


@login_required
@require_http_methods(["GET", "POST"])
def deadline_change(request, uuid) -> HttpResponse:
    """Record an extension, a pause or the end of a pause, where the rule allows them."""
    today = common.today()
    deadline = selectors.deadline_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_change_deadline(request.user, deadline, today):
        raise PermissionDenied("You cannot change this deadline.")
    back = deadline_link(deadline)
    form_class = forms.DeadlineChangeForm
    if request.method == "POST":
        form = form_class(request.POST, paused=deadline.paused)
        if form.is_valid():
            data = form.cleaned_data
            change = {
                "deadline": deadline,
                "by": request.user,
                "reason": data["reason"],
            }
            try:
                if data["action"] == "extend":
                    deadline_extend(
                        new_due_on=data["on_date"],
                        approved_by=data["approved_by"],
                        approved_on=data["approved_on"],
                        **change,
                    )
                elif data["action"] == "pause":
                    deadline_pause(
                        starts_on=data["on_date"],
                        approved_by=data["approved_by"],
                        **change,
                    )
                else:
                    deadline_resume(ends_on=data["on_date"], **change)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(
                        "on_date" if "date" in message or "day" in message else None,
                        message,
                    )
            else:
                messages.success(request, "The deadline has been changed")
                return redirect(back)
    else:
        form = form_class(paused=deadline.paused)
    return render(
        request,
        "tracker/deadline_change_form.html",
        {
            "deadline": deadline,
            "form": form,
            "back": back,
            "about": deadline_about(deadline),
            "today": today,
        },
        status=400 if form.errors else 200,
    )
