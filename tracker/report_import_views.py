"""Import a report from its document: upload, progress, check and correct, create.

Coordinators, the PCC office and administrators may import (403 for everyone else); an
import is seen only by the person who uploaded it (404 for anyone else)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tracker import policy, report_import
from tracker.forms import (
    ImportedFindingFormSet,
    ImportedJudgementFormSet,
    ReportDetailsForm,
    ReportUploadForm,
)
from tracker.models import GRADES, ReportImport, TrackedItem

WORKING = (ReportImport.State.QUEUED, ReportImport.State.READING)


def _allowed(request) -> None:
    if not policy.can_import_reports(request.user):
        raise PermissionDenied(
            "Only coordinators, the PCC office and administrators import reports."
        )


def _get(request, uuid) -> ReportImport:
    _allowed(request)
    found = ReportImport.objects.filter(uuid=uuid, uploaded_by=request.user).first()
    if found is None:
        raise Http404("No such import")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def report_import_upload(request):
    _allowed(request)
    posted = request.method == "POST"
    form = ReportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            started = report_import.import_start(
                user=request.user, name=upload.name, size=upload.size, chunks=upload.chunks()
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages[0])
        else:
            return redirect("tracker:report_import_detail", uuid=started.uuid)
    recent = ReportImport.objects.filter(uploaded_by=request.user).select_related("report")[:10]
    return render(
        request,
        "tracker/report_import_upload.html",
        {"form": form, "recent": recent},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def report_import_status(request, uuid):
    found = _get(request, uuid)
    return JsonResponse(
        {
            "state": found.state,
            "progress": found.progress,
            "stage": found.stage,
            "working": found.state in WORKING,
        }
    )


def _force_choices(request):
    return [(f.id, f.name) for f in report_import.import_forces(request.user)]


def _forms(request, found: ReportImport, data=None):
    draft = found.draft
    details = ReportDetailsForm(
        data,
        prefix="report",
        force_choices=_force_choices(request),
        initial={
            **{k: draft.get(k) for k in ("title", "inspectorate_label", "report_type")},
            "published_on": draft.get("published_on") and _display(draft["published_on"]),
            "published_precision": draft.get("published_precision") or "day",
            "grading_scale": draft.get("grading_scale"),
            "forces": draft.get("forces", []),
        },
    )
    findings = ImportedFindingFormSet(
        data,
        prefix="findings",
        initial=[
            {k: f.get(k) for k in ("include", "kind", "reference", "area", "text")}
            for f in draft.get("findings", [])
        ],
    )
    judgements = ImportedJudgementFormSet(
        data, prefix="judgements", initial=draft.get("judgements", [])
    )
    return details, findings, judgements


def _display(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


ACTIONS = {"apply", "create", "update"}


@login_required
@require_http_methods(["GET", "POST"])
def report_import_detail(request, uuid):
    found = _get(request, uuid)
    now = timezone.now()
    if found.state in WORKING:
        return render(
            request,
            "tracker/report_import_progress.html",
            {"import": found, "stalled": report_import.is_stalled(found, now)},
        )
    if found.state == ReportImport.State.FAILED:
        return render(request, "tracker/report_import_failed.html", {"import": found})
    if found.state == ReportImport.State.CREATED:
        return redirect("tracker:report_detail", key=found.report.key)
    errors: list[str] = []
    if request.method == "POST":
        details, findings, judgements = _forms(request, found, request.POST)
        stale = request.POST.get("version") != report_import.draft_version(found.draft)
        if stale or findings.total_form_count() != len(found.draft.get("findings", [])):
            # Made from an older draft (another tab, the Back button): pairing its rows with
            # today's findings would attach texts and responses to the wrong ones.
            details, findings, judgements = _forms(request, found)
            errors.append(
                "This page was out of date: the import had been changed since it was opened "
                "(in another tab, perhaps). It now shows the latest saved version; make your "
                "changes again."
            )
        elif request.POST.get("action") not in ACTIONS:
            errors.append("Choose one of the buttons at the end of the page.")
        elif details.is_valid() and findings.is_valid() and judgements.is_valid():
            response = _act(request, found, details, findings, judgements, errors)
            if response is not None:
                return response
        else:
            errors.extend(_form_problems(findings, "Finding"))
            errors.extend(_form_problems(judgements, "Judgement"))
    else:
        details, findings, judgements = _forms(request, found)
    duplicate, why_duplicate = report_import.duplicate_of(found, user=request.user)
    scale = found.draft.get("grading_scale") or "none"
    invalid = details.errors or errors
    draft_findings = found.draft.get("findings", [])
    return render(
        request,
        "tracker/report_import_preview.html",
        {
            "import": found,
            "version": report_import.draft_version(found.draft),
            "details": details,
            "findings": findings,
            "finding_rows": list(zip(findings, _context(draft_findings), strict=False)),
            "judgements": judgements,
            "duplicate": duplicate,
            "why_duplicate": why_duplicate,
            "problems": errors,
            "grades": GRADES.get(scale, []),
            "warnings": found.extraction.get("warnings", []),
            "forces_not_yours": found.draft.get("forces_not_yours", []),
            "responses_dropped": len(found.draft.get("forces", [])) > 1
            and any(f.get("force_response") or f.get("pcc_response") for f in draft_findings),
        },
        status=400 if invalid else 200,
    )


def _form_problems(formset, what: str) -> list[str]:
    """Each error in a formset, named by its row, for the summary at the top."""
    problems = []
    for n, form in enumerate(formset, start=1):
        for name, field_errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in field_errors:
                problems.append(f"{what} {n}{f', {label.lower()}' if label else ''}: {error}")
    return problems


def _context(draft_findings: list[dict]) -> list[dict]:
    """What the preview shows of each finding but does not let you type over: which cause of
    concern it belongs to, its target, and the responses that will go onto its item."""
    rows = []
    for f in draft_findings:
        parent = f.get("parent")
        rows.append(
            {
                "parent": parent + 1 if isinstance(parent, int) else None,
                "target_text": f.get("target_text", ""),
                "target_date": f.get("target_date", ""),
                "force_response": f.get("force_response", ""),
                "pcc_response": f.get("pcc_response", ""),
            }
        )
    return rows


def _act(request, found, details, findings, judgements, errors):
    draft = found.draft
    data = details.cleaned_data
    chosen = {
        "title": data["title"],
        "inspectorate_label": data["inspectorate_label"],
        "report_type": data["report_type"],
        "published_on": data["published_on"].isoformat(),
        "published_precision": data["published_precision"],
        "grading_scale": data["grading_scale"],
        "forces": data["forces"],
        "judgements": [
            {**j.cleaned_data, "direction": j.cleaned_data.get("direction") or ""}
            for j in judgements
        ],
    }
    edited = [{**draft["findings"][i], **form.cleaned_data} for i, form in enumerate(findings)]
    report_import.draft_apply(report_import=found, details=chosen, findings=edited)
    action = request.POST["action"]
    try:
        if action == "create":
            report = report_import.import_create(report_import=found, by=request.user)
            made = report.findings.count()
            items = TrackedItem.objects.filter(finding__report=report).count()
            messages.success(
                request,
                f"The report is created with {made} finding{pluralize(made)} and "
                f"{items} tracked item{pluralize(items)}.",
            )
            return redirect("tracker:report_detail", key=report.key)
        if action == "update":
            duplicate, _ = report_import.duplicate_of(found, user=request.user)
            if duplicate is None:
                errors.append("There is no report to update: create the report instead.")
                return None
            added = report_import.import_update(
                report_import=found, report=duplicate, by=request.user
            )
            n, i, j = added["findings"], added["items"], added["judgements"]
            messages.success(
                request,
                f"The report is updated: {n} new finding{pluralize(n)}, {i} new tracked "
                f"item{pluralize(i)} and {j} new judgement{pluralize(j)}. Nothing already "
                "there was changed.",
            )
            return redirect("tracker:report_detail", key=duplicate.key)
    except ValidationError as exc:
        found.refresh_from_db()
        if found.state == ReportImport.State.CREATED:  # a second click on the button
            return redirect("tracker:report_detail", key=found.report.key)
        errors.extend(exc.messages)
        return None
    messages.success(request, "Your changes are saved. Check them, then create the report.")
    return redirect("tracker:report_import_detail", uuid=found.uuid)
