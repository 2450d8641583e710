"""Committee papers, minutes and progress reports: the force's own account of its progress.

A joint audit committee's minutes, a police and crime panel paper, a force's progress report
or a fire and rescue service's public progress pages list the inspectorate's areas for
improvement or recommendations, each with the force's (or service's) response and its status
as the force rates it ("Complete", "In progress", a RAG colour). Two layouts:

- a table, "Ref | Area for improvement | Update | Status (RAG)" (the columns vary; the
  header row names them), one row per finding, a row with one cell naming a section;
- entries, one per finding (often one page each on a service's site): a label ("AFI 3",
  "Recommendation 2", "Area for improvement"), the finding's text, then labelled fields
  ("Update:", "Our action", "Response", "Status: Complete", "Target date").

Each listed finding is a finding, with its reference as published (the inspectorate's
reference when a column gives it, since services renumber), and its response is an
`ExtractedResponse(party="force", source=<the paper's name and date>, status=<as stated>)`.
An entry with neither a response nor a status is not taken: it is the paper's own prose
under a heading, not a finding it reports on.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from .cleaning import Block
from .common import entry_text, forces_for, inspectorate, publication_date
from .common import report_type as report_type_for
from .fire_services import services_named
from .result import ExtractedFinding, ExtractedResponse, Extraction
from .statuses import inspectorate_status
from .vocabulary import (
    DAY_DATE,
    ForceNames,
    day_dates,
    find_target,
    forces_named,
    kind_label,
    response_party,
    standalone_date,
)

_RESPONSE_WORDS = (
    r"(?:progress\s+)?updates?|latest\s+update|(?:force|service|our)\s+(?:response|update)|"
    r"response|actions?(?:\s+taken)?|our\s+actions?|action\s+plan|what\s+we\s+(?:have\s+done|"
    r"are\s+doing|did|will\s+do)|progress(?:\s+to\s+date|\s+made)?|commentary|comments?|"
    r"current\s+position|position|summary\s+of\s+progress|narrative"
)
_STATUS_WORDS = (
    r"(?:current\s+|overall\s+|progress\s+)?status(?:\s*\((?:rag|red,?\s*amber,?\s*green)\))?|"
    r"rag(?:\s+(?:status|rating))?|rating"
)
_TARGET_WORDS = r"target(?:\s+date)?|due(?:\s+date)?|deadline|completion\s+date|timescales?"
_IGNORED_WORDS = r"owners?|leads?|responsible(?:\s+officer)?|evidence|portfolio|sponsor"
_FINDING_WORDS = (
    r"(?:(?:hmicfrs|hmic|inspectorate|peel)[’']?s?\s+)?(?:areas?\s+for\s+improvement|afis?|"
    r"recommendations?|causes?\s+of\s+concern|findings?|description|details?|issues?)"
    r"(?:\s*(?:/|or|and)\s*(?:recommendation|afi|area\s+for\s+improvement)s?)?"
)
_REF_WORDS = r"ref(?:erence)?\.?|no\.?|number|#|id|item"
_INSPECTORATE_REF_WORDS = r"(?:hmicfrs|hmic|inspectorate|register)\s+(?:ref(?:erence)?\.?|no\.?|id)"
_AREA_WORDS = r"area|theme|pillar|question|section|chapter|inspection\s+area"

COLUMNS = (
    ("inspectorate_ref", _INSPECTORATE_REF_WORDS),
    ("ref", _REF_WORDS),
    ("finding", _FINDING_WORDS),
    ("response", _RESPONSE_WORDS),
    ("status", _STATUS_WORDS),
    ("target", _TARGET_WORDS),
    ("ignored", _IGNORED_WORDS),
    ("area", _AREA_WORDS),
)
_COLUMN_PATTERNS = tuple(
    (role, re.compile(rf"^(?:{words})(?:\s*\([^)]*\))?\s*:?$", re.IGNORECASE))
    for role, words in COLUMNS
)
# The finding's own words on a page that introduces them first ("From the inspection of
# ... published ..."): "What the inspectorate said", "The area for improvement".
_TEXT_WORDS = (
    r"what\s+(?:the\s+)?(?:inspectorate|hmicfrs|inspectors?)\s+(?:said|found|recommended|"
    r"asked(?:\s+(?:us|for))?)|the\s+(?:area\s+for\s+improvement|recommendation|finding|cause\s+"
    r"of\s+concern)|(?:hmicfrs[’']?s?\s+)?(?:finding|wording)"
)
_FIELD_PATTERNS = tuple(
    (role, re.compile(rf"^(?:{words})\s*(?::\s*(?P<value>.*))?$", re.IGNORECASE))
    for role, words in (("text", _TEXT_WORDS), *COLUMNS)
    if role in {"text", "response", "status", "target", "ignored"}
)
FRONT_BLOCKS = 8  # the committee, the date, the paper's title: not areas
_UPDATED = re.compile(r"^(?:last\s+)?updated(?:\s+on)?\s*:?\s*(?P<date>.+)$", re.IGNORECASE)
COMMITTEE = re.compile(
    r"(?:\b(?!(?:the|a|an|of|to|for|report|agenda|item|minutes)\b)(?-i:[A-Z])[\w'’-]+\s+){0,2}"
    r"(?:(?:(?:joint|independent)\s+)*(?:audit|ethics|scrutiny|performance|accountability|"
    r"governance|standards|assurance|resources|strategic)(?:\s+(?:and|&)\s+\w+)*\s+"
    r"(?:committee|board|panel|meeting|forum)|police,?\s+(?:fire\s+)?(?:and\s+)?crime\s+panel|"
    r"fire\s+(?:and\s+rescue\s+)?authority)",
    re.IGNORECASE,
)
_REF_KIND = (
    (re.compile(r"^(?:afi|area\s+for\s+improvement)", re.I), "area_for_improvement"),
    (re.compile(r"^(?:rec(?:ommendation)?|r)\b\.?\s*\d", re.I), "recommendation"),
    (re.compile(r"^(?:coc|cause\s+of\s+concern)", re.I), "cause_of_concern"),
)


@dataclass
class _Entry:
    kind: str
    reference: str
    area: str
    text: list[Block] = field(default_factory=list)
    response: list[Block] = field(default_factory=list)
    party: str = "force"
    status: str = ""
    target: str = ""
    # Responses given before the current one ("Force update: ..." then "OPCC comment: ...").
    earlier: list[tuple[str, list[Block]]] = field(default_factory=list)


# Detection -----------------------------------------------------------------------------------


def header_columns(cells: tuple[str, ...]) -> dict[str, int] | None:
    """The roles of a table's columns when this row is a progress table's header: a finding
    column and a status or response column at least."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = " ".join(cell.split())
        for role, pattern in _COLUMN_PATTERNS:
            if not text or not pattern.match(text):
                continue
            if role == "response" and "response" in roles:
                role = f"response {index}"  # "Force response | Progress": both are kept
            if role not in roles:
                roles[role] = index
            break
    if "finding" in roles and ("status" in roles or "response" in roles):
        return roles
    return None


