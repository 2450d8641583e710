"""Find graded judgements: grade tables, grade lines under a heading, framework grade rows.

Grades reach the text in three ways, in every programme:
- a table row: "Fairness and Equality in Service Delivery | Good | Stable" (baseline summary),
  "How effective is the force at ...? | Good (2016 inspection result)" (a PCC response),
  "Overall rating for <force> | Requires Improvement";
- a line that is only a grade, under the heading it grades ("Overall judgement" / "Good");
- a row "Good | Stable" under a baseline framework heading, below a "Grade | Direction" row.
From 2021 (PEEL, fire and rescue) two more:
- a table whose header row is the scale ("Outstanding | Good | Adequate | Requires
  improvement | Inadequate") with each area written in its grade's column;
- a list line "Investigating crime: Adequate" or "Preventing crime – Good".
When the grade was an image, none of these is in the text; the rules then warn.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
    columns: tuple[str, ...] | None = None  # the grades heading a scale table's columns
    for index, block in enumerate(blocks):
        area = area_of_block[index]
        if block.kind != "row":
            columns = None
        if number_groups and _is_group_heading(blocks, index):
            group, letter = group + 1, 0
        elif block.kind == "row" and _scale_header(block.cells):
            columns = tuple(_grade_of(cell) for cell in block.cells)
        elif block.kind == "row" and columns is not None and len(block.cells) == len(columns):
            for cell, grade in zip(block.cells, columns, strict=True):
                if grade and re.search(r"[A-Za-z]{3}", cell):  # not a distribution's counts
                    _merge(found, ExtractedJudgement(cell, grade))
        elif block.kind == "row":
            judgement = _from_row(block.cells, area)
            if judgement is None:
                continue
            if number_groups and not judgement.reference and group:
                letter += 1
                judgement.reference = f"{group}{chr(64 + letter)}"
            _merge(found, judgement)
        elif block.kind in {"heading", "para"} and (graded := _line_grade(block)):
            if area is not None:
                judgement = ExtractedJudgement(
                    _area_label(area), graded[0], None, area.reference, graded[1]
                )
                _merge(found, judgement, keep_first=True)
            elif _overall_above(blocks, index):
                _merge(found, ExtractedJudgement("Overall", graded[0], None, "", graded[1]))
        elif block.kind in {"heading", "para", "bullet"}:
            listed = listed_grade(block.text)
            if listed is not None:
                _merge(found, listed, keep_first=True)
    return found


def _line_grade(block: Block) -> tuple[str, str] | None:
    """A line that is only a grade ("Good", "Grade: Requires improvement")."""
    if len(block.text.split()) > 8:
        return None
    return parse_grade(GRADE_PREFIX.sub("", block.text))


def _overall_above(blocks: list[Block], index: int) -> bool:
    """A grade line right under "Overall judgement" (a crime data integrity report's), when
    no area heading is in force."""
    above = blocks[index - 1] if index else None
    return bool(
        above is not None
        and above.kind == "heading"
        and re.fullmatch(r"(?:our\s+)?overall\s+(?:judge?ment|grade|rating)", above.text, re.I)
    )


def _grade_of(cell: str) -> str:
    graded = parse_grade(cell) if cell else None
    return graded[0] if graded else ""


def _scale_header(cells: tuple[str, ...]) -> bool:
    """A row that is the grading scale itself: three grades or more, nothing else."""
    values = [cell for cell in cells if cell]
    return len(values) >= 3 and all(parse_grade(cell) for cell in values)


LISTED = re.compile(
    r"^(?P<area>[A-Z][^:|–—]{2,140}?)\s*(?::|\|| [–—-] )\s*(?P<grade>[A-Za-z][A-Za-z ]{2,30})\.?$"
)


def listed_grade(text: str) -> ExtractedJudgement | None:
    """ "Investigating crime: Adequate", "Preventing crime – Good": an area and its grade on
    one line, as summaries list them. Not a sentence, not a label such as "Grade: Good"."""
    match = LISTED.match(" ".join(text.split()))
    if match is None:
        return None
    area = match.group("area").strip()
    graded = parse_grade(match.group("grade"))
    if graded is None or len(area.split()) > 14 or HEADER_WORDS.match(area):
        return None
    if parse_grade(area) or GRADE_PREFIX.match(text) or re.search(r"\bshould\b", area, re.I):
        return None
    return ExtractedJudgement("Overall" if OVERALL.match(area) else area, graded[0])


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


# Grades stated in a sentence -----------------------------------------------------------------

_GRADE_WORDS = r"outstanding|good|adequate|inadequate|requir(?:es|ing)\s+improvement"
STATED = re.compile(
    rf"(?:\b(?:is|are|was|were|as|be)\s+(?:judged\s+(?:to\s+be\s+)?|assessed\s+as\s+|rated\s+"
    rf"(?:as\s+)?)?(?P<grade>{_GRADE_WORDS})|\b(?P<verb>requires\s+improvement))\s+(?:at|in)\s+"
    rf"(?P<activity>[a-z][^.;:,()]*)",
    re.IGNORECASE,
)
STATED_NOTE = "Stated in the text; no grade line or table gives it."


def stated_judgements(
    blocks: list[Block], area_for: Callable[[str], str | None], graded: list[ExtractedJudgement]
) -> list[ExtractedJudgement]:
    """Grades a sentence states for a known area that no grade line or table gave: "We
    graded the force as adequate at investigating crime", "The service is good at
    understanding the risk of fire and other emergencies". `area_for` names the area an
    activity is ("investigating crime" -> "Investigating crime") or None; activities that
    name no known area are left alone, so prose about grading in general is not a grade."""
    have = {area_key(j.area) for j in graded}
    found: list[ExtractedJudgement] = []
    for block in blocks:
        if block.kind not in {"para", "bullet"}:
            continue
        for match in STATED.finditer(block.text):
            area = area_for(match.group("activity"))
            if area is None or area_key(area) in have:
                continue
            said = " ".join((match.group("grade") or match.group("verb")).lower().split())
            grade = GRADE_NAMES[said]
            found.append(ExtractedJudgement(area, grade, None, "", STATED_NOTE))
            have.add(area_key(area))
    return found


GRADE_NAMES = {
    "outstanding": "Outstanding",
    "good": "Good",
    "adequate": "Adequate",
    "inadequate": "Inadequate",
    "requires improvement": "Requires improvement",
    "requiring improvement": "Requires improvement",
}
