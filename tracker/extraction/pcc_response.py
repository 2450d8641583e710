"""A local policing body's statutory response (s55 Police Act 1996) to an inspection report.

Shape: the date, "Police and Crime Commissioner ... response to ... report <title>", the
grades the report gave (often as a table), the commissioner's comments, then for each
recommendation (under "Cause of concern" / "Recommendation" labels, within the question
it belongs to) the force's response ("<force> response:", "Chief Constable's response")
and the commissioner's ("PCC response"). Summaries of what the report said ("The report
states that the force: ...") are not findings.
"""

from __future__ import annotations

import re

from .cleaning import Block
from .common import (
    area_per_block,
    first_standalone_date,
    forces_for,
    grading_scale,
    inspectorate,
    publication_date,
    question_areas,
)
from .common import report_type as report_type_for
from .findings import walk
from .judgements import find_judgements
from .result import Extraction
from .vocabulary import PCC_RESPONSE, ForceNames

OPENING = re.compile(
    r"(?:commissioner|\bPCC\b|\bOPCC\b|\bPFCC\b|mayor|police\s+authority).{0,120}\bresponse\b"
    r"|\bresponse\b.{0,80}(?:commissioner|\bPCC\b)",
    re.IGNORECASE,
)
REPORT_TITLE = re.compile(
    r"\breport(?:\s+(?:entitled|titled|called))?[:,]?\s+[\"“‘']?(?P<title>[A-Z][^\"”’]{5,200}?)"
    r"[\"”’']?\s*(?:\(|$)"
)


def detect(blocks: list[Block]) -> bool:
    opening = any(OPENING.search(b.text) for b in blocks[:6] if b.kind in {"para", "heading"})
    label = any(PCC_RESPONSE.match(b.text) for b in blocks if b.kind in {"heading", "para"})
    return opening or label


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    title = _report_title(blocks)
    published = publication_date(blocks)
    area_at = question_areas(blocks)
    judgements = find_judgements(blocks, area_per_block(blocks, area_at))
    found = walk(blocks, area_at)
    warnings = []
    if found.findings and not found.responses:
        warnings.append("No force or PCC response was found under the recommendations.")
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=forces_for([title, "\n".join(b.text for b in blocks[:8])], patterns, text),
        report_type=report_type_for(title, text, "pcc_response"),
        published=published,
        grading_scale=grading_scale(judgements, title, "pcc_response"),
        judgements=judgements,
        findings=found.findings,
        responses=found.responses,
        warnings=warnings,
        document_type="pcc_response",
        dated=first_standalone_date(blocks, limit=6),
    )


def _report_title(blocks: list[Block]) -> str:
    """The report's title as the response names it: "... response to the publication of
    HMICFRS's report PEEL: police effectiveness 2017 – <force>"."""
    for block in blocks[:8]:
        if block.kind in {"para", "heading"} and OPENING.search(block.text):
            match = REPORT_TITLE.search(block.text)
            if match:
                return match.group("title").strip(" .")
    return ""
