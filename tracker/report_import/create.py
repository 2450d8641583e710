"""Creating the report from a checked draft, or adding what is new to the report it already
is. Every write is one transaction, audited; nothing is half-saved."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organisation, User
from tracker import handoffs, item_batches, policy, services
from tracker.audit import audit_event, audit_record
from tracker.models import (
    GRADES,
    AuditEvent,
    Finding,
    FindingKind,
    GradingScale,
    Judgement,
    Report,
    ReportImport,
    TrackedItem,
)
from tracker.reminders.sync import responses_ensure
from tracker.report_import.draft import Draft, DraftFinding
from tracker.report_import.editions import refuse_welsh_import
from tracker.report_import.forces import can_update, import_forces

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


# Creating and updating -------------------------------------------------------------------------


def _problems(draft: Draft, forces: list[Organisation], *, updating: bool = False) -> list[str]:
    problems = []
    if not updating and not draft.details.title.strip():
        problems.append("Enter the report's title.")
    if not updating and not draft.details.published_on:
        problems.append("Enter the date the report was published.")
    if not forces:
        problems.append("Choose at least one force the report applies to.")
    kinds = set(FindingKind.values)
    for n, f in enumerate(draft.findings, start=1):
        if f.kind not in kinds:
            problems.append(f"Finding {n}: choose what kind of finding it is.")
        if not f.text.strip():
            problems.append(f"Finding {n}: the text is empty. Untick it to leave it out.")
    scale = draft.details.grading_scale or GradingScale.NONE
    grades = set(GRADES.get(scale, []))
    for j in draft.judgements:
        if j.include and grades and j.grade not in grades:
            problems.append(f"Judgement '{j.area[:60]}': '{j.grade}' is not a grade on this scale.")
    return problems


def _chosen_forces(draft: Draft, user) -> list[Organisation]:
    allowed = {f.id: f for f in import_forces(user)}
    wanted = list(dict.fromkeys(draft.details.forces))  # each once, in order
    chosen = [allowed[i] for i in wanted if i in allowed]
    if len(chosen) != len(wanted):
        raise ValidationError("You cannot import a report for a force you do not answer for.")
    return chosen


def _inspectorate() -> Organisation:
    found = services.default_inspectorate()
    if found is None:
        raise ValidationError(
            "No inspectorate is set up. Ask an administrator to load the reference data."
        )
    return found


def _due_date(draft_finding: DraftFinding, finding: Finding) -> datetime.date | None:
    """The target date the document states, if it is a real date on or after publication."""
    if not draft_finding.target_date:
        return None
    try:
        due = datetime.date.fromisoformat(draft_finding.target_date)
    except ValueError:
        return None
    return None if due < finding.report.published_on else due


def _track(tracking: list[tuple[Finding, DraftFinding]], forces, *, by, now) -> int:
    """Tracked items for the findings, one per finding and force that does not track it yet,
    with the responses and the target date the document states; a cause of concern with
    recommendations gets none (they are what the force acts on). All at once: the items,
    their history, audit events, deadlines and reminders in a few queries
    (`item_batches.items_create`), the same rows as one by one."""
    findings = [finding for finding, _ in tracking]
    concerns = [f.pk for f in findings if f.kind == FindingKind.CAUSE_OF_CONCERN]
    with_children = set(
        Finding.objects.filter(parent__in=concerns).values_list("parent_id", flat=True)
        if concerns
        else []
    )
    tracked = set(
        TrackedItem.objects.filter(finding__in=[f.pk for f in findings]).values_list(
            "finding_id", "force_id"
        )
        if findings
        else []
    )
    new, responses = [], []
    for finding, draft_finding in tracking:
        if finding.pk in with_children:
            continue
        due = _due_date(draft_finding, finding)
        fields = {
            k: v
            for k, v in (
                ("force_response", draft_finding.force_response),
                ("pcc_response", draft_finding.pcc_response),
            )
            if v
        }
        for force in forces:
            if (finding.pk, force.pk) in tracked:
                continue
            new.append(item_batches.NewItem(finding=finding, force=force, due_date=due))
            responses.append(fields if len(forces) == 1 else {})
    items = item_batches.items_create(new=new, created_by=by, now=now)
    answered = []
    for item, fields in zip(items, responses, strict=True):
        if fields:
            for name, value in fields.items():
                setattr(item, name, value)
            answered.append(item)
    # Written after the item is made, as a change of its own (as the item pages record it).
    TrackedItem.objects.bulk_update(
        answered, ["force_response", "pcc_response"], batch_size=item_batches.BATCH_SIZE
    )
    AuditEvent.objects.bulk_create(
        [
            audit_event(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=item,
                at=now,
                changes={k: (None, v) for k, v in fields.items()},
                note="Responses from the imported document",
            )
            for item, fields in zip(items, responses, strict=True)
            if fields
        ],
        batch_size=item_batches.BATCH_SIZE,
    )
    return len(items)


def _create_findings(
    report, draft: Draft, forces, *, by, now, source_name: str, matched=None, start_order=0
):
    """Create the draft's findings that are not already on the report (`matched`: draft index
    to the existing finding it is), parents first, then their items. A new recommendation
    whose cause of concern is already on the report is tied to that one. Returns (findings
    made, items made). The findings are written together (a cause of concern before the
    recommendations that answer it), with a few queries whatever their number."""
    matched = matched or {}
    made: dict[int, Finding] = {}
    single = forces[0] if len(forces) == 1 else None
    keys = item_batches.unique_keys(Finding, [f"{report.key}:"])
    for index, f in enumerate(draft.findings):
        if index in matched:
            continue
        parent = None
        if isinstance(f.parent, int):
            parent = made.get(f.parent) or matched.get(f.parent)
        finding = Finding(
            key=keys.take(f"{report.key}:{start_order + index + 1}"),
            report=report,
            kind=f.kind,
            parent=parent if parent and parent.kind == FindingKind.CAUSE_OF_CONCERN else None,
            reference=f.reference[:20],
            area=f.area[:400],
            text=f.text.strip(),
            target_text=f.target_text[:200],
            force=single if report.national else None,
            order=start_order + index + 1,
        )
        # The key was chosen unused just now (the database's unique index has the last word).
        finding.full_clean(exclude=["report", "parent", "force"], validate_unique=False)
        made[index] = finding
    _save_parents_first(list(made.values()))
    AuditEvent.objects.bulk_create(
        [
            audit_event(
                actor=by,
                action=AuditEvent.Action.CREATE,
                obj=finding,
                at=now,
                changes={"kind": (None, finding.kind), "text": (None, finding.text)},
                note=f"Imported from {source_name}"[:300],
            )
            for finding in made.values()
        ],
        batch_size=item_batches.BATCH_SIZE,
    )
    tracking = [(finding, draft.findings[index]) for index, finding in made.items()]
    items = _track(tracking, forces, by=by, now=now)
    return len(made), items


def _save_parents_first(findings: list[Finding]) -> None:
    """Insert new findings, each after the new cause of concern it answers (if any)."""
    waiting = findings
    while waiting:
        ready = [f for f in waiting if f.parent is None or f.parent.pk is not None]
        if not ready:  # not met: a finding's parent comes before it in the draft
            raise ValueError("The findings' causes of concern form a loop.")
        Finding.objects.bulk_create(ready, batch_size=item_batches.BATCH_SIZE)
        waiting = [f for f in waiting if f.pk is None]


def _area(area: str) -> str:
    return " ".join(area.split()).casefold()


def _judgement_scope(judgement_force_id: int | None, report_force_ids: set[int]) -> int | None:
    """Which force a judgement grades, as far as matching goes: on a report about one force, a
    grade recorded with that force and one recorded with none are the same grade."""
    if len(report_force_ids) == 1 and judgement_force_id in report_force_ids:
        return None
    return judgement_force_id


def _judgements(report, draft: Draft, forces, *, by, now) -> int:
    """Add the draft's judgements the report does not have (matched by area, ignoring case and
    spacing, and by force where the grade is one force's). An existing grade is kept and never
    changed by an import, and no judgement is ever added twice (issue 14, bug 1: the seed's
    grades carry the force, the import's do not). Returns how many were added."""
    force = (
        forces[0] if len(forces) == 1 and (report.national or report.forces.count() > 1) else None
    )
    report_force_ids = set(report.forces.values_list("id", flat=True))
    known = {
        (_area(area), _judgement_scope(force_id, report_force_ids))
        for area, force_id in report.judgements.values_list("area", "force_id")
    }
    added = 0
    order = report.judgements.count()
    for j in draft.judgements:
        if not j.include:
            continue
        same = (_area(j.area), _judgement_scope(force.id if force else None, report_force_ids))
        if same in known:
            continue
        known.add(same)
        judgement = Judgement.objects.create(
            report=report,
            area=j.area,
            force=force,
            grade=j.grade,
            direction=j.direction or "",
            reference=j.reference,
            order=order + added + 1,
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=judgement,
            at=now,
            changes={"grade": (None, judgement.grade)},
            note="From an imported document",
        )
        added += 1
    return added


def _ready(report_import: ReportImport, by) -> None:
    if report_import.uploaded_by_id != by.id:
        raise ValidationError("Only the person who uploaded this document can create it.")
    if report_import.state != ReportImport.State.READY:
        raise ValidationError("This import has already been used, or is not ready.")


@transaction.atomic
def import_create(
    *, report_import: ReportImport, by: User, now: datetime.datetime | None = None
) -> Report:
    """Create the report, its judgements, findings and an item per finding and force."""
    now = now or timezone.now()
    report_import = ReportImport.objects.select_for_update().get(pk=report_import.pk)
    _ready(report_import, by)
    refuse_welsh_import(report_import)  # a Welsh edition is attached, never a report
    draft = Draft.from_json(report_import.draft)
    details = draft.details
    forces = _chosen_forces(draft, by)
    problems = _problems(draft, forces)
    if problems:
        raise ValidationError(problems)
    published = datetime.date.fromisoformat(details.published_on)
    report = Report(
        key=services.unique_key(
            Report, f"{slugify(details.title)[:90].strip('-') or 'report'}-{published}"
        ),
        inspectorate=_inspectorate(),
        inspectorate_label=details.inspectorate_label or "HMICFRS",
        title=details.title.strip(),
        report_type=details.report_type,
        published_on=published,
        published_precision=details.published_precision or Report.Precision.DAY,
        national=len(forces) > 1,
        grading_scale=details.grading_scale or GradingScale.NONE,
        source_document=report_import.original_name,
        notes=f"Imported from {report_import.original_name} by {by}.",
    )
    report.full_clean(exclude=["inspectorate"])
    report.save()
    report.forces.set(forces)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=report,
        at=now,
        changes={"title": (None, report.title), "forces": (None, [f.code for f in forces])},
        note=f"Imported from {report_import.original_name}"[:300],
    )
    _judgements(report, draft, forces, by=by, now=now)
    _create_findings(report, draft, forces, by=by, now=now, source_name=report_import.original_name)
    responses_ensure(report=report, now=now)
    _finish(report_import, report, now)
    handoffs.report_imported_recorded(report=report, by=by, now=now)
    return report


