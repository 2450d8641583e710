"""Pages for managers: the dashboard, the board pack (on screen and as a PDF) and the
overdue report."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from tracker import (
    dashboards,
    documents,
    exports,
    figures,
    filters,
    markings,
    national,
    policy,
    selectors,
)
from tracker.views import common

DASHBOARD_TITLES = {
    "own": "Your items",
    "force": "Your force",
    "pcc": "Your force and its statutory responses",
    "national": "All forces",
}


def dashboard_context(
    user,
    today,
    by: str | None = None,
    force=None,
    sort: tuple[str, bool] | None = None,
    query: QueryDict | None = None,
    narrow: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The figures, tables and chart geometry of a person's dashboard (also the board pack),
    each figure with a link to the list of the items it counts. The ageing tables are by
    force for national readers and by owner for the others, unless `by` says otherwise.
    `force` (dashboards.visible_force): one force's dashboard, within the person's scope.
    `sort`: the order of the forces side by side; `query`: the page's own, for its links.
    `narrow`: the dashboard's own filters (dashboards.NARROWING: the inspectorate's latest
    status, a mismatch), carried into every link so each list counts the same items."""
    kind = policy.dashboard_kind(user)
    all_forces = kind == "national" and force is None
    by = by or dashboards.default_grouping(kind, force)
    narrow = narrow or {}
    counted = dashboards.dashboard_figures(
        user, today, kind=kind, force=force, by=by, narrow=narrow
    )
    bands, forces = counted["bands"], counted["forces"]
    # The board pack (no query: a page to print) shows the figures without links.
    link = _Links(kind, force, enabled=query is not None, narrow=narrow)
    sort = sort or (dashboards.DEFAULT_FORCE_SORT, False)
    folded = {f.id for f in forces if all_forces and dashboards.without_items(f)}
    shown = [f for f in forces if f.id not in folded]
    due = bands["due"]
    due_filters = dashboards.due_band_filters(today)
    context = {
        "kind": kind,
        "title": force.name if force is not None and kind != "own" else DASHBOARD_TITLES[kind],
        "force": force,
        "today": today,
        "quarter_start": dashboards.quarter_start(today),
        "forces": dashboards.sort_forces(shown, *sort),
        "forces_without_items": [f for f in forces if f.id in folded],
        "force_count": len(forces),
        "force_headings": _force_headings(sort, query),
        "totals": {
            "open": sum(f.open for f in forces),
            "overdue": sum(f.overdue for f in forces),
            "closed_this_quarter": sum(f.closed_this_quarter for f in forces),
            "recurring": sum(f.recurring for f in forces),
        },
        "links": {
            "open": link.items(dashboards.OPEN),
            "overdue": link.items({"overdue": "true"}),
            "closed_this_quarter": link.items(dashboards.closed_this_quarter_filters(today)),
            "closed_last_year": link.items(dashboards.closed_last_year_filters(today)),
            "overdue_report": link.overdue_report(),
            "responses": link.responses({}),
            "recurring": link.items(dashboards.RECURRING),
            "mismatch": link.items(dashboards.MISMATCH),
        },
        # Issue 18: the inspectorate's latest statuses of the items, and the mismatches.
        "inspectorate": {
            "statuses": [
                _figure(
                    n, link.items({"inspectorate": value}), f"items: the inspectorate says {label}"
                )
                | {"label": label}
                for value, label, n in counted["inspectorate"]["statuses"]
            ],
            "mismatch": _figure(
                counted["inspectorate"]["mismatch"],
                link.items(dashboards.MISMATCH),
                "items whose status differs from the inspectorate's",
            ),
        },
        "narrow": narrow,
        "narrow_labels": _narrow_labels(narrow),
        "age_table": _linked(bands["age"], by, dashboards.age_band_filters(today), link),
        "due_table": _linked(due, by, due_filters, link),
        "status_chart": dashboards.bar_chart(
            counted["statuses"],
            urls=[link.items(f) for f in dashboards.status_filters()],
        ),
        "due_chart": dashboards.bar_chart(
            list(zip(due.bands, due.totals, strict=True)),
            urls=[link.items(f) for f in due_filters],
        ),
        "by": by,
    }
    for f in forces:
        f.links = _force_links(f, today, link, whole_scope=len(forces) == 1)
        f.figures = {
            "open": _figure(f.open, f.links["open"], f"open items: {f.name}"),
            "overdue": _figure(f.overdue, f.links["overdue"], f"overdue items: {f.name}"),
            "closed": _figure(
                f.closed_this_quarter, f.links["closed"], f"items closed this quarter: {f.name}"
            ),
            "median": _figure(
                f.median_days_to_close,
                f.links["median"],
                "median days to close, of the items closed in the last 12 months: " + f.name,
            ),
        }
    if kind == "pcc":
        context["response_figures"] = counted["responses"]
        context["response_links"] = {
            key: link.responses({"state": key}) for key in dashboards.RESPONSE_FIGURES
        }
    if all_forces:
        # Issue 18: the national recommendations with the least progress.
        context["least_progress"] = national.least_progress(user=user, today=today)
        charted = [f for f in forces if f.open or f.overdue]
        context["force_chart"] = dashboards.bar_chart(
            [(f.name, f.overdue) for f in charted],
            urls=[f.links["overdue"] for f in charted],
        )
    for chart in ("status_chart", "due_chart", "force_chart"):
        for bar in context.get(chart, {}).get("bars", []):
            bar.figure = _figure(bar.value, bar.url, f"items: {bar.label}")
    return context


