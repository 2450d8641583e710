"""Welsh editions of reports: attach one to the English report (from the report's page, or
from an import of the Welsh document), never import it as a report of its own.

Who may: those who may update the report by import (coordinators and the PCC office for
their forces' reports and national ones, administrators); the report must be one the person
can see (404 otherwise), and an import is seen only by the person who uploaded it (404)."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tracker import policy, selectors
from tracker.models import Report, ReportEdition, ReportImport
from tracker.report_import.draft import Draft
from tracker.report_import.editions import edition_attach, edition_candidates
from tracker.views import common


class EditionForm(django_forms.Form):
    title = django_forms.CharField(
        label=_("Title of the Welsh edition"),
        help_text=_("As the edition gives it, in Welsh."),
        max_length=400,
        error_messages={"required": _("Enter the title of the Welsh edition")},
    )
    url = django_forms.CharField(
        label=_("Web address of the Welsh edition"),
        help_text=_("Where the inspectorate publishes it, starting https://"),
        max_length=500,
        error_messages={"required": _("Enter the web address of the Welsh edition")},
    )


def _field_of(message: str) -> str | None:
    if "title" in message:
        return "title"
    if "address" in message:
        return "url"
    return None


@login_required
@require_http_methods(["GET", "POST"])
def report_edition(request, key) -> HttpResponse:
    """Attach (or change) the Welsh edition of a report."""
    today = common.today()
    report = selectors.report_get(user=request.user, key=key, today=today)
    if not (
        policy.can_import_reports(request.user)
        and policy.can_update_report_by_import(request.user, report, today)
    ):
        raise PermissionDenied(gettext("You cannot attach an edition to this report."))
    edition = ReportEdition.objects.filter(
        report=report, language=ReportEdition.Language.WELSH
    ).first()
    if request.method == "POST":
        form = EditionForm(request.POST)
        if form.is_valid():
            try:
                edition_attach(
                    report=report,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    url=form.cleaned_data["url"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(_field_of(message), message)
            else:
                messages.success(request, gettext("The Welsh edition is attached to the report"))
                return redirect("tracker:report_detail", key=report.key)
    else:
        form = EditionForm(initial={"title": edition.title, "url": edition.url} if edition else {})
    return render(
        request,
        "tracker/report_edition_form.html",
        {"report": report, "edition": edition, "form": form},
        status=400 if form.errors else 200,
    )


def _import_get(request, uuid) -> ReportImport:
    if not policy.can_import_reports(request.user):
        raise PermissionDenied(
            gettext("Only coordinators, the PCC office and administrators import reports.")
        )
    found = ReportImport.objects.filter(uuid=uuid, uploaded_by=request.user).first()
    if found is None:
        raise Http404("No such import")
    return found


def welsh_import_page(request, found: ReportImport, *, form=None, errors=None) -> HttpResponse:
    """The preview of an import whose document is in Welsh: it says so and offers to attach
    it to the matching English report as its Welsh edition."""
    draft = Draft.from_json(found.draft)
    candidates = edition_candidates(found, user=request.user)
    form = form or EditionForm(initial={"title": draft.details.title})
    return render(
        request,
        "tracker/report_import_welsh.html",
        {
            "import": found,
            "form": form,
            "candidates": candidates,
            "chosen": request.POST.get("report", "") if request.method == "POST" else "",
            "errors": errors or [],
        },
        status=400 if (errors or form.errors) else 200,
    )


@login_required
@require_POST
def report_import_edition(request, uuid) -> HttpResponse:
    """Attach an imported Welsh document to the English report the person chooses."""
    found = _import_get(request, uuid)
    if found.state != ReportImport.State.READY:
        return redirect("tracker:report_import_detail", uuid=found.uuid)
    form = EditionForm(request.POST)
    errors: list[str] = []
    candidates = {r.key: r for r in edition_candidates(found, user=request.user)}
    report: Report | None = candidates.get(request.POST.get("report", ""))
    if report is None:
        errors.append(gettext("Choose the English report this is the Welsh edition of."))
    if form.is_valid() and report is not None:
        try:
            edition_attach(
                report=report,
                by=request.user,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
                report_import=found,
                now=timezone.now(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(_field_of(message), message)
        else:
            messages.success(
                request,
                gettext("The Welsh edition is attached to “%(title)s”") % {"title": report.title},
            )
            return redirect("tracker:report_detail", key=report.key)
    return welsh_import_page(request, found, form=form, errors=errors)
