"""Creating the report from a checked draft, or adding what is new to the report it already
is. Every write is one transaction, audited; nothing is half-saved.

Issue 17: a finding addressed to a national body is recorded on the report with its addressee
and gets no items; one addressed to every force is shared by the forces (each its own item).
A later document's findings are matched to the report's by reference, then text
(matching.py). A register entry or a progress report is about a report already published:
its findings are matched, never added, and what it says goes onto the items' history
(item_history.py). A fire and rescue service takes a force's place.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from accounts.models import Organisation, User
from tracker import background, handoffs, item_batches, learning, services
from tracker.audit import audit_event, audit_record
from tracker.models import (
    GRADES,
    AddresseeKind,
    AuditEvent,
    Finding,
    FindingKind,
    GradingScale,
    Judgement,
    Report,
    ReportImport,
    ReportType,
    TrackedItem,
)
from tracker.models.reports import REFERENCE_LENGTH
from tracker.outbox import send_on_commit
from tracker.reminders.sync import responses_ensure
from tracker.report_import.draft import DocumentFacts, Draft, DraftFinding
from tracker.report_import.editions import refuse_welsh_import
from tracker.report_import.forces import can_update, import_forces
from tracker.report_import.item_history import progress_record, statuses_record
from tracker.report_import.matching import Candidate, match_findings

# Which report an import is (targets.py); tests and older callers import it from here too.
from tracker.report_import.targets import document_target, duplicate_of  # noqa: E402, F401

# Creating and updating -------------------------------------------------------------------------


def _problems(
    draft: Draft,
    forces: list[Organisation],
    *,
    updating: bool = False,
    facts: DocumentFacts | None = None,
) -> list[str]:
    problems = []
    facts = facts or DocumentFacts()
    if facts.is_register and not draft.findings:
        # Issue 17: nothing on the page to attach a status to.
        problems.append(no_recommendation_message())
    if not updating and not draft.details.title.strip():
        problems.append("Enter the report's title.")
    if not updating and not draft.details.published_on:
        problems.append("Enter the date the report was published.")
    if not forces:
        problems.append(
            gettext(
                "Choose at least one police force or fire and rescue service the report applies to."
            )
        )
    elif not facts.fire_and_rescue and all(
        f.kind == Organisation.Kind.FIRE_AND_RESCUE for f in forces
    ):
        # The mirror of the next check: a police inspection is not a service's, and a
        # service has no s55 response, so its report would have none.
        problems.append(
            gettext(
                "This is a police inspection: choose the police force it is about, not a fire "
                "and rescue service."
            )
        )
    elif facts.fire_and_rescue and all(f.kind == Organisation.Kind.FORCE for f in forces):
        problems.append(
            gettext(
                "This is a fire and rescue inspection: choose the fire and rescue service it is "
                "about, not a police force. A service that is not listed is not set up in the "
                "tracker (or you do not import for it): ask your administrator."
            )
        )
    elif len({f.kind for f in forces}) > 1:
        problems.append(
            gettext(
                "Choose police forces or fire and rescue services, not both: a report is about "
                "one or the other."
            )
        )
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


def no_recommendation_message() -> str:
    """Why a register page without a recommendation makes nothing (issue 17)."""
    return gettext(
        "This register page has no recommendation in it, so there is nothing to import. "
        "Nothing has been created. Check that the page saved is the recommendation's own "
        "page (with its text and its status history), then upload it again."
    )


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


def _track(
    tracking: list[tuple[Finding, DraftFinding]],
    forces,
    *,
    by,
    now,
    responses_on_items: bool = True,
) -> int:
    """Tracked items for the findings, one per finding and force that does not track it yet,
    with the responses and the target date the document states; a cause of concern with
    recommendations gets none (they are what the force acts on), nor does a finding
    addressed to a national body (forces do not own it). All at once: the items,
    their history, audit events, deadlines and reminders in a few queries
    (`item_batches.items_create`), the same rows as one by one. A progress report's
    responses are not the item's statutory responses (`responses_on_items` False): they
    become progress updates (item_history.py)."""
    tracking = [(f, d) for f, d in tracking if not f.for_national_body]
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
            if v and responses_on_items
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
    report,
    draft: Draft,
    forces,
    *,
    by,
    now,
    source_name: str,
    matched=None,
    start_order=0,
    responses_on_items: bool = True,
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
        # A finding addressed to every force, or to a national body, is the whole report's;
        # on a national report another finding is the force's that imports it.
        shared = f.addressee_kind in (AddresseeKind.FORCES, AddresseeKind.NATIONAL_BODY)
        finding = Finding(
            key=keys.take(f"{report.key}:{start_order + index + 1}"),
            report=report,
            kind=f.kind,
            parent=parent if parent and parent.kind == FindingKind.CAUSE_OF_CONCERN else None,
            reference=f.reference[:REFERENCE_LENGTH],
            area=f.area[:400],
            text=f.text.strip(),
            target_text=f.target_text[:200],
            force=single if report.national and not shared else None,
            order=start_order + index + 1,
            addressee=f.addressee[:200],
            addressee_kind=f.addressee_kind
            if f.addressee_kind in AddresseeKind.values
            else AddresseeKind.REPORT_FORCES,
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
    items = _track(tracking, forces, by=by, now=now, responses_on_items=responses_on_items)
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


def _national(draft: Draft, forces: list[Organisation]) -> bool:
    """A report about several forces is national; so is a thematic report whose
    recommendations are addressed to every force or a national body (issue 17), even when
    one force imports it first: the others add themselves to it later."""
    if len(forces) > 1:
        return True
    addressed = any(
        f.addressee_kind in (AddresseeKind.FORCES, AddresseeKind.NATIONAL_BODY)
        for f in draft.findings
    )
    return draft.details.report_type == ReportType.THEMATIC and addressed


def _from_document(
    pairs: list[tuple[Finding, DraftFinding]],
    forces: list[Organisation],
    *,
    facts: DocumentFacts,
    report_import: ReportImport,
    by: User,
    now: datetime.datetime,
) -> tuple[int, int]:
    """What a register entry or progress report says of the items (issue 17): the
    inspectorate's statuses, and the responses as labelled progress updates (one force's, so
    only when one force is chosen). Returns (statuses added, updates added)."""
    statuses = statuses_record(
        pairs=pairs, forces=forces, report_import=report_import, by=by, now=now
    )
    updates = 0
    if facts.is_progress_report and len(forces) == 1:
        updates = progress_record(
            pairs=pairs, forces=forces, report_import=report_import, by=by, now=now
        )
    return statuses, updates


def _refuse_creating_from(report_import: ReportImport, facts: DocumentFacts, *, by: User) -> None:
    """The server's own check of what the preview does not offer (a stale tab, a hand-made
    POST): a progress report or committee paper is never made into a report, and a register
    entry whose report is already in the tracker is added to it, not copied."""
    if facts.is_progress_report:
        raise ValidationError(
            gettext(
                "A progress report or committee paper is about a report already in the "
                "tracker: import the report first, then add this paper to it. Nothing has been "
                "created."
            )
        )
    if facts.is_register and document_target(report_import, user=by) is not None:
        raise ValidationError(
            gettext(
                "This register entry's report is already in the tracker: add it to that "
                "report. Nothing has been created."
            )
        )


@transaction.atomic
def import_create(
    *, report_import: ReportImport, by: User, now: datetime.datetime | None = None
) -> Report:
    """Create the report, its judgements, findings and an item per finding and force (none
    for a finding addressed to a national body), with what a register entry or progress
    report says of them on their items."""
    now = now or timezone.now()
    report_import = ReportImport.objects.select_for_update().get(pk=report_import.pk)
    _ready(report_import, by)
    refuse_welsh_import(report_import)  # a Welsh edition is attached, never a report
    facts = DocumentFacts.of(report_import)
    _refuse_creating_from(report_import, facts, by=by)
    draft = Draft.from_json(report_import.draft)
    details = draft.details
    forces = _chosen_forces(draft, by)
    problems = _problems(draft, forces, facts=facts)
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
        national=_national(draft, forces),
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
    _create_findings(
        report,
        draft,
        forces,
        by=by,
        now=now,
        source_name=report_import.original_name,
        responses_on_items=not facts.is_progress_report,
    )
    if facts.about_a_report:
        made = list(report.findings.order_by("order", "pk"))
        _from_document(
            list(zip(made, draft.findings, strict=True)),
            forces,
            facts=facts,
            report_import=report_import,
            by=by,
            now=now,
        )
    responses_ensure(report=report, now=now)
    # Issue 18, in the worker after commit: the earlier findings of each force these findings
    # repeat (a national report ranks for every force, so not in the request), and the
    # report's findings matched against the summaries forces shared (both idempotent).
    send_on_commit(background.SUGGEST_LINEAGE, report.pk)
    learning.learning_findings_added(finding_ids=list(report.findings.values_list("pk", flat=True)))
    _finish(report_import, report, now)
    handoffs.report_imported_recorded(report=report, by=by, now=now)
    return report


@dataclass(frozen=True)
class Additions:
    """What an update added to the report already in the tracker."""

    findings: int
    items: int
    judgements: int
    # Issue 17: from a register entry or progress report.
    statuses: int = 0  # inspectorate statuses added to items
    updates: int = 0  # labelled progress updates added to items
    not_found: tuple[str, ...] = ()  # its findings that are not on the report, by label
    about_a_report: bool = False  # a register entry or progress report


def _matched(
    draft: Draft, report: Report, chosen: set[int], *, close_text: bool
) -> dict[int, Finding]:
    """Which of the report's findings (those that apply to the chosen forces) each of the
    draft's findings is: by kind and text, then by reference, then (for a document about
    the report) by a close text (matching.py)."""
    known = [
        f
        for f in report.findings.order_by("order", "pk")
        if f.force_id is None or f.force_id in chosen
    ]
    pairs = match_findings(
        [Candidate(f.kind, f.reference, f.text) for f in draft.findings],
        [Candidate(f.kind, f.reference, f.text) for f in known],
        close_text=close_text,
    )
    return {index: known[j] for index, j in pairs.items()}


def _label(f: DraftFinding, index: int) -> str:
    reference = f.reference or f"{index + 1}"
    kind = dict(FindingKind.choices).get(f.kind, f.kind)
    if reference.lower().startswith(str(kind).lower()) or not reference[:1].isdigit():
        return reference
    return f"{kind} {reference}"


@transaction.atomic
def import_update(
    *,
    report_import: ReportImport,
    report: Report,
    by: User,
    now: datetime.datetime | None = None,
) -> Additions:
    """Add what the document has that the report lacks: the chosen forces (national reports
    only), findings not yet recorded (matched by kind and text, or reference, among the
    findings that apply to the chosen forces), judgements not yet recorded, and items for
    every finding and chosen force not yet tracked. Nothing already there is changed or
    removed: a matched finding keeps its own (the inspectorate's) reference and text.

    A register entry or progress report (issue 17) adds no findings: its findings are
    matched to the report's, and its statuses and responses go onto their items; those not
    found are named in the result (none found at all is refused, nothing saved)."""
    now = now or timezone.now()
    report_import = ReportImport.objects.select_for_update().get(pk=report_import.pk)
    _ready(report_import, by)
    refuse_welsh_import(report_import)  # a Welsh edition is attached, never a report
    if not can_update(report, by):
        raise ValidationError(
            "That report is about a force you do not import for. Create a separate report."
        )
    facts = DocumentFacts.of(report_import)
    draft = Draft.from_json(report_import.draft)
    forces = _chosen_forces(draft, by)
    problems = _problems(draft, forces, updating=True, facts=facts)
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
    if added_forces and report.forces.exclude(kind__in={f.kind for f in added_forces}).exists():
        raise ValidationError(
            gettext(
                "Choose police forces or fire and rescue services, not both: a report is about "
                "one or the other."
            )
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
    matched = _matched(draft, report, {f.id for f in forces}, close_text=facts.about_a_report)
    not_found: tuple[str, ...] = ()
    if facts.about_a_report:
        not_found = tuple(_label(f, i) for i, f in enumerate(draft.findings) if i not in matched)
        if not matched:
            raise ValidationError(
                gettext(
                    "None of the findings in this document was found on “%(title)s”, so "
                    "nothing was added. Check that it is the right report, and that each "
                    "finding's reference and text are as the report gives them."
                )
                % {"title": report.title}
            )
        added = items = 0  # nothing new is made of a document about the report
    else:
        added, items = _create_findings(
            report,
            draft,
            forces,
            by=by,
            now=now,
            source_name=report_import.original_name,
            matched=matched,
            start_order=report.findings.count(),
        )
    pairs = [(finding, draft.findings[index]) for index, finding in matched.items()]
    items += _track(pairs, forces, by=by, now=now, responses_on_items=not facts.is_progress_report)
    # A document about the report grades nothing of it: its judgements (if any) are left out.
    judgements = 0 if facts.about_a_report else _judgements(report, draft, forces, by=by, now=now)
    statuses = updates = 0
    if facts.about_a_report:
        statuses, updates = _from_document(
            pairs, forces, facts=facts, report_import=report_import, by=by, now=now
        )
    responses_ensure(report=report, now=now)
    # Issue 18, in the worker after commit: the earlier findings of each force these findings
    # repeat (a national report ranks for every force, so not in the request), and the
    # report's findings matched against the summaries forces shared (both idempotent).
    send_on_commit(background.SUGGEST_LINEAGE, report.pk)
    learning.learning_findings_added(finding_ids=list(report.findings.values_list("pk", flat=True)))
    _finish(report_import, report, now)
    handoffs.report_imported_recorded(report=report, by=by, now=now)
    return Additions(
        findings=added,
        items=items,
        judgements=judgements,
        statuses=statuses,
        updates=updates,
        not_found=not_found,
        about_a_report=facts.about_a_report,
    )


def additions_message(added: Additions) -> str:
    """What an update did, for the person who asked, in one sentence or two."""
    n, i, j = added.findings, added.items, added.judgements
    if added.about_a_report and not (added.statuses or added.updates or i):
        message = gettext(
            "Everything this document says was already recorded on the report's items, so "
            "nothing was added."
        )
        if added.not_found:
            message += " " + gettext("Not found on the report: %(labels)s.") % {
                "labels": ", ".join(added.not_found)
            }
        return message
    if added.about_a_report:
        return _about_a_report_message(added)
    parts = [
        ngettext("%(n)s new finding", "%(n)s new findings", n) % {"n": n},
        ngettext("%(n)s new tracked item", "%(n)s new tracked items", i) % {"n": i},
        ngettext("%(n)s new judgement", "%(n)s new judgements", j) % {"n": j},
    ]
    if added.statuses:
        parts.append(
            ngettext("%(n)s inspectorate status", "%(n)s inspectorate statuses", added.statuses)
            % {"n": added.statuses}
        )
    if added.updates:
        parts.append(
            ngettext(
                "%(n)s progress update from the document",
                "%(n)s progress updates from the document",
                added.updates,
            )
            % {"n": added.updates}
        )
    message = gettext("The report is updated: %(parts)s. Nothing already there was changed.") % {
        "parts": ", ".join(parts[:-1]) + gettext(" and ") + parts[-1]
    }
    if added.not_found:
        message += " " + gettext(
            "Not found on the report, so nothing was added for them: %(labels)s."
        ) % {"labels": ", ".join(added.not_found)}
    return message


def _about_a_report_message(added: Additions) -> str:
    """What a register entry or progress report added, leaving out what it cannot add (it
    never adds findings or judgements) and anything it added none of."""
    sentences = []
    if added.statuses:
        sentences.append(statuses_added_message(added.statuses))
    if added.updates:
        sentences.append(
            ngettext(
                "%(n)s progress update from the document was added to the items.",
                "%(n)s progress updates from the document were added to the items.",
                added.updates,
            )
            % {"n": added.updates}
        )
    if added.items:
        sentences.append(
            ngettext(
                "%(n)s new tracked item was made for a recommendation not tracked yet.",
                "%(n)s new tracked items were made for recommendations not tracked yet.",
                added.items,
            )
            % {"n": added.items}
        )
    sentences.append(gettext("Nothing already there was changed."))
    if added.not_found:
        sentences.append(
            gettext("Not found on the report, so nothing was added for them: %(labels)s.")
            % {"labels": ", ".join(added.not_found)}
        )
    return " ".join(sentences)


def statuses_added_message(count: int) -> str:
    """The inspectorate's dated statuses added, in the words of the item page."""
    return ngettext(
        "%(n)s dated status from the inspectorate's register was added to the items.",
        "%(n)s dated statuses from the inspectorate's register were added to the items.",
        count,
    ) % {"n": count}


def _finish(report_import: ReportImport, report: Report, now) -> None:
    report_import.report = report
    report_import.state = ReportImport.State.CREATED
    report_import.finished_at = now
    report_import.save(update_fields=["report", "state", "finished_at"])
