"""Pages for force staff, coordinators and the PCC office.

Every view follows one recipe: sign-in required, a permission-scoped loader that answers 404
for what the person may not see, a form to validate, a service to act, then a redirect.
"""

import logging
import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tracker import dashboards, documents, exports, forms, policy, reminders, selectors, services
from tracker.filters import ItemFilter, ReportFilter

PAGE_SIZE = 50
log = logging.getLogger(__name__)


def _today():
    return timezone.localdate()


@login_required
@require_GET
def home(request):
    """Force staff start with what they own; coordinators, the PCC office, readers and
    administrators with everything they oversee."""
    overseer = policy.oversees_items(request.user)
    return redirect("tracker:item_list" if overseer else "tracker:my_items")


def narrow_page(queryset, number, size):
    """A page of a large, sorted list in two short queries: the sort runs on the ids alone
    (a narrow sort, several times faster on 100,000 rows than sorting whole rows with their
    joined text), then only the page's rows are fetched, in that order."""
    page = Paginator(queryset.values_list("pk", flat=True), size).get_page(number)
    ids = list(page.object_list)
    rows = queryset.filter(pk__in=ids).in_bulk() if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def _filtered_page(request, queryset, size=PAGE_SIZE, filter_class=ItemFilter):
    """Filter (values that do not validate are ignored, with a message) and paginate."""
    filterset = filter_class(
        request.GET or None, queryset=queryset, user=request.user, today=_today()
    )
    if filterset.is_bound and not filterset.is_valid():
        for field, errors in filterset.errors.items():
            label = filterset.form.fields[field].label if field in filterset.form.fields else field
            messages.warning(request, f"The filter “{label}” was ignored: {' '.join(errors)}")
    page = narrow_page(filterset.qs, request.GET.get("page"), size)
    query = request.GET.copy()
    query.pop("page", None)
    return filterset, page, query.urlencode()


def _list_context(request, filterset, page, query, today):
    return {
        "export": True,
        "filter": filterset,
        "page": page,
        "query": query,
        "today": today,
        "awaiting_decision": selectors.awaiting_decision_count(user=request.user, today=today),
    }


@login_required
@require_GET
def my_items(request):
    today = _today()
    filterset, page, query = _filtered_page(
        request, selectors.my_item_list(user=request.user, today=today)
    )
    context = _list_context(request, filterset, page, query, today)
    context["export_query"] = query + ("&" if query else "") + "mine=1"
    return render(request, "tracker/my_items.html", context)


@login_required
@require_GET
def item_list(request):
    today = _today()
    filterset, page, query = _filtered_page(
        request, selectors.item_list(user=request.user, today=today)
    )
    context = _list_context(request, filterset, page, query, today)
    context["can_import"] = policy.can_bulk_import(request.user)
    return render(request, "tracker/item_list.html", context)


DASHBOARD_TITLES = {
    "own": "Your items",
    "force": "Your force",
    "pcc": "Your force and its statutory responses",
    "national": "All forces",
}


def dashboard_context(user, today, by: str | None = None) -> dict:
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
def dashboard(request):
    by = request.GET.get("by")
    if by is not None and by not in dashboards.GROUPS:
        messages.warning(request, "The ageing grouping was ignored: choose by force or by owner.")
        by = None
    return render(
        request, "tracker/dashboard.html", dashboard_context(request.user, _today(), by=by)
    )


RESPONSES_SHOWN = 200
BOARD_PACK_ROWS = 200  # WeasyPrint lays out long tables slowly; the full list is exported


def board_pack_context(user, today) -> dict:
    context = dashboard_context(user, today)
    _kind, items = selectors.dashboard_scope(user=user, today=today)
    overdue = (
        items.overdue(today)
        .select_related("finding__report", "force", "owner")
        .order_by("due_date", "id")
    )
    rows = list(overdue[:BOARD_PACK_ROWS])
    for item in rows:
        item.days = item.days_overdue(today)
    responses = selectors.overdue_responses(user=user, today=today)
    if context["kind"] == "own":
        responses = responses.none()  # force staff: their own items only
    context.update(
        {
            "overdue": rows,
            "overdue_count": overdue.count(),
            "responses": [
                {"deadline": d, "days": (today - d.due_on).days}
                for d in responses[:RESPONSES_SHOWN]
            ],
            "response_count": responses.count(),
        }
    )
    return context


