"""PEEL reports (HMIC/HMICFRS, 2014 onward) on one force.

Shape: a cover ("PEEL: Police effectiveness 2015", "An inspection of <force>", a month),
an overview with the overall judgement, then one section per graded question ("How
effective is the force at ...?", or from 2021 an area such as "Investigating crime")
with its grade, its findings, and labelled "Areas for improvement", "Cause of concern"
and "Recommendations". Grades were often images in the PDF and are then missing from the
text: the rules say which, and take a grade the summary states in words ("<force> is good
at preventing crime") with a note that it came from the text.

From 2021/22 (the five-point scale with "Adequate") peel_2021.py adds its rules: the
framework's areas by name, grade tables by column, grades stated in sentences, practice
boxes as notes, accelerated causes of concern. Both are read after report_sections.prepare.
"""

from __future__ import annotations

import re

from . import fire, programmes
from .cleaning import Block
from .common import (
    PRIMARY_QUESTION,
    area_per_block,
    forces_for,
    grading_scale,
    inspectorate,
    publication_date,
    question_areas,
)
from .common import report_type as report_type_for
from .cover import cover_date, cover_title
from .finding_doubts import mark_unsure
from .findings import Area, walk
from .judgements import area_key, find_judgements, stated_judgements
from .peel_2021 import accelerated_notes, framework_areas, is_peel_2021, stated_area
from .report_sections import prepare
from .result import ExtractedJudgement, Extraction
from .vocabulary import GRADES, ForceNames, report_type_or

STATED_GRADE = re.compile(
    r"\b(?:is|are|was|were)\s+(?:judged\s+(?:to\s+be\s+)?|assessed\s+as\s+|rated\s+(?:as\s+)?)?"
    r"(?P<grade>outstanding|good|adequate|inadequate|requir(?:es|ing)\s+improvement)\s+"
    r"(?:at|in)\b",
    re.IGNORECASE,
)


def detect(blocks: list[Block]) -> bool:
    head = " ".join(block.text for block in blocks[:15])
    questions = sum(1 for block in blocks if PRIMARY_QUESTION.match(block.text))
    return bool(re.search(r"\bPEEL\b", head)) or questions >= 2


def extract(
    blocks: list[Block], text: str, patterns: ForceNames, *, document_type: str = "peel"
) -> Extraction:
    """1. Take practice boxes out (notes), read accelerated causes and run-in parts
    (report_sections.prepare). 2. Areas: the graded questions, headings a grade follows and,
    from 2021, the framework's area headings. 3. Judgements, then grades stated in words.
    4. Findings by the shared walk; unsure ones marked."""
    prepared = prepare(blocks)
    blocks = prepared.blocks
    title = cover_title(blocks)
    published = cover_date(blocks) or publication_date(blocks)
    area_at = question_areas(blocks)
    judgements = find_judgements(blocks, area_per_block(blocks, area_at))
    modern = is_peel_2021(title, blocks, judgements)
    if modern:
        area_at.update(framework_areas(blocks, area_at))
        judgements = find_judgements(blocks, area_per_block(blocks, area_at))
        judgements += stated_judgements(blocks, stated_area, judgements)
    warnings = add_stated_grades(blocks, area_at, judgements)
    found = walk(blocks, dict(sorted(area_at.items())))
    mark_unsure(found.findings)
    report_type = report_type_for(title, text, document_type)
    if modern and document_type == "peel":
        report_type = report_type_or("peel", "peel_effectiveness")
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=forces_for([title, "\n".join(b.text for b in blocks[:10])], patterns, text),
        report_type=report_type,
        published=published,
        grading_scale=grading_scale(judgements, "PEEL 2021" if modern else title, document_type),
        judgements=judgements,
        findings=found.findings,
        responses=found.responses,
        warnings=warnings,
        document_type=document_type,
        notes=prepared.notes + accelerated_notes(found.findings, prepared.accelerated),
    )


def add_stated_grades(
    blocks: list[Block], area_at: dict[int, Area | None], judgements: list[ExtractedJudgement]
) -> list[str]:
    """Fill a graded question's missing grade from the first sentence under it when that
    sentence states it ("<force> is good at preventing crime"), and warn about the rest."""
    graded = {area_key(j.area) for j in judgements}
    missing: list[str] = []
    for index, area in area_at.items():
        if area is None or not PRIMARY_QUESTION.match(area.name) or area_key(area.name) in graded:
            continue
        paragraph = _first_paragraph(blocks, index)
        if paragraph is None:
            continue  # a contents entry, not a section
        stated = STATED_GRADE.search(re.split(r"(?<=[.;])\s", paragraph, maxsplit=1)[0])
        if stated:
            grade = GRADES[
                " ".join(stated.group("grade").lower().split()).replace("requiring", "requires")
            ]
            judgements.append(
                ExtractedJudgement(
                    area.name,
                    grade,
                    None,
                    "",
                    "Stated in the text; the grade itself (probably an image) is missing.",
                )
            )
            graded.add(area_key(area.name))
        elif area.name not in missing:
            missing.append(area.name)
    missing = [name for name in missing if area_key(name) not in graded]
    if not missing:
        return []
    return [
        f"{len(missing)} graded question{'s' if len(missing) > 1 else ''} had no grade in the "
        f"text ({'; '.join(missing)}). The grades were probably images in the PDF: check them "
        "against the published report."
    ]


def _first_paragraph(blocks: list[Block], index: int) -> str | None:
    for block in blocks[index + 1 : index + 4]:
        words = len(block.text.split())
        # A paragraph, or a sentence standing alone (text with a line per sentence).
        if block.kind == "para" and (words >= 12 or (words >= 6 and block.text.endswith("."))):
            return block.text
        if block.kind == "heading" and PRIMARY_QUESTION.match(block.text):
            return None
    return None


# The kinds core.DOCUMENT_TYPES reads before PEEL (its kinds-peel-programmes block): an
# inspection programme's cover (custody, crime data integrity, child protection, joint) and a
# fire and rescue service's are more specific than the PEEL rules, which read anything.
READ_BEFORE_PEEL = (
    ("inspection_programme", programmes),
    ("fire_and_rescue", fire),
)
