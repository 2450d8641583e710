"""Write the whole tracker as one JSON document (the format is in docs/export-format.md).

Rows refer to each other by stable keys (organisation codes, email addresses, report and
finding keys, uuids), never by database ids, so the file can be imported elsewhere.
"""

import base64
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import (
    Organisation,
    PolicingBodyTerm,
    ProtectiveMarking,
    RoleAssignment,
    User,
)
from tracker.evidence import evidence_path
from tracker.models import (
    AuditEvent,
    ClosureProposal,
    DeadlineChange,
    Evidence,
    Finding,
    FindingLink,
    FunctionTransfer,
    Judgement,
    LinkState,
    Report,
    ReportEdition,
    ResponseVersion,
    StatutoryResponse,
    TrackedItem,
)
from tracker.transfer.kinds import FORMAT, RESPONSE_DATES, VERSION


def _d(value):
    return value.isoformat() if value else None


@dataclass(frozen=True)
class _Names:
    """How the file names people, organisations and markings: by email, code and label."""

    users: dict[int, User]
    orgs: dict[int, Organisation]
    markings: dict[int, ProtectiveMarking]

    def email(self, user_id: int | None) -> str | None:
        return self.users[user_id].email if user_id else None

    def code(self, org_id: int | None) -> str | None:
        return self.orgs[org_id].code if org_id else None

    def label(self, marking_id: int | None) -> str | None:
        return self.markings[marking_id].label if marking_id else None


def export_tracker(*, include_files: bool = True) -> dict:
    names = _Names(
        users={u.pk: u for u in User.objects.all()},
        orgs={o.pk: o for o in Organisation.objects.all()},
        markings={m.pk: m for m in ProtectiveMarking.objects.all()},
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "protective_markings": [
            {
                "label": m.label,
                "description": m.description,
                "rank": m.rank,
                "active": m.active,
            }
            for m in sorted(names.markings.values(), key=lambda m: m.rank)
        ],
        "organisations": [
            {
                "code": o.code,
                "name": o.name,
                "short_name": o.short_name,
                "kind": o.kind,
                "default_marking": names.label(o.default_marking_id),
                "welsh_language_standards": o.welsh_language_standards,
                "welsh_name": o.welsh_name,
            }
            for o in sorted(names.orgs.values(), key=lambda o: o.code)
        ],
        "policing_body_terms": [
            {
                "force": names.code(t.force_id),
                "body": names.code(t.body_id),
                "starts_on": _d(t.starts_on),
                "ends_on": _d(t.ends_on),
            }
            for t in PolicingBodyTerm.objects.order_by("force__code", "starts_on", "body__code")
        ],
        "people": _export_people(names),
        "function_transfers": _export_transfers(names),
        "reports": _export_reports(names),
        "items": _export_items(names, include_files),
        "finding_links": _export_finding_links(names),
        "audit_events": _export_audit_events(names),
    }


def _export_people(names: _Names) -> list[dict]:
    roles: dict[int, list[str]] = {}
    for ra in RoleAssignment.objects.order_by("role"):
        roles.setdefault(ra.user_id, []).append(ra.role)
    return [
        {
            "email": u.email,
            "full_name": u.full_name,
            "job_title": u.job_title,
            "department": u.department,
            "organisation": names.code(u.organisation_id),
            "roles": roles.get(u.pk, []),
            "is_active": u.is_active,
            "is_staff": u.is_staff,
            "is_superuser": u.is_superuser,
            "date_joined": _d(u.date_joined),
            "language": u.language,
        }
        for u in sorted(names.users.values(), key=lambda u: u.email)
    ]


def _export_transfers(names: _Names) -> list[dict]:
    """Transfers of functions, planned, carried out or cancelled: who answers for a force
    changed, when, on what legal basis, and what moved (an audit matter)."""
    return [
        {
            "uuid": str(t.uuid),
            "from_body": names.code(t.from_body_id),
            "to_body": names.code(t.to_body_id),
            "takes_effect_on": _d(t.takes_effect_on),
            "date_is_placeholder": t.date_is_placeholder,
            "legal_basis": t.legal_basis,
            "legal_basis_url": t.legal_basis_url,
            "staff_move": t.staff_move,
            "recorded_by": names.email(t.recorded_by_id),
            "recorded_at": _d(t.recorded_at),
            "carried_out_at": _d(t.carried_out_at),
            "carried_out_by": names.email(t.carried_out_by_id),
            "outcome": t.outcome,
            "cancelled_at": _d(t.cancelled_at),
            "cancelled_by": names.email(t.cancelled_by_id),
        }
        for t in FunctionTransfer.objects.order_by("takes_effect_on", "recorded_at", "uuid")
    ]


