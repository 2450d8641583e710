"""Pages for the PCC office's statutory responses (s55 Police Act 1996): the list, a
response's page, each step from asking for the chief constable's comments to
publication, and the draft document.

Same recipe as the other pages: sign-in, a scoped loader that answers 404 for what the person
may not see, a form, a service, a redirect.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import documents, forms, policy, selectors, welsh_forms
from tracker.filters import ResponseFilter
from tracker.marking_forms import PublishWithMarkingForm
from tracker.models import ResponseVersion, StatutoryResponse
from tracker.reminders.sync import s55_rule, statutory_rule_for
from tracker.statutory import content as statutory_content
from tracker.statutory import services as statutory_services
from tracker.views import common, public


@login_required
@require_GET
def response_list(request) -> HttpResponse:
    """Every report about the person's forces and its response, most urgent first. Reports
    the law sets no period for, whose response nobody has started, are listed apart (with
    the same filters), each with "Respond anyway" for the PCC office."""
    today = common.today()
    user = request.user
    split = statutory_content.pairs_by_period(selectors.response_pairs(user=user, today=today))
    filterset = selectors.filtered(
        ResponseFilter, split.listed, filters=request.GET, user=user, today=today
    )
    page, query = common.filtered_page(request, filterset)
    apart = filterset.filter_queryset(split.apart) if filterset.is_bound else split.apart
    apart_rows = list(apart[:APART_SHOWN])
    apart_count = len(apart_rows) if len(apart_rows) < APART_SHOWN else apart.count()
    return render(
        request,
        "tracker/response_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "rows": selectors.response_rows(page, today=today),
            "apart": apart_rows,
            "apart_count": apart_count,
            "apart_shown": APART_SHOWN,
            "period_rule": split.rule,
            "can_start": policy.starts_statutory_responses(request.user),
            "today": today,
        },
    )


# How many of the reports without a statutory period the list shows (newest first); the
# filters find the others.
APART_SHOWN = 50


@login_required
@require_POST
def response_start(request, key, force_code) -> HttpResponseRedirect:
    """The PCC office's "Respond anyway": start the response to a report the law sets no
    period for (or any report), so it joins the list; then its page, to ask for the chief
    constable's comments, write, or set a local target."""
    scope = _Scope(request, key, force_code)
    if not scope.pcc:
        raise PermissionDenied("Only the PCC office for this force can start its response.")
    if scope.response is not None:
        messages.info(request, "This response had already been started")
        return scope.back()
    try:
        scope.started()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tracker:response_list")
    messages.success(
        request,
        "You have started the response. It is now on your list of statutory responses",
    )
    return scope.back()


class _Scope:
    """What a response page works on: the report, the force, the response (None until it is
    started), and what this person may do."""

    def __init__(self, request, key, force_code) -> None:
        self.today = common.today()
        user = request.user
        self.report, self.force, self.response = selectors.response_scope_get(
            user=user, key=key, force_code=force_code, today=self.today
        )
        self.pcc = policy.is_pcc_office_for(user, self.force.id, self.today)
        self.force_side = policy.can_write_force_response(user, self.force.id, self.today)
        # Those who write it read the unpublished wording; others see its stage and dates.
        self.reads_draft = self.pcc or self.force_side

    def started(self) -> StatutoryResponse:
        """The response row, started now if this is the first thing done on it."""
        if self.response is None:
            self.response = statutory_services.response_for(report=self.report, force=self.force)
        return self.response

    def back(self) -> HttpResponseRedirect:
        return redirect("tracker:response_detail", key=self.report.key, force_code=self.force.code)


def _versions(response) -> list[ResponseVersion]:
    if response is None:
        return []
    return list(response.versions.select_related("published_by").defer("content"))


