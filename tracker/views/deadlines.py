"""The page for changing a deadline (an item's or a statutory response's): an extension, a
pause or the end of a pause, where its rule allows them, and the steps after a response
(provided, then published by the body that received it) where its rule has them."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracker import deadline_forms, policy, selectors
from tracker.reminders.changes import (
    deadline_extend,
    deadline_pause,
    deadline_record_step,
    deadline_resume,
    steps_of,
)
from tracker.reminders.mail import deadline_about, deadline_link
from tracker.views import common


def _steps_open(deadline) -> tuple[str, ...]:
    """The steps after the response that can be recorded next, in order."""
    if not deadline.rule.publication_by:
        return ()
    done = steps_of(deadline)
    if deadline_forms.RESPONSE_SENT not in done:
        return (deadline_forms.RESPONSE_SENT,)
    if deadline_forms.PUBLISHED not in done:
        return (deadline_forms.PUBLISHED,)
    return ()


def _save(request, deadline, data) -> None:
    """Call the one service the chosen action needs; it raises ValidationError."""
    action = data["action"]
    common_args = {"deadline": deadline, "by": request.user}
    if action == deadline_forms.EXTEND:
        deadline_extend(
            new_due_on=data["on_date"],
            reason=data["reason"],
            approved_by=data["approved_by"],
            approved_on=data["approved_on"],
            applied_on=data.get("applied_on"),
            **common_args,
        )
    elif action == deadline_forms.PAUSE:
        deadline_pause(
            starts_on=data["on_date"],
            reason=data["reason"],
            approved_by=data["approved_by"],
            **common_args,
        )
    elif action == deadline_forms.RESUME:
        deadline_resume(ends_on=data["on_date"], reason=data["reason"], **common_args)
    else:
        deadline_record_step(
            kind=action, on_date=data["on_date"], note=data["reason"], **common_args
        )


def _show_errors(form, exc: ValidationError) -> None:
    """Put the service's refusals beside the fields they concern (the summary lists them)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
def deadline_change(request, uuid) -> HttpResponse:
    """Record an extension, a pause or the end of a pause, where the rule allows them, or a
    step after the response."""
    today = common.today()
    deadline = selectors.deadline_get(user=request.user, uuid=uuid, today=today)
    can_change = policy.can_change_deadline(request.user, deadline, today)
    steps = (
        _steps_open(deadline)
        if policy.can_record_deadline_step(request.user, deadline, today)
        else ()
    )
    if not can_change and not steps:
        raise PermissionDenied("You cannot change this deadline.")
    back = deadline_link(deadline)
    options: dict[str, Any] = {
        "paused": deadline.paused,
        "extendable": can_change,
        "extended_by": deadline.rule.extended_by,
        "steps": steps,
        "publication_by": deadline.rule.publication_by,
    }
    if request.method == "POST":
        form = deadline_forms.DeadlineChangeForm(request.POST, **options)
        if form.is_valid():
            try:
                _save(request, deadline, form.cleaned_data)
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                changed = form.cleaned_data["action"] in deadline_forms.NEEDS_REASON | {
                    deadline_forms.RESUME
                }
                messages.success(
                    request,
                    _("The deadline has been changed")
                    if changed
                    else _("The step has been recorded"),
                )
                return redirect(back)
    else:
        form = deadline_forms.DeadlineChangeForm(**options)
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
