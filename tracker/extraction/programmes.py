"""Inspection programmes other than PEEL: crime data integrity, police custody (with HM
Inspectorate of Prisons), child protection, and joint inspections with other inspectorates.

Each programme inspected every force in turn with the same report, and all share one shape
for what they ask: causes of concern, each answered by recommendations (with parts: "(a)",
"i.", bullets; sometimes under timescale headings, "Immediately", "Within three months"),
and areas for improvement. What differs is the layout:

- crime data integrity (2014 to 2020): a graded overall judgement ("Overall judgement" /
  "Inadequate"), causes of concern with recommendations, areas for improvement;
- custody (joint with HM Inspectorate of Prisons): numbered paragraphs ("6.1 Cause of
  concern: ...", "6.2 Recommendation: ..."), a closing summary whose areas for improvement
  sit under the report's section names; the paragraph number is the reference;
- child protection: recommendations numbered, with lettered or roman parts;
- joint inspections (joint targeted area inspections and others): areas for priority
  action and areas for improvement for several agencies, the force among them.

A programme is recognised by its name on the cover together with an inspectorate named in
the opening: a document that only mentions custody or crime recording is not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cleaning import Block
from .common import (
    area_per_block,
    forces_for,
    grading_scale,
    inspectorate,
    is_label,
    publication_date,
    question_areas,
)
from .cover import cover_date, cover_title
from .finding_doubts import add_references, mark_unsure
from .findings import Area, walk
from .judgements import find_judgements
from .report_sections import PRACTICE, label_of, prepare
from .result import Extraction
from .vocabulary import (
    IGNORED_SECTION,
    ForceNames,
    parse_grade,
    report_type_or,
    timescale_heading,
)


@dataclass(frozen=True)
class Programme:
    key: str  # the report type asked for (vocabulary.WANTED_REPORT_TYPES)
    name: str  # for the note that says which programme the document is
    cover: re.Pattern[str]


PROGRAMMES = (
    Programme(
        "crime_data_integrity",
        "Crime data integrity inspection",
        re.compile(r"crime\s+data\s+integrity|crime\s+recording\s+(?:process\s+)?inspection", re.I),
    ),
    Programme(
        "custody",
        "Police custody inspection (with HM Inspectorate of Prisons)",
        re.compile(r"police\s+custody|custody\s+suites?", re.I),
    ),
    Programme(
        "child_protection",
        "Child protection inspection",
        re.compile(
            r"child\s+protection\s+(?:post-)?inspection|national\s+child\s+protection", re.I
        ),
    ),
    Programme(
        "joint_inspection",
        "Joint inspection with other inspectorates",
        re.compile(r"joint\s+targeted\s+area\s+inspection|\bJTAI\b|\bjoint\s+inspection\b", re.I),
    ),
)
INSPECTORATES = re.compile(
    r"\bHMICFRS\b|\bHMIC\b|Inspectorate\s+of\s+Constabulary|Inspectorate\s+of\s+Prisons|"
    r"\bHMI\s+Prisons\b|\bOfsted\b|Care\s+Quality\s+Commission|\bCQC\b|Inspectorate\s+of\s+"
    r"Probation|\bHMI\s+Probation\b|\bHMCPSI\b|Crown\s+Prosecution\s+Service\s+Inspectorate",
    re.IGNORECASE,
)
NUMBERED_SECTION = re.compile(r"^(?:section\s+)?\d{1,2}\.?\s+[A-Z]", re.IGNORECASE)
# "Area for priority action" (joint targeted area inspections): the most serious finding, in
# the place a cause of concern has in the inspectorate's own reports.
PRIORITY_ACTION = re.compile(r"^areas?\s+(?:for|of)\s+priority\s+action\b", re.IGNORECASE)
GRADE_WORDS = re.compile(r"^(?:overall\s+)?(?:judge?ment|grade|rating)s?$", re.IGNORECASE)
OVERALL_JUDGEMENT = re.compile(r"^(?:our\s+)?overall\s+(?:judge?ment|grade|rating)$", re.I)
COVER_BLOCKS = 8
COVER_LINES = 6
OPENING_BLOCKS = 25


def programme_of(blocks: list[Block]) -> Programme | None:
    """The programme named on the cover, when an inspectorate is named in the opening and
    the cover is not a PEEL report's."""
    head = " ".join(b.text for b in blocks[:COVER_BLOCKS])
    if re.search(r"\bPEEL\b", head):
        return None
    opening = " ".join(b.text for b in blocks[:OPENING_BLOCKS])
    if not INSPECTORATES.search(opening):
        return None
    for programme in PROGRAMMES:
        if programme.cover.search(head):
            return programme
    return None


