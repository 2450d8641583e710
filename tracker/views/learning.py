"""Learning shared between forces (issue 18): sharing a closed item's closing summary with
every force, withdrawing it, and the list of every summary shared now."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import learning, learning_reads, policy, selectors
from tracker.learning_forms import LearningSearchForm, ShareLearningForm
from tracker.views import common


@login_required
@require_http_methods(["GET", "POST"])
def item_share(request, uuid) -> HttpResponse:
    """Share (or correct) a closed item's closing summary with every force: the form starts
    from the approved closure's summary. An item that is not closed gets the reason, and no
    form; another force's item is not found."""
    today = common.today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_share_learning(request.user, item, today):
        raise PermissionDenied("You cannot share this item's summary.")
    refusal = learning.share_refusal(item)
    existing = item.shared_learning if hasattr(item, "shared_learning") else None
    status = 200
    if refusal:
        form = None
        status = 400 if request.method == "POST" else 200
    elif request.method == "POST":
        form = ShareLearningForm(request.POST)
        if form.is_valid():
            try:
                learning.learning_share(
                    item=item,
                    by=request.user,
                    what_was_done=form.cleaned_data["what_was_done"],
                    evidence_of_effect=form.cleaned_data["evidence_of_effect"],
                    contact_role=form.cleaned_data["contact_role"],
                    today=today,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, gettext("The closing summary is shared with every force"))
                return redirect("tracker:item_detail", uuid=item.uuid)
        status = 400
    else:
        form = ShareLearningForm(initial=learning.share_initial(item))
    return render(
        request,
        "tracker/learning_share_form.html",
        {
            "item": item,
            "form": form,
            "refusal": refusal,
            "existing": existing,
            "first_field_id": "id_what_was_done",
            "today": today,
        },
        status=status,
    )


@login_required
@require_POST
def item_share_withdraw(request, uuid) -> HttpResponseRedirect:
    """Stop sharing the item's summary: other forces see nothing of it from now on."""
    today = common.today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_share_learning(request.user, item, today):
        raise PermissionDenied("You cannot withdraw this item's summary.")
    try:
        learning.learning_withdraw(item=item, by=request.user, today=today)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, gettext("The summary is no longer shared: other forces cannot see it")
        )
    return redirect("tracker:item_detail", uuid=item.uuid)


@login_required
@require_GET
def learning_list(request) -> HttpResponse:
    """Every summary shared now, newest first, filtered by words."""
    today = common.today()
    form = LearningSearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    rows = learning_reads.learning_list(user=request.user, today=today, text=text)
    page = common.narrow_page(rows, request.GET.get("page"), common.PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracker/learning_list.html",
        {
            "form": form,
            "text": text,
            "page": page,
            "query": query.urlencode(),
            "summaries": page.object_list,
            "today": today,
        },
    )
