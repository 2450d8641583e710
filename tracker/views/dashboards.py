"""Pages for managers: the dashboard, the board pack (on screen and as a PDF) and the
overdue report."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from tracker import dashboards, documents, selectors
from tracker.views import common

DASHBOARD_TITLES = {
    "own": "Your items",
    "force": "Your force",
    "pcc": "Your force and its statutory responses",
    "national": "All forces",
}


def dashboard_context(user, today, by: str | None = None) -> dict[str, Any]:
    """The figures, tables and chart geometry of a person's dashboard (also the board pack).
    The ageing tables are by force for national readers and by owner for the others, unless
    `by` says otherwise."""
    kind, items = selectors.dashboard_scope(user=user, today=today)
    by = by or ("force" if kind == "national" else "owner")
    rows = dashboards.grouped_counts(items, today, by)
    bands = dashboards.ageing(items, today, by=by, rows=rows)
    deadlines = selectors.response_deadlines(user=user, today=today)
    forces = dashboards.force_summaries(
        items,
        deadlines.none() if kind == "own" else deadlines,  # force staff: their own items
        today,
        rows=rows if by == "force" else None,
        names=selectors.force_names() if kind == "national" else (),
    )
    due = bands["due"]
    context = {
        "kind": kind,
        "title": DASHBOARD_TITLES[kind],
        "today": today,
        "quarter_start": dashboards.quarter_start(today),
        "forces": forces,
        "totals": {
            "open": sum(f.open for f in forces),
            "overdue": sum(f.overdue for f in forces),
            "closed_this_quarter": sum(f.closed_this_quarter for f in forces),
        },
        "age_table": bands["age"],
        "due_table": due,
        "status_chart": dashboards.bar_chart(dashboards.status_counts(items)),
        "due_chart": dashboards.bar_chart(list(zip(due.bands, due.totals, strict=True))),
    }
    context["by"] = by
    if kind == "pcc":
        context["response_figures"] = selectors.response_figures(user=user, today=today)
    if kind == "national":
        context["force_chart"] = dashboards.bar_chart(
            [(f.name, f.overdue) for f in forces if f.open or f.overdue]
        )
    return context


@login_required
@require_GET
def dashboard(request) -> HttpResponse:
    by = request.GET.get("by")
    if by is not None and by not in dashboards.GROUPS:
        messages.warning(request, "The ageing grouping was ignored: choose by force or by owner.")
        by = None
    return render(
        request,
        "tracker/dashboard.html",
        dashboard_context(request.user, common.today(), by=by),
    )


RESPONSES_SHOWN = 200
BOARD_PACK_ROWS = 200  # WeasyPrint lays out long tables slowly; the full list is exported


def _late_responses(deadlines, today: datetime.date) -> list[dict[str, Any]]:
    """The first overdue statutory response deadlines, each with how many days late."""
    return [
        {"deadline": d, "days": -(d.days_left(today) or 0)} for d in deadlines[:RESPONSES_SHOWN]
    ]


def board_pack_context(user, today) -> dict[str, Any]:
    context = dashboard_context(user, today)
    _kind, items = selectors.dashboard_scope(user=user, today=today)
    overdue = (
        items.overdue(today)
        .select_related("finding__report", "force", "owner")
        .order_by("due_date", "id")
    )
    # Each item with how many days late, as the late responses below.
    rows = [{"item": i, "days": i.days_overdue(today)} for i in overdue[:BOARD_PACK_ROWS]]
    responses = selectors.overdue_responses(user=user, today=today)
    if context["kind"] == "own":
        responses = responses.none()  # force staff: their own items only
    context.update(
        {
            "overdue": rows,
            "overdue_count": overdue.count(),
            "responses": _late_responses(responses, today),
            "response_count": responses.count(),
        }
    )
    return context


@login_required
@require_GET
def board_pack(request) -> HttpResponse:
    """The overdue and ageing reports on one printable page, for a governance meeting."""
    return render(
        request,
        "tracker/board_pack.html",
        board_pack_context(request.user, common.today()),
    )


@login_required
@require_GET
def board_pack_pdf(request) -> HttpResponse:
    today = common.today()
    html = render_to_string("tracker/board_pack.html", board_pack_context(request.user, today))
    return common.pdf_download(
        lambda: documents.html_to_pdf(html),
        f"board-pack-{today.isoformat()}.pdf",
        instead="Print the board pack page instead.",
    )


def _group_links(request, current) -> list[dict[str, Any]]:
    links = []
    for key, (label, _order) in selectors.OVERDUE_GROUPS.items():
        query = request.GET.copy()
        query.pop("page", None)
        query["group"] = key
        links.append({"label": label, "url": "?" + query.urlencode(), "current": key == current})
    return links


@login_required
@require_GET
def overdue(request) -> HttpResponse:
    """Every open item past its due date and every statutory response past its deadline,
    grouped by owner, department, report or force, with the item filters."""
    today = common.today()
    group = request.GET.get("group") or "owner"
    if group not in selectors.OVERDUE_GROUPS:
        messages.warning(request, f"The grouping “{group[:40]}” was ignored: group by owner.")
        group = "owner"
    filterset = selectors.overdue_item_filter(
        user=request.user, today=today, group=group, filters=request.GET
    )
    page, query = common.filtered_page(request, filterset, size=100)
    for item in page:
        item.days = item.days_overdue(today)
    responses = selectors.overdue_responses(user=request.user, today=today, narrowed_by=filterset)
    return render(
        request,
        "tracker/overdue.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "today": today,
            "group": group,
            "group_links": _group_links(request, group),
            "responses": _late_responses(responses, today),
            "response_count": responses.count(),
            "responses_unfiltered_by": selectors.item_only_filters_chosen(filterset),
            "export": True,
            "export_query": query + ("&" if query else "") + "overdue=true",
        },
    )
