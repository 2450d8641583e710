"""Import an export file: check all of it (check.py), then write it inside one transaction.

Import is an upsert keyed on stable identifiers (organisation codes, email addresses, report
and finding keys, uuids of items and history rows), so importing the same file twice changes
nothing the second time, and an export imported into an empty database gives the same export
back. A bad file is refused with a list of what is wrong and nothing is saved.
"""

import base64
import datetime
import json
import uuid as uuidlib
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organisation, ProtectiveMarking, RoleAssignment, User
from tracker.audit import audit_context_fields
from tracker.evidence import EvidenceRejected, check_evidence, evidence_path
from tracker.function_transfer_plan import transfer_problems
from tracker.models import (
    CLOSED_STATUSES,
    AuditEvent,
    ClosureDecision,
    DeadlineChange,
    Evidence,
    Finding,
    FunctionTransfer,
    Report,
    ReportEdition,
    StatusChange,
    StatutoryResponse,
    TrackedItem,
)
from tracker.reminders.sync import deadlines_sync_item, deadlines_sync_response
from tracker.services import finding_forces
from tracker.transfer import kinds
from tracker.transfer.check import check_document
from tracker.transfer.fields import timestamp
from tracker.transfer.rows import Importer, ImportRejected, ImportResult, rows_of


def import_tracker(
    doc: Any, *, now: datetime.datetime | None = None, only_missing: bool = False
) -> ImportResult:
    """Check and load a document. With only_missing, rows that already exist are left
    exactly as they are (used for reference data, so reloading never undoes an edit)."""
    problems = check_document(doc)
    if problems:
        raise ImportRejected(problems)
    importer = Importer(now=now or timezone.now(), only_missing=only_missing)
    try:
        with transaction.atomic():
            _load(doc, importer)
    except ImportRejected:
        importer.remove_written_files()
        raise
    except (
        IntegrityError,
        DataError,
        ValueError,
        TypeError,
        KeyError,
        OverflowError,
        AttributeError,
    ) as exc:
        importer.remove_written_files()
        raise ImportRejected(
            [f"the file could not be saved ({type(exc).__name__}: {exc})"]
        ) from None
    except BaseException:
        importer.remove_written_files()
        raise
    return importer.result


def _load(doc: dict, imp: Importer) -> None:
    _load_markings(imp, doc)
    imp.refs.markings = {m.label: m for m in ProtectiveMarking.objects.all()}
    for row, where in rows_of(doc, kinds.ORGANISATION, "file"):
        lookup, values = imp.read(kinds.ORGANISATION, row)
        values.setdefault("short_name", row.get("name"))
        imp.put(kinds.ORGANISATION, lookup, values, where)
    imp.refs.orgs = {o.code: o for o in Organisation.objects.all()}
    for row, where in rows_of(doc, kinds.POLICING_BODY_TERM, "file"):
        imp.save(kinds.POLICING_BODY_TERM, row, where)
    for row, where in rows_of(doc, kinds.PERSON, "file"):
        _load_person(imp, row, where)
    imp.refs.people = {u.email: u for u in User.objects.all()}
    for row, where in rows_of(doc, kinds.FUNCTION_TRANSFER, "file"):
        _load_transfer(imp, row, where)
    for row, where in rows_of(doc, kinds.REPORT, "file"):
        _load_report(imp, row, where)
    for row, where in rows_of(doc, kinds.ITEM, "file"):
        _load_item(imp, row, where)
    for row, where in rows_of(doc, kinds.FINDING_LINK, "file"):
        _load_finding_link(imp, row, where)
    for row, where in rows_of(doc, kinds.AUDIT_EVENT, "file"):
        imp.save(kinds.AUDIT_EVENT, row, where)
    if imp.result.changed:
        AuditEvent.objects.create(
            at=imp.now,
            actor=None,
            action=AuditEvent.Action.UPDATE,
            object_type="tracker.Import",
            object_id="-",
            object_repr="Import of a tracker file",
            changes={},
            note=imp.result.summary()[:300],
            **audit_context_fields(),
        )


