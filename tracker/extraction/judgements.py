"""Find graded judgements: grade tables, grade lines under a heading, framework grade rows.

Grades reach the text in three ways, in every programme:
- a table row: "Fairness and Equality in Service Delivery | Good | Stable" (baseline summary),
  "How effective is the force at ...? | Good (2016 inspection result)" (a PCC response),
  "Overall rating for <force> | Requires Improvement";
- a line that is only a grade, under the heading it grades ("Overall judgement" / "Good");
- a row "Good | Stable" under a baseline framework heading, below a "Grade | Direction" row.
When the grade was an image, none of these is in the text; the rules then warn.
"""

from __future__ import annotations

import re

from .cleaning import Block
from .findings import Area
from .result import ExtractedJudgement
from .vocabulary import parse_direction, parse_grade

OVERALL = re.compile(
    r"^overall\b(?:\s+(?:rating|grade|judge?ment|assessment))?(?:\s+for\b.*)?$", re.IGNORECASE
)
GRADE_PREFIX = re.compile(r"^(?:overall\s+)?(?:judge?ment|grade|rating)\s*[:–-]\s*", re.I)
HEADER_WORDS = re.compile(
    r"^(?:grade|grades|direction(?: of travel)?|judge?ments?|area|"
    r"summary of judge?ments|rating)$",
    re.IGNORECASE,
)


def area_key(text: str) -> str:
    """Compare areas by their words only: "crime ?" and "crime?" are the same question."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("judgment", "judgement")))


def find_judgements(
    blocks: list[Block], area_of_block: list[Area | None], *, number_groups: bool = False
) -> list[ExtractedJudgement]:
    """Judgements in document order, one per area (the first grade found for it wins).

    With number_groups (baseline), rows of a grade table are given references from their
    group headings: the third row under the second group heading is "2C".
    """
    found: list[ExtractedJudgement] = []
    group, letter = 0, 0
    for index, block in enumerate(blocks):
        area = area_of_block[index]
        if number_groups and _is_group_heading(blocks, index):
            group, letter = group + 1, 0
        elif block.kind == "row":
            judgement = _from_row(block.cells, area)
            if judgement is None:
                continue
            if number_groups and not judgement.reference and group:
                letter += 1
                judgement.reference = f"{group}{chr(64 + letter)}"
            _merge(found, judgement)
        elif block.kind in {"heading", "para"} and area is not None:
            graded = parse_grade(GRADE_PREFIX.sub("", block.text))
            if graded and len(block.text.split()) <= 8:
                _merge(
                    found,
                    ExtractedJudgement(
                        _area_label(area), graded[0], None, area.reference, graded[1]
                    ),
                    keep_first=True,
                )
    return found


def _from_row(cells: tuple[str, ...], area: Area | None) -> ExtractedJudgement | None:
    values = [cell for cell in cells if cell]
    if len(values) < 2:
        return None
    first, second = values[0], values[1]
    first_grade = parse_grade(first)
    if first_grade and area is not None:
        # "Good | Stable" under a framework heading.
        direction = parse_direction(second)
        if direction and len(values) == 2:
            return ExtractedJudgement(_area_label(area), first_grade[0], direction, area.reference)
        return None
    if first_grade or HEADER_WORDS.match(first) or parse_direction(first):
        return None  # a header row, or a distribution "Poor | Fair | Good | Excellent"
    graded = parse_grade(second)
    if graded is None:
        return None
    direction = parse_direction(values[2]) if len(values) > 2 else None
    name = "Overall" if OVERALL.match(first) else first
    return ExtractedJudgement(name, graded[0], direction, "", graded[1])


def _is_group_heading(blocks: list[Block], index: int) -> bool:
    """A heading (or one-cell row) between rows of a grade table: "Citizen Focus"."""
    block = blocks[index]
    if block.kind != "heading" and not (block.kind == "row" and sum(map(bool, block.cells)) == 1):
        return False
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return bool(following and following.kind == "row" and _from_row(following.cells, None))


def _area_label(area: Area) -> str:
    name = area.name
    if area.reference and name.startswith(area.reference):
        name = name[len(area.reference) :].strip(" .:–-")
    return name


def _merge(
    found: list[ExtractedJudgement], new: ExtractedJudgement, *, keep_first: bool = False
) -> None:
    """One judgement per area: a later mention fills what an earlier one lacked."""
    for old in found:
        same_ref = bool(new.reference and old.reference == new.reference)
        if same_ref or area_key(old.area) == area_key(new.area):
            if not keep_first or not old.grade:
                old.grade = old.grade or new.grade
            old.direction = old.direction or new.direction
            old.reference = old.reference or new.reference
            old.note = old.note or new.note
            return
    found.append(new)
