"""HMICFRS recommendation register entries and similar status pages.

The inspectorate keeps a register of its recommendations (and areas for improvement), one
page per entry: its reference number (register ids such as 6989), the report it comes from
(title, publication date), the force or service, the recommendation's text with its parts,
and the dated statuses the inspectorate has given it (awaiting review, being progressed,
complete, no further action needed, superseded), as a table or a list. A page may hold
several entries. The page says nothing new about what the force must do: importing it brings
the statuses onto the item the report already gave, matched by its reference. So:

- each entry is a finding (kind from its "Type" if given, else a recommendation), with the
  register id as its reference and the statuses as its `status_history`, oldest first;
- the title and publication are the report's, not the page's;
- a page with no entry gives no findings and says so (a search with no result, a report
  that made no recommendations).

Fields are read in three layouts: "Label: value" on one line, a label (a heading, or a
`<dt>`) with its value in the next block, and a two-cell table row "Label | value".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleaning import Block
from .common import entry_text, forces_for, inspectorate
from .common import report_type as report_type_for
from .fire_services import services_named
from .result import ExtractedFinding, ExtractedStatus, Extraction
from .statuses import inspectorate_status
from .vocabulary import (
    DAY_DATE,
    MONTH_DATE,
    ForceNames,
    find_target,
    kind_label,
    standalone_date,
)

REGISTER_NAME = re.compile(
    r"recommendations?\s+register|register\s+of\s+recommendations|monitoring\s+portal|"
    r"recommendation\s+tracker",
    re.IGNORECASE,
)
REGISTER_ID = re.compile(r"^\d{3,6}$")

_FIELDS = (
    (
        "published",
        r"(?:report\s+)?published(?:\s+on)?|publication(?:\s+date)?|date\s+(?:of\s+)?"
        r"publi(?:shed|cation)|report\s+date",
    ),
    (
        "updated",
        r"(?:last\s+)?updated(?:\s+on)?|date\s+(?:of\s+)?(?:last\s+)?update|status\s+date|"
        r"date\s+(?:of\s+)?status(?:\s+change)?|date\s+status\s+(?:changed|updated)",
    ),
    (
        "history",
        r"status\s+history|status\s+updates?|history(?:\s+of\s+status(?:es)?)?|"
        r"progress\s+history|timeline",
    ),
    ("status", r"(?:current\s+|latest\s+|inspectorate[’']?s?\s+)?status"),
    (
        "reference",
        r"(?:hmicfrs\s+)?(?:recommendation\s+|register\s+)?(?:reference|ref\.?|id|"
        r"number|no\.?)(?:\s+(?:number|no\.?))?",
    ),
    (
        "report",
        r"report(?:\s+(?:title|name))?|from\s+(?:the\s+)?report|inspection(?:\s+report)?|"
        r"source(?:\s+report)?",
    ),
    (
        "organisation",
        r"(?:police\s+)?forces?|organisations?|(?:fire\s+and\s+rescue\s+)?services?|"
        r"force\s*(?:/|or|and)\s*services?",
    ),
    ("addressee", r"addressed\s+to|recipients?|for\s+action\s+by"),
    ("type", r"type|category|kind"),
    (
        "text",
        r"(?:the\s+)?(?:recommendation(?:\s+text)?|area\s+for\s+improvement|cause\s+of\s+"
        r"concern|text|details?|description|wording)",
    ),
)
_FIELD_PATTERNS = tuple(
    (name, re.compile(rf"^(?:{words})\s*(?::\s*(?P<value>.*))?$", re.IGNORECASE))
    for name, words in _FIELDS
)
_HEADER_CELL = re.compile(r"^(?:date|status|note|notes|comment|comments|update|details?)$", re.I)
SOURCE = "HMICFRS recommendation register"
# Fields whose value is the one block under their label.
SIMPLE_VALUE_AFTER = {
    "published",
    "updated",
    "report",
    "organisation",
    "addressee",
    "type",
    "status",
}


@dataclass
class Field:
    name: str
    value: str | None  # None: the value is in the blocks that follow


@dataclass
class _Entry:
    reference: str = ""
    kind: str = "recommendation"
    fields: dict[str, str] = field(default_factory=dict)
    text: list[Block] = field(default_factory=list)
    history: list[ExtractedStatus] = field(default_factory=list)


def field_of(block: Block) -> Field | None:
    """A labelled field ("Status: Complete", "Report" + value below, "Status | Complete")."""
    if block.kind == "row":
        cells = [c for c in block.cells if c]
        if len(cells) != 2:
            return None
        label, value = cells[0].rstrip(": "), cells[1]
        for name, pattern in _FIELD_PATTERNS:
            if pattern.match(label):
                return Field(name, value)
        return None
    if block.kind not in {"heading", "para"} or len(block.text) > 600:
        return None
    text = " ".join(block.text.split())
    for name, pattern in _FIELD_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        value = match.group("value")
        prose = block.kind == "para" and not block.marked and not text.endswith(":")
        if value is None and prose and len(text.split()) > 4:
            continue  # prose that merely starts with the word
        return Field(name, value.strip() if value else None)
    return None


ENTRY_HEADING = re.compile(
    r"^(?:hmicfrs\s+)?(?:recommendation|area\s+for\s+improvement|afi|cause\s+of\s+concern)\s+"
    r"(?:no\.?\s*|number\s+|ref(?:erence)?\.?\s+|id\s+)?(?P<id>\d{3,6})"
    r"(?:\s*[:.–—-]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)


def _entry_reference(block: Block) -> tuple[str, str] | None:
    """("6989", rest) for a heading "Recommendation 6989" (a register id: three digits or
    more) or "Recommendation 6989: By ... the force should ..."."""
    if block.kind not in {"heading", "para"}:
        return None
    match = ENTRY_HEADING.match(" ".join(block.text.split()))
    if match is None:
        return None
    return match.group("id"), (match.group("rest") or "").strip()


def detect(blocks: list[Block]) -> bool:
    """The register named near the top; or an inspectorate status (or a status history, or a
    table row of a date and a status) with either a register id or the report and the
    recommendation's text as fields."""
    head = " ".join(b.text for b in blocks[:30])
    if REGISTER_NAME.search(head):
        return True
    has_id = has_status = False
    names: set[str] = set()
    for index, block in enumerate(blocks):
        if block.kind == "row" and not has_status:
            status = _status_line(block)  # a table of dated statuses ("Progress" above it)
            has_status = status is not None and bool(status.dated)
        found = field_of(block)
        if _entry_reference(block) or (
            found and found.name == "reference" and REGISTER_ID.match((found.value or "").strip())
        ):
            has_id = True
        if found is None:
            continue
        names.add(found.name)
        if found.name == "history":
            has_status = True
        elif found.name == "status":
            value = found.value
            if value is None and index + 1 < len(blocks):
                value = blocks[index + 1].text  # "Status" above its value
            has_status = has_status or bool(inspectorate_status(value or ""))
    return has_status and (has_id or {"report", "text"} <= names)


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    shared, entries = _entries(blocks)
    findings: list[ExtractedFinding] = []
    warnings: list[str] = []
    source = (
        "HMICFRS monitoring portal" if re.search(r"monitoring\s+portal", text, re.I) else SOURCE
    )
    for entry in entries:
        finding = _finding(entry, source)
        if finding is not None:
            findings.append(finding)
    fields = dict(shared)
    for entry in entries:  # the first entry that states a field gives it
        fields = {**entry.fields, **fields}
    title = fields.get("report", "")
    published = standalone_date(fields.get("published", "")) or _date_in(fields.get("published"))
    organisation = fields.get("organisation", "")
    services = services_named(organisation or title)
    forces = forces_for([organisation, title], patterns, text) if not services else []
    if not findings:
        warnings.append(
            "This register page holds no recommendation, so there is nothing to import from "
            "it. Open the page of the recommendation itself (it shows the recommendation's "
            "text and its statuses) and import that."
        )
    elif any(not f.status_history for f in findings):
        warnings.append("No dated status was found for some of these recommendations.")
    dated = max((s.dated for f in findings for s in f.status_history if s.dated), default=None)
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published) or "HMICFRS",
        forces=forces,
        report_type=report_type_for(title, "", "register"),  # the report's type, by its title
        published=published,
        findings=findings,
        warnings=warnings,
        document_type="register",
        dated=standalone_date(fields.get("updated", "")) or dated,
        organisation_kind="fire_and_rescue" if services else "force",
        services=services,
    )


