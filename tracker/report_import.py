"""Import a report from its published document: upload, read in the background, check and
correct, then create the report, its judgements, findings and tracked items in one step.

1. `import_start` stores the upload under REPORT_IMPORT_ROOT (outside the static files) with
   a random name and queues `import_read` after the transaction commits.
2. `import_read` (a Celery task's body) claims the import with a conditional UPDATE, reads the
   file (tracker.extraction), records its progress, keeps the text and what was found, and
   deletes the file. A file that cannot be read is marked failed with a plain message.
3. The person corrects the draft (`draft_apply`: kinds, texts, areas, merges and splits, the
   forces it applies to) and then either creates the report (`import_create`) or, when the
   report is already in the tracker, adds what is new to it (`import_update`).

Every write is one transaction, audited; nothing is half-saved.
"""

import datetime
import hashlib
import json
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organisation
from tracker import background, policy, reminders, services
from tracker.audit import audit_record
from tracker.extraction import ExtractionError, extract, load_known_forces, read_document
from tracker.extraction.reading import check_size
from tracker.models import (
    GRADES,
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

SPLIT_MARKER = re.compile(r"^\s*-{3,}\s*$", re.MULTILINE)
STALLED_AFTER = datetime.timedelta(minutes=2)
READING_STALLED_AFTER = datetime.timedelta(minutes=10)


def import_root() -> Path:
    return Path(settings.REPORT_IMPORT_ROOT)


def _path(report_import: ReportImport) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", report_import.stored_name or ""):
        raise ValueError("not a stored import file name")
    return import_root() / report_import.stored_name


# Starting and reading --------------------------------------------------------------------------


def import_start(*, user, name: str, size: int, chunks, now=None) -> ReportImport:
    """Keep the upload and queue it to be read. Raises ValidationError for an empty or too
    large file (before anything is written)."""
    if not policy.can_import_reports(user):
        raise ValidationError("You cannot import reports.")
    if size == 0:
        raise ValidationError("The selected file is empty.")
    try:
        check_size(size, max_bytes=settings.REPORT_IMPORT_MAX_BYTES)
    except ExtractionError as exc:
        raise ValidationError(exc.message) from exc
    now = now or timezone.now()
    import_root().mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    digest = hashlib.sha256()
    path = import_root() / stored_name
    with open(path, "wb") as handle:
        for chunk in chunks:
            digest.update(chunk)
            handle.write(chunk)
    try:
        with transaction.atomic():
            report_import = ReportImport.objects.create(
                uploaded_by=user,
                uploaded_at=now,
                original_name=Path(name).name[:255] or "document",
                stored_name=stored_name,
                size=size,
                sha256=digest.hexdigest(),
                stage="Waiting for the background worker",
            )
            background.send_on_commit(background.READ_REPORT_IMPORT, report_import.pk)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return report_import


def _progress(report_import: ReportImport, percent: int, stage: str) -> None:
    ReportImport.objects.filter(pk=report_import.pk).update(progress=percent, stage=stage)


def import_read(*, import_id: int, now=None) -> str | None:
    """Read one queued import. Returns its new state, or None if another worker has it or it
    is gone. Safe to run twice: the claim is a conditional UPDATE."""
    claimed = ReportImport.objects.filter(pk=import_id, state=ReportImport.State.QUEUED).update(
        state=ReportImport.State.READING, progress=5, stage="Opening the file"
    )
    if not claimed:
        return None
    report_import = ReportImport.objects.get(pk=import_id)
    path = _path(report_import)
    try:
        data = path.read_bytes()
        _progress(report_import, 20, "Reading the text")
        source = read_document(data, report_import.original_name)
        _progress(report_import, 60, "Finding the judgements, findings and responses")
        result = extract(source.text, known_forces=load_known_forces())
    except ExtractionError as exc:
        return _fail(report_import, exc.message, now)
    except OSError:
        return _fail(report_import, "The uploaded file was not found. Upload it again.", now)
    except Exception:
        _fail(
            report_import,
            "Something went wrong while reading this file. Nothing was created. Try again, "
            "or send the file to your administrator.",
            now,
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    try:
        extraction = result.to_dict()
        report_import.extraction = extraction
        report_import.draft = initial_draft(extraction, user=report_import.uploaded_by)
        report_import.source_text = source.text
        report_import.document_format = source.format
        report_import.pages = source.pages
        report_import.state = ReportImport.State.READY
        report_import.progress = 100
        report_import.stage = "Ready to check"
        report_import.finished_at = now or timezone.now()
        report_import.save()
    except Exception:
        _fail(
            report_import,
            "Something went wrong while saving what was found. Nothing was created. Try "
            "again, or send the file to your administrator.",
            now,
        )
        raise
    return report_import.state


def _fail(report_import: ReportImport, message: str, now) -> str:
    ReportImport.objects.filter(pk=report_import.pk).update(
        state=ReportImport.State.FAILED,
        message=message,
        stage="Could not be read",
        finished_at=now or timezone.now(),
    )
    return ReportImport.State.FAILED


def is_stalled(report_import: ReportImport, now) -> bool:
    """Still waiting long after upload (the background worker is probably not running), or
    still being read long after (the worker stopped in the middle)."""
    if report_import.state == ReportImport.State.QUEUED:
        return now - report_import.uploaded_at > STALLED_AFTER
    if report_import.state == ReportImport.State.READING:
        return now - report_import.uploaded_at > READING_STALLED_AFTER
    return False


# The draft ------------------------------------------------------------------------------------


def _published(value: str | None) -> tuple[str, str]:
    """ "2018-03-22" or "2018-03" as (ISO date, precision)."""
    if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value, Report.Precision.DAY
    if value and re.fullmatch(r"\d{4}-\d{2}", value):
        return f"{value}-01", Report.Precision.MONTH
    return "", Report.Precision.DAY


def initial_draft(extraction: dict, *, user) -> dict:
    """What the preview starts from: the extraction, with forces matched to organisations
    (only those this person may import for) and every finding included."""
    names = {n.lower() for n in extraction.get("forces", [])}
    allowed = import_forces(user)
    forces = [f.id for f in allowed if f.name.lower() in names or f.short_name.lower() in names]
    allowed_names = {f.name.lower() for f in allowed}
    not_yours = sorted(n for n in extraction.get("forces", []) if n.lower() not in allowed_names)
    published_on, precision = _published(extraction.get("published"))
    responses: dict[int, dict[str, str]] = {}
    for response in extraction.get("responses", []):
        index = response.get("finding", response.get("to"))
        if isinstance(index, int):
            responses.setdefault(index, {})[response["party"]] = response["text"]
    findings = []
    for index, f in enumerate(extraction.get("findings", [])):
        findings.append(
            {
                "include": True,
                "kind": f["kind"],
                "reference": f.get("reference", "")[:20],
                "area": f.get("area", "")[:400],
                "text": f["text"],
                "parent": f.get("parent"),
                "target_text": (f.get("target_text") or "")[:200],
                "target_date": f.get("target_date") or "",
                "force_response": responses.get(index, {}).get("force", ""),
                "pcc_response": responses.get(index, {}).get("pcc", ""),
            }
        )
    inspectorate = extraction.get("inspectorate") or (
        "HMICFRS" if published_on and published_on >= services.HMICFRS_FROM.isoformat() else "HMIC"
    )
    return {
        "title": " ".join((extraction.get("title") or "").split())[:400],
        "inspectorate_label": inspectorate,
        "report_type": extraction.get("report_type") or ReportType.OTHER,
        "published_on": published_on,
        "published_precision": precision,
        "grading_scale": extraction.get("grading_scale") or GradingScale.NONE,
        "forces": forces,
        "forces_not_yours": not_yours,
        "judgements": [
            {
                "include": True,
                "area": j["area"][:400],
                "reference": (j.get("reference") or "")[:20],
                "grade": j["grade"][:40],
                "direction": j.get("direction") or "",
            }
            for j in extraction.get("judgements", [])
        ],
        "findings": findings,
    }


def draft_version(draft: dict) -> str:
    """A fingerprint of the draft, sent with the preview's form: a form made from an older
    draft (another tab, the Back button) is refused instead of being paired with the wrong
    findings."""
    return hashlib.sha256(json.dumps(draft, sort_keys=True, default=str).encode()).hexdigest()[:16]


def draft_apply(*, report_import: ReportImport, details: dict, findings: list[dict]) -> dict:
    """The person's corrections: report details, and per finding whether it is included, its
    kind, reference, area and text, and whether it joins the one above (merge). A line of
    three dashes in a text splits it into two findings. Returns the new draft (saved)."""
    merged: list[dict] = []
    old_to_new: dict[int, int] = {}
    for old_index, f in enumerate(findings):
        if not f.get("include"):
            continue
        if f.get("join_previous") and merged:
            target = merged[-1]
            target["text"] = f"{target['text'].rstrip()}\n\n{f['text'].strip()}"
            for side in ("force_response", "pcc_response"):
                if f.get(side):
                    target[side] = "\n\n".join(t for t in (target.get(side), f[side]) if t)
            old_to_new[old_index] = len(merged) - 1
            continue
        parts = [p.strip() for p in SPLIT_MARKER.split(f["text"]) if p.strip()]
        for n, part in enumerate(parts or [""]):
            entry = {**f, "text": part, "join_previous": False}
            if n:  # the responses stay with the first part; kind, area and parent go to each
                entry.update(force_response="", pcc_response="")
            merged.append(entry)
            if n == 0:
                old_to_new[old_index] = len(merged) - 1
    for entry in merged:
        parent = entry.get("parent")
        entry["parent"] = old_to_new.get(parent) if isinstance(parent, int) else None
        entry.pop("join_previous", None)
        entry["include"] = True
    draft = {**report_import.draft, **details, "findings": merged}
    report_import.draft = draft
    report_import.save(update_fields=["draft"])
    return draft


def import_forces(user) -> list[Organisation]:
    """The forces this person may import a report for."""
    if not policy.can_import_reports(user):
        return []
    ids = policy.visible_force_ids(user, timezone.localdate())
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).order_by("name")
    if policy.is_administrator(user):
        return list(forces)
    if user.organisation and user.organisation.is_force:
        return list(forces.filter(pk=user.organisation_id))
    return list(forces.filter(pk__in=ids or []))


def _normal_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def duplicate_of(report_import: ReportImport, *, user) -> tuple[Report | None, str]:
    """The report already in the tracker that this document is, and why it is thought so:
    the same file imported before, or a report with the same title published in the same
    month. Only reports this person can see and could update count: a national report, or
    one about the forces chosen."""
    force_ids = policy.visible_force_ids(user, timezone.localdate())
    visible = Report.objects.for_forces(force_ids)
    chosen = set(report_import.draft.get("forces", []))

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
    if earlier is not None and could_update(earlier.report):
        when = timezone.localtime(earlier.finished_at).strftime("%-d %B %Y")
        return earlier.report, f"This same file was imported on {when}."
    draft = report_import.draft
    title = _normal_title(draft.get("title", ""))
    published = draft.get("published_on") or ""
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


def _problems(draft: dict, forces: list[Organisation], *, updating: bool = False) -> list[str]:
    problems = []
    if not updating and not draft.get("title", "").strip():
        problems.append("Enter the report's title.")
    if not updating and not draft.get("published_on"):
        problems.append("Enter the date the report was published.")
    if not forces:
        problems.append("Choose at least one force the report applies to.")
    kinds = set(FindingKind.values)
    for n, f in enumerate(draft.get("findings", []), start=1):
        if f["kind"] not in kinds:
            problems.append(f"Finding {n}: choose what kind of finding it is.")
        if not f["text"].strip():
            problems.append(f"Finding {n}: the text is empty. Untick it to leave it out.")
    scale = draft.get("grading_scale") or GradingScale.NONE
    grades = set(GRADES.get(scale, []))
    for j in draft.get("judgements", []):
        if j.get("include") and grades and j["grade"] not in grades:
            problems.append(
                f"Judgement '{j['area'][:60]}': '{j['grade']}' is not a grade on this scale."
            )
    return problems


def _chosen_forces(draft: dict, user) -> list[Organisation]:
    allowed = {f.id: f for f in import_forces(user)}
    wanted = list(dict.fromkeys(draft.get("forces", [])))  # each once, in order
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


def _track(finding: Finding, draft_finding: dict, forces, *, by, now) -> int:
    """Tracked items for the finding, one per force that does not track it yet, with the
    responses and the target date the document states."""
    made = 0
    has_children = finding.kind == FindingKind.CAUSE_OF_CONCERN and finding.children.exists()
    if has_children:  # its recommendations are what the force acts on
        return 0
    due = None
    if draft_finding.get("target_date"):
        try:
            due = datetime.date.fromisoformat(draft_finding["target_date"])
        except ValueError:
            due = None
        if due is not None and due < finding.report.published_on:
            due = None
    for force in forces:
        if TrackedItem.objects.filter(finding=finding, force=force).exists():
            continue
        item = services.item_create(
            finding=finding, force=force, created_by=by, due_date=due, now=now
        )
        fields = {
            k: draft_finding[k] for k in ("force_response", "pcc_response") if draft_finding.get(k)
        }
        if fields and len(forces) == 1:
            TrackedItem.objects.filter(pk=item.pk).update(**fields)
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=item,
                at=now,
                changes={k: (None, v) for k, v in fields.items()},
                note="Responses from the imported document",
            )
        made += 1
    return made


