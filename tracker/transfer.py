"""Export the whole tracker as one JSON document, and import such a document back.

The format is described in docs/export-format.md. Import is an upsert keyed on stable
identifiers (organisation codes, email addresses, report and finding keys, uuids of items and
history rows), so importing the same file twice changes nothing the second time, and an
export imported into an empty database gives the same export back.

Import reads and checks the whole document before writing anything, then writes inside one
transaction: a bad file is refused with a list of what is wrong and nothing is saved.
"""

import base64
import datetime
import hashlib
import ipaddress
import uuid as uuidlib
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import Organisation, PolicingBodyTerm, Role, RoleAssignment, User
from tracker.evidence import STORED_NAME, EvidenceRejected, check_evidence, evidence_path
from tracker.models import (
    AuditEvent,
    ClosureDecision,
    ClosureProposal,
    DeadlineChange,
    DeadlineRule,
    DueDateRevision,
    Evidence,
    Finding,
    FindingKind,
    GradingScale,
    Judgement,
    ProgressReview,
    ProgressUpdate,
    Report,
    ReportType,
    ResponseVersion,
    Status,
    StatusChange,
    StatutoryResponse,
    TrackedItem,
)

FORMAT = "inspection-tracker"
VERSION = 1
RESPONSE_DATES = (
    "chief_officer_comments_requested_on",
    "chief_officer_comments_due_on",
    "chief_officer_comments_received_on",
    "published_on",
    "sent_to_inspectorate_on",
    "sent_to_home_secretary_on",
)


# --------------------------------------------------------------------------- export


def _d(value):
    return value.isoformat() if value else None


def _email(user):
    return user.email if user else None


def export_tracker(*, include_files: bool = True) -> dict:
    users = {u.pk: u for u in User.objects.all()}
    orgs = {o.pk: o for o in Organisation.objects.all()}

    def email(user_id):
        return users[user_id].email if user_id else None

    def code(org_id):
        return orgs[org_id].code if org_id else None

    roles: dict[int, list[str]] = {}
    for ra in RoleAssignment.objects.order_by("role"):
        roles.setdefault(ra.user_id, []).append(ra.role)

    doc = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "organisations": [
            {"code": o.code, "name": o.name, "short_name": o.short_name, "kind": o.kind}
            for o in sorted(orgs.values(), key=lambda o: o.code)
        ],
        "policing_body_terms": [
            {
                "force": code(t.force_id),
                "body": code(t.body_id),
                "starts_on": _d(t.starts_on),
                "ends_on": _d(t.ends_on),
            }
            for t in PolicingBodyTerm.objects.order_by("force__code", "starts_on", "body__code")
        ],
        "people": [
            {
                "email": u.email,
                "full_name": u.full_name,
                "job_title": u.job_title,
                "department": u.department,
                "organisation": code(u.organisation_id),
                "roles": roles.get(u.pk, []),
                "is_active": u.is_active,
                "is_staff": u.is_staff,
                "is_superuser": u.is_superuser,
                "date_joined": _d(u.date_joined),
            }
            for u in sorted(users.values(), key=lambda u: u.email)
        ],
        "reports": [],
        "items": [],
        "audit_events": [],
    }
    finding_keys = dict(Finding.objects.values_list("pk", "key"))
    for report in Report.objects.prefetch_related(
        "forces", "judgements", "findings", "statutory_responses__versions"
    ).order_by("key"):
        doc["reports"].append(
            {
                "key": report.key,
                "inspectorate": code(report.inspectorate_id),
                "inspectorate_label": report.inspectorate_label,
                "title": report.title,
                "report_type": report.report_type,
                "published_on": _d(report.published_on),
                "published_precision": report.published_precision,
                "url": report.url,
                "national": report.national,
                "grading_scale": report.grading_scale,
                "forces": sorted(f.code for f in report.forces.all()),
                "source_document": report.source_document,
                "notes": report.notes,
                "judgements": [
                    {
                        "area": j.area,
                        "reference": j.reference,
                        "grade": j.grade,
                        "direction": j.direction or None,
                        "note": j.note,
                        "force": code(j.force_id),
                        "order": j.order,
                    }
                    for j in report.judgements.all()
                ],
                "findings": [
                    {
                        "key": f.key,
                        "kind": f.kind,
                        "parent": finding_keys.get(f.parent_id),
                        "reference": f.reference,
                        "area": f.area,
                        "text": f.text,
                        "target_text": f.target_text,
                        "target_date": _d(f.target_date),
                        "force": code(f.force_id),
                        "order": f.order,
                    }
                    for f in report.findings.all()
                ],
                "statutory_responses": [
                    {
                        "uuid": str(r.uuid),
                        "body": code(r.body_id),
                        "force": code(r.force_id),
                        **{name: _d(getattr(r, name)) for name in RESPONSE_DATES},
                        "chief_officer_comments": r.chief_officer_comments,
                        "pcc_comments": r.pcc_comments,
                        "url": r.url,
                        "introduction": r.introduction,
                        "deadline_changes": _export_deadline_changes(r, email),
                        "versions": [
                            {
                                "uuid": str(v.uuid),
                                "number": v.number,
                                "published_on": _d(v.published_on),
                                "url": v.url,
                                "content": v.content,
                                "fingerprint": v.fingerprint,
                                "published_by": email(v.published_by_id),
                                "recorded_at": _d(v.recorded_at),
                            }
                            for v in sorted(r.versions.all(), key=lambda v: v.number)
                        ],
                    }
                    for r in sorted(
                        report.statutory_responses.all(), key=lambda r: code(r.force_id)
                    )
                ],
            }
        )

    items = (
        TrackedItem.objects.select_related("finding", "force")
        .prefetch_related(
            "status_changes",
            "revisions",
            "updates",
            "reviews",
            "evidence",
            "closure_proposals__evidence",
            "closure_proposals__decision",
            "deadlines__rule",
            "deadlines__changes",
        )
        .order_by("finding__key", "force__code")
    )
    for item in items:
        doc["items"].append(
            {
                "uuid": str(item.uuid),
                "finding": item.finding.key,
                "force": item.force.code,
                "owner": email(item.owner_id),
                "lead": email(item.lead_id),
                "status": item.status,
                "original_due_date": _d(item.original_due_date),
                "due_date": _d(item.due_date),
                "force_response": item.force_response,
                "pcc_response": item.pcc_response,
                "created_at": _d(item.created_at),
                "last_activity_at": _d(item.last_activity_at),
                "closed_at": _d(item.closed_at),
                "status_changes": [
                    {
                        "uuid": str(c.uuid),
                        "from": c.from_status or None,
                        "to": c.to_status,
                        "by": email(c.changed_by_id),
                        "at": _d(c.changed_at),
                        "reason": c.reason,
                    }
                    for c in item.status_changes.all()
                ],
                "due_date_revisions": [
                    {
                        "uuid": str(r.uuid),
                        "previous_date": _d(r.previous_date),
                        "new_date": _d(r.new_date),
                        "reason": r.reason,
                        "approved_by": email(r.approved_by_id),
                        "recorded_at": _d(r.recorded_at),
                    }
                    for r in item.revisions.all()
                ],
                "updates": [
                    {
                        "uuid": str(u.uuid),
                        "author": email(u.author_id),
                        "written_at": _d(u.written_at),
                        "text": u.text,
                    }
                    for u in item.updates.all()
                ],
                "reviews": [
                    {
                        "uuid": str(r.uuid),
                        "kind": r.kind,
                        "rating": r.rating,
                        "text": r.text,
                        "by": email(r.by_id),
                        "at": _d(r.at),
                    }
                    for r in item.reviews.all()
                ],
                "evidence": [
                    _export_evidence(e, email, include_files) for e in item.evidence.all()
                ],
                "closure_proposals": [
                    {
                        "uuid": str(p.uuid),
                        "proposed_by": email(p.proposed_by_id),
                        "proposed_at": _d(p.proposed_at),
                        "summary": p.summary,
                        "evidence": sorted(str(e.uuid) for e in p.evidence.all()),
                        "decision": _export_decision(p, email),
                    }
                    for p in item.closure_proposals.all()
                ],
                "deadline_changes": _export_deadline_changes(item, email),
            }
        )
    doc["audit_events"] = [
        {
            "uuid": str(a.uuid),
            "at": _d(a.at),
            "actor": email(a.actor_id),
            "action": a.action,
            "object_type": a.object_type,
            "object_id": a.object_id,
            "object_repr": a.object_repr,
            "changes": a.changes,
            "note": a.note,
            "source": a.source,
            "request_id": a.request_id,
            "ip_address": a.ip_address,
            "path": a.path,
        }
        for a in AuditEvent.objects.order_by("at", "id")
    ]
    return doc