def _load_markings(imp: Importer, doc: dict) -> None:
    """The list of protective markings, by label. Markings the file ranks anew are first moved
    out of the way (ranks are unique), so a file may reorder the list."""
    rows = list(rows_of(doc, kinds.PROTECTIVE_MARKING, "file"))
    if not imp.only_missing:
        here = dict(ProtectiveMarking.objects.values_list("label", "rank"))
        moving = [
            row["label"] for row, _ in rows if here.get(row["label"], row["rank"]) != row["rank"]
        ]
        top = max([*here.values(), *(row["rank"] for row, _ in rows)], default=0) + 1
        for i, label in enumerate(moving):
            ProtectiveMarking.objects.filter(label=label).update(rank=top + i)
    for row, where in rows:
        imp.save(kinds.PROTECTIVE_MARKING, row, where)


def _load_transfer(imp: Importer, t: dict, where: str) -> None:
    """A transfer of functions, by uuid. What was recorded never changes (a transfer is
    cancelled and recorded again, never edited), and its state only moves on: planned, then
    carried out or cancelled. A new planned transfer gets the checks it gets when recorded."""
    lookup, values = imp.read(kinds.FUNCTION_TRANSFER, t)
    existing = FunctionTransfer.objects.filter(**lookup).first()
    if existing is None:
        if not values.get("carried_out_at") and not values.get("cancelled_at"):
            problems = transfer_problems(
                from_body=values.get("from_body"),
                to_body=values.get("to_body"),
                takes_effect_on=values.get("takes_effect_on"),
                legal_basis=values.get("legal_basis") or "",
            )
            if problems:
                raise ImportRejected(
                    [f"{where}.{name}: {m}" for name, ms in problems.items() for m in ms]
                )
        imp.put(kinds.FUNCTION_TRANSFER, lookup, values, where)
        return
    if imp.only_missing:
        return
    for f in kinds.FUNCTION_TRANSFER.fields:
        name = f.attr
        if name is None or name not in values or name in lookup:
            continue
        if name in TRANSFER_STATE:
            # A file that does not know what happened since leaves it as it is.
            was, now = getattr(existing, name), values[name]
            if was not in (None, {}) and now not in (None, {}) and now != was:
                imp.reject(
                    f"{where}.{f.key}",
                    f"differs from what happened to this transfer here ({_shown(was)}): "
                    "what happened to a transfer never changes",
                )
        elif values[name] != getattr(existing, name):
            imp.reject(
                f"{where}.{f.key}",
                "differs from the transfer recorded here, which never changes: cancel it "
                "and record another",
            )
    values = {k: v for k, v in values.items() if k not in TRANSFER_STATE or v not in (None, {})}
    carried = values.get("carried_out_at") or existing.carried_out_at
    if carried and (values.get("cancelled_at") or existing.cancelled_at):
        imp.reject(where, "a transfer cannot be both carried out and cancelled")
    imp.put(kinds.FUNCTION_TRANSFER, lookup, values, where)


def _shown(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, User):
        return value.email
    return json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value)


# What happens to a transfer after it is recorded: filled in once, never undone.
TRANSFER_STATE = (
    "carried_out_at",
    "carried_out_by",
    "outcome",
    "cancelled_at",
    "cancelled_by",
)


def _load_person(imp: Importer, p: dict, where: str) -> None:
    # Passwords are never in the file: new people cannot sign in until one is set.
    lookup, values = imp.read(kinds.PERSON, p)
    user, outcome = imp.put(
        kinds.PERSON, lookup, values, where, create_defaults={"password": make_password(None)}
    )
    if "roles" in p and not (imp.only_missing and outcome is None):
        wanted, current = (
            set(p["roles"]),
            set(user.role_assignments.values_list("role", flat=True)),
        )
        for role in wanted - current:
            RoleAssignment.objects.create(user=user, role=role)
            imp.result.add("role assignments", "created")
        if current - wanted:
            user.role_assignments.filter(role__in=current - wanted).delete()
            imp.result.add(kinds.PERSON.counted_as, "updated")


# --------------------------------------------------------------------------- reports


