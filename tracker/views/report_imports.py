"""Import a report from its document: upload, progress, check and correct, create.

Coordinators, the PCC office and administrators may import (403 for everyone else); an
import is seen only by the person who uploaded it (404 for anyone else)."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tracker import background, outbox, policy
from tracker.forms import (
    ImportedFindingFormSet,
    ImportedJudgementFormSet,
    ReportDetailsForm,
    ReportUploadForm,
)
from tracker.models import GRADES, GradingScale, ReportImport, TrackedItem
from tracker.report_import.create import duplicate_of, import_create, import_update
from tracker.report_import.draft import (
    Draft,
    DraftDetails,
    DraftFinding,
    DraftJudgement,
    FindingCorrection,
    draft_apply,
    draft_version,
)
from tracker.report_import.editions import looks_welsh
from tracker.report_import.forces import import_forces
from tracker.report_import.reading import import_start, is_stalled
from tracker.views import editions

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
def report_import_upload(request) -> HttpResponse:
    _allowed(request)
    posted = request.method == "POST"
    form = ReportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            started = import_start(
                user=request.user, name=upload.name, size=upload.size, chunks=upload.chunks()
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages[0])
        else:
            if outbox.is_waiting(background.READ_REPORT_IMPORT, started.pk):
                messages.info(
                    request,
                    "Your file is saved and waiting to be read. The service that reads "
                    "reports cannot be reached just now: the file will be read as soon as it "
                    "can be. You can leave this page and come back.",
                )
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
def report_import_status(request, uuid) -> JsonResponse:
    found = _get(request, uuid)
    return JsonResponse(
        {
            "state": found.state,
            "progress": found.progress,
            "stage": found.stage,
            "working": found.state in WORKING,
        }
    )


def _force_choices(request) -> list[tuple[int, str]]:
    return [(f.id, f.name) for f in import_forces(request.user)]


def _forms(request, found: ReportImport, data=None):
    draft = Draft.from_json(found.draft)
    shown = draft.details
    details = ReportDetailsForm(
        data,
        prefix="report",
        force_choices=_force_choices(request),
        initial={
            "title": shown.title,
            "inspectorate_label": shown.inspectorate_label,
            "report_type": shown.report_type,
            "published_on": shown.published_on and _display(shown.published_on),
            "published_precision": shown.published_precision or "day",
            "grading_scale": shown.grading_scale,
            "forces": shown.forces,
        },
    )
    findings = ImportedFindingFormSet(
        data,
        prefix="findings",
        initial=[
            {
                "include": f.include,
                "kind": f.kind,
                "reference": f.reference,
                "area": f.area,
                "text": f.text,
            }
            for f in draft.findings
        ],
    )
    judgements = ImportedJudgementFormSet(
        data, prefix="judgements", initial=[j.to_json() for j in draft.judgements]
    )
    return details, findings, judgements


def _display(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


ACTIONS = {"apply", "create", "update"}


@login_required
@require_http_methods(["GET", "POST"])
def report_import_detail(request, uuid) -> HttpResponse:
    found = _get(request, uuid)
    now = timezone.now()
    if found.state in WORKING:
        return render(
            request,
            "tracker/report_import_progress.html",
            {"import": found, "stalled": is_stalled(found, now)},
        )
    if found.state == ReportImport.State.FAILED:
        return render(request, "tracker/report_import_failed.html", {"import": found})
    if found.state == ReportImport.State.CREATED and found.report is not None:
        return redirect("tracker:report_detail", key=found.report.key)
    if looks_welsh(found.source_text):
        # A Welsh edition: attached to the English report, never imported (issue 22).
        return editions.welsh_import_page(request, found)
    errors: list[str] = []
    if request.method == "POST":
        details, findings, judgements = _forms(request, found, request.POST)
        draft = Draft.from_json(found.draft)
        stale = request.POST.get("version") != draft_version(draft)
        if stale or findings.total_form_count() != len(draft.findings):
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
    duplicate, why_duplicate = duplicate_of(found, user=request.user)
    draft = Draft.from_json(found.draft)  # as saved now: an action may have changed it
    scale = draft.details.grading_scale  # a GradingScale value, or blank
    invalid = details.errors or errors
    return render(
        request,
        "tracker/report_import_preview.html",
        {
            "import": found,
            "version": draft_version(draft),
            "details": details,
            "findings": findings,
            # with each row, what the preview shows of its finding but does not let you type
            # over: which cause of concern it answers, its target and its responses
            "finding_rows": list(zip(findings, draft.findings, strict=False)),
            "judgements": judgements,
            "duplicate": duplicate,
            "why_duplicate": why_duplicate,
            "problems": errors,
            "grades": GRADES[GradingScale(scale)] if scale in GradingScale.values else [],
            "warnings": found.extraction.get("warnings", []),
            "forces_not_yours": draft.forces_not_yours,
            "responses_dropped": len(draft.details.forces) > 1
            and any(f.force_response or f.pcc_response for f in draft.findings),
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


def _judgement(cleaned: dict) -> DraftJudgement:
    """A judgement row as sent back. (A row the formset counts as extra and left unchanged
    has no cleaned data: it reads as not included.)"""
    return DraftJudgement(
        include=cleaned.get("include", False),
        area=cleaned.get("area", ""),
        reference=cleaned.get("reference", ""),
        grade=cleaned.get("grade", ""),
        direction=cleaned.get("direction") or "",
    )


FINDING_FIELDS = ("include", "kind", "reference", "area", "text")


def _correction(finding: DraftFinding, cleaned: dict) -> FindingCorrection:
    """A finding row as sent back: the draft's finding with the row's fields typed over it.
    (A row the formset counts as extra and left unchanged has no cleaned data: the finding
    stays as it was.)"""
    typed = {name: cleaned[name] for name in FINDING_FIELDS if name in cleaned}
    return FindingCorrection(
        finding=replace(finding, **typed), join_previous=cleaned.get("join_previous", False)
    )


def _act(request, found, details, findings, judgements, errors) -> HttpResponse | None:
    draft = Draft.from_json(found.draft)
    data = details.cleaned_data
    chosen = DraftDetails(
        title=data["title"],
        inspectorate_label=data["inspectorate_label"],
        report_type=data["report_type"],
        published_on=data["published_on"].isoformat(),
        published_precision=data["published_precision"],
        grading_scale=data["grading_scale"],
        forces=data["forces"],
    )
    draft_apply(
        report_import=found,
        details=chosen,
        judgements=[_judgement(j.cleaned_data) for j in judgements],
        findings=[
            _correction(draft.findings[i], form.cleaned_data) for i, form in enumerate(findings)
        ],
    )
    action = request.POST["action"]
    try:
        if action == "create":
            report = import_create(report_import=found, by=request.user)
            made = report.findings.count()
            items = TrackedItem.objects.filter(finding__report=report).count()
            messages.success(
                request,
                f"The report is created with {made} finding{pluralize(made)} and "
                f"{items} tracked item{pluralize(items)}.",
            )
            return redirect("tracker:report_detail", key=report.key)
        if action == "update":
            duplicate, _ = duplicate_of(found, user=request.user)
            if duplicate is None:
                errors.append("There is no report to update: create the report instead.")
                return None
            added = import_update(report_import=found, report=duplicate, by=request.user)
            n, i, j = added.findings, added.items, added.judgements
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