def _export_evidence(e: Evidence, email, include_files: bool) -> dict:
    out = {
        "uuid": str(e.uuid),
        "stored_name": e.stored_name,
        "original_name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "sha256": e.sha256,
        "description": e.description,
        "uploaded_by": email(e.uploaded_by_id),
        "uploaded_at": _d(e.uploaded_at),
    }
    if include_files:
        path = evidence_path(e.stored_name)
        out["content_base64"] = (
            base64.b64encode(path.read_bytes()).decode("ascii") if path.exists() else None
        )
    return out


def _export_deadline_changes(owner, email) -> list[dict]:
    """Extensions, pauses and resumptions of an item's or response's deadlines (the deadlines
    themselves are worked out again from the rules on import)."""
    return [
        {
            "uuid": str(ch.uuid),
            "rule": d.rule.key,
            "kind": ch.kind,
            "on_date": _d(ch.on_date),
            "previous_due_on": _d(ch.previous_due_on),
            "reason": ch.reason,
            "approved_by": ch.approved_by,
            "approved_on": _d(ch.approved_on),
            "recorded_by": email(ch.recorded_by_id),
            "recorded_at": _d(ch.recorded_at),
        }
        for d in sorted(owner.deadlines.all(), key=lambda d: d.rule.key)
        for ch in d.changes.all()
        if ch.kind != DeadlineChange.Kind.RECALCULATED
    ]


def _export_decision(p: ClosureProposal, email):
    d = getattr(p, "decision", None)
    if d is None:
        return None
    return {
        "uuid": str(d.uuid),
        "outcome": d.outcome,
        "decided_by": email(d.decided_by_id),
        "decided_at": _d(d.decided_at),
        "reason": d.reason,
    }


# --------------------------------------------------------------------------- import


class ImportRejected(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:20]
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("The file was not imported:\n  " + "\n  ".join(shown) + more)


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, outcome: str | None):
        if outcome == "created":
            self.created[kind] = self.created.get(kind, 0) + 1
        elif outcome == "updated":
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "Nothing changed: everything in the file was already here."
        parts = [f"created {n} {k}" for k, n in sorted(self.created.items())]
        parts += [f"updated {n} {k}" for k, n in sorted(self.updated.items())]
        return "Imported: " + ", ".join(parts) + "."