def _load_report(imp: Importer, r: dict, where: str) -> None:
    lookup, values = imp.read(kinds.REPORT, r)
    if not values.get("inspectorate_label"):
        values["inspectorate_label"] = imp.refs.orgs[r["inspectorate"]].short_name
    report, outcome = imp.put(kinds.REPORT, lookup, values, where)
    if "forces" in r and not (imp.only_missing and outcome is None):
        wanted = {imp.refs.orgs[code].pk for code in r["forces"]}
        if wanted != set(report.forces.values_list("pk", flat=True)):
            report.forces.set(wanted)
            if outcome is None:
                imp.result.add(kinds.REPORT.counted_as, "updated")
    for row, row_where in rows_of(r, kinds.REPORT_EDITION, where):
        language = row.get("language") or ReportEdition.Language.WELSH
        imp.save(kinds.REPORT_EDITION, row, row_where, report=report, language=language)
    for row, row_where in rows_of(r, kinds.JUDGEMENT, where):
        imp.save(kinds.JUDGEMENT, row, row_where, report=report)
    # Parents first, so a recommendation can point at its cause of concern.
    findings = sorted(
        rows_of(r, kinds.FINDING, where), key=lambda found: bool(found[0].get("parent"))
    )
    for row, row_where in findings:
        known = {"report": report}
        if "parent" in row:
            known["parent"] = imp.findings.get(row["parent"]) if row["parent"] else None
        finding, _ = imp.save(kinds.FINDING, row, row_where, **known)
        imp.findings[finding.key] = finding
    for row, row_where in rows_of(r, kinds.STATUTORY_RESPONSE, where):
        _load_response(imp, row, row_where, report)


def _load_response(imp: Importer, sr: dict, where: str, report: Report) -> None:
    lookup, values = imp.read(kinds.STATUTORY_RESPONSE, sr, report=report)
    # A response keeps its uuid when it is new here; an existing one keeps its own.
    create_defaults = {"uuid": uuidlib.UUID(sr["uuid"])} if sr.get("uuid") else None
    response, _ = imp.put(
        kinds.STATUTORY_RESPONSE, lookup, values, where, create_defaults=create_defaults
    )
    for row, row_where in rows_of(sr, kinds.WELSH_RESPONSE_TEXT, where):
        finding = (
            imp.findings.get(row["finding"])
            or Finding.objects.filter(key=row["finding"], report=report).first()
        )
        if finding is None or finding.report_id != report.pk:
            imp.reject(f"{row_where}.finding", f"no finding {row['finding']!r} in this report")
        imp.save(kinds.WELSH_RESPONSE_TEXT, row, row_where, response=response, finding=finding)
    if sr.get("deadline_changes"):
        _load_deadline_changes(imp, sr, where, response)
    for row, row_where in rows_of(sr, kinds.RESPONSE_VERSION, where):
        # Published versions are kept exactly as published: created once, by uuid. A file
        # from before markings has no marking_label: the one its content prints, if any.
        known = {}
        content = row.get("content")
        if "marking_label" not in row and isinstance(content, dict):
            known["marking_label"] = str(content.get("marking") or "")
        imp.save(kinds.RESPONSE_VERSION, row, row_where, response=response, **known)


def _load_deadline_changes(
    imp: Importer, source: dict, where: str, owner: TrackedItem | StatutoryResponse
) -> None:
    """Extensions and pauses: the deadline is worked out from the rules first, then each
    change is added (once, by uuid) and the deadline worked out again with it."""
    now = timezone.now()
    _sync_deadlines(owner, now)
    for row, row_where in rows_of(source, kinds.DEADLINE_CHANGE, where):
        deadline = owner.deadlines.filter(rule__key=row["rule"]).first()
        if deadline is None:
            imp.reject(f"{row_where}.rule", f"the rule {row['rule']!r} gives no deadline here")
        if (
            row["kind"] in STEP_KINDS
            and deadline.changes.filter(kind=row["kind"]).exclude(uuid=row["uuid"]).exists()
        ):
            imp.reject(f"{row_where}.kind", f"this deadline's {row['kind']!r} step is already here")
        imp.save(kinds.DEADLINE_CHANGE, row, row_where, deadline=deadline)
    _sync_deadlines(owner, now)


