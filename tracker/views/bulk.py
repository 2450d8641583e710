"""The bulk action pages: from a list's ticked items (or every item matching its filters) to
the action's choices, then a confirmation page that says what will change item by item, then
the change (tracker.bulk_actions). One address, POST only; a hidden `step` says which page:

    choose   (from the list)        the action's choices
    check    (from the choices)     the confirmation page
    confirm  (from the confirmation) the change, all or nothing
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker import bulk_actions
from tracker.bulk_forms import BulkActionForm
from tracker.views import common

LIST_PAGES = {
    "all": "tracker:item_list",
    "mine": "tracker:my_items",
    "overdue": "tracker:overdue",
    "review": "tracker:review",
}


def _selection(request) -> bulk_actions.Selection:
    list_name = request.POST.get("list", "all")
    return bulk_actions.Selection(
        list_name=list_name if list_name in LIST_PAGES else "all",
        query=request.POST.get("query", "")[:4000],
        every=request.POST.get("every") == "1",
        uuids=tuple(request.POST.getlist("item")[: bulk_actions.MAX_ITEMS + 1]),
    )


def _back(selection: bulk_actions.Selection) -> str:
    url = reverse(LIST_PAGES[selection.list_name])
    return f"{url}?{selection.query}" if selection.query else url


def _page(request, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    selection = context["selection"]
    context["back"] = _back(selection)
    action = context["form"]["action"].value() or ""
    context["action_label"] = bulk_actions.ACTIONS.get(action, "Change several items")
    return render(request, template, context, status=status)


@login_required
@require_POST
def bulk_action(request) -> HttpResponse:
    if not bulk_actions.actions_for(request.user):
        raise PermissionDenied  # readers change nothing, one item or many
    selection = _selection(request)
    step = request.POST.get("step", "choose")
    today = common.today()
    try:
        if step == "confirm":
            versions = _versions(request.POST.getlist("change"))
            items, _gone = bulk_actions.items_by_uuid(
                user=request.user, today=today, uuids=versions
            )
            missing = 0
        else:
            items, missing = bulk_actions.selection_items(
                user=request.user, today=today, selection=selection
            )
    except bulk_actions.SelectionError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(_back(selection))
    people = bulk_actions.people_for(user=request.user, items=items)
    form = BulkActionForm(request.POST, user=request.user, people=people)
    context: dict[str, Any] = {"form": form, "selection": selection, "count": len(items)}
    if step == "choose":
        if "action" in form.errors:
            messages.error(request, " ".join(str(e) for e in form.errors["action"]))
            return HttpResponseRedirect(_back(selection))
        form = BulkActionForm(
            user=request.user, people=people, initial={"action": request.POST["action"]}
        )
        context.update(form=form, missing=missing, items=items)
        return _page(request, "tracker/bulk_choose.html", context)
    if not form.is_valid():
        context.update(missing=missing, items=items)
        return _page(request, "tracker/bulk_choose.html", context, status=400)
    action, params = form.cleaned_data["action"], form.params()
    if step == "confirm":
        try:
            done = bulk_actions.apply(
                user=request.user, action=action, params=params, versions=versions
            )
        except bulk_actions.SelectionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_back(selection))
        except bulk_actions.BatchRefused as refused:
            context["refused"] = refused
            plan = bulk_actions.plan(
                user=request.user, action=action, params=params, items=items, today=today
            )
            context["plan"] = plan
            return _page(request, "tracker/bulk_confirm.html", context, status=409)
        messages.success(
            request,
            f"{bulk_actions.ACTIONS[action]}: done for {done} item{'s' if done != 1 else ''}.",
        )
        return HttpResponseRedirect(_back(selection))
    plan = bulk_actions.plan(
        user=request.user,
        action=action,
        params=params,
        items=items,
        today=today,
        missing=missing,
    )
    context["plan"] = plan
    return _page(request, "tracker/bulk_confirm.html", context)


def _versions(values: list[str]) -> dict[str, int]:
    """The items the confirmation page listed, each `id:version`. A value that is not one
    (a tampered form) refuses the whole batch: nothing is changed."""
    versions = {}
    for value in values[: bulk_actions.MAX_ITEMS + 1]:
        uuid, _sep, version = value.partition(":")
        good, _bad = bulk_actions.valid_uuids([uuid])
        if not good or not version.isdigit():
            raise bulk_actions.SelectionError(
                "The list of items to change was not one this service made. Nothing has been "
                "changed: choose the items again."
            )
        versions[good[0]] = int(version)
    if not versions:
        raise bulk_actions.SelectionError("Select at least one item.")
    if len(versions) > bulk_actions.MAX_ITEMS:
        raise bulk_actions.SelectionError(
            f"Choose at most {bulk_actions.MAX_ITEMS:,} items at once: narrow the filters."
        )
    return versions