class _Links:
    """The addresses of the lists behind a dashboard's figures: All items (My items for
    force staff, whose dashboard counts their own items), narrowed to the dashboard's force
    when it is one force's."""

    def __init__(self, kind: str, force, enabled: bool = True, narrow=None) -> None:
        self.list_name = "tracker:my_items" if kind == "own" else "tracker:item_list"
        self.narrow = {"force": str(force.pk)} if force is not None else {}
        self.narrow.update(narrow or {})
        self.enabled = enabled
        # A dashboard has hundreds of links made of a few dozen filters: each address
        # reversed once, each filter encoded once (as urlencode() would write it).
        self.paths: dict[str, str] = {}
        self.encoded: dict[tuple[str, str], str] = {}

    def _url(self, name: str, filters: dict[str, str]) -> str:
        if not self.enabled:
            return ""
        if name not in self.paths:
            self.paths[name] = reverse(name)
        query = "&".join(self._encode(k, v) for k, v in {**self.narrow, **filters}.items())
        return self.paths[name] + (f"?{query}" if query else "")

    def _encode(self, key: str, value: str) -> str:
        if (key, value) not in self.encoded:
            self.encoded[key, value] = urlencode({key: value})
        return self.encoded[key, value]

    def items(self, filters: dict[str, str]) -> str:
        return self._url(self.list_name, filters)

    def responses(self, filters: dict[str, str]) -> str:
        return self._url("tracker:response_list", filters)

    def overdue_report(self) -> str:
        return self._url("tracker:overdue", {})


@dataclass
class LinkedTable:
    """An ageing table for the page: each count as _figure() makes it."""

    group_label: str
    bands: list[str]
    rows: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    total: dict[str, Any]


def _linked(table: dashboards.BandTable, by: str, band_filters, link: _Links) -> LinkedTable:
    """An ageing table with a link on every count: its group's and band's items."""
    rows = []
    for row, key in zip(table.rows, table.keys, strict=True):
        group = dashboards.group_filters(by, key)
        rows.append(
            {
                "label": row["label"],
                "cells": [
                    _figure(n, link.items({**group, **band}), f"items: {row['label']}, {b}")
                    for n, band, b in zip(row["counts"], band_filters, table.bands, strict=True)
                ],
                "total": _figure(
                    row["total"],
                    link.items({**group, **dashboards.OPEN}),
                    f"open items: {row['label']}",
                ),
            }
        )
    return LinkedTable(
        group_label=table.group_label,
        bands=table.bands,
        rows=rows,
        totals=[
            _figure(n, link.items(band), f"items: {b}")
            for n, band, b in zip(table.totals, band_filters, table.bands, strict=True)
        ],
        total=_figure(table.total, link.items(dashboards.OPEN), "open items"),
    )


def _figure(n: int | None, url: str, name: str) -> dict[str, Any]:
    """A figure for the page: {"n", "url", "name", "html"}, where "html" is what
    tracker/_figure_link.html makes of it (a link to its items, when it has a link and is not
    0), written here: the dashboards have hundreds of figures, and an include each cost
    more than the rest of the page."""
    if url and n:
        html = format_html(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> {}</span></a>',
            url,
            n,
            name,
        )
    else:
        html = conditional_escape("–" if n is None else str(n))
    return {"n": n, "url": url, "name": name, "html": html}


