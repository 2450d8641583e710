"""Thematic and national reports: one inspection across many forces, with recommendations
addressed to someone.

Shape: a cover (the title, often "An inspection of ..." or "A joint thematic inspection
of ..."; the month), a summary that lists the recommendations, chapters that explain them,
and the recommendations again in the chapters or an annex. Each recommendation names who
acts on it: "By 31 March 2024, chief constables should ...", "The College of Policing
should ...", "The NPCC lead for ... should ...". Some reports group them under timescale
headings ("Immediately", "Within three months"). So:

- recognised by recommendations addressed to every force or to a national body (two at
  least, or one in a report that calls itself thematic or national);
- findings are the labelled ones (`findings.walk`, which handles timescale headings); the
  addressee is set for every document kind by `core` (see `addressees.py`), and a
  recommendation stated twice (summary and chapter) is one finding (`merge_duplicates`);
- the forces are those the title names, else none: a national report applies to every force,
  and the upload asks which; the fieldwork forces the text mentions are not its subject.
"""

from __future__ import annotations

import re

from .addressees import addressee_of
from .cleaning import Block
from .common import (
    first_standalone_date,
    inspectorate,
    is_label,
    publication_date,
    without_contents,
)
from .findings import Area, walk
from .result import Extraction
from .vocabulary import IGNORED_SECTION, MONTH_DATE, ForceNames, forces_named, timescale_heading

NATIONAL_MARKERS = re.compile(
    r"\bthematic\b|\bnational\s+(?:report|inspection|review)\b|\ball\s+43\s+forces\b|"
    r"\bforces\s+in\s+England\s+and\s+Wales\b|\bjoint\s+inspection\b",
    re.IGNORECASE,
)


# Sections that list or introduce the recommendations rather than being their chapter: a
# recommendation found there takes its chapter's name when it is stated again there.
FRONT_MATTER = re.compile(
    r"^(?:executive\s+)?summary\b|^introduction\b|^overview\b|^foreword\b|^about\s+",
    re.IGNORECASE,
)


def detect(blocks: list[Block]) -> bool:
    addressed = 0
    for block in blocks:
        if block.kind not in {"para", "bullet", "heading"} or len(block.text) > 1500:
            continue
        found = addressee_of(_after_label(block.text))
        if found is not None and found.kind in {"forces", "national_body"}:
            addressed += 1
            if addressed >= 2:
                return True
    head = " ".join(b.text for b in blocks[:40])
    return addressed == 1 and bool(NATIONAL_MARKERS.search(head))


def _after_label(text: str) -> str:
    """ "Recommendation 3: By ... chief constables should" -> the words after the label."""
    return re.sub(
        r"^(?:recommendation|area\s+for\s+improvement)\s*\d*\s*[:.–—-]\s*",
        "",
        text,
        count=1,
        flags=re.IGNORECASE,
    )


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    blocks = without_contents(blocks)
    title = _cover_title(blocks)
    published = _cover_date(blocks) or publication_date(blocks)
    found = walk(blocks, chapter_areas(blocks))
    forces = forces_named(title, patterns, short_names=True)
    warnings = []
    if not forces:
        warnings.append(
            "This is a national report: it names no force of its own. Its recommendations to "
            "chief constables or all forces apply to every force; choose the forces (or all) "
            "when importing. Recommendations to a national body are recorded on the report, "
            "not given to forces as items."
        )
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=forces,
        report_type="thematic",
        published=published,
        findings=found.findings,
        responses=found.responses,
        warnings=warnings,
        document_type="thematic",
    )


def chapter_areas(blocks: list[Block]) -> dict[int, Area | None]:
    """Chapters are the headings the source marked (a heading style, large type, "#"), other
    than labels, timescales and sections that are never findings."""
    areas: dict[int, Area | None] = {}
    cover = next((i for i, b in enumerate(blocks) if b.kind in {"heading", "para"}), -1)
    for index, block in enumerate(blocks):
        if index == cover or block.kind != "heading" or not block.marked or is_label(block):
            continue
        if timescale_heading(block.text) is not None:
            continue
        ignored = IGNORED_SECTION.match(block.text) or FRONT_MATTER.match(block.text)
        areas[index] = None if ignored else Area(block.text)
    return areas


def _cover_title(blocks: list[Block]) -> str:
    """The first heading, with a subtitle line ("An inspection of ...", "A joint thematic
    inspection of ...") joined by a colon."""
    headings = [b for b in blocks[:6] if b.kind in {"heading", "para"}]
    if not headings:
        return ""
    title = headings[0].text
    if len(headings) > 1 and re.match(
        r"^An?\s+(?:[\w-]+\s+){0,3}?(?:inspection|review|report)\s+(?:of|into|on)\b",
        headings[1].text,
        re.IGNORECASE,
    ):
        title = f"{title}: {headings[1].text}"
    return title.strip()


def _cover_date(blocks: list[Block]) -> str | None:
    for block in blocks[:10]:
        if block.kind == "para" and len(block.text.split()) > 25:
            break
        if MONTH_DATE.fullmatch(block.text.strip()) or re.fullmatch(
            r"\d{1,2}\s+\w+\s+\d{4}", block.text.strip()
        ):
            return first_standalone_date([block])
    return None