# --------------------------------------------------------------------------- reports


def _export_reports(names: _Names) -> list[dict]:
    finding_keys = dict(Finding.objects.values_list("pk", "key"))
    reports = Report.objects.prefetch_related(
        "forces",
        "judgements",
        "findings",
        "editions",
        "statutory_responses__versions",
        "statutory_responses__welsh_texts",
    ).order_by("key")
    return [_export_report(report, names, finding_keys) for report in reports]


def _export_report(report: Report, names: _Names, finding_keys: dict[int, str]) -> dict:
    return {
        "key": report.key,
        "inspectorate": names.code(report.inspectorate_id),
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
        "marking": names.label(report.marking_id),
        "editions": [_export_edition(e, names) for e in report.editions.all()],
        "judgements": [_export_judgement(j, names) for j in report.judgements.all()],
        "findings": [_export_finding(f, names, finding_keys) for f in report.findings.all()],
        "statutory_responses": [
            _export_response(r, names, finding_keys)
            for r in sorted(
                report.statutory_responses.all(), key=lambda r: names.orgs[r.force_id].code
            )
        ],
    }


def _export_edition(e: ReportEdition, names: _Names) -> dict:
    return {
        "language": e.language,
        "title": e.title,
        "url": e.url,
        "added_by": names.email(e.added_by_id),
        "added_at": _d(e.added_at),
    }


def _export_judgement(j: Judgement, names: _Names) -> dict:
    return {
        "area": j.area,
        "reference": j.reference,
        "grade": j.grade,
        "direction": j.direction or None,
        "note": j.note,
        "force": names.code(j.force_id),
        "order": j.order,
    }


def _export_finding(f: Finding, names: _Names, finding_keys: dict[int, str]) -> dict:
    return {
        "key": f.key,
        "kind": f.kind,
        "parent": finding_keys.get(f.parent_id) if f.parent_id else None,
        "reference": f.reference,
        "area": f.area,
        "text": f.text,
        "target_text": f.target_text,
        "target_date": _d(f.target_date),
        "force": names.code(f.force_id),
        "order": f.order,
        "addressee": f.addressee,
        "addressee_kind": f.addressee_kind,
    }


def _export_response(r: StatutoryResponse, names: _Names, finding_keys: dict[int, str]) -> dict:
    return {
        "uuid": str(r.uuid),
        "body": names.code(r.body_id),
        "force": names.code(r.force_id),
        **{name: _d(getattr(r, name)) for name in RESPONSE_DATES},
        "chief_officer_comments": r.chief_officer_comments,
        "pcc_comments": r.pcc_comments,
        "url": r.url,
        "introduction": r.introduction,
        "marking": names.label(r.marking_id),
        "introduction_cy": r.introduction_cy,
        "pcc_comments_cy": r.pcc_comments_cy,
        "chief_officer_comments_cy": r.chief_officer_comments_cy,
        "welsh_texts": sorted(
            (
                {
                    "finding": finding_keys[w.finding_id],
                    "force_response": w.force_response,
                    "pcc_response": w.pcc_response,
                }
                for w in r.welsh_texts.all()
            ),
            key=lambda w: w["finding"],
        ),
        "deadline_changes": _export_deadline_changes(r, names),
        "versions": [
            _export_version(v, names) for v in sorted(r.versions.all(), key=lambda v: v.number)
        ],
    }


def _export_version(v: ResponseVersion, names: _Names) -> dict:
    return {
        "uuid": str(v.uuid),
        "number": v.number,
        "published_on": _d(v.published_on),
        "url": v.url,
        "content": v.content,
        "fingerprint": v.fingerprint,
        "published_by": names.email(v.published_by_id),
        "recorded_at": _d(v.recorded_at),
        "marking_label": v.marking_label,
    }


# --------------------------------------------------------------------------- items