def _create_findings(report, draft, forces, *, by, now, matched=None, start_order=0):
    """Create the draft's findings that are not already on the report (`matched`: draft index
    to the existing finding it is), parents first, then their items. A new recommendation
    whose cause of concern is already on the report is tied to that one. Returns (findings
    made, items made)."""
    matched = matched or {}
    made: dict[int, Finding] = {}
    items = 0
    single = forces[0] if len(forces) == 1 else None
    for index, f in enumerate(draft["findings"]):
        if index in matched:
            continue
        parent = None
        if isinstance(f.get("parent"), int):
            parent = made.get(f["parent"]) or matched.get(f["parent"])
        finding = Finding(
            key=services.unique_key(Finding, f"{report.key}:{start_order + index + 1}"),
            report=report,
            kind=f["kind"],
            parent=parent if parent and parent.kind == FindingKind.CAUSE_OF_CONCERN else None,
            reference=f.get("reference", "")[:20],
            area=f.get("area", "")[:400],
            text=f["text"].strip(),
            target_text=f.get("target_text", "")[:200],
            force=single if report.national else None,
            order=start_order + index + 1,
        )
        finding.full_clean(exclude=["report", "parent", "force"])
        finding.save()
        made[index] = finding
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=finding,
            at=now,
            changes={"kind": (None, finding.kind), "text": (None, finding.text)},
            note=f"Imported from {draft.get('_file', 'a document')}"[:300],
        )
    for index, finding in made.items():
        items += _track(finding, draft["findings"][index], forces, by=by, now=now)
    return len(made), items


