"""Pages for the PCC office's statutory responses, its review of progress, and the public
page of published responses.

Same recipe as tracker/views.py: sign-in (except the public pages), a scoped loader that
answers 404 for what the person may not see, a form, a service, a redirect.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organisation, Role
from tracker import documents, exports, forms, policy, reminders, selectors, services, statutory
from tracker.filters import ResponseFilter
from tracker.models import ResponseVersion, StatutoryResponse
from tracker.views import (
    _deadline_rows,
    _filtered_page,
    export_response,
    pdf_download,
    valid_filterset,
)


def _today():
    return timezone.localdate()


@login_required
@require_GET
def response_list(request):
    today = _today()
    filterset, page, query = _filtered_page(
        request,
        selectors.response_pairs(user=request.user, today=today),
        filter_class=ResponseFilter,
    )
    return render(
        request,
        "tracker/response_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "rows": selectors.response_rows(page, today=today),
            "today": today,
        },
    )


@login_required
@require_GET
def response_export(request, fmt):
    """The statutory responses list, with its filters, as CSV or Excel."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    today = _today()
    pairs = valid_filterset(
        ResponseFilter, request, selectors.response_pairs(user=request.user, today=today), today
    ).qs

    def chunks(size=500):
        paginator = Paginator(pairs, size)
        for number in paginator.page_range:
            yield selectors.response_rows(paginator.page(number), today=today)

    table = exports.response_rows(chunks(), settings.SITE_URL.rstrip("/"))
    return export_response(table, fmt, f"statutory-responses-{today.isoformat()}", "Responses")


class _Scope:
    """What a response page works on: the report, the force, the response (None until it is
    started), and what this person may do."""

    def __init__(self, request, key, force_code):
        self.today = _today()
        user = request.user
        self.report, self.force, self.response = selectors.response_scope_get(
            user=user, key=key, force_code=force_code, today=self.today
        )
        self.pcc = policy.is_pcc_office_for(user, self.force.id, self.today)
        self.force_side = policy.can_write_force_response(user, self.force.id, self.today)
        # Those who write it read the unpublished wording; others see its stage and dates.
        self.reads_draft = self.pcc or self.force_side

    def started(self):
        """The response row, started now if this is the first thing done on it."""
        if self.response is None:
            self.response = statutory.response_for(report=self.report, force=self.force)
        return self.response

    def back(self):
        return redirect("tracker:response_detail", key=self.report.key, force_code=self.force.code)


def _versions(response):
    if response is None:
        return []
    return list(response.versions.select_related("published_by").defer("content"))


@login_required
@require_GET
def response_detail(request, key, force_code):
    scope = _Scope(request, key, force_code)
    response = scope.response
    entries = statutory.response_entries(response) if response else []
    versions = _versions(response)
    content = statutory.response_content(response, entries) if response else None
    problems = statutory.response_problems(response, entries) if response else []
    drafted = bool(
        response
        and (response.pcc_comments.strip() or any(e.item and e.item.pcc_response for e in entries))
    )
    changed_since = bool(
        versions and content and statutory.fingerprint(content) != versions[0].fingerprint
    )
    approval_current = bool(response and statutory.approval_current(response, content))
    if versions and not changed_since:
        approval = "settled"  # the published version is what is recorded
    elif approval_current:
        approval = "current"
    elif response and response.approved_at:
        approval = "stale"
    else:
        approval = "none"
    return render(
        request,
        "tracker/response_detail.html",
        {
            "report": scope.report,
            "force": scope.force,
            "response": response,
            "entries": entries,
            "versions": versions,
            "stage": statutory.stage_of(response, drafted=drafted, published=bool(versions)),
            "stages": statutory.STAGES,
            "problems": problems,
            "approval_current": approval_current,
            "approval": approval,
            "changed_since": changed_since,
            "deadlines": _deadline_rows(
                response.deadlines.all(), request.user, scope.today, response=response
            )
            if response
            else [],
            "can_pcc": scope.pcc,
            "can_force": scope.force_side,
            "reads_draft": scope.reads_draft,
            "statutory_rule": reminders.statutory_rule_for(scope.report),
            "today": scope.today,
        },
    )