@transaction.atomic
def _same(finding_kind: str, text: str) -> tuple[str, str]:
    return finding_kind, " ".join(text.split()).lower()


@dataclass(frozen=True)
class Additions:
    """What an update added to the report already in the tracker."""

    findings: int
    items: int
    judgements: int


@transaction.atomic
def import_update(
    *,
    report_import: ReportImport,
    report: Report,
    by: User,
    now: datetime.datetime | None = None,
) -> Additions:
    """Add what the document has that the report lacks: the chosen forces (national reports
    only), findings not yet recorded (matched by kind and text among the findings that apply
    to the chosen forces), judgements not yet recorded, and items for every finding and
    chosen force not yet tracked. Nothing already there is changed or removed."""
    now = now or timezone.now()
    report_import = ReportImport.objects.select_for_update().get(pk=report_import.pk)
    _ready(report_import, by)
    refuse_welsh_import(report_import)  # a Welsh edition is attached, never a report
    if not can_update(report, by):
        raise ValidationError(
            "That report is about a force you do not import for. Create a separate report."
        )
    draft = Draft.from_json(report_import.draft)
    forces = _chosen_forces(draft, by)
    problems = _problems(draft, forces, updating=True)
    if problems:
        raise ValidationError(problems)
    added_forces = [f for f in forces if not report.forces.filter(pk=f.pk).exists()]
    if added_forces and not report.national:
        # A report about one force does not become about another: its findings would then
        # apply to both.
        raise ValidationError(
            f"“{report.title}” is about {', '.join(f.name for f in report.forces.all())} only. "
            "Choose that force, or create a separate report."
        )
    if added_forces:
        report.forces.add(*added_forces)
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=report,
            at=now,
            changes={"forces added": (None, [f.code for f in added_forces])},
            note=f"From an imported document, {report_import.original_name}"[:300],
        )
    chosen = {f.id for f in forces}
    known = {
        _same(f.kind, f.text): f
        for f in report.findings.all()
        if f.force_id is None or f.force_id in chosen
    }
    matched = {
        index: known[_same(f.kind, f.text)]
        for index, f in enumerate(draft.findings)
        if _same(f.kind, f.text) in known
    }
    start = report.findings.count()
    added, items = _create_findings(
        report,
        draft,
        forces,
        by=by,
        now=now,
        source_name=report_import.original_name,
        matched=matched,
        start_order=start,
    )
    items += _track(
        [(finding, draft.findings[index]) for index, finding in matched.items()],
        forces,
        by=by,
        now=now,
    )
    judgements = _judgements(report, draft, forces, by=by, now=now)
    responses_ensure(report=report, now=now)
    _finish(report_import, report, now)
    handoffs.report_imported_recorded(report=report, by=by, now=now)
    return Additions(findings=added, items=items, judgements=judgements)


def _finish(report_import: ReportImport, report: Report, now) -> None:
    report_import.report = report
    report_import.state = ReportImport.State.CREATED
    report_import.finished_at = now
    report_import.save(update_fields=["report", "state", "finished_at"])