class _Checker:
    """Walks the document and collects every problem, with where it is."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, message: str):
        self.problems.append(f"{where}: {message}")

    def obj(self, value, where) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
            return {}
        return value

    def list(self, parent: dict, name: str, where: str, required=False) -> list:
        value = parent.get(name, [] if not required else None)
        if value is None and required:
            self.fail(where, f"“{name}” is missing")
            return []
        if not isinstance(value, list):
            self.fail(f"{where}.{name}", "must be a list")
            return []
        return value

    def text(self, parent, name, where, required=False, max_length=None) -> str:
        value = parent.get(name)
        if value is None or value == "":
            if required:
                self.fail(where, f"“{name}” is missing")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{name}", "must be text")
            return ""
        if max_length and len(value) > max_length:
            self.fail(f"{where}.{name}", f"must be {max_length} characters or fewer")
        return value

    def choice(self, parent, name, where, choices, required=True, default=None):
        value = parent.get(name, default)
        if value is None and not required:
            return None
        if value not in choices:
            self.fail(f"{where}.{name}", f"{value!r} is not one of {', '.join(map(str, choices))}")
            return None
        return value

    def _parsed(self, parent, name, where, required, parse, accept, describe):
        value = parent.get(name)
        if value in (None, ""):
            if required:
                self.fail(where, f"“{name}” is missing")
            return None
        try:
            parsed = parse(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or not accept(parsed):
            self.fail(f"{where}.{name}", f"{value!r} is not {describe}")
            return None
        return parsed

    def date(self, parent, name, where, required=False):
        return self._parsed(
            parent,
            name,
            where,
            required,
            parse_date,
            lambda d: True,
            "a date in the form YYYY-MM-DD",
        )

    def datetime(self, parent, name, where, required=False):
        return self._parsed(
            parent,
            name,
            where,
            required,
            parse_datetime,
            lambda d: d.tzinfo is not None and 1900 <= d.year <= 2200,
            "a date and time with a UTC offset, between 1900 and 2200",
        )

    def uuid(self, parent, name, where, required=False):
        value = parent.get(name)
        if value in (None, ""):
            if required:
                self.fail(where, f"“{name}” is missing")
            return None
        try:
            if not isinstance(value, str):
                raise ValueError
            return uuidlib.UUID(value)
        except ValueError:
            self.fail(f"{where}.{name}", f"{value!r} is not a uuid")
            return None

    def whole(self, parent, name, where):
        value = parent.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            self.fail(f"{where}.{name}", f"{value!r} is not a whole number of 0 or more")

    def bool(self, parent, name, where, default=False):
        value = parent.get(name, default)
        if not isinstance(value, bool):
            self.fail(f"{where}.{name}", "must be true or false")
            return default
        return value


def check_document(doc) -> list[str]:
    """Every problem with the document, or an empty list. Reads the database only to resolve
    references to organisations and people that the file does not itself contain."""
    c = _Checker()
    response_changes: list = []
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return [f'this is not an inspection tracker export (expected "format": "{FORMAT}")']
    if doc.get("version") != VERSION:
        return [f"version {doc.get('version')!r} is not supported (this version reads {VERSION})"]

    org_codes = set(Organisation.objects.values_list("code", flat=True))
    org_kinds = dict(Organisation.objects.values_list("code", "kind"))
    for i, o in enumerate(c.list(doc, "organisations", "file")):
        where = f"organisations[{i}]"
        o = c.obj(o, where)
        code = c.text(o, "code", where, required=True, max_length=80)
        c.text(o, "name", where, required=True, max_length=200)
        kind = c.choice(o, "kind", where, Organisation.Kind.values)
        if code:
            org_codes.add(code)
            org_kinds[code] = kind

    def org_ref(value, where, kind=None, required=True):
        if value in (None, ""):
            if required:
                c.fail(where, "is missing")
            return
        if not isinstance(value, str):
            c.fail(where, "must be an organisation code")
        elif value not in org_codes:
            c.fail(where, f"no organisation with code {value!r}")
        elif kind and org_kinds.get(value) != kind:
            c.fail(where, f"{value!r} is not a {Organisation.Kind(kind).label.lower()}")

    for i, t in enumerate(c.list(doc, "policing_body_terms", "file")):
        where = f"policing_body_terms[{i}]"
        t = c.obj(t, where)
        org_ref(t.get("force"), f"{where}.force", Organisation.Kind.FORCE)
        org_ref(t.get("body"), f"{where}.body", Organisation.Kind.LOCAL_POLICING_BODY)
        c.date(t, "starts_on", where)
        c.date(t, "ends_on", where)

    emails = set(User.objects.values_list("email", flat=True))
    for i, p in enumerate(c.list(doc, "people", "file")):
        where = f"people[{i}]"
        p = c.obj(p, where)
        email = c.text(p, "email", where, required=True, max_length=254).lower()
        if email and "@" not in email:
            c.fail(f"{where}.email", f"{email!r} is not an email address")
        c.text(p, "full_name", where, required=True, max_length=200)
        org_ref(p.get("organisation"), f"{where}.organisation", required=False)
        for flag in ("is_active", "is_staff", "is_superuser"):
            c.bool(p, flag, where, default=True)
        c.datetime(p, "date_joined", where)
        for role in c.list(p, "roles", where):
            if role not in Role.values:
                c.fail(f"{where}.roles", f"{role!r} is not a role")
        emails.add(email)

    def person_ref(value, where):
        if value not in (None, "") and not isinstance(value, str):
            c.fail(where, "must be an email address")
        elif value not in (None, "") and value.lower() not in emails:
            c.fail(where, f"no person with email {value!r}")

    finding_keys = set(Finding.objects.values_list("key", flat=True))
    report_published: dict[str, datetime.date] = dict(
        Finding.objects.values_list("key", "report__published_on")
    )
    file_finding_keys: set[str] = set()
    for i, r in enumerate(c.list(doc, "reports", "file")):
        where = f"reports[{i}]"
        r = c.obj(r, where)
        c.text(r, "key", where, required=True, max_length=120)
        c.text(r, "title", where, required=True, max_length=400)
        org_ref(r.get("inspectorate"), f"{where}.inspectorate", Organisation.Kind.INSPECTORATE)
        c.choice(r, "report_type", where, ReportType.values)
        published = c.date(r, "published_on", where, required=True)
        c.choice(r, "published_precision", where, Report.Precision.values, default="day")
        c.choice(r, "grading_scale", where, GradingScale.values)
        c.bool(r, "national", where)
        for j, code in enumerate(c.list(r, "forces", where)):
            org_ref(code, f"{where}.forces[{j}]", Organisation.Kind.FORCE)
        for j, jd in enumerate(c.list(r, "judgements", where)):
            w = f"{where}.judgements[{j}]"
            jd = c.obj(jd, w)
            c.text(jd, "area", w, required=True, max_length=400)
            c.text(jd, "grade", w, required=True, max_length=40)
            c.whole(jd, "order", w)
            org_ref(jd.get("force"), f"{w}.force", Organisation.Kind.FORCE, required=False)
        local_keys = set()
        for j, f in enumerate(c.list(r, "findings", where)):
            w = f"{where}.findings[{j}]"
            f = c.obj(f, w)
            key = c.text(f, "key", w, required=True, max_length=160)
            if key in local_keys or key in file_finding_keys:
                c.fail(f"{w}.key", f"{key!r} appears twice in the file")
            local_keys.add(key)
            c.choice(f, "kind", w, FindingKind.values)
            c.whole(f, "order", w)
            c.text(f, "text", w, required=True)
            c.date(f, "target_date", w)
            org_ref(f.get("force"), f"{w}.force", Organisation.Kind.FORCE, required=False)
            if published:
                report_published[key] = published
        listed = r.get("findings")
        for j, f in enumerate(listed if isinstance(listed, list) else []):
            parent = f.get("parent") if isinstance(f, dict) else None
            if parent and (not isinstance(parent, str) or parent not in local_keys):
                c.fail(f"{where}.findings[{j}].parent", f"no finding {parent!r} in this report")
        finding_keys |= local_keys
        file_finding_keys |= local_keys
        for j, s in enumerate(c.list(r, "statutory_responses", where)):
            w = f"{where}.statutory_responses[{j}]"
            s = c.obj(s, w)
            c.uuid(s, "uuid", w)
            org_ref(s.get("body"), f"{w}.body", Organisation.Kind.LOCAL_POLICING_BODY)
            org_ref(s.get("force"), f"{w}.force", Organisation.Kind.FORCE)
            for name in RESPONSE_DATES:
                c.date(s, name, w)
            c.text(s, "introduction", w)
            for k, v in enumerate(c.list(s, "versions", w)):
                vw = f"{w}.versions[{k}]"
                v = c.obj(v, vw)
                c.uuid(v, "uuid", vw, required=True)
                c.date(v, "published_on", vw, required=True)
                c.datetime(v, "recorded_at", vw, required=True)
                c.text(v, "fingerprint", vw, required=True, max_length=64)
                if not isinstance(v.get("number"), int) or v.get("number", 0) < 1:
                    c.fail(f"{vw}.number", "must be a whole number, 1 or more")
                if not isinstance(v.get("content"), dict):
                    c.fail(f"{vw}.content", "must be the published document's content (an object)")
            response_changes.append((s, w))

    seen_uuids: set[str] = set()

    def unique_uuid(parent, where, required=True):
        value = c.uuid(parent, "uuid", where, required=required)
        if value is not None:
            if str(value) in seen_uuids:
                c.fail(f"{where}.uuid", f"{value} appears twice in the file")
            seen_uuids.add(str(value))

    rule_keys = set(DeadlineRule.objects.values_list("key", flat=True))

    def deadline_changes(parent, where):
        for j, ch in enumerate(c.list(parent, "deadline_changes", where)):
            w = f"{where}.deadline_changes[{j}]"
            ch = c.obj(ch, w)
            unique_uuid(ch, w)
            rule = c.text(ch, "rule", w, required=True)
            if rule and rule not in rule_keys:
                c.fail(f"{w}.rule", f"there is no deadline rule {rule!r}")
            c.choice(ch, "kind", w, [k for k in DeadlineChange.Kind.values if k != "recalculated"])
            c.date(ch, "on_date", w, required=True)
            c.date(ch, "previous_due_on", w)
            c.date(ch, "approved_on", w)
            person_ref(ch.get("recorded_by"), f"{w}.recorded_by")
            c.datetime(ch, "recorded_at", w, required=True)

    for s, w in response_changes:
        deadline_changes(s, w)

    stored_names: set[str] = set()
    for i, it in enumerate(c.list(doc, "items", "file")):
        where = f"items[{i}]"
        it = c.obj(it, where)
        unique_uuid(it, where, required=False)
        fkey = c.text(it, "finding", where, required=True)
        if fkey and fkey not in finding_keys:
            c.fail(f"{where}.finding", f"no finding with key {fkey!r}")
        org_ref(it.get("force"), f"{where}.force", Organisation.Kind.FORCE)
        person_ref(it.get("owner"), f"{where}.owner")
        person_ref(it.get("lead"), f"{where}.lead")
        c.choice(it, "status", where, Status.values, default=Status.NOT_STARTED)
        due = c.date(it, "due_date", where)
        c.date(it, "original_due_date", where)
        published = report_published.get(fkey)
        if due and published and due < published:
            c.fail(f"{where}.due_date", "is before the report's publication date")
        for name in ("created_at", "last_activity_at", "closed_at"):
            c.datetime(it, name, where)
        for j, sc in enumerate(c.list(it, "status_changes", where)):
            w = f"{where}.status_changes[{j}]"
            sc = c.obj(sc, w)
            unique_uuid(sc, w)
            c.choice(sc, "from", w, Status.values, required=False)
            c.choice(sc, "to", w, Status.values)
            person_ref(sc.get("by"), f"{w}.by")
            c.datetime(sc, "at", w, required=True)
        for j, rv in enumerate(c.list(it, "due_date_revisions", where)):
            w = f"{where}.due_date_revisions[{j}]"
            rv = c.obj(rv, w)
            unique_uuid(rv, w)
            c.date(rv, "previous_date", w)
            c.date(rv, "new_date", w, required=True)
            c.text(rv, "reason", w, required=True)
            person_ref(rv.get("approved_by"), f"{w}.approved_by")
            c.datetime(rv, "recorded_at", w, required=True)
        deadline_changes(it, where)
        for j, up in enumerate(c.list(it, "updates", where)):
            w = f"{where}.updates[{j}]"
            up = c.obj(up, w)
            unique_uuid(up, w)
            c.text(up, "text", w, required=True)
            person_ref(up.get("author"), f"{w}.author")
            c.datetime(up, "written_at", w, required=True)
        for j, rv in enumerate(c.list(it, "reviews", where)):
            w = f"{where}.reviews[{j}]"
            rv = c.obj(rv, w)
            unique_uuid(rv, w)
            if rv.get("kind") not in ProgressReview.Kind.values:
                c.fail(f"{w}.kind", f"must be one of {', '.join(ProgressReview.Kind.values)}")
            if rv.get("rating", "") not in ["", *ProgressReview.Rating.values]:
                c.fail(f"{w}.rating", "must be green, amber, red or empty")
            c.text(rv, "text", w)
            person_ref(rv.get("by"), f"{w}.by")
            c.datetime(rv, "at", w, required=True)
        evidence_ids = set()
        for j, ev in enumerate(c.list(it, "evidence", where)):
            w = f"{where}.evidence[{j}]"
            ev = c.obj(ev, w)
            unique_uuid(ev, w)
            evidence_ids.add(str(ev.get("uuid")))
            stored = c.text(ev, "stored_name", w, required=True)
            if stored and not STORED_NAME.fullmatch(stored):
                c.fail(
                    f"{w}.stored_name",
                    f"{stored!r} is not a name this app stores files "
                    "under (32 hex digits and an allowed extension)",
                )
            if stored in stored_names:
                c.fail(f"{w}.stored_name", "is used by two evidence files")
            stored_names.add(stored)
            c.text(ev, "original_name", w, required=True)
            c.text(ev, "sha256", w, required=True)
            c.whole(ev, "size", w)
            c.datetime(ev, "uploaded_at", w, required=True)
            person_ref(ev.get("uploaded_by"), f"{w}.uploaded_by")
            content = ev.get("content_base64")
            if content:
                try:
                    data = base64.b64decode(content, validate=True)
                except (ValueError, TypeError):
                    c.fail(f"{w}.content_base64", "is not valid base64")
                else:
                    if hashlib.sha256(data).hexdigest() != ev.get("sha256"):
                        c.fail(f"{w}.content_base64", "does not match its sha256")
        for j, cp in enumerate(c.list(it, "closure_proposals", where)):
            w = f"{where}.closure_proposals[{j}]"
            cp = c.obj(cp, w)
            unique_uuid(cp, w)
            c.text(cp, "summary", w, required=True)
            person_ref(cp.get("proposed_by"), f"{w}.proposed_by")
            c.datetime(cp, "proposed_at", w, required=True)
            for e in c.list(cp, "evidence", w):
                if str(e) not in evidence_ids:
                    c.fail(f"{w}.evidence", f"{e!r} is not one of this item's evidence files")
            decision = cp.get("decision")
            if decision is not None:
                dw = f"{w}.decision"
                decision = c.obj(decision, dw)
                unique_uuid(decision, dw)
                c.choice(decision, "outcome", dw, ClosureDecision.Outcome.values)
                person_ref(decision.get("decided_by"), f"{dw}.decided_by")
                c.datetime(decision, "decided_at", dw, required=True)
                decider, proposer = decision.get("decided_by"), cp.get("proposed_by")
                if (
                    isinstance(decider, str)
                    and isinstance(proposer, str)
                    and decider.lower() == proposer.lower()
                ):
                    c.fail(dw, "the person who proposed closure cannot also decide it")

    for i, a in enumerate(c.list(doc, "audit_events", "file")):
        where = f"audit_events[{i}]"
        a = c.obj(a, where)
        c.uuid(a, "uuid", where, required=True)
        c.datetime(a, "at", where, required=True)
        c.choice(a, "action", where, AuditEvent.Action.values)
        changes = a.get("changes") or {}
        if not isinstance(changes, dict) or not all(
            isinstance(v, list) and len(v) == 2 for v in changes.values()
        ):
            c.fail(f"{where}.changes", "must map each field to [before, after]")
        if a.get("ip_address"):
            try:
                ipaddress.ip_address(a["ip_address"])
            except ValueError:
                c.fail(f"{where}.ip_address", "must be an IP address or empty")
        person_ref(a.get("actor"), f"{where}.actor")
    return c.problems


def _dt(value):
    return parse_datetime(value) if value else None


def _date(value):
    return parse_date(value) if value else None


def _text(value):
    return value or ""


def _given(source: dict, converters: dict) -> dict:
    """The fields the file gives, converted. Absent fields are left out, so a partial
    document (like the seed files) never wipes what people have recorded."""
    return {
        name: convert(source.get(name)) for name, convert in converters.items() if name in source
    }


class _Importer:
    """Writes a checked document. Every row is validated like a form would validate it
    (lengths, choices, URLs, slugs) before it is saved; the first problem stops the import,
    the transaction rolls back and files written so far are removed."""

    def __init__(self, *, now, only_missing: bool):
        self.now = now
        self.only_missing = only_missing
        self.result = ImportResult()
        self.written_files = []

    def reject(self, where, message):
        raise ImportRejected([f"{where}: {message}"])

    def _validate(self, row, where):
        try:
            row.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            problems = [
                f"{where}.{field}: {' '.join(messages)}"
                for field, messages in exc.message_dict.items()
            ]
            raise ImportRejected(problems) from None

    def upsert(self, kind, model, lookup: dict, values: dict, where: str, create_defaults=None):
        """Create the row, or update only the fields that differ."""
        row = model.objects.filter(**lookup).first()
        if row is None:
            row = model(**lookup, **{**(create_defaults or {}), **values})
            self._validate(row, where)
            row.save()
            self.result.add(kind, "created")
            return row, "created"
        if self.only_missing:
            return row, None
        changed = [k for k, v in values.items() if getattr(row, k) != v]
        if not changed:
            return row, None
        for k in changed:
            setattr(row, k, values[k])
        self._validate(row, where)
        row.save(update_fields=changed)
        self.result.add(kind, "updated")
        return row, "updated"

    def create_once(self, kind, model, uuid_value, values: dict, where: str):
        """Append-only rows: created when their uuid is new, otherwise left as they are."""
        existing = model.objects.filter(uuid=uuid_value).first()
        if existing is not None:
            return existing, None
        row = model(uuid=uuid_value, **values)
        self._validate(row, where)
        row.save()
        self.result.add(kind, "created")
        return row, "created"

    def write_file(self, path, data: bytes):
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.written_files.append(path)

    def remove_written_files(self):
        for path in self.written_files:
            path.unlink(missing_ok=True)


def import_tracker(
    doc, *, now: datetime.datetime | None = None, only_missing: bool = False
) -> ImportResult:
    """Check and load a document. With only_missing, rows that already exist are left
    exactly as they are (used for reference data, so reloading never undoes an edit)."""
    problems = check_document(doc)
    if problems:
        raise ImportRejected(problems)
    importer = _Importer(now=now or timezone.now(), only_missing=only_missing)
    try:
        with transaction.atomic():
            _import(doc, importer)
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


def _import(doc, imp: _Importer):
    for i, o in enumerate(doc.get("organisations", [])):
        values = _given(o, {"name": str, "short_name": str, "kind": str})
        values.setdefault("short_name", o.get("name"))
        imp.upsert(
            "organisations", Organisation, {"code": o["code"]}, values, f"organisations[{i}]"
        )
    orgs = {o.code: o for o in Organisation.objects.all()}

    for i, t in enumerate(doc.get("policing_body_terms", [])):
        imp.upsert(
            "policing body terms",
            PolicingBodyTerm,
            {
                "force": orgs[t["force"]],
                "body": orgs[t["body"]],
                "starts_on": _date(t.get("starts_on")),
            },
            _given(t, {"ends_on": _date}),
            f"policing_body_terms[{i}]",
        )

    for i, p in enumerate(doc.get("people", [])):
        where = f"people[{i}]"
        email = p["email"].lower()
        values = _given(
            p,
            {
                "full_name": str,
                "job_title": _text,
                "department": _text,
                "organisation": orgs.get,
                "is_active": bool,
                "is_staff": bool,
                "is_superuser": bool,
                "date_joined": _dt,
            },
        )
        if values.get("date_joined") is None:
            values.pop("date_joined", None)
        # Passwords are never in the file: new people cannot sign in until one is set.
        user, outcome = imp.upsert(
            "people",
            User,
            {"email": email},
            values,
            where,
            create_defaults={"password": make_password(None)},
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
                imp.result.add("people", "updated")
    people = {u.email: u for u in User.objects.all()}

    def person(email):
        return people[email.lower()] if email else None

    findings: dict[str, Finding] = {}
    for i, r in enumerate(doc.get("reports", [])):
        where = f"reports[{i}]"
        values = _given(
            r,
            {
                "inspectorate": orgs.get,
                "inspectorate_label": _text,
                "title": str,
                "report_type": str,
                "published_on": _date,
                "published_precision": str,
                "url": _text,
                "national": bool,
                "grading_scale": str,
                "source_document": _text,
                "notes": _text,
            },
        )
        if not values.get("inspectorate_label"):
            values["inspectorate_label"] = orgs[r["inspectorate"]].short_name
        report, outcome = imp.upsert("reports", Report, {"key": r["key"]}, values, where)
        if "forces" in r and not (imp.only_missing and outcome is None):
            wanted = {orgs[code].pk for code in r["forces"]}
            if wanted != set(report.forces.values_list("pk", flat=True)):
                report.forces.set(wanted)
                if outcome is None:
                    imp.result.add("reports", "updated")
        for j, jd in enumerate(r.get("judgements", [])):
            imp.upsert(
                "judgements",
                Judgement,
                {"report": report, "area": jd["area"], "force": orgs.get(jd.get("force"))},
                {
                    **_given(
                        jd,
                        {
                            "reference": _text,
                            "grade": str,
                            "direction": _text,
                            "note": _text,
                            "order": int,
                        },
                    )
                },
                f"{where}.judgements[{j}]",
            )
        # Parents first, so a recommendation can point at its cause of concern.
        ordered = sorted(enumerate(r.get("findings", [])), key=lambda e: bool(e[1].get("parent")))
        for j, f in ordered:
            values = _given(
                f,
                {
                    "kind": str,
                    "reference": _text,
                    "area": _text,
                    "text": str,
                    "target_text": _text,
                    "target_date": _date,
                    "force": orgs.get,
                    "order": int,
                },
            )
            values["report"] = report
            if "parent" in f:
                values["parent"] = findings.get(f["parent"]) if f["parent"] else None
            finding, _ = imp.upsert(
                "findings", Finding, {"key": f["key"]}, values, f"{where}.findings[{j}]"
            )
            findings[finding.key] = finding
        for j, sr in enumerate(r.get("statutory_responses", [])):
            lookup = {"report": report, "force": orgs[sr["force"]]}
            values = _given(
                sr,
                {
                    "body": orgs.get,
                    "chief_officer_comments": _text,
                    "pcc_comments": _text,
                    "url": _text,
                    "introduction": _text,
                    **{name: _date for name in RESPONSE_DATES},
                },
            )
            if sr.get("uuid") and not StatutoryResponse.objects.filter(**lookup).exists():
                values["uuid"] = uuidlib.UUID(sr["uuid"])
            response, _ = imp.upsert(
                "statutory responses",
                StatutoryResponse,
                lookup,
                values,
                f"{where}.statutory_responses[{j}]",
            )
            if sr.get("deadline_changes"):
                _import_deadline_changes(
                    sr, f"{where}.statutory_responses[{j}]", imp, person, response=response
                )
            for k, v in enumerate(sr.get("versions", [])):
                # Published versions are kept exactly as published: created once, by uuid.
                imp.create_once(
                    "published response versions",
                    ResponseVersion,
                    uuidlib.UUID(v["uuid"]),
                    {
                        "response": response,
                        "number": v["number"],
                        "published_on": _date(v["published_on"]),
                        "url": _text(v.get("url")),
                        "content": v["content"],
                        "fingerprint": v["fingerprint"],
                        "published_by": person(v.get("published_by")),
                        "recorded_at": _dt(v["recorded_at"]),
                    },
                    f"{where}.statutory_responses[{j}].versions[{k}]",
                )

    for i, it in enumerate(doc.get("items", [])):
        _import_item(it, f"items[{i}]", imp, findings, orgs, person)

    for i, a in enumerate(doc.get("audit_events", [])):
        imp.create_once(
            "audit events",
            AuditEvent,
            uuidlib.UUID(a["uuid"]),
            {
                "at": _dt(a["at"]),
                "actor": person(a.get("actor")),
                "action": a["action"],
                "object_type": _text(a.get("object_type")),
                "object_id": _text(a.get("object_id")),
                "object_repr": _text(a.get("object_repr")),
                "changes": a.get("changes") or {},
                "note": _text(a.get("note")),
                "source": _text(a.get("source"))[:20],
                "request_id": _text(a.get("request_id"))[:32],
                "ip_address": a.get("ip_address") or None,
                "path": _text(a.get("path"))[:300],
            },
            f"audit_events[{i}]",
        )

    if imp.result.changed:
        from tracker.audit import audit_context_fields

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


def _import_item(it, where, imp: _Importer, findings, orgs, person):
    from tracker.services import finding_forces

    finding = findings.get(it["finding"]) or Finding.objects.get(key=it["finding"])
    force = orgs[it["force"]]
    if force not in finding_forces(finding):
        imp.reject(f"{where}.force", f"{force} is not one of the forces {finding.key} is about")
    values = _given(
        it,
        {
            "owner": person,
            "lead": person,
            "status": lambda v: v or Status.NOT_STARTED,
            "original_due_date": _date,
            "due_date": _date,
            "force_response": _text,
            "pcc_response": _text,
            "created_at": _dt,
            "last_activity_at": _dt,
            "closed_at": _dt,
        },
    )
    for name in ("owner", "lead"):
        person_ = values.get(name)
        if person_ is not None and person_.organisation_id != force.pk:
            imp.reject(f"{where}.{name}", f"{person_.email} does not work for {force}")

    existing = TrackedItem.objects.filter(finding=finding, force=force).first()
    if existing is not None and it.get("uuid") and str(existing.uuid) != str(it["uuid"]):
        imp.reject(
            f"{where}.uuid",
            "this finding is already tracked here for this force under another uuid; a file "
            "from another tracker would duplicate its history, so it is not merged",
        )
    changes = it.get("status_changes") or []
    if changes and "status" in values:
        last = max(changes, key=lambda c: _dt(c["at"]))["to"]
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
    if existing is None:
        values["created_at"] = values.get("created_at") or imp.now
        values["last_activity_at"] = values.get("last_activity_at") or values["created_at"]
        if it.get("uuid"):
            values["uuid"] = uuidlib.UUID(it["uuid"])
    else:
        for name in ("created_at", "last_activity_at"):
            if name in values and values[name] is None:
                values.pop(name)
    item, outcome = imp.upsert(
        "items", TrackedItem, {"finding": finding, "force": force}, values, where
    )
    if outcome == "created" and not changes:
        StatusChange.objects.create(
            item=item,
            from_status="",
            to_status=item.status,
            changed_at=item.created_at,
            reason="Item imported",
        )

    for j, sc in enumerate(changes):
        imp.create_once(
            "status changes",
            StatusChange,
            uuidlib.UUID(sc["uuid"]),
            {
                "item": item,
                "from_status": _text(sc.get("from")),
                "to_status": sc["to"],
                "changed_by": person(sc.get("by")),
                "changed_at": _dt(sc["at"]),
                "reason": _text(sc.get("reason")),
            },
            f"{where}.status_changes[{j}]",
        )
    for j, rv in enumerate(it.get("due_date_revisions", [])):
        imp.create_once(
            "due date revisions",
            DueDateRevision,
            uuidlib.UUID(rv["uuid"]),
            {
                "item": item,
                "previous_date": _date(rv.get("previous_date")),
                "new_date": _date(rv["new_date"]),
                "reason": rv["reason"],
                "approved_by": person(rv.get("approved_by")),
                "recorded_at": _dt(rv["recorded_at"]),
            },
            f"{where}.due_date_revisions[{j}]",
        )
    for j, up in enumerate(it.get("updates", [])):
        imp.create_once(
            "progress updates",
            ProgressUpdate,
            uuidlib.UUID(up["uuid"]),
            {
                "item": item,
                "author": person(up.get("author")),
                "written_at": _dt(up["written_at"]),
                "text": up["text"],
            },
            f"{where}.updates[{j}]",
        )
    for j, rv in enumerate(it.get("reviews", [])):
        imp.create_once(
            "progress reviews",
            ProgressReview,
            uuidlib.UUID(rv["uuid"]),
            {
                "item": item,
                "kind": rv["kind"],
                "rating": rv.get("rating") or "",
                "text": _text(rv.get("text")),
                "by": person(rv.get("by")),
                "at": _dt(rv["at"]),
            },
            f"{where}.reviews[{j}]",
        )
    for j, ev in enumerate(it.get("evidence", [])):
        _import_evidence(ev, f"{where}.evidence[{j}]", imp, item, person)
    for j, cp in enumerate(it.get("closure_proposals", [])):
        w = f"{where}.closure_proposals[{j}]"
        proposal, outcome = imp.create_once(
            "closure proposals",
            ClosureProposal,
            uuidlib.UUID(cp["uuid"]),
            {
                "item": item,
                "proposed_by": person(cp.get("proposed_by")),
                "proposed_at": _dt(cp["proposed_at"]),
                "summary": cp["summary"],
            },
            w,
        )
        if outcome == "created":
            proposal.evidence.set(
                Evidence.objects.filter(item=item, uuid__in=cp.get("evidence", []))
            )
        d = cp.get("decision")
        if d:
            existing_decision = ClosureDecision.objects.filter(proposal=proposal).first()
            if existing_decision and str(existing_decision.uuid) != str(d["uuid"]):
                imp.reject(f"{w}.decision", "this proposal already has a different decision")
            imp.create_once(
                "closure decisions",
                ClosureDecision,
                uuidlib.UUID(d["uuid"]),
                {
                    "proposal": proposal,
                    "outcome": d["outcome"],
                    "decided_by": person(d.get("decided_by")),
                    "decided_at": _dt(d["decided_at"]),
                    "reason": _text(d.get("reason")),
                },
                f"{w}.decision",
            )

    _check_item_agrees_with_history(item, where, imp)
    if it.get("deadline_changes"):
        _import_deadline_changes(it, where, imp, person, item=item)


def _import_deadline_changes(parent, where, imp, person, *, item=None, response=None):
    """Extensions and pauses: the deadline is worked out from the rules first, then each
    change is added (once, by uuid) and the deadline worked out again with it."""
    from tracker import reminders  # reminders imports services, which imports this module

    now = timezone.now()

    def sync():
        if item is not None:
            reminders.deadlines_sync_item(item=item, now=now)
        else:
            reminders.deadlines_sync_response(response=response, now=now)

    sync()
    owner = item if item is not None else response
    for j, ch in enumerate(parent["deadline_changes"]):
        w = f"{where}.deadline_changes[{j}]"
        deadline = owner.deadlines.filter(rule__key=ch["rule"]).first()
        if deadline is None:
            imp.reject(f"{w}.rule", f"the rule {ch['rule']!r} gives no deadline here")
            continue
        imp.create_once(
            "deadline changes",
            DeadlineChange,
            uuidlib.UUID(ch["uuid"]),
            {
                "deadline": deadline,
                "kind": ch["kind"],
                "on_date": _date(ch["on_date"]),
                "previous_due_on": _date(ch.get("previous_due_on")),
                "reason": _text(ch.get("reason")),
                "approved_by": _text(ch.get("approved_by")),
                "approved_on": _date(ch.get("approved_on")),
                "recorded_by": person(ch.get("recorded_by")),
                "recorded_at": _dt(ch["recorded_at"]),
            },
            w,
        )
    sync()


def _check_item_agrees_with_history(item, where, imp: _Importer):
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
    if (item.status == Status.CLOSED) != (item.closed_at is not None):
        imp.reject(f"{where}.closed_at", "must be set when, and only when, the item is closed")


def _import_evidence(ev, where, imp: _Importer, item, person):
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
    imp.create_once(
        "evidence files",
        Evidence,
        uuidlib.UUID(ev["uuid"]),
        {
            "item": item,
            "stored_name": ev["stored_name"],
            "original_name": ev["original_name"],
            "content_type": content_type,
            "size": size,
            "sha256": ev["sha256"],
            "description": _text(ev.get("description")),
            "uploaded_by": person(ev.get("uploaded_by")),
            "uploaded_at": _dt(ev["uploaded_at"]),
        },
        where,
    )