def _force_links(
    summary: dashboards.ForceSummary, today, link: _Links, whole_scope: bool
) -> dict[str, str]:
    """The row of one force side by side: its dashboard, and the lists behind its figures.
    When the dashboard is about this force alone, its row links to the same lists as the
    figures above it (and to no dashboard of its own)."""
    one = {} if whole_scope else {"force": str(summary.id)}
    dashboard = f"{reverse('tracker:dashboard')}?force={summary.id}"
    return {
        "dashboard": "" if whole_scope or not link.enabled else dashboard,
        "open": link.items({**one, **dashboards.OPEN}),
        "overdue": link.items({**one, "overdue": "true"}),
        "closed": link.items({**one, **dashboards.closed_this_quarter_filters(today)}),
        "median": link.items({**one, **dashboards.closed_last_year_filters(today)}),
        "responses": link.responses(one),
    }


def _force_headings(sort: tuple[str, bool], query: QueryDict | None) -> list[dict[str, Any]]:
    """The headings of the forces side by side, each a link sorting the table on it, with
    the aria-sort of the column the table is sorted on."""
    headings = []
    for column, (label, _value, _first) in dashboards.FORCE_SORTS.items():
        params = query.copy() if query is not None else QueryDict(mutable=True)
        params["sort"] = dashboards.force_sort_value(column, sort)
        current = sort[0] == column
        headings.append(
            {
                "key": column,
                "label": label,
                "url": "" if query is None else "?" + params.urlencode() + "#forces",
                "aria_sort": ("descending" if sort[1] else "ascending") if current else "",
                "numeric": column != "force",
            }
        )
    return headings


@login_required
@require_GET
def dashboard(request) -> HttpResponse:
    """A person's dashboard; `?force=` one force's (within what the person may see: 404 for
    another force), `?by=` the ageing grouping, `?sort=` the order of the forces."""
    today = common.today()
    by = request.GET.get("by")
    if by is not None and by not in dashboards.GROUPS:
        messages.warning(request, "The ageing grouping was ignored: choose by force or by owner.")
        by = None
    force = None
    if request.GET.get("force"):
        force = dashboards.visible_force(
            user=request.user, force_id=request.GET["force"], today=today
        )
    narrow = _narrowing(request)
    sort = dashboards.parse_force_sort(request.GET.get("sort"))
    if sort is None:
        messages.warning(
            request, "The order of the forces was ignored: sort by one of the column headings."
        )
    query = request.GET.copy()
    query.pop("sort", None)
    user = request.user

    def page() -> dict[str, Any]:
        context = dashboard_context(user, today, by=by, force=force, sort=sort, query=query)
        context["body"] = render_to_string("tracker/_dashboard_body.html", context)
        return context

    if narrow:
        context = dashboard_context(
            user, today, by=by, force=force, sort=sort, query=query, narrow=narrow
        )
    elif set(query) <= WHOLE_PAGE_PARAMETERS and query.get("by", by) == by:
        # The figures and their tables, rendered, are the same for everyone with the same
        # scope: kept whole in the cache with the figures (tracker.figures).
        kind = policy.dashboard_kind(user)
        grouping = by or dashboards.default_grouping(kind, force)

        def key() -> tuple:
            parts = dashboards.figure_key(user, today, kind=kind, force=force, by=grouping)
            return (*parts, "page", sort, query.urlencode())

        context = figures.cached(key, page)
    else:
        context = dashboard_context(user, today, by=by, force=force, sort=sort, query=query)
    context = {**context, "inspectorate_choices": filters.INSPECTORATE_CHOICES}
    return render(request, "tracker/dashboard.html", context)


def _narrowing(request) -> dict[str, str]:
    """The dashboard's own filters (issue 18): `?inspectorate=` (one of the inspectorate's
    statuses, or "none") and `?mismatch=true`. A value that is not one is ignored, with a
    message, as the lists ignore one."""
    narrow: dict[str, str] = {}
    value = request.GET.get("inspectorate", "")
    if value:
        if value in dict(filters.INSPECTORATE_CHOICES):
            narrow["inspectorate"] = value
        else:
            messages.warning(
                request,
                gettext("The inspectorate's status was ignored: choose one from the list."),
            )
    if request.GET.get("mismatch", "").lower() in ("true", "1", "on"):
        narrow["mismatch"] = "true"
    return narrow


