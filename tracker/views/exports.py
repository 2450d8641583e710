"""The lists' exports: a small one is sent at once, a large one is made by the worker, with a
page that follows its progress and a download link (tracker/export_jobs.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tracker import export_jobs, exports, xlsx
from tracker.models.export_jobs import ExportJob
from tracker.views import common

LISTS = {"items": "tracker:item_list", "responses": "tracker:response_list"}


def _export(request, kind: str, fmt: str) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """Send the export at once, or, when it has more rows than a request should write, a page
    that offers to make it in the background. CSV streams at any size: UTF-8 without a
    byte-order mark ("csv"), or with one for Excel ("excel.csv")."""
    if fmt not in exports.PAGE_FORMATS:
        raise Http404("No such format")
    today = common.today()
    site = settings.SITE_URL.rstrip("/")
    found = exports.export_rows(kind, user=request.user, today=today, filters=request.GET)
    name = exports.export_file_name(
        kind, user=request.user, today=today, filters=request.GET, fmt=fmt
    )
    response: StreamingHttpResponse | FileResponse
    if fmt == "xlsx":
        count = found.count()
        if export_jobs.export_is_large(count):
            return _offer(request, kind, fmt, count)
        marking = exports.export_marking(kind, found, user=request.user)
        now = timezone.now()
        about = exports.about_rows(
            kind,
            user=request.user,
            today=today,
            filters=request.GET,
            marking=marking,
            made_at=now,
            site=site,
        )
        table = exports.export_table(kind, found, today=today, site=site)
        response = FileResponse(
            xlsx.xlsx_file(
                table, exports.EXPORT_TITLES[kind], marking=marking, about=about, made_at=now
            ),
            content_type=xlsx.XLSX_TYPE,
        )
    else:
        table = exports.export_table(kind, found, today=today, site=site)
        response = StreamingHttpResponse(
            exports.csv_stream(table, bom=fmt == exports.CSV_FOR_EXCEL),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = exports.content_disposition(name)
    return response


def _offer(request, kind: str, fmt: str, rows: int) -> HttpResponse:
    return render(
        request,
        "tracker/export_large.html",
        {
            "kind": kind,
            "fmt": fmt,
            "rows": rows,
            "query": request.GET.urlencode(),
            "back": _list_url(kind, request.GET.urlencode()),
            "csv_url": _export_url(kind, "csv", request.GET.urlencode()),
            "excel_csv_url": _export_url(kind, exports.CSV_FOR_EXCEL, request.GET.urlencode()),
            "keep_hours": int(export_jobs.keep_for().total_seconds() // 3600),
        },
    )


def _export_url(kind: str, fmt: str, query: str) -> str:
    name = f"tracker:{'item' if kind == 'items' else 'response'}_export"
    return reverse(name, args=[fmt]) + ("?" + query if query else "")


def _list_url(kind: str, query: str) -> str:
    filters = QueryDict(query, mutable=True)
    if kind == "items" and filters.get("mine") == "1":
        del filters["mine"]
        return reverse("tracker:my_items") + ("?" + filters.urlencode() if filters else "")
    return reverse(LISTS[kind]) + ("?" + query if query else "")


@login_required
@require_GET
def item_export(request, fmt) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """The item list with the filters applied, as CSV or Excel. Scoped like the list: the
    filters can only narrow what the person may see. Streams; zero rows gives the header.
    An Excel file of more than EXPORT_SYNC_MAX_ROWS rows is made in the background."""
    return _export(request, "items", fmt)


@login_required
@require_GET
def response_export(request, fmt) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """The statutory responses list, with its filters, as CSV or Excel."""
    return _export(request, "responses", fmt)


@login_required
@require_POST
def export_start(request) -> HttpResponse:
    """Ask for a large export to be made in the background; then its progress page."""
    kind = request.POST.get("kind", "")
    fmt = request.POST.get("format", "")
    try:
        job = export_jobs.export_job_start(
            user=request.user,
            kind=kind,
            fmt=fmt,
            filters=QueryDict(request.POST.get("query", "")),
            today=common.today(),
        )
    except ValidationError as exc:
        back = _list_url(kind, request.POST.get("query", "")) if kind in LISTS else "/"
        return render(
            request,
            "tracker/export_refused.html",
            {"message": " ".join(exc.messages), "back": back},
            status=400,
        )
    return redirect("tracker:export_job", job.uuid)


@login_required
@require_GET
def export_job(request, uuid) -> HttpResponse:
    """How the export is going, in plain English; the download link once it is ready. The
    page follows the job by itself (a small script asks for its status); without
    JavaScript, "Check again" does the same."""
    job = export_jobs.export_job_get(user=request.user, uuid=uuid)
    expired = export_jobs.export_job_expired(job)
    ready = job.state == ExportJob.State.READY and not expired
    return render(
        request,
        "tracker/export_job.html",
        {
            "job": job,
            "expired": expired,
            "ready": ready,
            "working": job.state in export_jobs.WORKING and not expired,
            "stalled": export_jobs.export_job_stalled(job),
            "back": _list_url(job.kind, export_jobs.query_of(job)),
            "list_name": "items" if job.kind == "items" else "statutory responses",
        },
    )


@login_required
@require_GET
def export_job_status(request, uuid) -> JsonResponse:
    """The job's progress for the page's script (the shape the report import's script reads)."""
    job = export_jobs.export_job_get(user=request.user, uuid=uuid)
    return JsonResponse(
        {
            "state": job.state,
            "progress": job.percent,
            "stage": stage(job),
            "working": job.state in export_jobs.WORKING,
        }
    )


def stage(job: ExportJob) -> str:
    """What is happening, in plain English."""
    if job.state == ExportJob.State.QUEUED:
        return "Waiting to start"
    if job.state == ExportJob.State.RUNNING:
        if not job.rows_total:
            return "Finding the rows"
        return f"{job.rows_written:,} of {job.rows_total:,} rows written"
    return job.get_state_display()


@login_required
@require_GET
def export_job_download(request, uuid) -> HttpResponse | FileResponse:
    """The file, to the person who asked only (anyone else: 404). Once deleted, a page that
    says so (410), with the way to make it again."""
    job = export_jobs.export_job_get(user=request.user, uuid=uuid)
    if export_jobs.export_job_expired(job):
        return render(
            request,
            "tracker/export_gone.html",
            {"job": job, "back": _list_url(job.kind, export_jobs.query_of(job))},
            status=410,
        )
    path = export_jobs.export_job_file(job)
    if path is None:
        return HttpResponseRedirect(reverse("tracker:export_job", args=[job.uuid]))
    response = FileResponse(
        path.open("rb"),
        content_type=("text/csv; charset=utf-8" if job.format == "csv" else exports.XLSX_TYPE),
    )
    response["Content-Disposition"] = exports.content_disposition(job.file_name)
    return response