def _export_items(names: _Names, include_files: bool) -> list[dict]:
    items = (
        TrackedItem.objects.select_related("finding", "force", "superseded_by")
        .prefetch_related(
            "status_changes",
            "revisions",
            "updates",
            "reviews",
            "inspectorate_statuses",
            "evidence",
            "closure_proposals__evidence",
            "closure_proposals__decision",
            "deadlines__rule",
            "deadlines__changes",
        )
        .order_by("finding__key", "force__code")
    )
    return [_export_item(item, names, include_files) for item in items]


def _export_item(item: TrackedItem, names: _Names, include_files: bool) -> dict:
    email = names.email
    return {
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
        "marking": names.label(item.marking_id),
        "superseded_by": item.superseded_by.key if item.superseded_by is not None else None,
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
        "inspectorate_statuses": [
            {
                "uuid": str(s.uuid),
                "status": s.status,
                "stated_on": _d(s.stated_on),
                "stated_precision": s.stated_precision,
                "source": s.source,
                "note": s.note,
                "recorded_by": email(s.recorded_by_id),
                "recorded_at": _d(s.recorded_at),
            }
            for s in item.inspectorate_statuses.all()
        ],
        "evidence": [_export_evidence(e, names, include_files) for e in item.evidence.all()],
        "closure_proposals": [_export_proposal(p, names) for p in item.closure_proposals.all()],
        "deadline_changes": _export_deadline_changes(item, names),
    }


def _export_finding_links(names: _Names) -> list[dict]:
    """People's decisions on links between a force's findings (issue 18): confirmed and
    dismissed ones. Suggestions are left out: they are worked out again from the findings."""
    links = (
        FindingLink.objects.exclude(state=LinkState.SUGGESTED)
        .select_related("later", "earlier")
        .order_by("later__key", "earlier__key", "force__code")
    )
    return [
        {
            "later": link.later.key,
            "earlier": link.earlier.key,
            "force": names.code(link.force_id),
            "relation": link.relation,
            "state": link.state,
            "score": link.score,
            "reason": link.reason,
            "suggested_at": _d(link.suggested_at),
            "decided_by": names.email(link.decided_by_id),
            "decided_at": _d(link.decided_at),
            "note": link.note,
        }
        for link in links
    ]


def _export_evidence(e: Evidence, names: _Names, include_files: bool) -> dict:
    out = {
        "uuid": str(e.uuid),
        "stored_name": e.stored_name,
        "original_name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "sha256": e.sha256,
        "description": e.description,
        "uploaded_by": names.email(e.uploaded_by_id),
        "uploaded_at": _d(e.uploaded_at),
    }
    if include_files:
        path = evidence_path(e.stored_name)
        out["content_base64"] = (
            base64.b64encode(path.read_bytes()).decode("ascii") if path.exists() else None
        )
    return out


def _export_proposal(p: ClosureProposal, names: _Names) -> dict:
    return {
        "uuid": str(p.uuid),
        "proposed_by": names.email(p.proposed_by_id),
        "proposed_at": _d(p.proposed_at),
        "summary": p.summary,
        "evidence": sorted(str(e.uuid) for e in p.evidence.all()),
        "decision": _export_decision(p, names),
    }


def _export_decision(p: ClosureProposal, names: _Names) -> dict | None:
    d = getattr(p, "decision", None)
    if d is None:
        return None
    return {
        "uuid": str(d.uuid),
        "outcome": d.outcome,
        "decided_by": names.email(d.decided_by_id),
        "decided_at": _d(d.decided_at),
        "reason": d.reason,
    }


def _export_deadline_changes(owner: TrackedItem | StatutoryResponse, names: _Names) -> list[dict]:
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
            "applied_on": _d(ch.applied_on),
            "approved_by": ch.approved_by,
            "approved_on": _d(ch.approved_on),
            "recorded_by": names.email(ch.recorded_by_id),
            "recorded_at": _d(ch.recorded_at),
        }
        for d in sorted(owner.deadlines.all(), key=lambda d: d.rule.key)
        for ch in d.changes.all()
        if ch.kind != DeadlineChange.Kind.RECALCULATED
    ]


# --------------------------------------------------------------------------- audit trail


def _export_audit_events(names: _Names) -> list[dict]:
    return [
        {
            "uuid": str(a.uuid),
            "at": _d(a.at),
            "actor": names.email(a.actor_id),
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
