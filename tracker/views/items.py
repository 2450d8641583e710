"""Pages for the items: the lists (mine and all), the export, an item's page and what force
staff, coordinators and the PCC office do on it, and its evidence."""

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organisation
from tracker import (
    conflicts,
    forms,
    histories,
    learning_reads,
    lineage_reads,
    national,
    policy,
    selectors,
    services,
)
from tracker.views import common


@login_required
@require_GET
def home(request) -> HttpResponseRedirect:
    """Each person starts on their main work (policy.landing_page). Signing in lands here too
    (LOGIN_REDIRECT_URL), unless a page asked for sign-in with a safe `next`."""
    return redirect(policy.landing_page(request.user))


def _list_context(request, filterset, page, query, today) -> dict[str, Any]:
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
def my_items(request) -> HttpResponse:
    today = common.today()
    filterset = selectors.my_item_filter(user=request.user, today=today, filters=request.GET)
    page, query = common.filtered_page(request, filterset)
    context = _list_context(request, filterset, page, query, today)
    context["export_query"] = query + ("&" if query else "") + "mine=1"
    return render(request, "tracker/my_items.html", context)


@login_required
@require_GET
def item_list(request) -> HttpResponse:
    today = common.today()
    filterset = selectors.item_filter(user=request.user, today=today, filters=request.GET)
    page, query = common.filtered_page(request, filterset)
    context = _list_context(request, filterset, page, query, today)
    context["can_import"] = policy.can_bulk_import(request.user)
    return render(request, "tracker/item_list.html", context)


@login_required
@require_GET
def owner_names(request) -> JsonResponse:
    """The owner filter's type-ahead: names in the person's scope containing `?q=`."""
    names = selectors.owner_names(
        user=request.user, today=common.today(), text=request.GET.get("q", "")[:200]
    )
    return JsonResponse({"names": names})