STEP_KINDS = (DeadlineChange.Kind.RESPONSE_SENT, DeadlineChange.Kind.PUBLISHED)


def _sync_deadlines(owner: TrackedItem | StatutoryResponse, now: datetime.datetime) -> None:
    if isinstance(owner, TrackedItem):
        deadlines_sync_item(item=owner, now=now)
    else:
        deadlines_sync_response(response=owner, now=now)


# --------------------------------------------------------------------------- items


def _load_item(imp: Importer, it: dict, where: str) -> None:
    finding = imp.findings.get(it["finding"]) or Finding.objects.get(key=it["finding"])
    force = imp.refs.orgs[it["force"]]
    if force not in finding_forces(finding):
        imp.reject(f"{where}.force", f"{force} is not one of the forces {finding.key} is about")
    # Issue 18: the finding that superseded it, when the file says (absent: left as it is).
    superseded = {}
    if "superseded_by" in it:
        key = it["superseded_by"]
        superseded["superseded_by"] = (
            (imp.findings.get(key) or Finding.objects.get(key=key)) if key else None
        )
    lookup, values = imp.read(kinds.ITEM, it, finding=finding, force=force, **superseded)
    existing = TrackedItem.objects.filter(finding=finding, force=force).first()
    _check_item_merge(imp, it, where, values, existing, force)
    if existing is None:
        values["created_at"] = values.get("created_at") or imp.now
        values["last_activity_at"] = values.get("last_activity_at") or values["created_at"]
        if it.get("uuid"):
            values["uuid"] = uuidlib.UUID(it["uuid"])
    item, outcome = imp.put(kinds.ITEM, lookup, values, where)
    if outcome == "created" and not it.get("status_changes"):
        StatusChange.objects.create(
            item=item,
            from_status="",
            to_status=item.status,
            changed_at=item.created_at,
            reason="Item imported",
        )
    for kind in (
        kinds.STATUS_CHANGE,
        kinds.DUE_DATE_REVISION,
        kinds.PROGRESS_UPDATE,
        kinds.PROGRESS_REVIEW,
        kinds.INSPECTORATE_STATUS,
    ):
        for row, row_where in rows_of(it, kind, where):
            imp.save(kind, row, row_where, item=item)
    for row, row_where in rows_of(it, kinds.EVIDENCE, where):
        _load_evidence(imp, row, row_where, item)
    for row, row_where in rows_of(it, kinds.CLOSURE_PROPOSAL, where):
        _load_proposal(imp, row, row_where, item)
    _check_item_agrees_with_history(imp, item, where)
    if it.get("deadline_changes"):
        _load_deadline_changes(imp, it, where, item)


def _load_finding_link(imp: Importer, row: dict, where: str) -> None:
    """A decision on a link between two findings of one force (issue 18), with the rules a
    person's link follows: not to itself, both findings about the force, the later one
    published after the earlier one."""
    later = imp.findings.get(row["later"]) or Finding.objects.get(key=row["later"])
    earlier = imp.findings.get(row["earlier"]) or Finding.objects.get(key=row["earlier"])
    force = imp.refs.orgs[row["force"]]
    if later.pk == earlier.pk:
        imp.reject(f"{where}.earlier", "a finding cannot be linked to itself")
    for name, finding in (("later", later), ("earlier", earlier)):
        if force not in finding_forces(finding):
            imp.reject(f"{where}.{name}", f"{finding.key} is not about {force}")
    if not earlier.report.published_on < later.report.published_on:
        imp.reject(f"{where}.later", "is not published after the earlier finding")
    imp.save(kinds.FINDING_LINK, row, where, later=later, earlier=earlier, force=force)


