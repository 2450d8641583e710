"""Search (the box in the header) and saved views of the item lists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import policy, saved_views
from tracker import search as finder
from tracker.models import SavedView, SavedViewList
from tracker.saved_view_forms import SavedViewForm
from tracker.views import common


@login_required
@require_GET
def search(request) -> HttpResponse:
    """Items, reports and (for administrators) people that match, grouped by kind. An empty
    search runs no query and says what to do; a very long one is cut and says so."""
    submitted = "q" in request.GET
    terms = finder.search_terms(request.GET.get("q"))
    results = None
    if not terms.empty:
        results = finder.search(user=request.user, today=common.today(), terms=terms)
    return render(
        request,
        "tracker/search.html",
        {
            "terms": terms,
            "results": results,
            "error": "Enter a word or two to search for" if submitted and terms.empty else "",
            "max_length": finder.MAX_QUERY_LENGTH,
            "can_search_people": policy.can_manage_people(request.user),
        },
    )


def _list_url(view_list: str, query: str) -> str:
    url = reverse(f"tracker:{view_list}")
    return f"{url}?{query}" if query else url


def _say_ignored(request, ignored: tuple[str, ...]) -> None:
    if ignored:
        messages.warning(
            request,
            "Part of this saved view no longer applies and was ignored: " + "; ".join(ignored),
        )


@login_required
@require_http_methods(["GET", "POST"])
def saved_view_new(request) -> HttpResponse:
    """Name the filters and sort of a list (the query string the list's link sends)."""
    user = request.user
    if request.method == "POST":
        form = SavedViewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            checked = saved_views.check_query(
                list_name=data["list_name"], query=data["query"], user=user, today=common.today()
            )
            try:
                view = saved_views.saved_view_create(
                    owner=user,
                    name=data["name"],
                    list_name=data["list_name"],
                    query=checked.query,
                    shared=data["shared"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                _say_ignored(request, checked.ignored)
                shared = " and shared it with your colleagues" if view.shared else ""
                messages.success(request, f"You saved the view “{view.name}”{shared}.")
                return redirect(_list_url(view.list_name, view.query))
        status = 400
    else:
        list_name = request.GET.get("list") or SavedViewList.ITEM_LIST
        if list_name not in SavedViewList.values:
            raise Http404("No such list")
        form = SavedViewForm(initial={"list_name": list_name, "query": request.GET.get("query")})
        status = 200
    list_name = form["list_name"].value()
    label = SavedViewList(list_name).label if list_name in SavedViewList.values else "the list"
    return render(
        request,
        "tracker/saved_view_form.html",
        {
            "form": form,
            "list_label": label,
            "back_url": _list_url(list_name, form["query"].value() or "")
            if list_name in SavedViewList.values
            else reverse("tracker:item_list"),
            "can_share": saved_views.can_share(user),
        },
        status=status,
    )


@login_required
@require_GET
def saved_view_list(request) -> HttpResponse:
    """The person's saved views and those their colleagues shared, by list."""
    views = list(saved_views.visible_saved_views(user=request.user))
    lists = [
        {"label": label, "views": [v for v in views if v.list_name == value]}
        for value, label in SavedViewList.choices
    ]
    return render(
        request,
        "tracker/saved_views.html",
        {"lists": [entry for entry in lists if entry["views"]], "count": len(views)},
    )


@login_required
@require_GET
def saved_view_open(request, pk: int) -> HttpResponseRedirect:
    """Open a saved view: its list with its filters, checked again (a value that no longer
    applies is left out, with a message)."""
    view: SavedView = saved_views.saved_view_get(user=request.user, pk=pk)
    checked = saved_views.check_query(
        list_name=view.list_name, query=view.query, user=request.user, today=common.today()
    )
    _say_ignored(request, checked.ignored)
    return redirect(_list_url(view.list_name, checked.query))


@login_required
@require_POST
def saved_view_delete(request, pk: int) -> HttpResponseRedirect:
    view = saved_views.own_saved_view_get(user=request.user, pk=pk)
    saved_views.saved_view_delete(view=view, by=request.user)
    messages.success(request, f"You deleted the saved view “{view.name}”.")
    return redirect("tracker:saved_views")