@login_required
@require_GET
def response_detail(request, key, force_code) -> HttpResponse:
    scope = _Scope(request, key, force_code)
    response = scope.response
    entries = statutory_content.response_entries(response) if response else []
    versions = _versions(response)
    content = statutory_content.response_content(response, entries) if response else None
    problems = statutory_content.response_problems(response, entries) if response else []
    drafted = bool(
        response
        and (response.pcc_comments.strip() or any(e.item and e.item.pcc_response for e in entries))
    )
    changed_since = bool(
        versions and content and statutory_content.fingerprint(content) != versions[0].fingerprint
    )
    approval_current = bool(response and statutory_content.approval_current(response, content))
    if versions and not changed_since:
        approval = "settled"  # the published version is what is recorded
    elif approval_current:
        approval = "current"
    elif response and response.approved_at:
        approval = "stale"
    else:
        approval = "none"
    deadlines = (
        common.deadline_rows(response.deadlines.all(), request.user, scope.today, response=response)
        if response
        else []
    )
    statutory_rule = statutory_rule_for(scope.report)
    return render(
        request,
        "tracker/response_detail.html",
        {
            "report": scope.report,
            "force": scope.force,
            "response": response,
            "entries": entries,
            "versions": versions,
            # The number the next publication will have.
            "next_version": versions[0].number + 1 if versions else 1,
            "stage": statutory_content.stage_of(
                response, drafted=drafted, published=bool(versions)
            ),
            "stages": statutory_content.STAGES,
            "problems": problems,
            "approval_current": approval_current,
            "approval": approval,
            "changed_since": changed_since,
            "deadlines": deadlines,
            "can_pcc": scope.pcc,
            "can_force": scope.force_side,
            "reads_draft": scope.reads_draft,
            "statutory_rule": statutory_rule,
            # Only where the page says why the law sets no period: the statutory rule, and
            # from when it applies.
            "s55_rule": s55_rule() if not deadlines and not statutory_rule else None,
            "today": scope.today,
        },
    )