@login_required
@require_GET
def board_pack(request):
    """The overdue and ageing reports on one printable page, for a governance meeting."""
    return render(request, "tracker/board_pack.html", board_pack_context(request.user, _today()))


@login_required
@require_GET
def board_pack_pdf(request):
    from django.template.loader import render_to_string

    today = _today()
    html = render_to_string("tracker/board_pack.html", board_pack_context(request.user, today))
    return pdf_download(
        lambda: documents.html_to_pdf(html),
        f"board-pack-{today.isoformat()}.pdf",
        instead="Print the board pack page instead.",
    )


def pdf_download(make_pdf, filename: str, *, instead: str) -> HttpResponse:
    """A PDF as an attachment; when WeasyPrint cannot load Pango (an OSError), a plain 503
    that says so and what to use instead, rather than a 500."""
    try:
        pdf = make_pdf()
    except OSError:
        log.exception("PDF rendering is unavailable")
        return HttpResponse(
            "PDF documents are not available on this server: the system libraries for PDFs "
            f"(Pango) are missing. {instead}",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _group_links(request, current):
    links = []
    for key, (label, _order) in selectors.OVERDUE_GROUPS.items():
        query = request.GET.copy()
        query.pop("page", None)
        query["group"] = key
        links.append({"label": label, "url": "?" + query.urlencode(), "current": key == current})
    return links


@login_required
@require_GET
def overdue(request):
    """Every open item past its due date and every statutory response past its deadline,
    grouped by owner, department, report or force, with the item filters."""
    today = _today()
    group = request.GET.get("group") or "owner"
    if group not in selectors.OVERDUE_GROUPS:
        messages.warning(request, f"The grouping “{group[:40]}” was ignored: group by owner.")
        group = "owner"
    filterset, page, query = _filtered_page(
        request, selectors.overdue_items(user=request.user, today=today, group=group), size=100
    )
    for item in page:
        item.days = item.days_overdue(today)
    responses = selectors.overdue_responses(user=request.user, today=today)
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    if cleaned.get("force"):
        responses = responses.filter(force=cleaned["force"])
    if cleaned.get("report"):
        responses = responses.filter(response__report=cleaned["report"])
    item_only = [
        filterset.form.fields[name].label
        for name in ("q", "status", "kind", "owner", "area", "due_after", "due_before")
        if cleaned.get(name)
    ]
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
            "responses": [
                {"deadline": d, "days": (today - d.due_on).days}
                for d in responses[:RESPONSES_SHOWN]
            ],
            "response_count": responses.count(),
            "responses_unfiltered_by": item_only,
            "export": True,
            "export_query": query + ("&" if query else "") + "overdue=true",
        },
    )


