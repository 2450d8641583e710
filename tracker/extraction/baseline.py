"""HMIC baseline assessments (2004 to 2007) of one force.

Shape: a cover ("<force>", "Baseline Assessment <Month YYYY>"), a summary table of grades
with direction of travel, grouped by domain ("Citizen Focus" ... "Leadership and
Direction"), then one section per framework ("1A Fairness and Equality in Service
Delivery") with its grade and direction, national grade distribution, contextual factors,
strengths, areas for improvement and good practice boxes. Only the areas for improvement
are findings; strengths and good practice are what the force does well.
"""

from __future__ import annotations

import re

from .cleaning import Block
from .common import area_per_block, forces_for, grading_scale, inspectorate
from .common import report_type as report_type_for
from .findings import Area, walk
from .judgements import find_judgements
from .result import Extraction
from .vocabulary import ForceNames, month_in

FRAMEWORK = re.compile(r"^(?P<ref>\d{1,2}[A-Z])\s+(?P<name>[A-Z].*)$")
DOMAIN = re.compile(r"^\d{1,2}\s+[A-Z][A-Za-z ,&-]+(?:\([^)]*\))?$")


def detect(blocks: list[Block]) -> bool:
    return any(re.search(r"baseline\s+assessment", b.text, re.I) for b in blocks[:12])


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    title = _title(blocks)
    published = month_in(title) or month_in(" ".join(b.text for b in blocks[:12]))
    area_at: dict[int, Area | None] = {}
    for index, block in enumerate(blocks):
        if block.kind != "heading":
            continue
        framework = FRAMEWORK.match(block.text)
        if framework and len(block.text.split()) <= 12:
            area_at[index] = Area(block.text, framework.group("ref"))
        elif DOMAIN.match(block.text):
            area_at[index] = None
    judgements = find_judgements(blocks, area_per_block(blocks, area_at), number_groups=True)
    found = walk(blocks, area_at)
    warnings = []
    ungraded = [j.area for j in judgements if not j.grade]
    if ungraded:
        warnings.append(f"{len(ungraded)} frameworks had no grade in the text.")
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=forces_for([title], patterns, text),
        report_type=report_type_for(title, text, "baseline"),
        published=published,
        grading_scale=grading_scale(judgements, title, "baseline") if judgements else "none",
        judgements=judgements,
        findings=found.findings,
        responses=found.responses,
        warnings=warnings,
        document_type="baseline",
    )


def _title(blocks: list[Block]) -> str:
    """The cover lines up to the one naming the assessment, joined with spaces:
    "<force>" + "Baseline Assessment October 2006"."""
    lines: list[str] = []
    for block in blocks[:4]:
        lines.append(block.text)
        if re.search(r"baseline\s+assessment", block.text, re.I):
            return " ".join(lines)
    return blocks[0].text if blocks else ""
