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
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from tracker import policy
from tracker.audit import audit_record
from tracker.models import AuditEvent, Report, ReportEdition, ReportImport
from tracker.report_import.draft import Draft

# Words common in Welsh prose and rare in English (and the other way round). A document is
# Welsh when these outnumber the English ones well: an English report that quotes a Welsh
# name or two never comes close.
WELSH_WORDS = frozenset(
    [
        "yr",
        "y",
        "ac",
        "yn",
        "mae",
        "gan",
        "ei",
        "eu",
        "wedi",
        "ar",
        "hyn",
        "sydd",
        "fod",
        "bod",
        "gyda",
        "dylai",
        "i’r",
        "i'r",
        "o’r",
        "o'r",
        "a’r",
        "a'r",
        "heddlu",
        "adroddiad",
        "argymhelliad",
        "argymhellion",
        "arolygiaeth",
        "meysydd",
        "gwella",
        "achos",
        "pryder",
        "rydym",
        "ydym",
        "oedd",
        "nad",
        "hefyd",
        "mewn",
        "drwy",
        "trwy",
        "ein",
        "eich",
        "cyfer",
        "fel",
    ]
)
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "is",
        "that",
        "for",
        "with",
        "should",
        "force",
        "report",
        "this",
        "are",
        "was",
        "were",
        "be",
        "by",
        "on",
        "it",
        "its",
        "has",
        "have",
        "not",
        "which",
        "from",
    ]
)
_WORD = re.compile(r"[a-zâêîôûŵŷ’']+", re.IGNORECASE)
ENOUGH_WORDS = 40  # too little text says nothing
MAX_WORDS = 20_000  # the start of a document is enough to tell


def looks_welsh(text: str) -> bool:
    """Whether a document's text reads as Welsh: Welsh marker words outnumber English ones
    three to one, over enough text to tell. Pure."""
    welsh = english = 0
    for n, match in enumerate(_WORD.finditer(text or "")):
        if n >= MAX_WORDS:
            break
        word = match.group(0).lower()
        if word in WELSH_WORDS:
            welsh += 1
        elif word in ENGLISH_WORDS:
            english += 1
    return welsh >= ENOUGH_WORDS and welsh > 3 * english


def refuse_welsh_import(report_import: ReportImport) -> None:
    """Creating or updating a report from a Welsh document is refused: it is the Welsh
    edition of a report, attached to the English report."""
    if looks_welsh(report_import.source_text):
        raise ValidationError(
            gettext(
                "This document is in Welsh: it is the Welsh edition of a report, not a report "
                "of its own. Attach it to the English report as its Welsh edition."
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