def _entries(blocks: list[Block]) -> tuple[dict[str, str], list[_Entry]]:
    """The page's own fields (before its first entry) and its entries, in order."""
    shared: dict[str, str] = {}
    entries: list[_Entry] = []
    current: _Entry | None = None
    collecting: str | None = None  # "text", "history", or a field whose value follows
    for block in blocks:
        if collecting not in SIMPLE_VALUE_AFTER or block.kind not in {"heading", "para"}:
            pass
        elif not block.marked:  # the value under a label ("Type" / "Recommendation")
            fields = current.fields if current is not None else shared
            fields[collecting] = block.text
            if collecting == "type" and current is not None:
                current.kind = _kind_of(block.text)
            collecting = _after_field(current)
            continue
        reference = _entry_reference(block)
        found = None if reference else field_of(block)
        if reference is not None:
            current = _Entry(reference=reference[0])
            entries.append(current)
            collecting = "text"
            if reference[1]:
                current.text.append(Block("para", reference[1]))
            continue
        if found is not None and found.name == "reference" and found.value is not None:
            value = found.value.strip()
            if (
                current is None
                or (current.reference or current.text)
                and (current.reference != value)
            ):
                current = _Entry()
                entries.append(current)
            current.reference = value
            collecting = None
            continue
        if found is not None:
            if found.name == "text" and current is None:
                current = _Entry()
                entries.append(current)
            fields = current.fields if current is not None else shared
            if found.name == "type" and found.value and current is not None:
                current.kind = _kind_of(found.value)
            if found.name in {"text", "history"}:
                collecting = found.name
                if found.value and found.name == "text":
                    current = current or _Entry()
                    current.text.append(Block("para", found.value))
                continue
            if found.value is None:
                collecting = found.name
            else:
                fields[found.name] = found.value
                # Fields between an entry's heading and its text ("Report: ...", "Date
                # published: ...") are the entry's details: its text still follows.
                still_text = collecting == "text" and current is not None and not current.text
                collecting = "text" if still_text else None
            continue
        if collecting != "history" and current is not None and block.kind == "row":
            # A table of dated statuses under a "Current status: ..." line (or anywhere in
            # the entry) is its history, whatever label stands above it.
            status = _status_line(block)
            if status is not None and status.dated:
                current.history.append(status)
                continue
        if collecting == "pending":  # after the entry's details, its text is the next prose
            if block.kind != "para":
                continue  # a heading: a detail the rules do not name ("Area"), or its value
            collecting = "text"
        if collecting is None:
            continue
        if collecting == "status" and current is not None and block.kind == "row":
            collecting = "history"  # "Status" over a table of dated statuses
        if collecting == "text" and current is not None:
            if block.kind == "row":
                continue
            current.text.append(block)
        elif collecting == "history" and current is not None:
            status = _status_line(block)
            if status is not None:
                current.history.append(status)
        elif collecting not in {"text", "history"}:
            fields = current.fields if current is not None else shared
            fields[collecting] = block.text
            if collecting == "type" and current is not None:
                current.kind = _kind_of(block.text)
            collecting = _after_field(current)
    return shared, entries


