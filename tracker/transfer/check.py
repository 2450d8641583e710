"""Check a whole export file before anything is written: every problem is listed, with where
it is, and nothing is saved.

Each row's fields are checked as kinds.py describes them; what this module adds is the walk
through the document and the checks that span rows (a finding's parent, a due date against
the report's publication, a closure decided by its proposer).
"""

import datetime
from typing import Any

from tracker.transfer.checker import Checker
from tracker.transfer.kinds import (
    AUDIT_EVENT,
    CLOSURE_DECISION,
    CLOSURE_PROPOSAL,
    DEADLINE_CHANGE,
    DUE_DATE_REVISION,
    EVIDENCE,
    FINDING,
    FORMAT,
    ITEM,
    JUDGEMENT,
    ORGANISATION,
    PERSON,
    POLICING_BODY_TERM,
    PROGRESS_REVIEW,
    PROGRESS_UPDATE,
    REPORT,
    RESPONSE_VERSION,
    STATUS_CHANGE,
    STATUTORY_RESPONSE,
    VERSION,
    Kind,
)


def check_document(doc: Any) -> list[str]:
    """Every problem with the document, or an empty list. Reads the database only to resolve
    references to organisations and people that the file does not itself contain."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return [f'this is not an inspection tracker export (expected "format": "{FORMAT}")']
    if doc.get("version") != VERSION:
        return [f"version {doc.get('version')!r} is not supported (this version reads {VERSION})"]
    c = Checker()
    _check_organisations(c, doc)
    _check_rows(c, POLICING_BODY_TERM, doc, "file")
    _check_people(c, doc)
    responses = _check_reports(c, doc)
    # The deadline changes of responses are listed after the reports' other problems.
    for response, where in responses:
        _check_rows(c, DEADLINE_CHANGE, response, where)
    _check_items(c, doc)
    _check_rows(c, AUDIT_EVENT, doc, "file")
    return c.problems


def _check_fields(c: Checker, kind: Kind, row: dict, where: str) -> dict[str, Any]:
    """Check each field of one row; what each field's check made of its value, by key."""
    return {f.key: f.check(c, row, where) for f in kind.fields}


def _check_rows(c: Checker, kind: Kind, parent: dict, where: str) -> None:
    for row, row_where in c.rows(parent, kind.listed_as, where):
        _check_fields(c, kind, row, row_where)


def _check_organisations(c: Checker, doc: dict) -> None:
    for row, where in c.rows(doc, ORGANISATION.listed_as, "file"):
        values = _check_fields(c, ORGANISATION, row, where)
        if values["code"]:
            c.org_kinds[values["code"]] = values["kind"]


def _check_people(c: Checker, doc: dict) -> None:
    for row, where in c.rows(doc, PERSON.listed_as, "file"):
        c.emails.add(_check_fields(c, PERSON, row, where)["email"])


def _check_reports(c: Checker, doc: dict) -> list[tuple[dict, str]]:
    """Check the reports; their statutory responses, with where each is."""
    responses = []
    for row, where in c.rows(doc, REPORT.listed_as, "file"):
        published = _check_fields(c, REPORT, row, where)["published_on"]
        _check_rows(c, JUDGEMENT, row, where)
        _check_findings(c, row, where, published)
        for response, response_where in c.rows(row, STATUTORY_RESPONSE.listed_as, where):
            _check_fields(c, STATUTORY_RESPONSE, response, response_where)
            _check_rows(c, RESPONSE_VERSION, response, response_where)
            responses.append((response, response_where))
    return responses


def _check_findings(c: Checker, report: dict, where: str, published: datetime.date | None) -> None:
    """A report's findings: keys once in the file, parents in the same report."""
    c.report_finding_keys = set()
    for row, row_where in c.rows(report, FINDING.listed_as, where):
        key = _check_fields(c, FINDING, row, row_where)["key"]
        if published:
            c.report_published[key] = published
    listed = report.get("findings")
    for j, f in enumerate(listed if isinstance(listed, list) else []):
        parent = f.get("parent") if isinstance(f, dict) else None
        if parent and (not isinstance(parent, str) or parent not in c.report_finding_keys):
            c.fail(f"{where}.findings[{j}].parent", f"no finding {parent!r} in this report")
    c.finding_keys |= c.report_finding_keys
    c.file_finding_keys |= c.report_finding_keys


def _check_items(c: Checker, doc: dict) -> None:
    for row, where in c.rows(doc, ITEM.listed_as, "file"):
        values = _check_fields(c, ITEM, row, where)
        published = c.report_published.get(values["finding"])
        if values["due_date"] and published and values["due_date"] < published:
            c.fail(f"{where}.due_date", "is before the report's publication date")
        for kind in (
            STATUS_CHANGE,
            DUE_DATE_REVISION,
            DEADLINE_CHANGE,
            PROGRESS_UPDATE,
            PROGRESS_REVIEW,
        ):
            _check_rows(c, kind, row, where)
        c.evidence_ids = set()
        for evidence, evidence_where in c.rows(row, EVIDENCE.listed_as, where):
            _check_fields(c, EVIDENCE, evidence, evidence_where)
            c.evidence_ids.add(str(evidence.get("uuid")))
        for proposal, proposal_where in c.rows(row, CLOSURE_PROPOSAL.listed_as, where):
            _check_fields(c, CLOSURE_PROPOSAL, proposal, proposal_where)
            _check_decision(c, proposal, proposal_where)


def _check_decision(c: Checker, proposal: dict, where: str) -> None:
    """A closure proposal's decision (null while waiting), never by the proposer."""
    decision = proposal.get("decision")
    if decision is None:
        return
    where = f"{where}.decision"
    decision = c.obj(decision, where)
    _check_fields(c, CLOSURE_DECISION, decision, where)
    decider, proposer = decision.get("decided_by"), proposal.get("proposed_by")
    if (
        isinstance(decider, str)
        and isinstance(proposer, str)
        and decider.lower() == proposer.lower()
    ):
        c.fail(where, "the person who proposed closure cannot also decide it")