@login_required
@require_GET
def item_export(request, fmt):
    """The item list with the filters applied, as CSV or Excel. Scoped like the list: the
    filters can only narrow what the person may see. Streams; zero rows gives the header."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    today = _today()
    # "mine=1": the My items list (what the person owns), as on that page.
    lister = selectors.my_item_list if request.GET.get("mine") == "1" else selectors.item_list
    queryset = lister(user=request.user, today=today).select_related("lead")
    filterset = valid_filterset(ItemFilter, request, queryset, today)
    items = filterset.qs.iterator(chunk_size=exports.CHUNK)
    table = exports.rows(items, today, settings.SITE_URL.rstrip("/"))
    return export_response(table, fmt, f"items-{today.isoformat()}", "Items")


def export_response(table, fmt: str, name: str, title: str):
    """Send a table (header first) as a streamed CSV or a spooled Excel file."""
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_stream(table), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return FileResponse(
        exports.xlsx_file(table, title),
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def valid_filterset(filter_class, request, queryset, today):
    """A filter set with the values that do not validate left out (as the lists do)."""
    filterset = filter_class(request.GET or None, queryset=queryset, user=request.user, today=today)
    if filterset.is_bound and not filterset.is_valid():
        data = request.GET.copy()
        for name in filterset.errors:
            data.pop(name, None)
        filterset = filter_class(data, queryset=queryset, user=request.user, today=today)
    return filterset


@login_required
@require_GET
def item_detail(request, uuid):
    today = _today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    proposal = services.open_proposal(item)
    return render(
        request,
        "tracker/item_detail.html",
        {
            "item": item,
            "today": today,
            "judgement": selectors.judgement_for(item.finding, item.force_id),
            "timeline": selectors.item_timeline(item),
            "revisions": item.revisions.select_related("approved_by"),
            "deadlines": _deadline_rows(
                selectors.item_deadlines(item), request.user, today, item=item
            ),
            "proposal": proposal,
            "can_work": policy.can_work_on(request.user, item),
            "can_revise": policy.can_revise_due_date(request.user, item),
            "can_decide": policy.can_decide_closure(request.user, item, proposal, today),
            "can_assign": policy.can_assign(request.user, item),
            "returned": selectors.last_return(item) if proposal is None else None,
            "is_proposer": proposal is not None and proposal.proposed_by_id == request.user.id,
            "can_review": policy.can_review_progress(request.user, item, today),
            "latest_view": selectors.latest_view(item),
            "update_request": selectors.open_update_request(item),
            "response_link": reverse(
                "tracker:response_detail", args=[item.finding.report.key, item.force.code]
            )
            if item.finding.kind in ("recommendation", "cause_of_concern")
            else "",
            "audit_trail": selectors.item_audit_trail(item)
            if policy.can_read_audit_trail(request.user, item.force_id, today)
            else None,
        },
    )


def _item_action(
    request,
    uuid,
    *,
    allowed,
    form_class,
    template,
    act,
    success,
    error_field=None,
    form_kwargs=None,
    extra=None,
):
    """Shared recipe for the item action pages (GET shows the form, POST acts). A refusal
    from the service is shown at `error_field`, so the message sits next to what to fix."""
    today = _today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not item.is_open:
        messages.info(request, "This item is closed, so it cannot be changed.")
        return redirect("tracker:item_detail", uuid=item.uuid)
    if not allowed(item, today):
        raise PermissionDenied("You cannot do this on this item.")
    form_kwargs = form_kwargs(item) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                act(item, form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(error_field, message)
            else:
                messages.success(request, success)
                return redirect("tracker:item_detail", uuid=item.uuid)
    else:
        form = form_class(**form_kwargs)
    context = {"item": item, "form": form, "today": today}
    if extra:
        context.update(extra(item))
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def item_add_update(request, uuid):
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_work_on(request.user, item),
        form_class=forms.UpdateForm,
        error_field="text",
        template="tracker/item_update_form.html",
        act=lambda item, data: services.item_add_update(
            item=item, author=request.user, text=data["text"]
        ),
        success="Your update has been added",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_change_status(request, uuid):
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_work_on(request.user, item),
        form_class=forms.StatusForm,
        error_field="reason",
        template="tracker/item_status_form.html",
        act=lambda item, data: services.item_change_status(
            item=item, by=request.user, to_status=data["status"], reason=data["reason"]
        ),
        success="The status has been changed",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_add_evidence(request, uuid):
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_work_on(request.user, item),
        form_class=forms.EvidenceForm,
        error_field="file",
        template="tracker/item_evidence_form.html",
        act=lambda item, data: services.evidence_attach(
            item=item, by=request.user, uploaded_file=data["file"], description=data["description"]
        ),
        success="The evidence has been added",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_revise_due_date(request, uuid):
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_revise_due_date(request.user, item),
        form_class=forms.DueDateForm,
        error_field="new_date",
        template="tracker/item_due_date_form.html",
        act=lambda item, data: services.item_revise_due_date(
            item=item, by=request.user, new_date=data["new_date"], reason=data["reason"]
        ),
        success="The due date has been revised",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_propose_closure(request, uuid):
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_work_on(request.user, item),
        form_class=forms.ClosureProposalForm,
        form_kwargs=lambda item: {
            "evidence_choices": [(str(e.uuid), e.original_name) for e in item.evidence.all()]
        },
        error_field="summary",
        template="tracker/item_closure_form.html",
        act=lambda item, data: services.closure_propose(
            item=item,
            by=request.user,
            summary=data["summary"],
            evidence_ids=[e.pk for e in item.evidence.all() if str(e.uuid) in data["evidence"]],
        ),
        success="Closure has been proposed. The coordinator or PCC office will review it",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_decide_closure(request, uuid):
    def allowed(item, today):
        return policy.can_decide_closure(request.user, item, services.open_proposal(item), today)

    return _item_action(
        request,
        uuid,
        allowed=allowed,
        form_class=forms.ClosureDecisionForm,
        error_field="reason",
        template="tracker/item_decision_form.html",
        extra=lambda item: {"proposal": services.open_proposal(item)},
        act=lambda item, data: services.closure_decide(
            item=item, by=request.user, approve=data["decision"] == "approve", reason=data["reason"]
        ),
        success="Your decision has been recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_assign(request, uuid):
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_assign(request.user, item),
        form_class=forms.AssignForm,
        form_kwargs=lambda item: {
            "people": selectors.force_people(force=item.force),
            "initial": {"owner": item.owner_id, "lead": item.lead_id},
        },
        error_field="owner",
        template="tracker/item_assign_form.html",
        act=lambda item, data: services.item_assign(
            item=item, by=request.user, owner=data["owner"], lead=data["lead"]
        ),
        success="The owner and accountable lead have been saved",
    )


@login_required
@require_GET
def evidence_download(request, uuid, evidence_uuid):
    item = selectors.item_get(user=request.user, uuid=uuid, today=_today())
    evidence = next((e for e in item.evidence.all() if str(e.uuid) == str(evidence_uuid)), None)
    if evidence is None:
        raise Http404("No such file")
    try:
        handle = services.evidence_open(evidence)
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type or mimetypes.guess_type(evidence.original_name)[0],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def report_list(request):
    today = _today()
    filterset, page, query = _filtered_page(
        request, selectors.report_list(user=request.user, today=today), filter_class=ReportFilter
    )
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


@login_required
@require_GET
def report_detail(request, key):
    today = _today()
    report = selectors.report_get(user=request.user, key=key, today=today)
    office_forces = _local_target_forces(report, request.user, today)
    return render(
        request,
        "tracker/report_detail.html",
        {
            "report": report,
            "judgements": selectors.report_judgements(
                report=report, user=request.user, today=today
            ),
            "findings": selectors.report_findings(report=report, user=request.user, today=today),
            "responses": _response_rows(report, request.user, today),
            "statutory_rule": reminders.statutory_rule_for(report),
            "can_set_local_target": bool(office_forces),
            "response_forces": office_forces,
            "s55_rule": reminders.s55_rule(),
            "today": today,
            "audit_trail": selectors.report_audit_trail(
                report=report, user=request.user, today=today
            )
            if policy.can_read_audit_trail(request.user, None, today)
            else None,
        },
    )


def _deadline_rows(deadlines, user, today, *, item=None, response=None):
    """What a page shows about each deadline: the dates, days left or late, its history, and
    whether this person may extend or pause it."""
    rows = []
    for deadline in deadlines:
        # The page already holds the item or response; save a query per deadline.
        if item is not None:
            deadline.item = item
        if response is not None:
            deadline.response = response
        rows.append(
            {
                "deadline": deadline,
                "days_left": deadline.days_left(today),
                "days_overdue": -deadline.days_left(today) if deadline.due_on else 0,
                "reminders_text": reminders.describe_reminders(deadline),
                "missed": deadline.state == "open"
                and deadline.due_on is not None
                and deadline.due_on < today,
                "can_change": policy.can_change_deadline(user, deadline, today),
                "rule_text": reminders.describe_rule(deadline.rule),
            }
        )
    return rows


def _response_rows(report, user, today):
    rows = []
    for response in selectors.report_responses(report=report, user=user, today=today):
        rows.append(
            {
                "response": response,
                "deadlines": _deadline_rows(
                    response.deadlines.all(), user, today, response=response
                ),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def deadline_change(request, uuid):
    """Record an extension, a pause or the end of a pause, where the rule allows them."""
    today = _today()
    deadline = selectors.deadline_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_change_deadline(request.user, deadline, today):
        raise PermissionDenied("You cannot change this deadline.")
    back = reminders.deadline_link(deadline)
    form_class = forms.DeadlineChangeForm
    if request.method == "POST":
        form = form_class(request.POST, paused=deadline.paused)
        if form.is_valid():
            data = form.cleaned_data
            common = {"deadline": deadline, "by": request.user, "reason": data["reason"]}
            try:
                if data["action"] == "extend":
                    reminders.deadline_extend(
                        new_due_on=data["on_date"],
                        approved_by=data["approved_by"],
                        approved_on=data["approved_on"],
                        **common,
                    )
                elif data["action"] == "pause":
                    reminders.deadline_pause(
                        starts_on=data["on_date"], approved_by=data["approved_by"], **common
                    )
                else:
                    reminders.deadline_resume(ends_on=data["on_date"], **common)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(
                        "on_date" if "date" in message or "day" in message else None, message
                    )
            else:
                messages.success(request, "The deadline has been changed")
                return redirect(back)
    else:
        form = form_class(paused=deadline.paused)
    return render(
        request,
        "tracker/deadline_change_form.html",
        {
            "deadline": deadline,
            "form": form,
            "back": back,
            "about": reminders.deadline_about(deadline),
            "today": today,
        },
        status=400 if form.errors else 200,
    )


def _local_target_forces(report, user, today):
    if not policy.sets_local_targets(user):
        return []
    mine = policy.visible_force_ids(user, today) or set()  # one query, whatever the report
    return [f for f in report.forces.all() if f.id in mine]


@login_required
@require_http_methods(["GET", "POST"])
def report_local_target(request, key):
    """The PCC office sets itself a target where the law sets no period."""
    today = _today()
    report = selectors.report_get(user=request.user, key=key, today=today)
    forces = _local_target_forces(report, request.user, today)
    if not forces or reminders.statutory_rule_for(report) is not None:
        raise PermissionDenied("You cannot set a local target for this report.")
    response = report.statutory_responses.filter(force=forces[0]).first()
    if request.method == "POST":
        form = forms.LocalTargetForm(request.POST)
        if form.is_valid():
            try:
                reminders.response_set_local_target(
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
        {"report": report, "form": form, "force": forces[0]},
        status=400 if form.errors else 200,
    )


NOTIFICATIONS_PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The person's reminders in the app, newest first; POST marks them all read."""
    if request.method == "POST":
        marked = (
            selectors.notification_list(user=request.user)
            .filter(read_at__isnull=True)
            .update(read_at=timezone.now())
        )
        messages.success(
            request, f"{marked} notification{'s' if marked != 1 else ''} marked as read"
        )
        return redirect("tracker:notifications")
    page = Paginator(selectors.notification_list(user=request.user), NOTIFICATIONS_PAGE_SIZE)
    return render(
        request,
        "tracker/notifications.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


@login_required
@require_GET
def notification_open(request, pk):
    """Open a notification: mark it read and go to what it is about."""
    notification = selectors.notification_list(user=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification")
    if notification.read_at is None:
        selectors.notification_list(user=request.user).filter(pk=pk).update(read_at=timezone.now())
    url = notification.url
    target = url if url.startswith("/") and not url.startswith("//") else "/"
    return redirect(target)


@login_required
@require_GET
def reminders_health(request):
    """For administrators: is the sweep running, and what is waiting, sent or failed?"""
    if not policy.is_administrator(request.user):
        raise PermissionDenied("Only administrators can see the reminder health page.")
    return render(
        request,
        "tracker/reminders_health.html",
        reminders.health(now=timezone.now()),
    )
