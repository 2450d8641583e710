"""Pages for importing findings and items from a spreadsheet: upload, check, confirm.

Force coordinators (for their own force) and administrators only; everyone else gets 403.
The uploaded file is kept under BULK_IMPORT_ROOT (default var/imports/) with a random name
held in the person's session, so the preview and the confirmation read the same file, and
another person (or another session) asking for that address gets 404. The confirmation plans
the file again and imports only if the plan is still the one the person checked.
"""

import datetime
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tracker import forms, policy
from tracker.bulk_import.apply import items_import
from tracker.bulk_import.plan import ImportRejected, PlanChanged, plan_import
from tracker.bulk_import.table import FileRejected, read_table, template_csv, template_xlsx
from tracker.files import StorageError, write_atomic

SESSION_KEY = "bulk_import"
RESULT_KEY = "bulk_import_result"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
KEEP_UPLOADS = datetime.timedelta(days=1)
SHOWN_CHANGES = 500
SHOWN_PROBLEMS = 500
SUMMARY_PROBLEMS = 10
RESULT_ITEMS = 200


def _upload_root() -> Path:
    return Path(settings.BULK_IMPORT_ROOT)


def _allowed(request) -> None:
    if not policy.can_bulk_import(request.user):
        raise PermissionDenied("Only force coordinators and administrators can import items.")


def _remove_stale(root: Path) -> None:
    """Uploads nobody confirmed are removed after a day."""
    cutoff = time.time() - KEEP_UPLOADS.total_seconds()
    for path in root.iterdir():
        if TOKEN.match(path.name) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _forget(request) -> None:
    held = request.session.pop(SESSION_KEY, None)
    if held and TOKEN.match(held.get("token", "")):
        (_upload_root() / held["token"]).unlink(missing_ok=True)


def _store(request, data: bytes, name: str) -> str:
    root = _upload_root()
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale(root)
    _forget(request)  # one upload at a time per person
    token = secrets.token_urlsafe(32)
    write_atomic(root / token, data)  # all or nothing; StorageError says why not
    request.session[SESSION_KEY] = {"token": token, "name": name, "user": request.user.pk}
    return token


def _upload_get(request, token: str) -> tuple[bytes, str]:
    """The person's own upload, or 404: the address works only in the session that made it."""
    held = request.session.get(SESSION_KEY) or {}
    if not TOKEN.match(token) or held.get("token") != token or held.get("user") != request.user.pk:
        raise Http404("No such upload")
    try:
        return (_upload_root() / token).read_bytes(), held["name"]
    except FileNotFoundError:
        raise Http404("No such upload") from None


@login_required
@require_http_methods(["GET", "POST"])
def item_import(request) -> HttpResponse:
    _allowed(request)
    if request.method == "POST":
        form = forms.BulkImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            name = Path(upload.name).name[-100:]
            try:
                read_table(data, name)
            except FileRejected as exc:
                form.add_error("file", str(exc))
            else:
                try:
                    token = _store(request, data, name)
                except StorageError as exc:
                    form.add_error("file", exc.message)
                else:
                    return redirect("tracker:item_import_preview", token=token)
    else:
        form = forms.BulkImportForm()
    return render(
        request,
        "tracker/item_import.html",
        {"form": form, "columns": COLUMN_HELP},
        status=400 if form.errors else 200,
    )


def _preview(request, token, name, plan, *, status=200, changed_meanwhile=False) -> HttpResponse:
    problems = plan.problems
    return render(
        request,
        "tracker/item_import_preview.html",
        {
            "token": token,
            "name": name,
            "plan": plan,
            "counts": plan.counts,
            "problems": problems[:SHOWN_PROBLEMS],
            "summary_problems": problems[:SUMMARY_PROBLEMS],
            "more_problems": max(0, len(problems) - SUMMARY_PROBLEMS),
            "changes": plan.changes[:SHOWN_CHANGES],
            "more_changes": max(0, len(plan.changes) - SHOWN_CHANGES),
            "changed_meanwhile": changed_meanwhile,
            "form": forms.BulkImportForm(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_import_preview(request, token) -> HttpResponse:
    """GET: what importing the file would do. POST: do it, if it is still the same."""
    _allowed(request)
    data, name = _upload_get(request, token)
    if request.method == "POST":
        try:
            plan = items_import(
                user=request.user,
                data=data,
                name=name,
                expected=request.POST.get("fingerprint", ""),
            )
        except ImportRejected as exc:
            return _preview(request, token, name, exc.plan, status=400)
        except PlanChanged as exc:
            return _preview(request, token, name, exc.plan, status=409, changed_meanwhile=True)
        except FileRejected:
            _forget(request)
            return redirect("tracker:item_import")
        _forget(request)
        request.session[RESULT_KEY] = {
            "name": name,
            "summary": plan.summary(),
            "counts": plan.counts,
            "items": [
                {
                    "uuid": str(row.item.uuid),
                    "label": f"{row.finding.label}: {row.finding.summary}"[:200],
                    "force": row.force.short_name,
                    "action": "Created" if row.action == "create" else "Changed",
                }
                for row in plan.changes[:RESULT_ITEMS]
                if row.item is not None  # always, once imported: each row has its item
            ],
            "more": max(0, len(plan.changes) - RESULT_ITEMS),
        }
        return redirect("tracker:item_import_done")
    try:
        table = read_table(data, name)
    except FileRejected:
        _forget(request)
        return redirect("tracker:item_import")
    plan = plan_import(table=table, user=request.user, today=timezone.localdate())
    return _preview(request, token, name, plan, status=400 if plan.problems else 200)


@login_required
@require_GET
def item_import_done(request) -> HttpResponse:
    _allowed(request)
    result = request.session.get(RESULT_KEY)
    if not result:
        return redirect("tracker:item_import")
    return render(request, "tracker/item_import_done.html", {"result": result})


@login_required
@require_GET
def item_import_template(request, fmt) -> HttpResponse | FileResponse:
    """A blank file with the row of column names, as CSV or Excel."""
    _allowed(request)
    if fmt == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="items-import-template.csv"'
        return response
    if fmt == "xlsx":
        return FileResponse(
            template_xlsx(),
            as_attachment=True,
            filename="items-import-template.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Http404("No such format")


COLUMN_HELP = [
    ("Force", "Yes", "The force's name, for example West Midlands Police."),
    (
        "Report",
        "Yes",
        "The report's title. A report about the force with this title and publication date is "
        "used; otherwise a new report is created.",
    ),
    ("Report published", "Yes", "The date the report was published, for example 22/03/2018."),
    ("Kind", "Yes", "Cause of concern, Recommendation, Area for improvement or Finding."),
    (
        "Reference",
        "No",
        "The report's own number for it, for example 3 or AFI 2. Used to find the finding.",
    ),
    ("Area", "No", "The area of the report, for a new finding."),
    (
        "Finding",
        "Yes",
        "The text exactly as published. Without a reference, the finding is found by its text.",
    ),
    (
        "Status",
        "No",
        "Not started or In progress (closure is proposed and approved on the item's page). "
        "Blank: a new item is Not started; an existing item keeps its status.",
    ),
    ("Owner", "No", "The name or email address of someone at the force. Blank: no change."),
    ("Accountable lead", "No", "As Owner."),
    (
        "Due date",
        "No",
        "For example 31/01/2027. A change to an existing item's due date is a revision: it "
        "must be today or later, and the original due date stays on record.",
    ),
    (
        "Link",
        "No",
        "The link from an export, to say exactly which item a row is. Days overdue and Last "
        "activity are ignored.",
    ),
]