def _check_item_merge(
    imp: Importer,
    it: dict,
    where: str,
    values: dict,
    existing: TrackedItem | None,
    force: Organisation,
) -> None:
    """What the file says of an item must fit the item here: its people work for its force,
    it is the same item (uuid), its status is its history's last, and an existing item's
    status and original due date change only as its history says."""
    for name in ("owner", "lead"):
        person = values.get(name)
        if person is not None and person.organisation_id != force.pk:
            imp.reject(f"{where}.{name}", f"{person.email} does not work for {force}")
    if existing is not None and it.get("uuid") and str(existing.uuid) != str(it["uuid"]):
        imp.reject(
            f"{where}.uuid",
            "this finding is already tracked here for this force under another uuid; a file "
            "from another tracker would duplicate its history, so it is not merged",
        )
    changes = it.get("status_changes") or []
    if changes and "status" in values:
        last = max(changes, key=lambda c: timestamp(c["at"]))["to"]
        if last != values["status"]:
            imp.reject(
                f"{where}.status",
                f"is {values['status']!r} but the last status "
                f"change in the file moves it to {last!r}",
            )
    if existing is not None and not imp.only_missing:
        if "status" in values and values["status"] != existing.status and not changes:
            imp.reject(
                f"{where}.status", "a status change must come with its status_changes history row"
            )
        if (
            existing.original_due_date
            and "original_due_date" in values
            and values["original_due_date"] != existing.original_due_date
        ):
            imp.reject(
                f"{where}.original_due_date",
                "the original due date never changes; revise the due date instead",
            )


def _check_item_agrees_with_history(imp: Importer, item: TrackedItem, where: str) -> None:
    """After merging, the item must say what its history says: its status is the last status
    change's, its due date the last revision's, and closed_at is set exactly when closed. An
    older export imported over newer work fails here instead of silently rolling it back."""
    item.refresh_from_db()
    last_change = item.status_changes.order_by("-changed_at", "-id").first()
    if last_change and last_change.to_status != item.status:
        imp.reject(
            f"{where}.status",
            f"is {item.status!r} but the item's history ends at "
            f"{last_change.to_status!r} (is the file older?)",
        )
    last_revision = item.revisions.order_by("-recorded_at", "-id").first()
    expected_due = last_revision.new_date if last_revision else item.original_due_date
    if item.due_date != expected_due:
        imp.reject(
            f"{where}.due_date",
            f"is {item.due_date} but the item's due date history "
            f"gives {expected_due} (is the file older?)",
        )
    # A superseded item (issue 18) is closed too: it has closed_at as a closed one does.
    if (item.status in CLOSED_STATUSES) != (item.closed_at is not None):
        imp.reject(f"{where}.closed_at", "must be set when, and only when, the item is closed")


def _load_evidence(imp: Importer, ev: dict, where: str, item: TrackedItem) -> None:
    """Evidence rows and their files. Content in the file is checked like an upload (a
    renamed program is refused); the stored name is one this app would have made."""
    if Evidence.objects.filter(uuid=ev["uuid"]).exists():
        return
    if Evidence.objects.filter(stored_name=ev["stored_name"]).exists():
        imp.reject(f"{where}.stored_name", "another evidence file already uses this name")
    content_type = ev.get("content_type") or "application/octet-stream"
    size = ev.get("size") or 0
    path = evidence_path(ev["stored_name"])
    if ev.get("content_base64"):
        data = base64.b64decode(ev["content_base64"])
        try:
            checked = check_evidence(ev["original_name"], len(data), data, len(data) + 1)
        except EvidenceRejected as exc:
            imp.reject(f"{where}.content_base64", str(exc))
        content_type, size = checked.content_type, len(data)
        imp.write_file(path, data)
    imp.save(kinds.EVIDENCE, ev, where, item=item, content_type=content_type, size=size)


def _load_proposal(imp: Importer, cp: dict, where: str, item: TrackedItem) -> None:
    proposal, outcome = imp.save(kinds.CLOSURE_PROPOSAL, cp, where, item=item)
    if outcome == "created":
        proposal.evidence.set(Evidence.objects.filter(item=item, uuid__in=cp.get("evidence", [])))
    decision = cp.get("decision")
    if decision:
        where = f"{where}.decision"
        existing = ClosureDecision.objects.filter(proposal=proposal).first()
        if existing and str(existing.uuid) != str(decision["uuid"]):
            imp.reject(where, "this proposal already has a different decision")
        imp.save(kinds.CLOSURE_DECISION, decision, where, proposal=proposal)