def _response_form_page(
    request,
    key,
    force_code,
    *,
    allowed,
    form_class,
    template,
    act,
    success,
    error_field=None,
) -> HttpResponse:
    """GET shows the form; POST validates, calls the service (a refusal shows at the field
    `error_field(message)` names, else at the top), then goes back to the response page."""
    scope = _Scope(request, key, force_code)
    if not allowed(scope):
        raise PermissionDenied("You cannot do this on this response.")
    if not isinstance(form_class, type):  # chosen for this response (Welsh or not)
        form_class = form_class(scope)
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
        {
            "report": scope.report,
            "force": scope.force,
            "response": scope.response,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _date(day) -> str | None:
    return day.strftime("%d/%m/%Y") if day else None


def _initial(scope, form_class) -> dict[str, Any]:
    r = scope.response
    if r is None:
        return {}
    if form_class is PublishWithMarkingForm:
        # The body's own choice of marking for what it publishes, else none (issue 21).
        default = r.body.default_marking
        return {"marking": default.label if default is not None and default.active else ""}
    if issubclass(form_class, forms.ChiefOfficerCommentsForm):
        return {
            "comments": r.chief_officer_comments,
            "comments_cy": r.chief_officer_comments_cy,
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
def response_request_comments(request, key, force_code) -> HttpResponse:
    return _response_form_page(
        request,
        key,
        force_code,
        allowed=lambda s: s.pcc,
        form_class=forms.RequestCommentsForm,
        template="tracker/response_request_form.html",
        error_field=lambda message: "due_on" if "date" in message or "due" in message else None,
        act=lambda s, data: statutory_services.response_request_comments(
            response=s.started(), by=request.user, due_on=data["due_on"]
        ),
        success="The chief constable's comments have been requested. The force coordinator "
        "has been told",
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_record_comments(request, key, force_code) -> HttpResponse:
    return _response_form_page(
        request,
        key,
        force_code,
        allowed=lambda s: s.force_side,
        form_class=lambda s: (
            welsh_forms.BilingualChiefOfficerCommentsForm
            if _bilingual(s)
            else forms.ChiefOfficerCommentsForm
        ),
        template="tracker/response_comments_form.html",
        error_field=lambda message: (
            "received_on"
            if "date" in message
            else ("comments_cy" if "Welsh" in message else "comments")
        ),
        act=lambda s, data: statutory_services.response_record_comments(
            response=s.started(),
            by=request.user,
            text=data["comments"],
            received_on=data["received_on"],
            text_cy=data.get("comments_cy"),
        ),
        success="The chief constable's comments have been saved",
    )


def _bilingual(scope) -> bool:
    """Whether this response is written in Welsh and English (its body, or its force, works
    under the Welsh Language Standards); before it is started, as it would be."""
    response = scope.response or statutory_services.response_unsaved(
        report=scope.report, force=scope.force
    )
    return bool(response and response.bilingual)


def _welsh_initial(response, entries) -> dict[str, str]:
    """The Welsh fields as stored; the standard Welsh introduction when none is written."""
    with translation.override("cy"):
        standard = gettext(statutory_content.DEFAULT_INTRODUCTION)
    initial = {
        # A custom English introduction needs its own Welsh: no standard text offered then.
        "introduction_cy": response.introduction_cy or ("" if response.introduction else standard),
        "pcc_comments_cy": response.pcc_comments_cy,
    }
    texts = statutory_content.welsh_texts(response)
    for e in entries:
        text = texts.get(e.finding.pk)
        initial[f"force_response_cy_{e.finding.pk}"] = text.force_response if text else ""
        initial[f"pcc_response_cy_{e.finding.pk}"] = text.pcc_response if text else ""
    return initial


def _welsh_draft(form, can_pcc: bool) -> statutory_services.WelshDraft | None:
    if not isinstance(form, welsh_forms.BilingualResponseDraftForm):
        return None
    return statutory_services.WelshDraft(
        introduction=form.welsh_value("introduction_cy") if can_pcc else None,
        pcc_comments=form.welsh_value("pcc_comments_cy") if can_pcc else None,
        force_responses=form.welsh_answers("force_response"),
        pcc_responses=form.welsh_answers("pcc_response"),
    )


def _introduction_fields(response, entries) -> list[tuple[str, str, str]]:
    """Each field the introduction can use, what it is, and what it becomes here."""
    values = statutory_content.intro_values(response, entries)
    return [(name, about, values[name]) for name, about in statutory_content.FIELD_HELP.items()]


def _introduction_preview(form, response, entries) -> list | None:
    """The introduction as typed, filled in and split into paragraphs and bullets as the
    document shows it (an empty one is the standard wording); None, with the error on the
    field, when it cannot be filled in."""
    typed = form.cleaned_data.get("introduction") or statutory_content.DEFAULT_INTRODUCTION
    values = statutory_content.intro_values(response, entries)
    try:
        return documents.text_blocks(statutory_content.introduction_render(typed, values))
    except ValidationError as exc:
        form.add_error("introduction", exc.messages[0])
        return None


@login_required
@require_http_methods(["GET", "POST"])
def response_edit(request, key, force_code) -> HttpResponse:
    """Write the response: the PCC office writes everything; the force coordinator writes
    the force's response to each recommendation."""
    scope = _Scope(request, key, force_code)
    if not (scope.pcc or scope.force_side):
        raise PermissionDenied("You cannot write this response.")
    # A visit changes nothing: the response is started by the first save.
    response = scope.response or statutory_services.response_unsaved(
        report=scope.report, force=scope.force
    )
    if response is None:
        raise Http404("No local policing body is recorded for this force")
    entries = statutory_content.response_entries(response)
    kwargs: dict[str, Any] = {
        "entries": entries,
        "can_pcc": scope.pcc,
        "can_force": scope.force_side,
    }
    bilingual = response.bilingual
    form_class = welsh_forms.BilingualResponseDraftForm if bilingual else forms.ResponseDraftForm
    preview = None
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid() and scope.pcc and request.POST.get("action") == "preview":
            preview = _introduction_preview(form, response, entries)  # saves nothing
        elif form.is_valid():
            data = form.cleaned_data
            try:
                response = scope.started()
                changed = statutory_services.response_save_draft(
                    response=response,
                    by=request.user,
                    introduction=data.get("introduction") if scope.pcc else None,
                    pcc_comments=data.get("pcc_comments") if scope.pcc else None,
                    force_responses=form.answers("force_response"),
                    pcc_responses=form.answers("pcc_response"),
                    welsh=_welsh_draft(form, scope.pcc),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    field = "introduction" if "introduction" in message else None
                    if field and "Welsh" in message:
                        field = "introduction_cy"
                    form.add_error(field, message)
            else:
                messages.success(
                    request,
                    "Your changes have been saved" if changed else "Nothing had changed",
                )
                return scope.back()
    else:
        initial = {
            "introduction": response.introduction or statutory_content.DEFAULT_INTRODUCTION,
            "pcc_comments": response.pcc_comments,
        }
        for e in entries:
            initial[f"force_response_{e.finding.pk}"] = e.item.force_response if e.item else ""
            initial[f"pcc_response_{e.finding.pk}"] = e.item.pcc_response if e.item else ""
        if bilingual:
            initial.update(_welsh_initial(response, entries))
        form = form_class(initial=initial, **kwargs)
    return render(
        request,
        "tracker/response_edit_form.html",
        {
            "report": scope.report,
            "force": scope.force,
            "response": response,
            "form": form,
            "can_pcc": scope.pcc,
            "bilingual": bilingual,
            "preview": preview,
            "intro_fields": _introduction_fields(response, entries) if scope.pcc else [],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_approve(request, key, force_code) -> HttpResponse:
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
            statutory_services.response_approve(response=response, by=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "The response is approved and ready to publish")
            return scope.back()
    problems = statutory_content.response_problems(response)
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
def response_publish(request, key, force_code) -> HttpResponse:
    return _response_form_page(
        request,
        key,
        force_code,
        allowed=lambda s: s.pcc and s.response is not None,
        form_class=PublishWithMarkingForm,
        template="tracker/response_publish_form.html",
        error_field=lambda message: (
            "published_on" if "date" in message or "published on" in message else None
        ),
        act=lambda s, data: statutory_services.response_publish(
            response=s.response,
            by=request.user,
            published_on=data["published_on"],
            url=data["url"],
            marking=data["marking"],
        ),
        success="The publication has been recorded. It is on your public page",
    )


@login_required
@require_http_methods(["GET", "POST"])
def response_copies(request, key, force_code) -> HttpResponse:
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
        act=lambda s, data: statutory_services.response_record_copies(
            response=s.response,
            by=request.user,
            inspectorate_on=data["inspectorate_on"],
            home_secretary_on=data["home_secretary_on"],
        ),
        success="The copies sent have been recorded",
    )


@login_required
@require_GET
def response_document(request, key, force_code, fmt) -> HttpResponse:
    """The draft document, as it would be published now (HTML, Word or PDF)."""
    scope = _Scope(request, key, force_code)
    if scope.response is None or fmt not in common.DOCUMENT_TYPES:
        raise Http404("No such document")
    if not scope.reads_draft:
        raise PermissionDenied(
            "Unpublished responses are for the PCC office and the force coordinator; the "
            "published versions are on the public page."
        )
    content = statutory_content.response_content(scope.response)
    if statutory_content.approval_current(scope.response, content):
        content["approved"] = True  # the final words, ready to publish
        if statutory_content.is_bilingual(content):
            content["cy"]["approved"] = True
    # ?lang=cy: the Welsh draft of a response published in Welsh and English.
    code = request.GET.get("lang", "en")
    if code not in ("en", "cy") or (code == "cy" and not statutory_content.is_bilingual(content)):
        raise Http404("No such document")
    return public.language_document(request, content, fmt, code)