def detect(blocks: list[Block]) -> bool:
    if any(b.kind == "row" and header_columns(b.cells) for b in blocks):
        return True
    entries = _entries(blocks)
    return any(e.status for e in entries) and any(e.response for e in entries)


# Extraction ----------------------------------------------------------------------------------


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    entries = _table_entries(blocks) + _entries(blocks)
    source = paper_source(blocks)
    findings: list[ExtractedFinding] = []
    responses: list[ExtractedResponse] = []
    for entry in entries:
        finding = _finding(entry)
        if finding is None:
            continue
        findings.append(finding)
        status = _tidy(entry.status)
        for party, blocks_of in entry.earlier:  # the first response carries the status
            responses.append(
                ExtractedResponse(len(findings) - 1, party, _render(blocks_of), source, status)
            )
            status = ""
        response = _render(entry.response)
        if response or status:
            responses.append(
                ExtractedResponse(len(findings) - 1, entry.party, response, source, status)
            )
    title = _title(blocks)
    published = publication_date(blocks)
    opening = "\n".join(b.text for b in blocks[:10])
    services = services_named(f"{title}\n{opening}")
    warnings: list[str] = []
    if findings and not title:
        warnings.append(
            "This page does not name the inspection report in words the rules read: choose "
            "the report its findings belong to when you check the import."
        )
    if not findings:
        warnings.append(
            "This paper lists no area for improvement or recommendation with a response or "
            "a status, so there is nothing to import from it."
        )
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=[] if services else _forces(title, opening, source, patterns, text),
        report_type=report_type_for(title, text, "progress_report"),
        published=published,
        findings=findings,
        responses=responses,
        warnings=warnings,
        document_type="progress_report",
        dated=_paper_date(blocks),
        organisation_kind="fire_and_rescue" if services else "force",
        services=services,
    )


