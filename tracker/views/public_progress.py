"""The public progress register (issue 18): the PCC office's page to approve the words it
publishes and publish its force's progress on a report, and the public pages (no sign-in)
that show what it published, in English or Welsh like the rest of the public register
(tracker/views/public.py: `?lang=cy`).

Same recipe as the other pages: sign-in, a scoped loader that answers 404 for what the person
may not see, a policy predicate for what they may do, a form, one service, a redirect.
"""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from tracker import policy
from tracker import public_progress as services
from tracker import public_progress_reads as reads
from tracker.public_progress_reads import ProgressRow
from tracker.statutory import content as statutory_content
from tracker.views import common, public


class WordingForm(forms.Form):
    """One text box per row that has an item: the words the office approves for publication.
    Only the boxes the page sent are read, so a form missing a box never withdraws words."""

    INITIAL_PREFIX = "initial-"

    def __init__(self, *args: Any, rows: list[ProgressRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            if row.item is None:
                continue
            self.fields[self.name_for(row)] = forms.CharField(
                required=False,
                strip=False,
                max_length=services.MAX_WORDS,
                initial=row.words,
                label=gettext_lazy("Words for publication"),
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "max_length": gettext_lazy(
                        "The words for publication must be %(limit_value)s characters or fewer "
                        "(they have %(show_value)s)."
                    )
                },
            )

    @staticmethod
    def name_for(row: ProgressRow) -> str:
        return f"words_{row.item.pk if row.item else ''}"

    def texts(self) -> dict[int, str]:
        """The words sent, by item id: only the boxes present in the request that the person
        changed from what the page showed them (the hidden "initial-" copy), so two people
        working on the page at once each save only their own changes."""
        texts = {}
        for row in self.rows:
            name = self.name_for(row)
            if row.item is None or name not in self.data:
                continue
            shown = self.data.get(f"{self.INITIAL_PREFIX}{name}")
            value = self.cleaned_data[name]
            if shown is None or shown.replace("\r\n", "\n") != value.replace("\r\n", "\n"):
                texts[row.item.pk] = value
        return texts

    def row_fields(self) -> list[tuple[ProgressRow, forms.BoundField | None, str]]:
        """Each row with its box (None for a row without an item) and the words the page
        showed (kept from the request when the form is shown again with its errors)."""
        shown = []
        for row in self.rows:
            name = self.name_for(row)
            before = self.data.get(f"{self.INITIAL_PREFIX}{name}") if self.is_bound else None
            shown.append(
                (row, self[name] if row.item else None, row.words if before is None else before)
            )
        return shown


@login_required
@require_http_methods(["GET", "POST"])
def progress_publish(request, key: str, force_code: str) -> HttpResponse:
    """The PCC office's page for a report: each recommendation and cause of concern with its
    item's status and a box for the words to publish; "Save wording" approves the words,
    "Publish progress" approves them and publishes a new version on the public page."""
    today = common.today()
    user = request.user
    report, force = reads.progress_scope_get(user=user, key=key, force_code=force_code, today=today)
    if not policy.can_publish_progress(user, force.pk, today):
        raise PermissionDenied("Only the PCC office for this force can publish its progress.")
    body = user.organisation
    page = reads.progress_page(report=report, force=force, body=body)
    form = WordingForm(request.POST if request.method == "POST" else None, rows=page["rows"])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                return _act(request, form, report=report, force=force, body=body, today=today)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
        status = 400
    return render(
        request,
        "tracker/progress_publish.html",
        {
            **page,
            "report": report,
            "force": force,
            "body": body,
            "form": form,
            "row_fields": form.row_fields(),
            "first_field_id": next(
                (f.auto_id for _, f, _ in form.row_fields() if f is not None), "main-content"
            ),
        },
        status=status,
    )


def _act(
    request: HttpRequest,
    form: WordingForm,
    *,
    report: Any,
    force: Any,
    body: Any,
    today: datetime.date,
) -> HttpResponse:
    """The button pressed: "Publish progress" or (the default) "Save wording"."""
    now = timezone.now()
    args = {"report": report, "force": force, "by": request.user, "now": now, "today": today}
    if request.POST.get("action") == "publish":
        version = services.progress_save_and_publish(**args, body=body, texts=form.texts())
        messages.success(
            request,
            gettext("Progress published on the public page: version %(number)s")
            % {"number": version.number},
        )
    else:
        changed = services.wordings_approve(**args, texts=form.texts())
        messages.success(
            request,
            ngettext(
                "Words approved for %(count)s row. Publish progress to show them.",
                "Words approved for %(count)s rows. Publish progress to show them.",
                changed,
            )
            % {"count": changed}
            if changed
            else gettext("No words changed"),
        )
    return redirect("tracker:progress_publish", key=report.key, force_code=force.code)


def _shown_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The published rows with their dates as dates (the content keeps ISO text)."""
    return [
        {
            **row,
            "updated_on": datetime.date.fromisoformat(row["last_public_update"])
            if row.get("last_public_update")
            else None,
        }
        for row in rows
    ]


@require_GET
def public_progress(
    request: HttpRequest, body_code: str, report_key: str, number: int | None = None
) -> HttpResponse:
    """A body's published progress on a report (the latest version, or version `number`):
    no sign-in, and only what was published."""
    publication = reads.public_progress_get(
        body_code=body_code, report_key=report_key, number=number
    )
    versions = list(reads.public_progress_versions(publication=publication))
    report = publication.report
    return public.public_page(
        request,
        "public/progress.html",
        {
            "publication": publication,
            "body": publication.body,
            "force": publication.force,
            "report": report,
            # The title as it was when this version was published (kept in its content).
            "report_title": publication.content.get("report_title") or report.title,
            "edition": statutory_content.welsh_edition_of(report),
            "rows": _shown_rows(publication.content.get("rows", [])),
            "versions": versions,
            "latest": versions[0] if versions else publication,
        },
    )
