"""Which report already in the tracker an import is, or is about: the same document imported
before, a report of the same title published the same month, or (issue 17, for a register
entry or a progress report) the report the person chose on the preview."""

import re

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from tracker import policy
from tracker.models import Report, ReportImport
from tracker.report_import.draft import Draft

# The report already in the tracker ---------------------------------------------------------


def _normal_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def duplicate_of(report_import: ReportImport, *, user: User) -> tuple[Report | None, str]:
    """The report already in the tracker that this document is, and why it is thought so:
    the same file imported before, or a report with the same title published in the same
    month. Only reports this person can see and could update count: a national report, or
    one about the forces chosen."""
    force_ids = policy.visible_force_ids(user, timezone.localdate())
    visible = Report.objects.for_forces(force_ids)
    draft = Draft.from_json(report_import.draft)
    chosen = set(draft.details.forces)

    def could_update(report: Report) -> bool:
        return report.national or bool(chosen & set(report.forces.values_list("id", flat=True)))

    earlier = (
        ReportImport.objects.filter(
            sha256=report_import.sha256, report__in=visible, state=ReportImport.State.CREATED
        )
        .exclude(pk=report_import.pk)
        .select_related("report")
        .order_by("finished_at")
        .first()
    )
    if earlier is not None and earlier.report is not None and could_update(earlier.report):
        when = timezone.localtime(earlier.finished_at).strftime("%-d %B %Y")
        return earlier.report, f"This same file was imported on {when}."
    title = _normal_title(draft.details.title)
    published = draft.details.published_on or ""
    if not title or not published:
        return None, ""
    year, month = int(published[:4]), int(published[5:7])
    candidates = visible.filter(published_on__year=year, published_on__month=month).order_by(
        "-national", "pk"
    )
    for report in candidates:
        if _normal_title(report.title) == title and could_update(report):
            return report, "A report with the same title was published the same month."
    return None, ""


MAX_CHOICES = 200


def report_choices(report_import: ReportImport, *, user: User) -> list[Report]:
    """The reports a register entry or progress report may be about (issue 17): those the
    person can see and could add to by an import (a national report, or one about the forces
    they import for), about the forces chosen when some are, newest first, with the one
    `duplicate_of` finds first. At most 200.

    A fixed number of queries however many reports there are: the forces a person imports
    for are read once and each report's forces prefetched, so the test of
    `policy.can_update_report_by_import` is made here without a query per report. Build the
    list once per request and pass it to `document_target`."""
    today = timezone.localdate()
    draft = Draft.from_json(report_import.draft)
    reports = Report.objects.for_forces(policy.visible_force_ids(user, today))
    if draft.details.forces:
        reports = reports.filter(Q(national=True) | Q(forces__in=draft.details.forces)).distinct()
    allowed = policy.report_import_force_ids(user, today)

    def could_add_to(report: Report) -> bool:  # policy.can_update_report_by_import, in memory
        if report.national or allowed is policy.ALL_FORCES:
            return True
        return {f.pk for f in report.forces.all()} <= allowed

    found = [
        r
        for r in reports.order_by("-published_on", "title").prefetch_related("forces")[:MAX_CHOICES]
        if could_add_to(r)
    ]
    duplicate, _ = duplicate_of(report_import, user=user)
    if duplicate is not None:
        found = [duplicate, *(r for r in found if r.pk != duplicate.pk)]
    return found


def document_target(
    report_import: ReportImport, *, user: User, choices: list[Report] | None = None
) -> Report | None:
    """The report a register entry or progress report is about: the one the person chose on
    the preview if they may still add to it, else the one `duplicate_of` finds. `choices`:
    the `report_choices` already built for this request, if any (saves building them
    again)."""
    chosen = Draft.from_json(report_import.draft).target_report
    if chosen:
        if choices is None:
            choices = report_choices(report_import, user=user)
        for report in choices:
            if report.key == chosen:
                return report
    return duplicate_of(report_import, user=user)[0]
