"""Check a whole export file before anything is written: every problem is listed, with where
it is, and nothing is saved.

Each row's fields are checked as kinds.py describes them; what this module adds is the walk
through the document and the checks that span rows (a finding's parent, a due date against
the report's publication, a closure decided by its proposer, a marking's rank used twice, a
response's steps in order, a transfer both carried out and cancelled).
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
    FINDING_LINK,
    FORMAT,
    FUNCTION_TRANSFER,
    INSPECTORATE_STATUS,
    ITEM,
    JUDGEMENT,
    ORGANISATION,
    PERSON,
    POLICING_BODY_TERM,
    PROGRESS_REVIEW,
    PROGRESS_UPDATE,
    PROTECTIVE_MARKING,
    REPORT,
    REPORT_EDITION,
    RESPONSE_VERSION,
    STATUS_CHANGE,
    STATUTORY_RESPONSE,
    VERSIONS_READ,
    WELSH_RESPONSE_TEXT,
    Kind,
)

STEPS = ("response_sent", "published")


def check_document(doc: Any) -> list[str]:
    """Every problem with the document, or an empty list. Reads the database only to resolve
    references to organisations and people that the file does not itself contain."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return [f'this is not an inspection tracker export (expected "format": "{FORMAT}")']
    version = doc.get("version")
    if isinstance(version, bool) or version not in VERSIONS_READ:
        readable = " and ".join(str(v) for v in VERSIONS_READ)
        return [f"version {version!r} is not supported (this version reads {readable})"]
    c = Checker()
    _check_markings(c, doc)
    _check_organisations(c, doc)
    _check_rows(c, POLICING_BODY_TERM, doc, "file")
    _check_people(c, doc)
    _check_transfers(c, doc)
    responses = _check_reports(c, doc)
    # The deadline changes of responses are listed after the reports' other problems.
    for response, where in responses:
        _check_deadline_changes(c, response, where)
    _check_items(c, doc)
    _check_rows(c, FINDING_LINK, doc, "file")
    _check_rows(c, AUDIT_EVENT, doc, "file")
    return c.problems


def _check_fields(c: Checker, kind: Kind, row: dict, where: str) -> dict[str, Any]:
    """Check each field of one row; what each field's check made of its value, by key."""
    return {f.key: f.check(c, row, where) for f in kind.fields}


def _check_rows(c: Checker, kind: Kind, parent: dict, where: str) -> None:
    for row, row_where in c.rows(parent, kind.listed_as, where):
        _check_fields(c, kind, row, row_where)


def _check_markings(c: Checker, doc: dict) -> None:
    """The list of protective markings: a label and a rank once each. A rank held here by a
    marking the file does not list is refused (the list would hold the rank twice)."""
    here = dict(c.marking_ranks)
    listed = []
    for row, where in c.rows(doc, PROTECTIVE_MARKING.listed_as, "file"):
        listed.append((_check_fields(c, PROTECTIVE_MARKING, row, where), where))
    in_file = {values["label"] for values, _ in listed}
    labels: set[str] = set()
    ranks: dict[int, str] = {}
    for values, where in listed:
        label, rank = values["label"], values["rank"]
        if label in labels:
            c.fail(f"{where}.label", f"{label!r} appears twice in the file")
        labels.add(label)
        if isinstance(rank, int) and not isinstance(rank, bool) and rank >= 0:
            if rank in ranks:
                c.fail(f"{where}.rank", f"{rank} is also the rank of {ranks[rank]!r} in the file")
            ranks[rank] = label
            holder = next((lb for lb, r in here.items() if r == rank and lb != label), None)
            if holder is not None and holder not in in_file:
                c.fail(f"{where}.rank", f"{rank} is the rank of {holder!r} here")
        if label:
            c.marking_ranks[label] = rank if isinstance(rank, int) else here.get(label, 0)


def _check_organisations(c: Checker, doc: dict) -> None:
    for row, where in c.rows(doc, ORGANISATION.listed_as, "file"):
        values = _check_fields(c, ORGANISATION, row, where)
        if values["code"]:
            c.org_kinds[values["code"]] = values["kind"]


def _check_people(c: Checker, doc: dict) -> None:
    for row, where in c.rows(doc, PERSON.listed_as, "file"):
        c.emails.add(_check_fields(c, PERSON, row, where)["email"])


