"""Pages for the PCC office's review of progress: every item of the forces it holds to
account (with the item lists' sortable columns and bulk actions), and on an item, asking for
an update and recording a view on progress."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tracker import filters, forms, policy, selectors, services
from tracker.views import common


@login_required
@require_GET
def review(request) -> HttpResponse:
    """All the items of the office's forces, by report, with status, last update, RAG and the
    office's own latest view. Sorted by a column (`?sort=`), the items are one table across
    the reports, each row naming its report; otherwise one table per report."""
    if not policy.reviews_progress(request.user):
        raise PermissionDenied("The review of progress is for the PCC office.")
    today = common.today()
    filterset = selectors.review_item_filter(user=request.user, today=today, filters=request.GET)
    page, query = common.filtered_page(request, filterset)
    for item in page:
        item.rag_key = item.rag(today)
        item.rag_label = item.RAG_LABELS[item.rag_key]
    # Issue 18: how many of the items listed are recurring findings (raised before), counted
    # with the filter the figure links to: one query, whatever the page.
    recurring = filterset.qs.filter(filters.recurring_q()).order_by().count()
    recurring_query = request.GET.copy()
    recurring_query.pop("page", None)
    recurring_query["recurring"] = "true"
    sort = filterset.form.cleaned_data.get("sort") if filterset.is_bound else ""
    if sort:
        groups = [(None, list(page.object_list))]
    else:  # the selector's order: report by report
        by_report = groupby(page.object_list, lambda item: item.finding.report)
        groups = [(report, list(rows)) for report, rows in by_report]
    return render(
        request,
        "tracker/review.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "today": today,
            "groups": groups,
            "recurring": recurring,
            "recurring_url": "?" + recurring_query.urlencode(),
        },
    )


def _review_action(request, uuid, *, form_class, template, heading, act, success) -> HttpResponse:
    today = common.today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_review_progress(request.user, item, today):
        raise PermissionDenied("Only the PCC office for this force can do this.")
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                result = act(item, form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, success(result) if callable(success) else success)
                return redirect("tracker:item_detail", uuid=item.uuid)
    else:
        form = form_class()
    return render(
        request,
        template,
        {"item": item, "form": form, "heading": heading},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_request_update(request, uuid) -> HttpResponse:
    return _review_action(
        request,
        uuid,
        form_class=forms.UpdateRequestForm,
        template="tracker/item_request_update_form.html",
        heading="Ask for an update",
        act=lambda item, data: services.item_request_update(
            item=item, by=request.user, message=data["message"]
        ),
        success=lambda result: (
            "Your request has been sent to " + ", ".join(p.full_name for p in result[1])
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_record_view(request, uuid) -> HttpResponse:
    return _review_action(
        request,
        uuid,
        form_class=forms.ProgressViewForm,
        template="tracker/item_view_form.html",
        heading="Record your view on progress",
        act=lambda item, data: services.item_record_view(
            item=item, by=request.user, rating=data["rating"], text=data["text"]
        ),
        success="Your view on progress has been recorded",
    )
