"""Welsh editions of reports: attached to the English report as its translation, never
imported as a report of their own (issue 22).

HMICFRS publishes a Welsh edition of its reports on the four Welsh forces. The tracker keeps
one report (the English one, whose findings are tracked) and records the Welsh edition on it
(`ReportEdition`: its title and address), so the report page and the public response link to
it. An uploaded document that reads as Welsh is not made into a report: the import's preview
offers to attach it to the matching English report instead (`edition_candidates`), and
creating or updating a report from it is refused (tracker/report_import/create.py asks
`looks_welsh`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from tracker import policy
from tracker.audit import audit_record
from tracker.extraction.language import language_of
from tracker.models import AuditEvent, Report, ReportEdition, ReportImport
from tracker.report_import.draft import Draft


def looks_welsh(text: str) -> bool:
    """Whether a document's text reads as Welsh: the extraction's own rule
    (`tracker.extraction.language`: Welsh marker words outnumber English ones three to one,
    over enough text to tell), so the upload and the extraction never disagree. Pure."""
    return language_of(text) == "cy"


def in_welsh(report_import: ReportImport) -> bool:
    """Whether an import's document is in Welsh: its reading said so (issue 17: the
    extraction's `language`), or its text reads as Welsh."""
    extraction = report_import.extraction if isinstance(report_import.extraction, dict) else {}
    return extraction.get("language") == "cy" or looks_welsh(report_import.source_text)


def refuse_welsh_import(report_import: ReportImport) -> None:
    """Creating or updating a report from a Welsh document is refused: a Welsh edition is
    attached to the English report, and any other document in Welsh (a letter, minutes, a
    register page) cannot be read yet, so nothing is made of it."""
    if in_welsh(report_import):
        raise ValidationError(
            gettext(
                "This document is in Welsh, so nothing has been created from it. A Welsh "
                "edition of a report is attached to the English report as its Welsh edition; "
                "other documents in Welsh (letters, minutes, progress reports) cannot be "
                "imported yet: upload the English version instead."
            )
        )


def edition_candidates(report_import: ReportImport, *, user: User) -> list[Report]:
    """The English reports this Welsh document may be the edition of, best first: reports
    the person can see and could update (a national report, or one about the forces they
    import for), about the forces the document names, published the same month if the
    document's date was read. At most 50."""
    today = timezone.localdate()
    draft = Draft.from_json(report_import.draft)
    reports = Report.objects.for_forces(policy.visible_force_ids(user, today))
    allowed = policy.report_import_force_ids(user, today)
    if allowed is not policy.ALL_FORCES:
        reports = reports.filter(Q(national=True) | Q(forces__in=allowed)).distinct()
    if draft.details.forces:
        reports = reports.filter(Q(national=True) | Q(forces__in=draft.details.forces)).distinct()
    found = list(reports.prefetch_related("forces").order_by("-published_on", "title")[:200])
    found = [r for r in found if policy.can_update_report_by_import(user, r, today)]
    month = (draft.details.published_on or "")[:7]
    found.sort(key=lambda r: (r.published_on.isoformat()[:7] != month, -r.published_on.toordinal()))
    return found[:50]


_URL = URLValidator(schemes=["http", "https"])


@transaction.atomic
def edition_attach(
    *,
    report: Report,
    by: User,
    title: str,
    url: str,
    report_import: ReportImport | None = None,
    now: datetime.datetime | None = None,
) -> ReportEdition:
    """Attach the Welsh edition (its title and address) to the English report, or change
    the one attached. From an import, the import is finished as attached to that report, so
    it can never be made into a report of its own. Audited; nothing saved when refused."""
    now = now or timezone.now()
    if not policy.can_import_reports(by) or not policy.can_update_report_by_import(
        by, report, timezone.localdate(now)
    ):
        raise ValidationError(gettext("You cannot attach an edition to this report."))
    title = " ".join((title or "").split())
    url = (url or "").strip()
    if not title:
        raise ValidationError(gettext("Enter the title of the Welsh edition."))
    if len(title) > 400:
        raise ValidationError(gettext("The title must be 400 characters or fewer."))
    try:
        _URL(url)
    except ValidationError:
        raise ValidationError(
            gettext(
                "Enter the web address of the Welsh edition, starting https://, for example "
                "https://hmicfrs.justiceinspectorates.gov.uk/…"
            )
        ) from None
    if len(url) > 500:
        raise ValidationError(gettext("The web address must be 500 characters or fewer."))
    if url == report.url:
        raise ValidationError(
            gettext("That is the English report's own address: enter the Welsh edition's.")
        )
    edition = (
        ReportEdition.objects.select_for_update()
        .filter(report=report, language=ReportEdition.Language.WELSH)
        .first()
    )
    before = (edition.title, edition.url) if edition else ("", "")
    if edition is None:
        edition = ReportEdition(report=report, language=ReportEdition.Language.WELSH)
    edition.title, edition.url = title, url
    edition.added_by, edition.added_at = by, now
    edition.full_clean()
    edition.save()
    changes = {}
    if before[0] != title:
        changes["welsh_edition_title"] = (before[0], title)
    if before[1] != url:
        changes["welsh_edition_url"] = (before[1], url)
    if changes:
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=report,
            at=now,
            changes=changes,
            note="Welsh edition attached" if not before[1] else "Welsh edition changed",
        )
    if report_import is not None:
        claimed = ReportImport.objects.filter(
            pk=report_import.pk,
            uploaded_by=by,
            state=ReportImport.State.READY,
        ).update(
            state=ReportImport.State.CREATED,
            report=report,
            stage="Attached as the Welsh edition",
            finished_at=now,
        )
        if not claimed:
            raise ValidationError(gettext("This import has already been dealt with."))
    return edition
