"""Import a report from its document: upload, progress, check and correct, create.

Coordinators, the PCC office and administrators may import (403 for everyone else); an
import is seen only by the person who uploaded it (404 for anyone else).

Issue 17: the preview also says what the document is when that matters (a kind the rules do
not know, pages read by text recognition, a fire and rescue inspection, a register entry or a
progress report, which are about a report already published and ask which one)."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organisation
from tracker import background, outbox, policy
from tracker.forms import (
    ImportedFindingFormSet,
    ImportedJudgementFormSet,
    ReportDetailsForm,
    ReportUploadForm,
)
from tracker.models import GRADES, GradingScale, InspectorateStatus, ReportImport, TrackedItem
from tracker.report_import.create import (
    additions_message,
    import_create,
    import_update,
    no_recommendation_message,
    statuses_added_message,
)
from tracker.report_import.draft import (
    DocumentFacts,
    Draft,
    DraftDetails,
    DraftFinding,
    DraftJudgement,
    FindingCorrection,
    draft_apply,
    draft_version,
)
from tracker.report_import.editions import in_welsh
from tracker.report_import.forces import import_forces, service_key
from tracker.report_import.reading import import_start, is_stalled
from tracker.report_import.targets import document_target, duplicate_of, report_choices
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
                "addressee": f.addressee,
                "addressee_kind": f.addressee_kind,
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
    if in_welsh(found):
        # A Welsh edition: attached to the English report, never imported (issue 22); any
        # other Welsh document is not read yet (issue 17), and the page says so.
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
    facts = DocumentFacts.of(found)
    draft = Draft.from_json(found.draft)  # as saved now: an action may have changed it
    if facts.about_a_report:
        # A register entry or progress report: about a report; the person chooses which.
        duplicate, why_duplicate = None, ""
        choices = report_choices(found, user=request.user)
        target = document_target(found, user=request.user, choices=choices)
    else:
        duplicate, why_duplicate = duplicate_of(found, user=request.user)
        choices, target = [], None
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
            # Issue 17
            "facts": facts,
            "ocr_pages": page_ranges(facts.ocr_pages),
            "ocr_page_count": len(facts.ocr_pages),
            "services_missing": _services_missing(facts),
            "no_recommendation": no_recommendation_message()
            if facts.is_register and not draft.findings
            else "",
            "report_choices": choices,
            "target": target,
            "notes": facts.notes,
        },
        status=400 if invalid else 200,
    )


def page_ranges(pages) -> str:
    """Pages as a person writes them: "1–3, 7" (from 1, in order, each once). Pure."""
    numbers = sorted({int(p) for p in pages})
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _services_missing(facts: DocumentFacts) -> list[str]:
    """For a fire and rescue inspection: the services it names that are not set up in the
    tracker at all (the person's own or not). When it names none, only whether any service
    is set up can be said."""
    if not facts.fire_and_rescue:
        return []
    set_up = list(Organisation.objects.filter(kind=Organisation.Kind.FIRE_AND_RESCUE))
    if not facts.services:
        return [] if set_up else [gettext("any fire and rescue service")]
    known = {service_key(o.name) for o in set_up} | {service_key(o.short_name) for o in set_up}
    return [n for n in facts.services if service_key(n) not in known]


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


# The addressee's two fields are the form's when tracker/forms.py has them (issue 17).
FINDING_FIELDS = ("include", "kind", "reference", "area", "text", "addressee", "addressee_kind")


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
    facts = DocumentFacts.of(found)
    target_key = None
    choices = None
    if facts.about_a_report:
        wanted = request.POST.get("target_report", "")
        choices = report_choices(found, user=request.user)
        target_key = wanted if wanted in {r.key for r in choices} else ""
    draft_apply(
        report_import=found,
        details=chosen,
        judgements=[_judgement(j.cleaned_data) for j in judgements],
        findings=[
            _correction(draft.findings[i], form.cleaned_data) for i, form in enumerate(findings)
        ],
        target_report=target_key,
    )
    action = request.POST["action"]
    try:
        if action == "create":
            report = import_create(report_import=found, by=request.user)
            made = report.findings.count()
            items = TrackedItem.objects.filter(finding__report=report).count()
            message = (
                f"The report is created with {made} finding{pluralize(made)} and "
                f"{items} tracked item{pluralize(items)}."
            )
            statuses = InspectorateStatus.objects.filter(report_import=found).count()
            if statuses:  # a register entry's: said, or the person would not know
                message += " " + statuses_added_message(statuses)
            messages.success(request, message)
            return redirect("tracker:report_detail", key=report.key)
        if action == "update":
            if facts.about_a_report:
                duplicate = document_target(found, user=request.user, choices=choices)
                if duplicate is None:
                    errors.append(
                        gettext("Choose the report this document is about, from the list.")
                    )
                    return None
            else:
                duplicate, _ = duplicate_of(found, user=request.user)
            if duplicate is None:
                errors.append("There is no report to update: create the report instead.")
                return None
            added = import_update(report_import=found, report=duplicate, by=request.user)
            messages.success(request, additions_message(added))
            return redirect("tracker:report_detail", key=duplicate.key)
    except ValidationError as exc:
        found.refresh_from_db()
        if found.state == ReportImport.State.CREATED:  # a second click on the button
            return redirect("tracker:report_detail", key=found.report.key)
        errors.extend(exc.messages)
        return None
    messages.success(request, "Your changes are saved. Check them, then create the report.")
    return redirect("tracker:report_import_detail", uuid=found.uuid)
