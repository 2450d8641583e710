"""Pages for the inspection reports: the list, a report's page (its findings, grades,
statutory responses and their deadlines), and a PCC office's local target where the law sets
no period for its comments."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organisation
from tracker import forms, lineage_reads, policy, selectors
from tracker.models import AddresseeKind
from tracker.reminders.changes import response_set_local_target
from tracker.reminders.sync import about_fire_and_rescue, s55_rule, statutory_rule_for
from tracker.views import common


@login_required
@require_GET
def report_list(request) -> HttpResponse:
    filterset = selectors.report_filter(
        user=request.user, today=common.today(), filters=request.GET
    )
    page, query = common.filtered_page(request, filterset)
    return render(
        request,
        "tracker/report_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "reports": page.object_list,
            "can_import": policy.can_import_reports(request.user),
        },
    )


# A report's findings a page at a time: an inspection report has tens, a generated or merged
# one thousands (issue 16).
FINDINGS_PER_PAGE = 100


@login_required
@require_GET
def report_detail(request, key) -> HttpResponse:
    today = common.today()
    report = selectors.report_get(user=request.user, key=key, today=today)
    # Its forces once, for the local targets and the fire and rescue check (twice).
    prefetch_related_objects([report], "forces")
    office_forces = _local_target_forces(report, request.user, today)
    shown = selectors.report_findings(report=report, user=request.user, today=today)
    # Recommendations to a national body (issue 17) have no items: a section of their own,
    # shown to everyone who reads the report (forces see them as information).
    findings = Paginator(
        shown.exclude(addressee_kind=AddresseeKind.NATIONAL_BODY), FINDINGS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/report_detail.html",
        {
            "report": report,
            "judgements": selectors.report_judgements(
                report=report, user=request.user, today=today
            ),
            "findings": findings.object_list,
            "page": findings,
            "query": "",
            "responses": _response_rows(report, request.user, today),
            "national_findings": shown.filter(addressee_kind=AddresseeKind.NATIONAL_BODY),
            "fire_and_rescue": about_fire_and_rescue(report),
            "statutory_rule": statutory_rule_for(report),
            "can_set_local_target": bool(office_forces),
            "response_forces": office_forces,
            "s55_rule": s55_rule(),
            "today": today,
            # Issue 18: how many of its findings were raised before (confirmed lineage).
            "raised_before": lineage_reads.report_raised_before_count(report, request.user, today),
            "audit_trail": selectors.report_audit_trail(
                report=report, user=request.user, today=today
            )
            if policy.can_read_audit_trail(request.user, None, today)
            else None,
        },
    )


def _response_rows(report, user, today) -> list[dict[str, Any]]:
    rows = []
    for response in selectors.report_responses(report=report, user=user, today=today):
        rows.append(
            {
                "response": response,
                "deadlines": common.deadline_rows(
                    response.deadlines.all(), user, today, response=response
                ),
            }
        )
    return rows


def _local_target_forces(report, user, today) -> list[Organisation]:
    if not policy.sets_local_targets(user):
        return []
    mine = policy.visible_force_ids(user, today) or set()  # one query, whatever the report
    # A fire and rescue service has no statutory response to set a target for (issue 17).
    return [f for f in report.forces.all() if f.id in mine and f.kind == Organisation.Kind.FORCE]


@login_required
@require_http_methods(["GET", "POST"])
def report_local_target(request, key) -> HttpResponse:
    """The PCC office sets itself a target where the law sets no period."""
    today = common.today()
    report = selectors.report_get(user=request.user, key=key, today=today)
    forces = _local_target_forces(report, request.user, today)
    if not forces or statutory_rule_for(report) is not None:
        raise PermissionDenied("You cannot set a local target for this report.")
    response = report.statutory_responses.filter(force=forces[0]).first()
    if request.method == "POST":
        form = forms.LocalTargetForm(request.POST)
        if form.is_valid():
            try:
                response_set_local_target(
                    report=report,
                    force=forces[0],
                    by=request.user,
                    target_on=form.cleaned_data["target_on"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("target_on", message)
            else:
                messages.success(request, "The local target has been set")
                return redirect("tracker:report_detail", key=report.key)
    else:
        current = response.local_target_on if response else None
        form = forms.LocalTargetForm(
            initial={"target_on": current.strftime("%d/%m/%Y") if current else None}
        )
    return render(
        request,
        "tracker/local_target_form.html",
        {
            "report": report,
            "form": form,
            "force": forces[0],
            "s55_rule": s55_rule(),
        },
        status=400 if form.errors else 200,
    )
