"""Administrators manage people: a list to search and filter, add, change details and roles,
deactivate (handing their open items over) and reactivate.

Each view: sign-in required (anonymous people are sent to sign in), then administrators only
(others get 403: these pages are not per force, so there is nothing to hide), a loader that
answers 404 for a person who does not exist, a form, a service, a redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.models import Organisation, Role, User
from accounts.people_forms import DeactivateForm, PeopleFilter, PersonForm
from tracker import policy

PAGE_SIZE = 50


def _check_may_manage(request) -> None:
    if not policy.can_manage_people(request.user):
        raise PermissionDenied("Only administrators can manage people.")


def _person(pk) -> User:
    return get_object_or_404(User.objects.select_related("organisation"), pk=pk)


def _form_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal against the field it is about (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
@require_GET
def people(request) -> HttpResponse:
    _check_may_manage(request)
    filterset = PeopleFilter(request.GET or None, queryset=selectors.person_list())
    if filterset.is_bound and not filterset.is_valid():
        for field, errors in filterset.errors.items():
            label = filterset.form.fields[field].label if field in filterset.form.fields else field
            messages.warning(request, f"The filter “{label}” was ignored: {' '.join(errors)}")
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/people.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request) -> HttpResponse:
    _check_may_manage(request)
    if request.method == "POST":
        form = PersonForm(request.POST)
        if form.is_valid():
            try:
                person = services.person_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{person.full_name} has been added. We have emailed them a link to set "
                    "their password.",
                )
                return redirect("accounts:person_detail", pk=person.pk)
    else:
        form = PersonForm()
    return render(
        request,
        "accounts/person_form.html",
        {"form": form, "person": None},
        status=400 if form.errors else 200,
    )


def _describe(field: str, value, organisations: dict) -> str:
    if value in (None, "", []):
        return "—"
    if field == "organisation" and value in organisations:
        return organisations[value].name  # the audit trail names it by its code
    if field == "roles" and isinstance(value, list):
        return ", ".join(Role(v).label if v in Role.values else str(v) for v in value)
    if isinstance(value, bool):
        return "Active" if value else "Deactivated"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


FIELD_LABELS = {
    "full_name": "Full name",
    "job_title": "Job title",
    "department": "Department",
    "organisation": "Organisation",
    "roles": "Roles",
    "is_active": "Status",
    "reminder_delivery": "Reminder emails",
}


@login_required
@require_GET
def person_detail(request, pk) -> HttpResponse:
    _check_may_manage(request)
    person = _person(pk)
    items = list(selectors.person_open_items(person=person))
    events = list(selectors.person_history(person=person))
    codes = {v for e in events for v in e.changes.get("organisation", []) if isinstance(v, str)}
    organisations = Organisation.objects.in_bulk(codes, field_name="code")
    history = [
        {
            "event": event,
            "changes": [
                (
                    FIELD_LABELS.get(k, k.replace("_", " ")),
                    _describe(k, b, organisations),
                    _describe(k, a, organisations),
                )
                for k, (b, a) in event.changes.items()
            ],
        }
        for event in events
    ]
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "items": items,
            "owned": sum(1 for i in items if i.owner_id == person.pk),
            "led": sum(1 for i in items if i.lead_id == person.pk),
            "history": history,
            "actions": selectors.person_actions(person=person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk) -> HttpResponse:
    _check_may_manage(request)
    person = _person(pk)
    if request.method == "POST":
        form = PersonForm(request.POST, editing=True)
        if form.is_valid():
            try:
                services.person_update(by=request.user, person=person, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"{person.full_name}’s details have been saved")
                return redirect("accounts:person_detail", pk=person.pk)
    else:
        form = PersonForm(
            editing=True,
            initial={
                "full_name": person.full_name,
                "job_title": person.job_title,
                "department": person.department,
                "organisation": person.organisation_id,
                "roles": sorted(person.roles),
            },
        )
    return render(
        request,
        "accounts/person_form.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request, pk) -> HttpResponse:
    _check_may_manage(request)
    person = _person(pk)
    if not person.is_active:
        messages.info(request, f"{person.full_name} is already deactivated.")
        return redirect("accounts:person_detail", pk=person.pk)
    items = list(selectors.person_open_items(person=person))
    forces = sorted({i.force.name for i in items})
    form = DeactivateForm(
        request.POST if request.method == "POST" else None,
        successors=selectors.eligible_successors(person=person),
        force=forces[0] if len(forces) == 1 else None,
    )
    if not items:
        del form.fields["reassign_to"]
    if request.method == "POST" and person.pk != request.user.pk and form.is_valid():
        try:
            services.person_deactivate(
                by=request.user, person=person, reassign_to=form.cleaned_data.get("reassign_to")
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} has been deactivated")
            return redirect("accounts:person_detail", pk=person.pk)
    return render(
        request,
        "accounts/person_deactivate.html",
        {
            "person": person,
            "items": items,
            "forces": forces,
            "form": form,
            "is_self": person.pk == request.user.pk,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_reactivate(request, pk) -> HttpResponse:
    _check_may_manage(request)
    person = _person(pk)
    if person.is_active:
        messages.info(request, f"{person.full_name} is already active.")
        return redirect("accounts:person_detail", pk=person.pk)
    if request.method == "POST":
        try:
            services.person_reactivate(by=request.user, person=person)
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{person.full_name} has been reactivated and can sign in")
        return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/person_reactivate.html", {"person": person})


@login_required
@require_POST
def person_send_password_link(request, pk) -> HttpResponseRedirect:
    _check_may_manage(request)
    person = _person(pk)
    try:
        services.person_send_set_password_email(by=request.user, person=person)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, f"We have emailed {person.full_name} a link to set a password")
    return redirect("accounts:person_detail", pk=person.pk)