def _judgements(report, draft, forces, *, by, now) -> int:
    """Add the draft's judgements the report does not have (by area, and force where the
    grade is one force's). An existing grade is never changed by an import. Returns how
    many were added."""
    force = (
        forces[0] if len(forces) == 1 and (report.national or report.forces.count() > 1) else None
    )
    added = 0
    order = report.judgements.count()
    for j in draft.get("judgements", []):
        if not j.get("include"):
            continue
        if Judgement.objects.filter(report=report, area=j["area"], force=force).exists():
            continue
        judgement = Judgement.objects.create(
            report=report,
            area=j["area"],
            force=force,
            grade=j["grade"],
            direction=j.get("direction") or "",
            reference=j.get("reference", ""),
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
def import_create(*, report_import: ReportImport, by, now=None) -> Report:
    """Create the report, its judgements, findings and an item per finding and force."""
    now = now or timezone.now()
    report_import = ReportImport.objects.select_for_update().get(pk=report_import.pk)
    _ready(report_import, by)
    draft = {**report_import.draft, "_file": report_import.original_name}
    forces = _chosen_forces(draft, by)
    problems = _problems(draft, forces)
    if problems:
        raise ValidationError(problems)
    published = datetime.date.fromisoformat(draft["published_on"])
    report = Report(
        key=services.unique_key(
            Report, f"{slugify(draft['title'])[:90].strip('-') or 'report'}-{published}"
        ),
        inspectorate=_inspectorate(),
        inspectorate_label=draft.get("inspectorate_label") or "HMICFRS",
        title=draft["title"].strip(),
        report_type=draft["report_type"],
        published_on=published,
        published_precision=draft.get("published_precision") or Report.Precision.DAY,
        national=len(forces) > 1,
        grading_scale=draft.get("grading_scale") or GradingScale.NONE,
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
    _create_findings(report, draft, forces, by=by, now=now)
    reminders.responses_ensure(report=report, now=now)
    _finish(report_import, report, now)
    return report


@transaction.atomic
def _same(finding_kind: str, text: str) -> tuple[str, str]:
    return finding_kind, " ".join(text.split()).lower()


def can_update(report: Report, user) -> bool:
    """An import may add to a national report (a force adds itself and its findings), or to a
    report about forces the person imports for; never to another force's own report."""
    if report.national:
        return True
    allowed = {f.id for f in import_forces(user)}
    return set(report.forces.values_list("id", flat=True)) <= allowed


@transaction.atomic
def import_update(*, report_import: ReportImport, report: Report, by, now=None) -> dict:
    """Add what the document has that the report lacks: the chosen forces (national reports
    only), findings not yet recorded (matched by kind and text among the findings that apply
    to the chosen forces), judgements not yet recorded, and items for every finding and
    chosen force not yet tracked. Nothing already there is changed or removed."""
    now = now or timezone.now()
    report_import = ReportImport.objects.select_for_update().get(pk=report_import.pk)
    _ready(report_import, by)
    if not can_update(report, by):
        raise ValidationError(
            "That report is about a force you do not import for. Create a separate report."
        )
    draft = {**report_import.draft, "_file": report_import.original_name}
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
        index: known[_same(f["kind"], f["text"])]
        for index, f in enumerate(draft["findings"])
        if _same(f["kind"], f["text"]) in known
    }
    start = report.findings.count()
    added, items = _create_findings(
        report, draft, forces, by=by, now=now, matched=matched, start_order=start
    )
    for index, finding in matched.items():
        items += _track(finding, draft["findings"][index], forces, by=by, now=now)
    judgements = _judgements(report, draft, forces, by=by, now=now)
    reminders.responses_ensure(report=report, now=now)
    _finish(report_import, report, now)
    return {"findings": added, "items": items, "judgements": judgements}


def _finish(report_import: ReportImport, report: Report, now) -> None:
    report_import.report = report
    report_import.state = ReportImport.State.CREATED
    report_import.finished_at = now
    report_import.save(update_fields=["report", "state", "finished_at"])
