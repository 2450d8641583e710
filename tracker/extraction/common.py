"""Document-level rules shared by the document types: areas, dates, forces, inspectorate."""

from __future__ import annotations

import re

from .cleaning import Block
from .findings import Area
from .result import ExtractedJudgement
from .vocabulary import (
    IGNORED_SECTION,
    ForceNames,
    day_dates,
    force_mentions,
    forces_named,
    kind_label,
    parse_grade,
    response_party,
    standalone_date,
)

# PEEL's graded questions: "How effective is the force at ...?", "How efficient ...",
# "How legitimate ...", and the force's "How effective are the force's ...?". Sub-questions
# ("How well does the force ...?") are areas only when a grade follows them.
PRIMARY_QUESTION = re.compile(
    r"^(?:\d+\.?\s+)?How\s+(?:effective|efficient|legitimate)\s+(?:is|are)\s+the\s+"
    r"(?:force|constabulary)\b.*\?$",
    re.IGNORECASE,
)
OVERVIEW = re.compile(r"^(?:Overview|Overall)\s*[–—:-]\s*(?P<question>.+\?)$", re.IGNORECASE)
# How much of a title or an opening is searched for force names: a page or so.
OPENING_CHARS = 3000
GRADE_LABEL = re.compile(
    r"^(?:overall\s+)?(?:judge?ment|grade|rating)s?$|^summary(?:\s+of\s+"
    r"findings)?$",
    re.IGNORECASE,
)


def is_label(block: Block) -> bool:
    """A finding or response label, which is never an area heading."""
    return bool(kind_label(block.text, heading=True) or response_party(block.text))


def question_areas(blocks: list[Block]) -> dict[int, Area | None]:
    """Area headings of PEEL reports and PCC responses: overview and graded questions, and
    any heading that a grade line follows (PEEL 2021 areas such as "Investigating crime")."""
    areas: dict[int, Area | None] = {}
    for index, block in enumerate(blocks):
        if block.kind != "heading" or is_label(block) or parse_grade(block.text):
            continue
        overview = OVERVIEW.match(block.text)
        if overview:
            areas[index] = Area(f"Overall: {overview.group('question').strip()}")
        elif (
            (PRIMARY_QUESTION.match(block.text) or _grade_follows(blocks, index))
            and not IGNORED_SECTION.match(block.text)
            and not GRADE_LABEL.match(block.text)
        ):
            areas[index] = Area(block.text)
    return areas


def _grade_follows(blocks: list[Block], index: int) -> bool:
    """A grade line right after the heading, or after a "Summary of findings" label."""
    for following in blocks[index + 1 : index + 3]:
        if following.kind in {"heading", "para"} and parse_grade(following.text):
            return len(following.text.split()) <= 6
        if not (following.kind == "heading" and GRADE_LABEL.match(following.text)):
            return False
    return False


def area_per_block(blocks: list[Block], area_at: dict[int, Area | None]) -> list[Area | None]:
    """The area in force at each block: the latest area heading at or before it."""
    current: Area | None = None
    out: list[Area | None] = []
    for index in range(len(blocks)):
        if index in area_at:
            current = area_at[index]
        out.append(current)
    return out


def publication_date(blocks: list[Block], limit: int = 60) -> str | None:
    """The date in the first sentence that says something was or will be published:
    "On 22 March 2018 HMICFRS published its ...", "... published by HMIC on Thursday
    4 September 2014"."""
    for block in blocks[:limit]:
        if block.kind not in {"para", "bullet", "heading"}:
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", block.text):
            if re.search(r"\bpublish", sentence, re.IGNORECASE):
                dates = day_dates(sentence)
                if dates:
                    return dates[0].isoformat()
    return None


def first_standalone_date(blocks: list[Block], limit: int = 15) -> str | None:
    for block in blocks[:limit]:
        if block.kind in {"heading", "para"}:
            found = standalone_date(block.text)
            if found:
                return found
    return None


