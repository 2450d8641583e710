"""What the pages share: today's date, paging and filtered lists, the rows shown for each
deadline, and sending exports and documents (CSV, Excel, HTML, Word and PDF)."""

import datetime
import logging
from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_filters import FilterSet

from tracker import documents, policy, word_documents
from tracker.reminders.plan import describe_reminders, describe_rule, describe_steps

PAGE_SIZE = 50
log = logging.getLogger(__name__)


def today() -> datetime.date:
    return timezone.localdate()


def narrow_page(queryset, number, size: int) -> Page:
    """A page of a large, sorted list in two short queries: the sort runs on the ids alone
    (a narrow sort, several times faster on 100,000 rows than sorting whole rows with their
    joined text), then only the page's rows are fetched, in that order."""
    page = Paginator(queryset.values_list("pk", flat=True), size).get_page(number)
    ids = list(page.object_list)
    rows = queryset.filter(pk__in=ids).in_bulk() if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def filtered_page(
    request: HttpRequest, filterset: FilterSet, size: int = PAGE_SIZE
) -> tuple[Page, str]:
    """The page of a filtered list (from a selector's FilterSet), and the query string
    without the page number for the page links. Values that do not validate are ignored,
    with a message saying which."""
    if filterset.is_bound and not filterset.is_valid():
        for field, errors in filterset.errors.items():
            label = filterset.form.fields[field].label if field in filterset.form.fields else field
            messages.warning(request, f"The filter “{label}” was ignored: {' '.join(errors)}")
    page = narrow_page(filterset.qs, request.GET.get("page"), size)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def deadline_rows(deadlines, user, today: datetime.date, *, item=None, response=None) -> list:
    """What a page shows about each deadline: the dates, days left or late, its history, and
    whether this person may extend or pause it."""
    rows = []
    for deadline in deadlines:
        # The page already holds the item or response; save a query per deadline.
        if item is not None:
            deadline.item = item
        if response is not None:
            deadline.response = response
        steps, steps_open = describe_steps(deadline)  # the response and its publication
        rows.append(
            {
                "deadline": deadline,
                "steps": steps,
                "steps_open": steps_open,
                "days_left": deadline.days_left(today),
                "days_overdue": -deadline.days_left(today) if deadline.due_on else 0,
                "reminders_text": describe_reminders(deadline),
                "missed": deadline.state == "open"
                and deadline.due_on is not None
                and deadline.due_on < today,
                "can_change": policy.can_change_deadline(user, deadline, today),
                "can_record_step": bool(steps_open)
                and policy.can_record_deadline_step(user, deadline, today),
                "rule_text": describe_rule(deadline.rule),
            }
        )
    return rows


def pdf_download(make_pdf: Callable[[], bytes], filename: str, *, instead: str) -> HttpResponse:
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


DOCUMENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def document_response(request: HttpRequest, content: dict, fmt: str) -> HttpResponse:
    """A statutory response's document (a draft, or a published version) as HTML, Word or
    PDF."""
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
        response = HttpResponse(
            word_documents.render_docx(content), content_type=DOCUMENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
