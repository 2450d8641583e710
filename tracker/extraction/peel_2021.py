"""PEEL from 2021/22 on: continuous assessment, areas of policing graded on five points.

Shape (2021/22, 2023-25, 2025-27): a cover ("PEEL 2023–25", "Police effectiveness,
efficiency and legitimacy", "An inspection of <force>"), an overall summary with the
judgements (a table with one column per grade, each area in its grade's column; or a list
"Investigating crime: Adequate"; or sentences "We graded the force as adequate at ..."),
then one section per area: its heading, its grade, then causes of concern with their
recommendations, areas for improvement (often "Area for improvement 1"), and boxes of
innovative or promising practice. An area the framework does not grade (the service to
victims of crime) has a heading and no grade.

These rules add to the PEEL rules (peel.py): areas known by name (peel_frameworks.py) even
without a grade line, grades stated in sentences, practice boxes kept as notes (never
findings), causes of concern reported early ("accelerated") named in the notes.
"""

from __future__ import annotations

import re

from .cleaning import Block
from .findings import Area
from .peel_frameworks import area_for_activity, known_area, words
from .result import ExtractedFinding, ExtractedJudgement

PEEL_YEAR = re.compile(r"\bPEEL\b\D{0,60}?\b(?P<year>20\d{2})\b")
FRAMEWORK_WORDS = re.compile(
    r"effectiveness,\s+efficiency\s+and\s+legitimacy|\bareas?\s+of\s+policing\b", re.IGNORECASE
)


def peel_year(title: str) -> int | None:
    match = PEEL_YEAR.search(title)
    return int(match.group("year")) if match else None


def is_peel_2021(title: str, blocks: list[Block], judgements: list[ExtractedJudgement]) -> bool:
    """From 2021: the PEEL year of the title (or the cover), a grade of "Adequate" (the
    scale's new point), or the framework's own area headings (three or more)."""
    year = peel_year(title) or peel_year(" ".join(b.text for b in blocks[:6]))
    if year is not None:
        return year >= 2021
    if any(j.grade == "Adequate" for j in judgements):
        return True
    named = sum(1 for b in blocks if b.kind == "heading" and known_area(b.text))
    return named >= 3


def framework_areas(blocks: list[Block], area_at: dict[int, Area | None]) -> dict[int, Area]:
    """Headings that name a framework area ("Investigating crime", "Providing a service to
    victims of crime") and are not areas already: areas, with the framework's wording."""
    found: dict[int, Area] = {}
    for index, block in enumerate(blocks):
        if index in area_at or block.kind != "heading":
            continue
        name = known_area(block.text)
        if name is not None:
            found[index] = Area(block.text if words(block.text) == words(name) else name)
    return found


def stated_area(activity: str) -> str | None:
    return area_for_activity(activity)


def accelerated_notes(findings: list[ExtractedFinding], openings: list[str]) -> list[str]:
    """ "Cause of concern 2 was reported early, as an accelerated cause of concern." """
    notes: list[str] = []
    for opening in openings:
        for finding in findings:
            if finding.kind != "cause_of_concern":
                continue
            key = " ".join(finding.text.split())[:80].lower()
            if key.startswith(opening) or opening.startswith(key):
                where = f" ({finding.area})" if finding.area else ""
                notes.append(
                    f"Accelerated cause of concern{where}, reported early because of a serious "
                    f"risk: {_begin(finding.text)}"
                )
                break
    return notes


def _begin(text: str) -> str:
    """The first sentence, cut at a word near 100 characters."""
    first = re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0]
    return first if len(first) <= 100 else first[:97].rsplit(" ", 1)[0] + "…"