def _check_transfers(c: Checker, doc: dict) -> None:
    """Transfers of functions: from one body to another, and either carried out or cancelled
    (or neither, while planned), with who did it only when it was done."""
    for row, where in c.rows(doc, FUNCTION_TRANSFER.listed_as, "file"):
        values = _check_fields(c, FUNCTION_TRANSFER, row, where)
        if values["from_body"] and values["from_body"] == values["to_body"]:
            c.fail(f"{where}.to_body", "a body's functions cannot pass to itself")
        if values["carried_out_at"] and values["cancelled_at"]:
            c.fail(where, "a transfer cannot be both carried out and cancelled")
        for by, at in (("carried_out_by", "carried_out_at"), ("cancelled_by", "cancelled_at")):
            if values[by] and not values[at]:
                c.fail(f"{where}.{by}", f"is given but “{at}” is not")


def _check_reports(c: Checker, doc: dict) -> list[tuple[dict, str]]:
    """Check the reports; their statutory responses, with where each is."""
    responses = []
    for row, where in c.rows(doc, REPORT.listed_as, "file"):
        values = _check_fields(c, REPORT, row, where)
        _check_rows(c, JUDGEMENT, row, where)
        _check_findings(c, row, where, values["published_on"])
        _check_editions(c, row, where)
        # A Welsh text is about a finding of this report, in the file or here.
        c.response_finding_keys = c.report_finding_keys | c.report_findings_here.get(
            values["key"], set()
        )
        for response, response_where in c.rows(row, STATUTORY_RESPONSE.listed_as, where):
            _check_fields(c, STATUTORY_RESPONSE, response, response_where)
            _check_once(c, WELSH_RESPONSE_TEXT, "finding", response, response_where)
            for version, version_where in c.rows(
                response, RESPONSE_VERSION.listed_as, response_where
            ):
                _check_version(c, version, version_where)
            responses.append((response, response_where))
    return responses


def _check_editions(c: Checker, report: dict, where: str) -> None:
    _check_once(c, REPORT_EDITION, "language", report, where)


def _check_once(c: Checker, kind: Kind, key: str, parent: dict, where: str) -> None:
    """Rows of `kind` in `parent`, at most one for each value of `key`."""
    seen = set()
    for row, row_where in c.rows(parent, kind.listed_as, where):
        value = _check_fields(c, kind, row, row_where)[key]
        if value in seen:
            c.fail(f"{row_where}.{key}", f"{value!r} appears twice")
        seen.add(value)


def _check_version(c: Checker, version: dict, where: str) -> None:
    """A published version; the marking it was published with is the one its content
    prints (a version made before markings has none in its content)."""
    values = _check_fields(c, RESPONSE_VERSION, version, where)
    content = values["content"]
    if (
        "marking_label" in version
        and isinstance(content, dict)
        and "marking" in content
        and content["marking"] != values["marking_label"]
    ):
        c.fail(
            f"{where}.marking_label",
            f"is {values['marking_label']!r} but the published content is marked "
            f"{content['marking']!r}",
        )


def _check_deadline_changes(c: Checker, owner: dict, where: str) -> None:
    """An item's or response's deadline changes. An application's day is an extension's, and
    not after it was granted; the steps after a response (provided, then published) belong to
    a rule that has them, once each, the publication on or after the response."""
    steps: dict[tuple[str, str], Any] = {}
    for row, row_where in c.rows(owner, DEADLINE_CHANGE.listed_as, where):
        values = _check_fields(c, DEADLINE_CHANGE, row, row_where)
        kind, rule = values["kind"], values["rule"]
        if values["applied_on"] and kind != "extension":
            c.fail(f"{row_where}.applied_on", "only an extension is applied for")
        elif (
            values["applied_on"]
            and values["approved_on"]
            and values["approved_on"] < values["applied_on"]
        ):
            c.fail(f"{row_where}.approved_on", "is before the day it was applied for")
        if kind not in STEPS:
            continue
        if rule in c.rule_keys and rule not in c.step_rule_keys:
            c.fail(f"{row_where}.kind", f"the rule {rule!r} has no publication step here")
        if (rule, kind) in steps:
            c.fail(f"{row_where}.kind", f"{kind!r} is recorded twice for the rule {rule!r}")
        steps[(rule, kind)] = (values["on_date"], row_where)
    for (rule, kind), (on_date, row_where) in steps.items():
        if kind != "published":
            continue
        sent = steps.get((rule, "response_sent"))
        if sent is None:
            c.fail(f"{row_where}.kind", "a publication needs the response_sent step it follows")
        elif on_date and sent[0] and on_date < sent[0]:
            c.fail(f"{row_where}.on_date", "is before the day the response was provided")


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
        for kind in (STATUS_CHANGE, DUE_DATE_REVISION):
            _check_rows(c, kind, row, where)
        _check_deadline_changes(c, row, where)
        for kind in (PROGRESS_UPDATE, PROGRESS_REVIEW, INSPECTORATE_STATUS):
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
