"""Pages for setting the protective marking (issue 21) of a report, an item and a statutory
response. The force's coordinator and the PCC office set it for their forces' things; everyone
who sees the thing sees its marking on its page. Same recipe as the other pages: a scoped
loader (404 outside the person's forces), a policy predicate (403), a form, a service."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import ProtectiveMarking
from tracker import marking_services, markings, policy, selectors
from tracker.marking_forms import MarkingForm
from tracker.views import common


def _marking_page(
    request,
    *,
    own: ProtectiveMarking | None,
    effective: str,
    inherited: str,
    act: Callable[[ProtectiveMarking | None], Any],
    back: str,
    context: dict[str, Any],
) -> HttpResponse:
    """GET shows the marking and the form; POST saves it through the service, whose refusal
    (a marking withdrawn meanwhile, no change) shows on the form with nothing saved."""
    if request.method == "POST":
        form = MarkingForm(request.POST, inherited=inherited)
        if form.is_valid():
            try:
                act(form.cleaned_data["marking"])
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("marking", message)
            else:
                messages.success(request, _("The protective marking has been saved"))
                return redirect(back)
    else:
        initial = own.label if own is not None and own.active else ""
        form = MarkingForm(initial={"marking": initial}, inherited=inherited)
    return render(
        request,
        "tracker/marking_form.html",
        {
            **context,
            "form": form,
            "own": own,
            "marking": effective,
            "inherited": inherited,
            "back": back,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_marking(request, uuid) -> HttpResponse:
    today = common.today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_set_marking(request.user, item.force_id, today):
        raise PermissionDenied("You cannot mark this item.")
    own = item.marking
    report = item.finding.report
    inherited = _own_label(report) or _force_default(item.force)
    return _marking_page(
        request,
        own=own,
        effective=markings.item_marking(item),
        inherited=inherited,
        act=lambda m: marking_services.item_marking_set(item=item, marking=m, by=request.user),
        back=reverse("tracker:item_detail", kwargs={"uuid": item.uuid}),
        context={
            "heading": _("Protective marking of this item"),
            "caption": f"{item.force.short_name} · {item.finding.summary}",
            "back_label": _("Back to the item"),
        },
    )


def _force_default(force) -> str:
    return force.default_marking.label if force.default_marking is not None else ""


def _own_label(obj) -> str:
    return obj.marking.label if obj.marking is not None else ""


@login_required
@require_http_methods(["GET", "POST"])
def report_marking(request, key) -> HttpResponse:
    today = common.today()
    report = selectors.report_get(user=request.user, key=key, today=today)
    forces = list(report.forces.select_related("default_marking"))
    if not policy.can_set_report_marking(request.user, [f.id for f in forces], today):
        raise PermissionDenied("You cannot mark this report.")
    defaults = [f.default_marking for f in forces if f.default_marking is not None]
    inherited = max(defaults, key=lambda m: m.rank).label if defaults else ""
    return _marking_page(
        request,
        own=report.marking,
        effective=markings.report_marking(report),
        inherited=inherited,
        act=lambda m: marking_services.report_marking_set(
            report=report, marking=m, by=request.user
        ),
        back=reverse("tracker:report_detail", kwargs={"key": report.key}),
        context={
            "heading": _("Protective marking of this report"),
            "caption": report.title,
            "back_label": _("Back to the report"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_marking(request, key, force_code) -> HttpResponse:
    today = common.today()
    report, force, response = selectors.response_scope_get(
        user=request.user, key=key, force_code=force_code, today=today
    )
    if response is None:
        raise Http404("No response started yet")
    if not policy.can_set_marking(request.user, force.id, today):
        raise PermissionDenied("You cannot mark this response.")
    inherited = _own_label(report) or _force_default(force)
    return _marking_page(
        request,
        own=response.marking,
        effective=markings.response_marking(response),
        inherited=inherited,
        act=lambda m: marking_services.response_marking_set(
            response=response, marking=m, by=request.user
        ),
        back=reverse(
            "tracker:response_detail", kwargs={"key": report.key, "force_code": force.code}
        ),
        context={
            "heading": _("Protective marking of this response"),
            "caption": f"{force.short_name} · {report.title}",
            "back_label": _("Back to the response"),
            "about_response": True,
        },
    )