def _table_entries(blocks: list[Block]) -> list[_Entry]:
    """One entry per data row under a progress table's header row."""
    entries: list[_Entry] = []
    columns: dict[str, int] | None = None
    area = ""
    section_kind = ""
    for block in blocks:
        if block.kind != "row":
            label = kind_label(block.text, heading=True) if block.kind == "heading" else None
            if label is not None and not label.rest and not label.reference:
                section_kind = label.kind
            continue
        header = header_columns(block.cells)
        if header is not None:
            columns = header
            section_kind = _kind_from_header(block.cells[header["finding"]]) or section_kind
            continue
        if columns is None:
            continue
        cells = block.cells
        filled = [c for c in cells if c]
        if len(filled) == 1 and len(cells) > 1:
            label = kind_label(filled[0], heading=True)
            if label is not None and not label.rest:
                section_kind = label.kind
            else:
                area = filled[0]  # a row naming the section of the rows below it
            continue

        text = _cell(cells, columns, "finding")
        if not text:
            continue
        reference = _cell(cells, columns, "inspectorate_ref") or _cell(cells, columns, "ref")
        kind = _kind_from_reference(reference) or section_kind or "recommendation"
        label = kind_label(text, heading=False)
        if label is not None and label.rest:
            reference = reference or label.reference
            kind = label.kind
            text = label.rest
        entry = _Entry(
            kind, reference, _cell(cells, columns, "area") or area, [Block("para", text)]
        )
        for role in columns:
            response = _cell(cells, columns, role) if role.startswith("response") else ""
            if response:
                entry.response.append(Block("para", response))
        entry.status = _cell(cells, columns, "status")
        entry.target = _cell(cells, columns, "target")
        entries.append(entry)
    return entries


def _cell(cells: tuple[str, ...], columns: dict[str, int], role: str) -> str:
    index = columns.get(role)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _entries(blocks: list[Block]) -> list[_Entry]:
    """Entries written as labelled fields; only those with a response or a status.

    A label starts an entry and the blocks after it are its text until a field label
    ("Update:", "Status"); a field's value is on its line or in the blocks after it. A
    heading that is not a field ends the entry (and names the area of those after it),
    except the first block under a label (a short finding reads like a heading), a field's
    one-line value ("Complete") and, in a response, a short line the source did not mark.
    """
    entries: list[_Entry] = []
    current: _Entry | None = None
    collecting = ""  # "text", "response", "status", "target", "ignored" or ""
    area = ""
    for index, block in enumerate(blocks):
        if block.kind == "row" or _UPDATED.match(block.text):
            continue
        label = kind_label(block.text, heading=block.kind == "heading")
        if label is not None and block.kind in {"heading", "para"}:
            current = _Entry(label.kind, label.reference, area)
            entries.append(current)
            collecting = "text"
            if label.rest:
                current.text.append(Block("para", label.rest))
            continue
        found = _field(block) if block.kind in {"heading", "para"} else None
        if found is not None:
            if current is None:
                continue
            role, value, party = found
            if role == "response":
                if current.response:  # a second party's comment: a response of its own
                    current.earlier.append((current.party, current.response))
                    current.response = []
                current.party = party
            if role == "text":
                current.text = []  # what came before was the page's introduction
            collecting = role
            if value:
                _add(current, role, Block("para", value))
                collecting = role if role in {"response", "text"} else ""
            continue
        if block.kind == "heading" and not _heading_is_content(block, current, collecting):
            # A heading ends the entry; past the paper's own title lines, it names the area.
            area = block.text if index >= FRONT_BLOCKS else area
            current, collecting = None, ""
            continue
        if current is None or not collecting:
            continue
        _add(current, collecting, block)
        if collecting in {"status", "target", "ignored"}:
            collecting = ""
    return [e for e in entries if e.text and (e.response or e.status)]