@login_required
@require_GET
def item_detail(request, uuid) -> HttpResponse:
    today = common.today()
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
            "deadlines": common.deadline_rows(
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
            # A fire and rescue service has no statutory response (s55 is about police
            # forces, issue 17).
            "response_link": reverse(
                "tracker:response_detail",
                args=[item.finding.report.key, item.force.code],
            )
            if item.finding.kind in ("recommendation", "cause_of_concern")
            and item.force.kind == Organisation.Kind.FORCE
            else "",
            "inspectorate_statuses": histories.item_inspectorate_statuses(item),
            # Issue 18: the chain of earlier findings, the inspectorate's latest view and a
            # mismatch, this item's shared learning and other forces' similar findings.
            "lineage": lineage_reads.item_lineage(item, request.user, today),
            "inspectorate": national.item_inspectorate(item, request.user, today),
            "learning": learning_reads.item_learning(item, request.user, today),
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
) -> HttpResponse:
    """Shared recipe for the item action pages (GET shows the form, POST acts with the valid
    form). A refusal from the service is shown at `error_field`, so the message sits next to
    what to fix.

    A form that changes the item (forms.ItemChangeForm) carries the item's version. When
    someone else has changed the item since the page was built, nothing is saved: the page
    comes back (409) saying who changed what and when, with what the person typed and, for
    what they left alone, the item's values now, so saving again is safe."""
    today = common.today()
    item = selectors.item_get(user=request.user, uuid=uuid, today=today)
    if not item.is_open:
        messages.info(request, "This item is closed, so it cannot be changed.")
        return redirect("tracker:item_detail", uuid=item.uuid)
    if not allowed(item, today):
        raise PermissionDenied("You cannot do this on this item.")

    def kwargs_for(current) -> dict[str, Any]:
        kwargs = form_kwargs(current) if form_kwargs else {}
        if issubclass(form_class, forms.ItemChangeForm):
            kwargs["initial"] = {**kwargs.get("initial", {}), "version": current.version}
        return kwargs

    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **kwargs_for(item))
        if form.is_valid():
            try:
                act(item, form)
            except conflicts.ItemChanged as changed:
                kwargs = kwargs_for(changed.item)
                data = form.rebased(version=changed.item.version, current=kwargs["initial"])
                form = form_class(data, request.FILES, **kwargs)
                form.is_valid()
                form.add_error(None, changed.message(request.user))
                status = 409
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(error_field, message)
            else:
                messages.success(request, success)
                return redirect("tracker:item_detail", uuid=item.uuid)
    else:
        form = form_class(**kwargs_for(item))
    context = {"item": item, "form": form, "today": today}
    if extra:
        context.update(extra(item))
    if status == 200 and form.errors:
        status = 400
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_add_update(request, uuid) -> HttpResponse:
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_work_on(request.user, item),
        form_class=forms.UpdateForm,
        error_field="text",
        template="tracker/item_update_form.html",
        act=lambda item, form: services.item_add_update(
            item=item, author=request.user, text=form.cleaned_data["text"]
        ),
        success="Your update has been added",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_change_status(request, uuid) -> HttpResponse:
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_work_on(request.user, item),
        form_class=forms.StatusForm,
        error_field="reason",
        template="tracker/item_status_form.html",
        act=lambda item, form: services.item_change_status(
            item=item,
            by=request.user,
            to_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        ),
        success="The status has been changed",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_add_evidence(request, uuid) -> HttpResponse:
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_work_on(request.user, item),
        form_class=forms.EvidenceForm,
        error_field="file",
        template="tracker/item_evidence_form.html",
        act=lambda item, form: services.evidence_attach(
            item=item,
            by=request.user,
            uploaded_file=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
        ),
        success="The evidence has been added",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_revise_due_date(request, uuid) -> HttpResponse:
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_revise_due_date(request.user, item),
        form_class=forms.DueDateForm,
        error_field="new_date",
        template="tracker/item_due_date_form.html",
        act=lambda item, form: services.item_revise_due_date(
            item=item,
            by=request.user,
            new_date=form.cleaned_data["new_date"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        ),
        success="The due date has been revised",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_propose_closure(request, uuid) -> HttpResponse:
    return _item_action(
        request,
        uuid,
        allowed=lambda item, today: policy.can_work_on(request.user, item),
        form_class=forms.ClosureProposalForm,
        form_kwargs=lambda item: {
            "evidence_choices": [
                (str(e.uuid), f"{e.original_name}: {e.description}".removesuffix(": "))
                for e in item.evidence.all()
            ]
        },
        error_field="summary",
        template="tracker/item_closure_form.html",
        act=lambda item, form: services.closure_propose(
            item=item,
            by=request.user,
            summary=form.cleaned_data["summary"],
            evidence_ids=[
                e.pk for e in item.evidence.all() if str(e.uuid) in form.cleaned_data["evidence"]
            ],
            no_evidence_reason=form.cleaned_data["no_evidence_reason"],
            version=form.cleaned_data["version"],
        ),
        success="Closure has been proposed. The coordinator or PCC office will review it",
    )


def _proposal_evidence(item, proposal) -> dict[str, Any]:
    """The proposal, the files it rests on, and the item's other files (added before or
    after it, but not chosen), so the decider sees both and which is which."""
    chosen = list(proposal.evidence.select_related("uploaded_by")) if proposal is not None else []
    chosen_ids = {e.pk for e in chosen}
    others = [e for e in item.evidence.all() if e.pk not in chosen_ids]
    return {"proposal": proposal, "chosen": chosen, "others": others}


@login_required
@require_http_methods(["GET", "POST"])
def item_decide_closure(request, uuid) -> HttpResponse:
    def allowed(item, today) -> bool:
        return policy.can_decide_closure(request.user, item, services.open_proposal(item), today)

    return _item_action(
        request,
        uuid,
        allowed=allowed,
        form_class=forms.ClosureDecisionForm,
        error_field="reason",
        template="tracker/item_decision_form.html",
        extra=lambda item: _proposal_evidence(item, services.open_proposal(item)),
        act=lambda item, form: services.closure_decide(
            item=item,
            by=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        ),
        success="Your decision has been recorded",
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_assign(request, uuid) -> HttpResponse:
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
        # Only what the person changed from the page: a save that changed the lead never
        # writes back the owner the page showed.
        act=lambda item, form: services.item_assign(
            item=item, by=request.user, version=form.cleaned_data["version"], **form.changes()
        ),
        success="The owner and accountable lead have been saved",
    )


@login_required
@require_GET
def evidence_download(request, uuid, evidence_uuid) -> FileResponse:
    item = selectors.item_get(user=request.user, uuid=uuid, today=common.today())
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