def inspectorate(text: str, published: str | None) -> str:
    """HMICFRS from July 2017 (or when the text names it), HMIC before."""
    if re.search(r"HMICFRS|Fire\s*(?:&|and)\s*Rescue\s+Services", text):
        return "HMICFRS"
    if published and published[:7] >= "2017-07":
        return "HMICFRS"
    if re.search(r"\bHMIC\b|Inspectorate\s+of\s+Constabulary|Inspector\s+of\s+Constabulary", text):
        return "HMIC"
    return ""


def report_type(title: str, text: str, document_type: str) -> str:
    head = f"{title}\n{text[:3000]}"
    if document_type == "baseline" or re.search(r"baseline\s+assessment", title, re.I):
        return "baseline_assessment"
    if re.search(r"\bPEEL\b", title) and re.search(r"effectiveness", title, re.I):
        return "peel_effectiveness"
    if re.search(r"\bthematic\b|\ball\s+43\s+forces\b|\bnational\s+report\b", head, re.I):
        return "thematic"
    return "other"


def grading_scale(judgements: list[ExtractedJudgement], title: str, document_type: str) -> str:
    grades = {j.grade for j in judgements} | {j.direction for j in judgements if j.direction}
    if not judgements:
        return "none"
    if document_type == "baseline" or grades & {
        "Excellent",
        "Fair",
        "Poor",
        "Improved",
        "Stable",
        "Declined",
    }:
        return "baseline"
    year = re.search(r"\bPEEL\b.*?\b(20\d{2})", title)
    if "Adequate" in grades or (year and int(year.group(1)) >= 2021):
        return "peel_2021"
    return "peel_2014"


def forces_for(text_with_priority: list[str], forces: ForceNames, whole_text: str) -> list[str]:
    """Forces named in the first text that names any (title, address block...), trying
    short names only in the first; else a force named at least three times in the text."""
    for position, text in enumerate(text_with_priority):
        found = forces_named(text[:OPENING_CHARS], forces, short_names=position == 0)
        if found:
            return found
    counts = force_mentions(whole_text, forces)
    frequent = [(hits, name) for name, hits in counts.items() if hits >= 3]
    return [max(frequent)[1]] if frequent else []


CONTENTS = re.compile(r"^(?:table\s+of\s+)?contents$", re.IGNORECASE)
_PAGE_OR_NUMBER = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?|\s*\.*\s*\d{1,4}\s*$")


def without_contents(blocks: list[Block]) -> list[Block]:
    """The blocks without a table of contents near the start: its entries name the sections
    ("Recommendations") that the walk would take for labels. The contents end where an entry
    comes again as the section itself, or at the first paragraph of prose."""
    start = next(
        (i for i, b in enumerate(blocks[:60]) if b.kind == "heading" and CONTENTS.match(b.text)),
        None,
    )
    if start is None:
        return blocks
    seen: set[str] = set()
    for index in range(start + 1, len(blocks)):
        block = blocks[index]
        name = _PAGE_OR_NUMBER.sub("", block.cells[0] if block.cells else block.text).lower()
        if name in seen or (block.kind in {"para", "bullet"} and len(block.text.split()) >= 12):
            end = index if name in seen else _heading_above(blocks, index, start)
            return blocks[:start] + blocks[end:]
        seen.add(name)
    return blocks


def _heading_above(blocks: list[Block], index: int, floor: int) -> int:
    """The heading that opens the first paragraph of prose, if right above it."""
    above = index - 1
    return above if above > floor and blocks[above].kind == "heading" else index


def entry_text(blocks: list[Block]) -> tuple[str, list[str]] | None:
    """A finding's text written as the fixtures write it, from the blocks a register entry or
    a paper's entry holds: the first block, its bullets as parts, later paragraphs after a
    blank line. With its parts; None when there is no text."""
    intro = ""
    parts: list[str] = []
    more: list[str] = []
    for block in blocks:
        if block.kind == "bullet" and intro:
            parts.append(block.text)
        elif not intro:
            intro = block.text
        else:
            more.append(block.text)
    if not intro:
        return None
    text = intro + "".join(f"\n- {part}" for part in parts) + "".join(f"\n\n{m}" for m in more)
    return text, parts