def _after_field(current: _Entry | None) -> str | None:
    """After a field's value ("Report" / "An inspection of ..."), an entry that has no text
    yet takes the next paragraph and what follows it as its text (a page lists the entry's
    details, then the recommendation, with no label above it)."""
    pending = current is not None and not current.text and not current.history
    return "pending" if pending else None


def _kind_of(value: str) -> str:
    label = kind_label(value, heading=True)
    return label.kind if label is not None else "recommendation"


def _finding(entry: _Entry, source: str) -> ExtractedFinding | None:
    found = entry_text(entry.text)
    if found is None:
        return None
    text, parts = found
    history = [ExtractedStatus(s.status, s.dated, source, s.note) for s in entry.history]
    stated = _status_line(Block("para", entry.fields.get("status", "")))
    if stated is not None and (not history or history[-1].status != stated.status):
        updated = entry.fields.get("updated", "")
        dated = stated.dated or standalone_date(updated) or _date_in(updated)
        history.append(ExtractedStatus(stated.status, dated, source, stated.note))
    if history and all(s.dated for s in history):
        history.sort(key=lambda s: s.dated or "")
    target_text, target_date = find_target(text)
    return ExtractedFinding(
        kind=entry.kind,
        area="",
        text=text,
        reference=entry.reference,
        parts=parts,
        target_text=target_text,
        target_date=target_date,
        status_history=history,
    )


def _status_line(block: Block) -> ExtractedStatus | None:
    """One dated status: a row "12 May 2022 | Being progressed | note", or a line "12 May
    2022: Being progressed. The force ...", "Complete (3 March 2024)". A header row and
    lines without a status are skipped."""
    if block.kind == "row":
        cells = [c for c in block.cells if c]
        if all(_HEADER_CELL.match(c) for c in cells):
            return None
        dated = next((d for d in (standalone_date(c) for c in cells) if d), None)
        for cell in cells:
            status = inspectorate_status(cell)
            if status is None:
                continue
            others = [c for c in cells if c is not cell and not standalone_date(c)]
            note = " – ".join(filter(None, [_note(cell, status), *others]))
            return ExtractedStatus(status, dated, "", note)
        return None
    text = " ".join(block.text.split())
    dated = _date_in(text)
    rest = DAY_DATE.sub("", text, count=1) if DAY_DATE.search(text) else text
    if rest == text:
        rest = MONTH_DATE.sub("", text, count=1)
    rest = re.sub(r"\(\s*\)", "", rest).strip(" :–—-,.()")
    status = inspectorate_status(rest)
    if status is None:
        return None
    return ExtractedStatus(status, dated, "", _note(rest, status))


def _note(words: str, status: str) -> str:
    """The entry's own words beyond the plain status ("Superseded by recommendation 8945")."""
    words = " ".join(words.split()).strip(" .")
    plain = {
        "awaiting_review": "awaiting review",
        "being_progressed": "being progressed",
        "complete": "complete",
        "no_further_action": "no further action",
        "superseded": "superseded",
    }[status]
    return "" if words.lower() in {plain, status.replace("_", " ")} else words


def _date_in(text: str | None) -> str | None:
    if not text:
        return None
    day = DAY_DATE.search(text)
    if day:
        return standalone_date(day.group(0))
    month = MONTH_DATE.search(text)
    return standalone_date(month.group(0)) if month else None