def _heading_is_content(block: Block, entry: _Entry | None, collecting: str) -> bool:
    if entry is None or not collecting:
        return False
    if collecting == "text":
        return not entry.text
    if collecting == "response":
        return not block.marked
    return True


def _field(block: Block) -> tuple[str, str, str] | None:
    """(role, value, party) for a field label such as "Update:", "Our action", "Status:
    Complete", "Chief Constable's response"."""
    text = " ".join(block.text.split())
    party = response_party(text)
    if party is not None:
        return "response", "", party
    label, colon, value = text.partition(": ")
    party = response_party(label) if colon and len(label.split()) <= 4 else None
    if party is not None:  # "OPCC comment: The Commissioner has asked ..."
        return "response", value.strip(), party
    for role, pattern in _FIELD_PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        value = (match.group("value") or "").strip()
        if not value and block.kind == "para" and not text.endswith(":") and len(text.split()) > 4:
            continue
        return role, value, "force"
    return None


def _add(entry: _Entry, role: str, block: Block) -> None:
    if role == "text":
        entry.text.append(block)
    elif role == "response":
        entry.response.append(block)
    elif role == "status" and not entry.status:
        entry.status = block.text
    elif role == "target" and not entry.target:
        entry.target = block.text


def _finding(entry: _Entry) -> ExtractedFinding | None:
    found = entry_text(entry.text)
    if found is None:
        return None
    text, parts = found
    # The inspectorate's own target, as its text states it, comes first; the paper's
    # "Target date" is the force's plan, taken only when the text states none.
    target_text, target_date = find_target(text)
    if entry.target and not target_text:
        target_text = entry.target
        target_date = _iso_day(entry.target)
    return ExtractedFinding(
        kind=entry.kind,
        area=entry.area,
        text=text,
        reference=entry.reference,
        parts=parts,
        target_text=target_text,
        target_date=target_date,
    )


def _render(blocks: list[Block]) -> str:
    out = ""
    previous = ""
    for block in blocks:
        kind = "numbered" if block.numbered else block.kind
        line = f"- {block.text}" if kind == "bullet" else block.text
        if out:
            listy = kind in {"bullet", "numbered"} and previous in {"bullet", "numbered"}
            out += "\n" if listy else "\n\n"
        out += line
        previous = kind
    return out


def _kind_from_header(text: str) -> str:
    label = kind_label(re.sub(r"\s*\([^)]*\)", "", text), heading=True)
    return label.kind if label is not None else ""


def _kind_from_reference(reference: str) -> str:
    for pattern, kind in _REF_KIND:
        if pattern.match(reference):
            return kind
    return ""


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" .")


def _iso_day(text: str) -> str | None:
    found = standalone_date(text)
    return found if found and len(found) == 10 else None


# The paper: its name, date and title -------------------------------------------------------------


def paper_source(blocks: list[Block]) -> str:
    """The paper's name and date, for the label a response carries on its item: "Joint Audit
    Committee, 14 March 2024"; the title when no committee is named."""
    name = ""
    for block in blocks[:12]:
        match = COMMITTEE.search(block.text)
        if match and block.kind in {"heading", "para"}:
            name = _titlecase_committee(match.group(0))
            break
    name = name or _page_name(blocks) or _paper_heading(blocks)
    dated = _paper_date(blocks)
    item = next((m for b in blocks[:12] if (m := AGENDA_ITEM.match(b.text))), None)
    item_text = f", agenda item {item.group('number')}" if item else ""
    if not dated:
        return name + item_text if name else ""
    day = datetime.date.fromisoformat(dated) if len(dated) == 10 else None
    when = f"{day.day} {day:%B %Y}" if day else dated
    return (f"{name}, {when}" if name else when) + item_text