def detect(blocks: list[Block]) -> bool:
    return programme_of(blocks) is not None


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    """1. Practice boxes out, paragraph numbers kept aside, run-in parts split, sections with
    subheadings kept open (report_sections.prepare). 2. Areas: numbered sections, headings a
    grade follows, and the other section headings. 3. Judgements (an overall judgement, a
    table). 4. Findings by the shared walk, with the paragraph numbers as references."""
    programme = programme_of(blocks)
    prepared = prepare(_priority_actions(blocks), numbered_paragraphs=True, subsections=True)
    blocks = prepared.blocks
    title = cover_title(blocks)
    published = cover_date(blocks) or publication_date(blocks)
    area_at: dict[int, Area | None] = dict(question_areas(blocks))
    area_at.update(section_areas(blocks, area_at))
    for index in prepared.subheadings:
        area_at[index] = Area(blocks[index].text)
    # "Overall judgement" is the area of the grade under it; the findings after it are in
    # no area of their own.
    overall = [
        i for i, b in enumerate(blocks) if b.kind == "heading" and OVERALL_JUDGEMENT.match(b.text)
    ]
    graded_at = area_at | {index: Area("Overall") for index in overall}
    judgements = find_judgements(blocks, area_per_block(blocks, graded_at))
    found = walk(blocks, dict(sorted((area_at | dict.fromkeys(overall)).items())))
    add_references(found.findings, prepared.numbers)
    mark_unsure(found.findings)
    notes = [f"Inspection programme: {programme.name}."] if programme else []
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=forces_for([title, "\n".join(b.text for b in blocks[:10])], patterns, text),
        report_type=report_type_or(programme.key, "other") if programme else "other",
        published=published,
        grading_scale=grading_scale(judgements, title, "inspection_programme"),
        judgements=judgements,
        findings=found.findings,
        responses=found.responses,
        document_type="inspection_programme",
        notes=notes + prepared.notes,
    )


def section_areas(blocks: list[Block], area_at: dict[int, Area | None]) -> dict[int, Area]:
    """Section headings are areas: numbered ones ("Section 2. Pre-custody", "3 Leadership"),
    and any other short heading that is not a label, a timescale, a praise section or the
    first block under a label (a short cause of concern reads like a heading)."""
    found: dict[int, Area] = {}
    cover_end = _cover_end(blocks)
    for index, block in enumerate(blocks):
        if index < cover_end:
            continue
        if index in area_at or block.kind != "heading" or len(block.text.split()) > 12:
            continue
        if parse_grade(block.text):
            continue  # a grade line, "Requires improvement"
        previous = blocks[index - 1] if index else None
        after_label = previous is not None and (
            label_of(previous) is not None or timescale_heading(previous.text) is not None
        )
        if (
            is_label(block)
            or after_label
            or timescale_heading(block.text)
            or IGNORED_SECTION.match(block.text)
            or GRADE_WORDS.match(block.text)
            or PRACTICE.match(block.text)
            or block.text.endswith(":")
        ):
            continue
        if NUMBERED_SECTION.match(block.text) or block.marked or _has_content(blocks, index):
            found[index] = Area(block.text)
    return found


def _cover_end(blocks: list[Block]) -> int:
    """Where the cover ends: at the first long paragraph, finding label or "Overall
    judgement", and within the first six blocks. Cover lines are not sections."""
    for index, block in enumerate(blocks[:COVER_LINES]):
        long_para = block.kind == "para" and len(block.text.split()) >= 12
        if long_para or is_label(block) or OVERALL_JUDGEMENT.match(block.text):
            return index
    return min(COVER_LINES, len(blocks))


def _has_content(blocks: list[Block], index: int) -> bool:
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return following is not None and following.kind in {"para", "bullet", "heading"}


def _priority_actions(blocks: list[Block]) -> list[Block]:
    """ "Areas for priority action" read as causes of concern (what must change first)."""
    out: list[Block] = []
    for block in blocks:
        match = PRIORITY_ACTION.match(block.text) if block.kind in {"heading", "para"} else None
        if match is None:
            out.append(block)
            continue
        rest = block.text[match.end() :]
        out.append(Block(block.kind, "Causes of concern" + rest, marked=block.marked))
    return out
