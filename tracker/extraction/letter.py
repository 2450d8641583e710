"""Force letters: an inspector's letter to a chief constable with the force's findings.

HMIC sent such letters to every force with the results of national inspections (the 2014
"Core business" letters went to all 43 forces with the same headings). Their shape:
address block, date, "Dear ...", the subject line (the inspection's title), introductory
paragraphs, then headings with the findings as bullets, then "Yours sincerely". Each bullet
under a heading is a finding; nested bullets are parts of the bullet above them, and a
paragraph right after a bullet continues it. Bullets in the introduction (what the
inspection looked at) are not findings.
"""

from __future__ import annotations

import re

from .cleaning import Block
from .common import first_standalone_date, forces_for, inspectorate, is_label, publication_date
from .common import report_type as report_type_for
from .findings import Area, walk
from .result import Extraction
from .vocabulary import IGNORED_SECTION, ForceNames, standalone_date

SALUTATION = re.compile(r"^Dear\s+\S", re.IGNORECASE)
VALEDICTION = re.compile(r"^Yours\s+(?:sincerely|faithfully|truly)\b", re.IGNORECASE)


def detect(blocks: list[Block]) -> bool:
    salutation = _find(blocks, SALUTATION, 0, 60)
    return (
        salutation is not None and _find(blocks, VALEDICTION, salutation, len(blocks)) is not None
    )


def _find(blocks: list[Block], pattern: re.Pattern[str], start: int, stop: int) -> int | None:
    for index in range(start, min(stop, len(blocks))):
        if blocks[index].kind in {"heading", "para"} and pattern.match(blocks[index].text):
            return index
    return None


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    salutation = _find(blocks, SALUTATION, 0, 60) or 0
    end = _find(blocks, VALEDICTION, salutation, len(blocks)) or len(blocks)
    title, start = _subject(blocks, salutation)
    area_at: dict[int, Area | None] = {}
    for index in range(start, end):
        block = blocks[index]
        if block.kind == "heading" and not is_label(block):
            ignored = IGNORED_SECTION.match(block.text) or block.text.endswith(":")
            area_at[index] = None if ignored else Area(block.text)
    found = walk(blocks, area_at, start=start, end=end, letter=True)
    dated = _letter_date(blocks[:salutation]) or first_standalone_date(blocks)
    published = publication_date(blocks[salutation:]) or dated
    address = "\n".join(block.text for block in blocks[:salutation])
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=forces_for([address, title], patterns, text),
        report_type=report_type_for(title, text, "letter"),
        published=published,
        findings=found.findings,
        responses=found.responses,
        document_type="letter",
        dated=dated,
    )


def _subject(blocks: list[Block], salutation: int) -> tuple[str, int]:
    """The subject line after "Dear ...": short, no full stop. Returns it and where the
    letter's body starts."""
    following = blocks[salutation + 1] if salutation + 1 < len(blocks) else None
    if (
        following is not None
        and following.kind in {"heading", "para"}
        and len(following.text.split()) <= 30
        and not following.text.endswith(".")
    ):
        return following.text, salutation + 2
    return "", salutation + 1


def _letter_date(blocks: list[Block]) -> str | None:
    for block in reversed(blocks):
        found = standalone_date(block.text)
        if found:
            return found
    return None