def _narrow_labels(narrow: dict[str, str]) -> list[str]:
    """The dashboard's own filters in words, for the page to say what it counts."""
    labels = []
    if narrow.get("inspectorate"):
        labels.append(
            gettext("the inspectorate's latest status is “%(status)s”")
            % {"status": dict(filters.INSPECTORATE_CHOICES)[narrow["inspectorate"]]}
        )
    if narrow.get("mismatch"):
        labels.append(gettext("the force's status differs from the inspectorate's"))
    return labels


# A dashboard whose address has only these (and ?sort=), with values that are used, is kept
# whole in the cache; any other parameter or value (which only a made-up address would
# carry) is rendered afresh, so that made-up addresses cannot fill the cache.
WHOLE_PAGE_PARAMETERS = {"by", "force"}


RESPONSES_SHOWN = 200
BOARD_PACK_ROWS = 200  # WeasyPrint lays out long tables slowly; the full list is exported
# What the board pack shows of each overdue item (and its next step needs).
BOARD_PACK_COLUMNS = [
    "status",
    "due_date",
    "owner_id",
    "finding__text",
    "finding__kind",
    "finding__report__title",
    "force__short_name",
    "owner__full_name",
    "owner__email",
]


def _late_responses(deadlines, today: datetime.date) -> list[dict[str, Any]]:
    """The first overdue statutory response deadlines, each with how many days late."""
    return [
        {"deadline": d, "days": -(d.days_left(today) or 0)} for d in deadlines[:RESPONSES_SHOWN]
    ]


def board_pack_context(user, today) -> dict[str, Any]:
    """The dashboard's figures (without links; kept whole in the cache with the figures,
    as the dashboard's), then the overdue items and statutory responses, read afresh."""
    kind = policy.dashboard_kind(user)

    def key() -> tuple:
        grouping = dashboards.default_grouping(kind, None)
        parts = dashboards.figure_key(user, today, kind=kind, force=None, by=grouping)
        return (*parts, "board pack")

    def figures_part() -> dict[str, Any]:
        context = dashboard_context(user, today)
        context["body"] = render_to_string("tracker/_dashboard_body.html", context)
        return context

    context = figures.cached(key, figures_part)
    _kind, items = selectors.dashboard_scope(user=user, today=today)
    overdue = (
        items.overdue(today)
        .select_related("finding__report", "force", "owner")
        .only(*BOARD_PACK_COLUMNS)
        .order_by("due_date", "id")
    )
    # Each item with how many days late, as the late responses below.
    rows = [{"item": i, "days": i.days_overdue(today)} for i in overdue[:BOARD_PACK_ROWS]]
    responses = selectors.overdue_responses(user=user, today=today)
    if context["kind"] == "own":
        responses = responses.none()  # force staff: their own items only
    # Named for the forces it covers, on the page, in its heading and in the PDF's title.
    forces = exports.scope_forces(user=user, today=today)
    scope = exports.scope_title(forces)
    if context["kind"] == "own":
        scope = f"{scope}, {user.full_name}’s items"
    context.update(
        {
            "overdue": rows,
            "overdue_count": context["totals"]["overdue"],  # the same items, counted already
            "responses": _late_responses(responses, today),
            "response_count": responses.count(),
            # What the document is, whose and when, as a committee paper is titled.
            "pack_title": gettext("Board pack: %(scope)s, %(date)s")
            % {"scope": scope, "date": date_format(today, "j F Y")},
            "pack_file": exports.file_name(forces, "board-pack", today, "pdf"),
            # The protective marking, printed in the header and footer of every page: the
            # highest of the overdue items it quotes, and at least the person's default (the
            # late responses are listed by report and date only, never their words).
            "marking": markings.marking_line(markings.items_marking(items.overdue(today), user)),
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
    context = board_pack_context(request.user, common.today())
    html = render_to_string("tracker/board_pack.html", context)
    return common.pdf_download(
        lambda: documents.html_to_pdf(html),
        context["pack_file"],
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
    labels = dict(filters.INSPECTORATE_CHOICES)
    for item in page:
        item.days = item.days_overdue(today)
        # The inspectorate's latest status (ItemFilter's annotation), in words.
        item.inspectorate_label = labels.get(getattr(item, filters.LATEST, None) or "", "")
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
