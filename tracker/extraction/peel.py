"""PEEL reports (HMIC/HMICFRS, 2014 onward) on one force.

Shape: a cover ("PEEL: Police effectiveness 2015", "An inspection of <force>", a month),
an overview with the overall judgement, then one section per graded question ("How
effective is the force at ...?", or from 2021 an area such as "Investigating crime")
with its grade, its findings, and labelled "Areas for improvement", "Cause of concern"
and "Recommendations". Grades were often images in the PDF and are then missing from the
text: the rules say which, and take a grade the summary states in words ("<force> is good
at preventing crime") with a note that it came from the text.
"""

from __future__ import annotations

import re

from .cleaning import Block
from .common import (
    PRIMARY_QUESTION,
    area_per_block,
    first_standalone_date,
    forces_for,
    grading_scale,
    inspectorate,
    publication_date,
    question_areas,
)
from .common import report_type as report_type_for
from .findings import Area, walk
from .judgements import area_key, find_judgements
from .result import ExtractedJudgement, Extraction
from .vocabulary import GRADES, MONTH_DATE, ForceNames

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
    title = cover_title(blocks)
    published = _cover_date(blocks) or publication_date(blocks)
    area_at = question_areas(blocks)
    areas = area_per_block(blocks, area_at)
    judgements = find_judgements(blocks, areas)
    warnings = add_stated_grades(blocks, area_at, judgements)
    found = walk(blocks, area_at)
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=forces_for([title, "\n".join(b.text for b in blocks[:10])], patterns, text),
        report_type=report_type_for(title, text, document_type),
        published=published,
        grading_scale=grading_scale(judgements, title, document_type),
        judgements=judgements,
        findings=found.findings,
        responses=found.responses,
        warnings=warnings,
        document_type=document_type,
    )


def cover_title(blocks: list[Block]) -> str:
    """The first heading, joined to a second cover line "An inspection of <force>" or
    "– <force>" with an en dash, as HMIC writes the title in its lists of reports."""
    headings = [b for b in blocks[:6] if b.kind in {"heading", "para"}]
    if not headings:
        return ""
    title = headings[0].text
    if len(headings) > 1 and re.match(
        r"^(?:An?\s+inspection\s+of|[–—-]\s)", headings[1].text, re.IGNORECASE
    ):
        title = f"{title} – {headings[1].text.lstrip('–—- ')}"
    return title


def _cover_date(blocks: list[Block]) -> str | None:
    """The month or day on the cover, before the first long paragraph."""
    for block in blocks[:15]:
        if block.kind == "para" and len(block.text.split()) > 25:
            break
        if MONTH_DATE.fullmatch(block.text.strip()) or re.fullmatch(
            r"\d{1,2}\s+\w+\s+\d{4}", block.text.strip()
        ):
            return first_standalone_date([block])
    return None


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
        if block.kind == "para" and len(block.text.split()) >= 12:
            return block.text
        if block.kind == "heading" and PRIMARY_QUESTION.match(block.text):
            return None
    return None