# "Agenda item: 7" or "Agenda item 9" on a line of its own near the top: the paper's place in
# the meeting, which a coordinator cites with the meeting ("Agenda item 9: <title>" is a title).
AGENDA_ITEM = re.compile(
    r"^agenda\s+item(?:\s+(?:no\.?|number))?\s*:?\s*(?P<number>\d{1,3}[a-z]?)$", re.I
)


def _page_name(blocks: list[Block]) -> str:
    """ "<service> progress page" for a page about one finding (its first heading is the
    finding's label), as services and forces publish them; "" otherwise."""
    first = next((b for b in blocks[:3] if b.kind == "heading"), None)
    if first is None or kind_label(first.text, heading=True) is None:
        return ""
    opening = "\n".join(b.text for b in blocks[:10])
    services = services_named(opening)
    return f"{services[0]} progress page" if services else "Progress page"


def _forces(title: str, opening: str, source: str, patterns: ForceNames, text: str) -> list[str]:
    """The forces the title or opening names, else the one a committee or panel is named
    after ("Suffolk Joint Audit and Standards Committee")."""
    return forces_for([title, opening], patterns, text) or forces_named(
        source.split(",")[0], patterns, short_names=True
    )


def _titlecase_committee(text: str) -> str:
    """ "GWENT POLICE AND CRIME PANEL" -> "Gwent Police and Crime Panel"; a name already in
    mixed case is kept as written."""
    text = " ".join(text.split())
    if not text.isupper():
        return text
    small = {"and", "of", "the", "&", "for"}
    return " ".join(
        w.lower() if w.lower() in small else w[:1] + w[1:].lower() for w in text.split(" ")
    )


def _paper_date(blocks: list[Block]) -> str | None:
    """The meeting's or paper's date near the top, else its "Last updated" date."""
    for block in blocks[:12]:
        if block.kind in {"heading", "para", "row"}:
            if re.search(r"\bpublish", block.text, re.IGNORECASE):
                continue
            dates = day_dates(block.text)
            if dates and len(block.text.split()) <= 20:
                return dates[0].isoformat()
    for block in blocks:
        match = _UPDATED.match(block.text)
        if match and DAY_DATE.search(match.group("date")):
            return day_dates(match.group("date"))[0].isoformat()
    return None


_TITLE_WORDS = re.compile(
    r"hmicfrs|hmic\b|peel|inspection|recommendation|areas?\s+for\s+improvement|progress|"
    r"action\s+plan|update",
    re.IGNORECASE,
)


NAMED_REPORT = re.compile(
    r"\b(?:HMICFRS|HMIC|inspectorate[’']s|inspection)\s+report(?:\s+(?:entitled|titled|called))?"
    r"[:,]?\s+[\"“‘']?(?P<title>[A-Z][^\"”’]{5,160}?)[\"”’']?(?=,\s+(?:published|which)|\s+\(|"
    r"\.\s|\.?$)"
)


def _title(blocks: list[Block]) -> str:
    """The inspection report the paper reports on, when it names it ("... the HMICFRS report
    PEEL 2023–25: An inspection of <force>, published on ..."); else the paper's subject: a
    heading that names the inspection or the progress it reports, else the first heading."""
    for block in blocks[:20]:
        named = NAMED_REPORT.search(block.text) if block.kind == "para" else None
        if named:
            return named.group("title").strip()
    if _page_name(blocks):
        return ""  # a page about one finding: its heading is the finding's label
    return _paper_heading(blocks)


def _paper_heading(blocks: list[Block]) -> str:
    headings = [
        b
        for b in blocks[:15]
        if b.kind == "heading" and not inspectorate_status(b.text) and not _field(b)
    ]
    for block in headings:
        if _TITLE_WORDS.search(block.text) and not kind_label(block.text, heading=True):
            return block.text.strip(" :")
    return headings[0].text if headings else ""
