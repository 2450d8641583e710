"""Issue 18 pages: national recommendations across forces (the list, one recommendation's
page with every force's progress that the person may see, its export) and the
inspectorate's status of an item entered by hand."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from tracker import exports, inspectorate_statuses, markings, national, policy, selectors, xlsx
from tracker.inspectorate_forms import InspectorateStatusForm
from tracker.models import Report, TrackedItem
from tracker.models.inspectorate import stated_display
from tracker.views import common

EXPORT_COLUMNS = [
    "Force",
    "Status",
    "Due date",
    "Closed on",
    "Inspectorate's latest status",
    "Inspectorate's status given",
    "Differs from the inspectorate",
    "Link",
]


@login_required
@require_GET
def national_list(request) -> HttpResponse:
    """The national recommendations of the national reports about the person's forces, each
    with how many forces track it and have closed it (over every force: counts only)."""
    today = common.today()
    return render(
        request,
        "tracker/national_list.html",
        {"recommendations": national.national_list(user=request.user, today=today)},
    )


def _row(item: TrackedItem) -> dict[str, Any]:
    """What the page and the export show of one force's item."""
    latest = getattr(item, "inspectorate_latest", None)
    return {
        "item": item,
        "inspectorate": national.inspectorate_label(latest),
        "inspectorate_on": stated_display(
            getattr(item, "inspectorate_stated_on", None),
            getattr(item, "inspectorate_precision", None) or Report.Precision.DAY,
        ),
        "mismatch": bool(getattr(item, "inspectorate_mismatch", False)),
        "closed_on": timezone.localdate(item.closed_at) if item.closed_at else None,
    }


@login_required
@require_GET
def national_detail(request, finding_key: str) -> HttpResponse:
    """One national recommendation: the figures over every force (how many have closed it,
    the median days to close, the items by status, as a chart and a table), and the forces'
    items the person may see (every force's for national readers; one's own otherwise)."""
    today = common.today()
    finding = national.national_get(user=request.user, today=today, key=finding_key)
    figures = national.national_figures(finding)
    chart = national.status_chart(figures)
    for bar in chart["bars"]:
        bar.figure = {"html": conditional_escape(str(bar.value))}
    rows = [
        _row(i) for i in national.national_rows(finding=finding, user=request.user, today=today)
    ]
    every = national.sees_every_force(request.user)
    return render(
        request,
        "tracker/national_detail.html",
        {
            "finding": finding,
            "figures": figures,
            "chart": chart,
            "rows": rows,
            "every_force": every,
            "today": today,
        },
    )


def _export_table(rows: list[dict[str, Any]], site: str):
    yield EXPORT_COLUMNS
    for row in rows:
        item = row["item"]
        yield [
            exports.clean(item.force.name),
            exports.clean(item.get_status_display()),
            exports.clean(item.due_date),
            exports.clean(row["closed_on"]),
            exports.clean(row["inspectorate"]),
            exports.clean(row["inspectorate_on"]),
            "Yes" if row["mismatch"] else "",
            exports.Link(f"{site}{reverse('tracker:item_detail', args=[item.uuid])}"),
        ]


@login_required
@require_GET
def national_export(
    request, finding_key: str, fmt: str
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """A national recommendation's rows (those the person may see) as CSV or Excel, like the
    other exports: the Excel file with its protective marking in the first row, the page
    header and footer, and an "About this file" sheet with the figures over every force."""
    if fmt not in exports.PAGE_FORMATS:
        raise Http404("No such format")
    today = common.today()
    user = request.user
    finding = national.national_get(user=user, today=today, key=finding_key)
    items = national.national_rows(finding=finding, user=user, today=today)
    rows = [_row(i) for i in items]
    site = settings.SITE_URL.rstrip("/")
    every = national.sees_every_force(user)
    forces = None if every else exports.scope_forces(user=user, today=today)
    name = exports.file_name(forces, f"national-{finding.key}"[:80], today, fmt.split(".")[-1])
    table = _export_table(rows, site)
    response: HttpResponse | StreamingHttpResponse | FileResponse
    if fmt == "xlsx":
        marking = markings.marking_line(
            markings.items_marking(
                TrackedItem.objects.filter(pk__in=[r["item"].pk for r in rows]), user
            )
        )
        figures = national.national_figures(finding)
        days = figures.median_days_to_close
        median = "none closed yet" if days is None else str(days)
        now = timezone.now()
        local = timezone.localtime(now)
        about = [
            ("What this file holds", "A national recommendation's progress, force by force"),
            ("Recommendation", f"{finding.label}: {finding.summary}"),
            ("Report", finding.report.title),
            (
                "Forces",
                "Every force tracking it" if every else exports.scope_title(forces),
            ),
            (
                "Figures over every force",
                f"{figures.closed} of {figures.forces} forces have closed it; median days to "
                f"close: {median}",
            ),
            ("Made on", f"{local.day} {local:%B %Y at %H:%M}"),
            ("Made by", f"{user.full_name} ({user.email})"),
            ("Protective marking", marking or "None"),
            (
                "The page online",
                f"{site}{reverse('tracker:national_detail', args=[finding.key])}",
            ),
        ]
        response = FileResponse(
            xlsx.xlsx_file(
                table, "National recommendation", marking=marking, about=about, made_at=now
            ),
            content_type=xlsx.XLSX_TYPE,
        )
    else:
        response = StreamingHttpResponse(
            exports.csv_stream(table, bom=fmt == exports.CSV_FOR_EXCEL),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = exports.content_disposition(name)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def item_inspectorate_status(request, uuid) -> HttpResponse:
    """Record by hand the inspectorate's status of an item's recommendation (its force's
    coordinator or PCC office): another force's item is 404, anyone else is refused (403).
    Bad input comes back on the form with nothing recorded."""
    today = common.today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_record_inspectorate_status(request.user, item.force_id, today):
        raise PermissionDenied("You cannot record the inspectorate's status of this item.")
    if request.method == "POST":
        form = InspectorateStatusForm(request.POST, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspectorate_statuses.inspectorate_status_record(
                    item=item,
                    by=request.user,
                    status=data["status"],
                    stated_on=data["stated_on"],
                    source=data["source"],
                    note=data["note"],
                    today=today,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    for message in exc.messages:
                        form.add_error(None, message)
            else:
                messages.success(request, gettext("The inspectorate's status has been recorded"))
                return redirect(
                    reverse("tracker:item_detail", args=[item.uuid]) + "#inspectorate-status"
                )
    else:
        form = InspectorateStatusForm(today=today)
    return render(
        request,
        "tracker/item_inspectorate_status_form.html",
        {"item": item, "form": form, "today": today},
        status=400 if form.errors else 200,
    )