def _response_form_page(
    request, key, force_code, *, allowed, form_class, template, act, success, error_field=None
):
    """GET shows the form; POST validates, calls the service (a refusal shows at the field
    `error_field(message)` names, else at the top), then goes back to the response page."""
    scope = _Scope(request, key, force_code)
    if not allowed(scope):
        raise PermissionDenied("You cannot do this on this response.")
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                act(scope, form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(error_field(message) if error_field else None, message)
            else:
                messages.success(request, success)
                return scope.back()
    else:
        form = form_class(initial=_initial(scope, form_class))
    return render(
        request,
        template,
        {"report": scope.report, "force": scope.force, "response": scope.response, "form": form},
        status=400 if form.errors else 200,
    )


def _date(day):
    return day.strftime("%d/%m/%Y") if day else None


def _initial(scope, form_class) -> dict:
    r = scope.response
    if r is None:
        return {}
    if form_class is forms.ChiefOfficerCommentsForm:
        return {
            "comments": r.chief_officer_comments,
            "received_on": _date(r.chief_officer_comments_received_on),
        }
    if form_class is forms.CopiesSentForm:
        return {
            "inspectorate_on": _date(r.sent_to_inspectorate_on),
            "home_secretary_on": _date(r.sent_to_home_secretary_on),
        }
    if form_class is forms.RequestCommentsForm:
        return {"due_on": _date(r.chief_officer_comments_due_on)}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def response_request_comments(request, key, force_code):
    return _response_form_page(
        request,
        key,
        force_code,
        allowed=lambda s: s.pcc,
        form_class=forms.RequestCommentsForm,
        template="tracker/response_request_form.html",
        error_field=lambda message: "due_on" if "date" in message or "due" in message else None,
        act=lambda s, data: statutory.response_request_comments(
            response=s.started(), by=request.user, due_on=data["due_on"]
        ),
        success="The chief constable's comments have been requested. The force coordinator "
        "has been told",
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_record_comments(request, key, force_code):
    return _response_form_page(
        request,
        key,
        force_code,
        allowed=lambda s: s.force_side,
        form_class=forms.ChiefOfficerCommentsForm,
        template="tracker/response_comments_form.html",
        error_field=lambda message: "received_on" if "date" in message else "comments",
        act=lambda s, data: statutory.response_record_comments(
            response=s.started(),
            by=request.user,
            text=data["comments"],
            received_on=data["received_on"],
        ),
        success="The chief constable's comments have been saved",
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_edit(request, key, force_code):
    """Write the response: the PCC office writes everything; the force coordinator writes
    the force's response to each recommendation."""
    scope = _Scope(request, key, force_code)
    if not (scope.pcc or scope.force_side):
        raise PermissionDenied("You cannot write this response.")
    # A visit changes nothing: the response is started by the first save.
    response = scope.response or statutory.response_unsaved(report=scope.report, force=scope.force)
    if response is None:
        raise Http404("No local policing body is recorded for this force")
    entries = statutory.response_entries(response)
    kwargs = {"entries": entries, "can_pcc": scope.pcc, "can_force": scope.force_side}
    if request.method == "POST":
        form = forms.ResponseDraftForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                response = scope.started()
                changed = statutory.response_save_draft(
                    response=response,
                    by=request.user,
                    introduction=data.get("introduction") if scope.pcc else None,
                    pcc_comments=data.get("pcc_comments") if scope.pcc else None,
                    force_responses=form.answers("force_response"),
                    pcc_responses=form.answers("pcc_response"),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("introduction" if "introduction" in message else None, message)
            else:
                messages.success(
                    request,
                    "Your changes have been saved" if changed else "Nothing had changed",
                )
                return scope.back()
    else:
        initial = {
            "introduction": response.introduction or statutory.DEFAULT_INTRODUCTION,
            "pcc_comments": response.pcc_comments,
        }
        for e in entries:
            initial[f"force_response_{e.finding.pk}"] = e.item.force_response if e.item else ""
            initial[f"pcc_response_{e.finding.pk}"] = e.item.pcc_response if e.item else ""
        form = forms.ResponseDraftForm(initial=initial, **kwargs)
    return render(
        request,
        "tracker/response_edit_form.html",
        {
            "report": scope.report,
            "force": scope.force,
            "response": response,
            "form": form,
            "can_pcc": scope.pcc,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_approve(request, key, force_code):
    """The completeness check, then approval: refused while anything s55 requires is
    missing."""
    scope = _Scope(request, key, force_code)
    if not scope.pcc:
        raise PermissionDenied("Only the PCC office can approve the response.")
    response = scope.response
    if response is None:
        messages.info(request, "Write the response before approving it")
        return redirect("tracker:response_edit", key=scope.report.key, force_code=scope.force.code)
    errors = []
    if request.method == "POST":
        try:
            statutory.response_approve(response=response, by=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "The response is approved and ready to publish")
            return scope.back()
    problems = statutory.response_problems(response)
    return render(
        request,
        "tracker/response_approve.html",
        {
            "report": scope.report,
            "force": scope.force,
            "response": response,
            "problems": problems,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_publish(request, key, force_code):
    return _response_form_page(
        request,
        key,
        force_code,
        allowed=lambda s: s.pcc and s.response is not None,
        form_class=forms.PublishForm,
        template="tracker/response_publish_form.html",
        error_field=lambda message: (
            "published_on" if "date" in message or "published on" in message else None
        ),
        act=lambda s, data: statutory.response_publish(
            response=s.response,
            by=request.user,
            published_on=data["published_on"],
            url=data["url"],
        ),
        success="The publication has been recorded. It is on your public page",
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_copies(request, key, force_code):
    return _response_form_page(
        request,
        key,
        force_code,
        allowed=lambda s: s.pcc and s.response is not None,
        form_class=forms.CopiesSentForm,
        template="tracker/response_copies_form.html",
        error_field=lambda message: (
            "inspectorate_on"
            if "inspectorate" in message
            else ("home_secretary_on" if "Home Secretary" in message else None)
        ),
        act=lambda s, data: statutory.response_record_copies(
            response=s.response,
            by=request.user,
            inspectorate_on=data["inspectorate_on"],
            home_secretary_on=data["home_secretary_on"],
        ),
        success="The copies sent have been recorded",
    )


DOCUMENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _document_response(request, content: dict, fmt: str) -> HttpResponse:
    name = documents.document_filename(content, fmt)
    if fmt == "pdf":
        return pdf_download(
            lambda: documents.render_pdf(content),
            name,
            instead="Download the Word document instead, or ask your administrator to install "
            "them (see the README).",
        )
    if fmt == "html":
        response = HttpResponse(
            documents.render_html(content, csp_nonce=getattr(request, "csp_nonce", "")),
            content_type=DOCUMENT_TYPES[fmt],
        )
    else:
        response = HttpResponse(documents.render_docx(content), content_type=DOCUMENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def response_document(request, key, force_code, fmt):
    """The draft document, as it would be published now (HTML, Word or PDF)."""
    scope = _Scope(request, key, force_code)
    if scope.response is None or fmt not in DOCUMENT_TYPES:
        raise Http404("No such document")
    if not scope.reads_draft:
        raise PermissionDenied(
            "Unpublished responses are for the PCC office and the force coordinator; the "
            "published versions are on the public page."
        )
    content = statutory.response_content(scope.response)
    if statutory.approval_current(scope.response, content):
        content["approved"] = True  # the final words, ready to publish
    return _document_response(request, content, fmt)


# The PCC office's review of progress --------------------------------------------------------


@login_required
@require_GET
def review(request):
    """All the items of the office's forces, by report, with status, last update, RAG and the
    office's own latest view."""
    if not request.user.has_role(Role.PCC_OFFICE):
        raise PermissionDenied("The review of progress is for the PCC office.")
    today = _today()
    filterset, page, query = _filtered_page(
        request, selectors.review_items(user=request.user, today=today)
    )
    for item in page:
        item.rag_key = item.rag(today)
        item.rag_label = item.RAG_LABELS[item.rag_key]
    return render(
        request,
        "tracker/review.html",
        {"filter": filterset, "page": page, "query": query, "today": today},
    )


def _review_action(request, uuid, *, form_class, template, heading, act, success):
    today = _today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_review_progress(request.user, item, today):
        raise PermissionDenied("Only the PCC office for this force can do this.")
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                result = act(item, form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, success(result) if callable(success) else success)
                return redirect("tracker:item_detail", uuid=item.uuid)
    else:
        form = form_class()
    return render(
        request,
        template,
        {"item": item, "form": form, "heading": heading},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_request_update(request, uuid):
    return _review_action(
        request,
        uuid,
        form_class=forms.UpdateRequestForm,
        template="tracker/item_request_update_form.html",
        heading="Ask for an update",
        act=lambda item, data: services.item_request_update(
            item=item, by=request.user, message=data["message"]
        ),
        success=lambda result: (
            "Your request has been sent to " + ", ".join(p.full_name for p in result[1])
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_record_view(request, uuid):
    return _review_action(
        request,
        uuid,
        form_class=forms.ProgressViewForm,
        template="tracker/item_view_form.html",
        heading="Record your view on progress",
        act=lambda item, data: services.item_record_view(
            item=item, by=request.user, rating=data["rating"], text=data["text"]
        ),
        success="Your view on progress has been recorded",
    )


# Public pages: no sign-in, only what has been published ----------------------------------


@require_GET
def public_index(request):
    bodies = Organisation.objects.filter(
        kind=Organisation.Kind.LOCAL_POLICING_BODY,
        pk__in=StatutoryResponse.objects.filter(versions__isnull=False).values("body_id"),
    )
    return render(request, "public/index.html", {"bodies": bodies})


@require_GET
def public_body(request, body_code):
    body = get_object_or_404(
        Organisation, code=body_code, kind=Organisation.Kind.LOCAL_POLICING_BODY
    )
    versions = selectors.public_versions(body=body)
    page = Paginator(versions, 50).get_page(request.GET.get("page"))
    return render(request, "public/body.html", {"body": body, "page": page})


def _public_version(body_code, uuid, number=None) -> ResponseVersion:
    versions = ResponseVersion.objects.filter(
        response__uuid=uuid, response__body__code=body_code
    ).select_related("response__body")
    version = (
        versions.order_by("-number").first()
        if number is None
        else versions.filter(number=number).first()
    )
    if version is None:
        raise Http404("No such published response")
    return version


@require_GET
def public_response(request, body_code, uuid, number=None):
    version = _public_version(body_code, uuid, number)
    others = (
        ResponseVersion.objects.filter(response_id=version.response_id)
        .defer("content")
        .order_by("-number")
    )
    return render(
        request,
        "public/response.html",
        {
            "version": version,
            "body": version.response.body,
            "doc": documents.document_context(version.content),
            "others": others,
        },
    )


@require_GET
def public_document(request, body_code, uuid, number, fmt):
    if fmt not in DOCUMENT_TYPES or fmt == "html":
        raise Http404("No such document")
    version = _public_version(body_code, uuid, number)
    return _document_response(request, version.content, fmt)
