"""Lineage across inspections (issue 18): an item's chain of earlier findings with its
suggestions, adding a link by hand, confirming or dismissing a suggestion, and the export of
confirmed links. The recipe: the scoped item loader (404 outside the person's forces), the
`policy.can_decide_lineage` predicate (403), a form, one service, a redirect."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import exports, lineage, lineage_reads, policy, selectors
from tracker.lineage_forms import LinkAddForm, LinkDecideForm
from tracker.models import LinkState, TrackedItem
from tracker.views import common


def _page(
    request, item: TrackedItem, *, form: LinkAddForm | None = None, status: int = 200
) -> HttpResponse:
    today = common.today()
    shown = lineage_reads.item_lineage(item, request.user, today)
    can_decide = policy.can_decide_lineage(request.user, item.force_id, today)
    if form is None and can_decide:
        form = LinkAddForm(choices=lineage_reads.earlier_choices(item))
    return render(
        request,
        "tracker/lineage_item.html",
        {"item": item, "lineage": shown, "form": form, "can_decide": can_decide},
        status=status,
    )


@login_required
@require_GET
def item_lineage(request, uuid) -> HttpResponse:
    """The item's lineage: the confirmed chain back, the later findings linking to it, the
    suggestions to decide (for those who decide) and the form to add a link."""
    item = selectors.item_get(user=request.user, uuid=uuid, today=common.today())
    return _page(request, item)


@login_required
@require_POST
def item_lineage_add(request, uuid) -> HttpResponse:
    today = common.today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_decide_lineage(request.user, item.force_id, today):
        raise PermissionDenied("You cannot link this force's findings.")
    form = LinkAddForm(request.POST, choices=lineage_reads.earlier_choices(item))
    if form.is_valid():
        try:
            lineage.link_add(
                later_item=item,
                earlier_finding_key=form.cleaned_data["earlier_key"],
                relation=form.cleaned_data["relation"],
                note=form.cleaned_data["note"],
                by=request.user,
                today=today,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("earlier_key", message)
        else:
            messages.success(request, _("The link has been added"))
            return redirect("tracker:item_lineage", uuid=item.uuid)
    return _page(request, item, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def item_lineage_decide(request, uuid, link_id: int) -> HttpResponse:
    """Confirm a suggested link (saying how the findings relate) or dismiss it."""
    today = common.today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    link = lineage_reads.item_link_get(item, link_id)
    if link is None:
        raise Http404("No such link")
    if not policy.can_decide_lineage(request.user, item.force_id, today):
        raise PermissionDenied("You cannot decide on links between this force's findings.")
    back = reverse("tracker:item_lineage", kwargs={"uuid": item.uuid})
    if request.method == "POST":
        form = LinkDecideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == LinkDecideForm.CONFIRM:
                    lineage.link_confirm(
                        link=link,
                        by=request.user,
                        relation=data["relation"],
                        note=data["note"],
                        today=today,
                    )
                    done = _("The link has been confirmed")
                else:
                    lineage.link_dismiss(link=link, by=request.user, note=data["note"], today=today)
                    done = _("The suggestion has been dismissed")
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("decision", message)
            else:
                messages.success(request, done)
                return redirect(back)
    else:
        initial: dict[str, Any] = {}
        if link.state != LinkState.SUGGESTED:
            initial["relation"] = link.relation
        form = LinkDecideForm(initial=initial)
    return render(
        request,
        "tracker/lineage_decide.html",
        {"item": item, "link": link, "form": form, "back": back},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def lineage_export(request) -> StreamingHttpResponse:
    """The confirmed links of the forces the person sees, as CSV: the header, then a row per
    link."""
    today = common.today()
    response = StreamingHttpResponse(
        exports.csv_stream(lineage_reads.export_table(request.user, today)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = exports.content_disposition(
        f"lineage-links-{today.isoformat()}.csv"
    )
    return response
