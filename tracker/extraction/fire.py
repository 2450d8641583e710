"""HMICFRS inspections of a fire and rescue service in England (2018 on).

Shape: a cover ("Effectiveness, efficiency and people 2021/22", "An inspection of <service>",
or "Fire and rescue service inspection 2023–25: <service>"), a summary of grades (a table or
a list: "Understanding the risk of fire and other emergencies | Good"), then the pillars
(Effectiveness, Efficiency, People), each a question ("How effective is the service at
keeping people safe and secure?") with its grade and its parts, each with its own grade,
causes of concern with their recommendations, and areas for improvement; in the third round
(2023-25) the eleven parts alone, graded on the five-point scale with "Adequate". The
vocabulary is the police inspections' own, so the shared walk reads the findings.

The organisation inspected is the service: `organisation_kind` "fire_and_rescue", `services`
its name as the list in fire_services.py has it, `forces` empty (a county's name in the
service's, "Essex", is not its police force).
"""

from __future__ import annotations

import re

from .cleaning import Block
from .common import (
    area_per_block,
    grading_scale,
    is_label,
    publication_date,
    question_areas,
)
from .cover import cover_date, cover_title
from .finding_doubts import mark_unsure
from .findings import Area, walk
from .fire_services import (
    GRADED_AREAS,
    PILLAR_QUESTIONS,
    PILLARS,
    service_mentions,
    services_named,
)
from .judgements import area_key, find_judgements, stated_judgements
from .peel_frameworks import area_for_activity, known_area, words
from .report_sections import prepare
from .result import ExtractedJudgement, Extraction
from .vocabulary import ForceNames, report_type_or

TITLE_WORDS = re.compile(
    r"\bfire\s+(?:and|&)\s+rescue\b|\bfire\s+brigade\b|\bfire\s+service\b", re.IGNORECASE
)
INSPECTION_WORDS = re.compile(
    r"\beffectiveness\b|\befficiency\b|\binspection\b|\bpeople\s+20\d{2}|\bcauses?\s+of\s+concern"
    r"|\bareas?\s+for\s+improvement",
    re.IGNORECASE,
)
SERVICE_QUESTION = re.compile(
    r"^(?:\d{1,2}\.?\s+)?How\s+(?:effective|efficient|well)\s+(?:is|does)\s+the\s+"
    r"(?:fire\s+and\s+rescue\s+)?service\b.*\?$",
    re.IGNORECASE,
)
_AREA_NAMES = {words(name): name for name in GRADED_AREAS + PILLARS + PILLAR_QUESTIONS}


INSPECTORATE_NAME = re.compile(
    r"(?:His|Her|HM)?\s*Majesty['’]?s?\s+Inspectorate\s+of\s+Constabulary\s+and\s+Fire\s*(?:&|and)"
    r"\s*Rescue\s+Services|Inspectorate\s+of\s+Constabulary\s+and\s+Fire\s*(?:&|and)\s*Rescue"
    r"\s+Services|Fire\s*(?:&|and)\s*Rescue\s+Services",
    re.IGNORECASE,
)


def detect(blocks: list[Block]) -> bool:
    """A fire and rescue service on the cover (the first blocks), in an inspection's words;
    a PEEL report or a police force's cover is not one, and the inspectorate's own name
    ("... Constabulary and Fire & Rescue Services") does not count."""
    head = INSPECTORATE_NAME.sub(" ", " ".join(b.text for b in blocks[:8]))
    if re.search(r"\bPEEL\b", head) or not TITLE_WORDS.search(head):
        return False
    return bool(INSPECTION_WORDS.search(head) or services_named(head))


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    """1. Practice boxes out, parts and sections as in report_sections. 2. Areas: pillars,
    their questions, their graded parts, and any heading a grade follows. 3. Judgements from
    tables, lists, grade lines and sentences ("The service is good at ..."). 4. Findings."""
    del patterns  # no police force is looked for: the organisation is the service
    prepared = prepare(blocks, subsections=True)
    blocks = prepared.blocks
    title = cover_title(blocks)
    published = cover_date(blocks) or publication_date(blocks)
    area_at = question_areas(blocks)
    for index, block in enumerate(blocks):
        if block.kind != "heading" or is_label(block):
            continue
        if SERVICE_QUESTION.match(block.text):
            area_at[index] = Area(pillar_of(block.text))
        elif index not in area_at and known_area(block.text, _AREA_NAMES) is not None:
            area_at[index] = Area(block.text)
    for index in prepared.subheadings:
        area_at.setdefault(index, Area(blocks[index].text))
    judgements = find_judgements(blocks, area_per_block(blocks, area_at))
    judgements += stated_judgements(
        blocks, lambda activity: area_for_activity(activity, _AREA_NAMES), judgements
    )
    third_round = grading_scale(judgements, title, "fire_and_rescue") == "peel_2021" or bool(
        re.search(r"\b20(?:2[3-9]|[3-9]\d)\b", title)
    )
    warnings = _ungraded(area_at, judgements, pillars_graded=not third_round)
    found = walk(blocks, dict(sorted(area_at.items())))
    mark_unsure(found.findings)
    services = _services(title, blocks, text)
    if not services:
        warnings.append(
            "No fire and rescue service of England is named in the title or opening of this "
            "document: choose the service when you check the import."
        )
    return Extraction(
        title=title,
        inspectorate="HMICFRS",  # the only inspectorate of England's services since 2017
        forces=[],
        report_type=report_type_or("fire_and_rescue", "other"),
        published=published,
        grading_scale=grading_scale(judgements, title, "fire_and_rescue"),
        judgements=judgements,
        findings=found.findings,
        responses=found.responses,
        warnings=warnings,
        document_type="fire_and_rescue",
        organisation_kind="fire_and_rescue",
        services=services,
        notes=prepared.notes,
    )


def _ungraded(
    area_at: dict[int, Area | None], judgements: list[ExtractedJudgement], *, pillars_graded: bool
) -> list[str]:
    """Say which graded areas have a heading but no grade in the text (an image's). The
    pillars were graded in the first two rounds only (2018/19, 2021/22)."""
    graded = {area_key(j.area) for j in judgements}
    missing: list[str] = []
    for area in area_at.values():
        if area is None or area_key(area.name) in graded or area.name in missing:
            continue
        if area.name in PILLARS:
            if pillars_graded:
                missing.append(area.name)
        elif known_area(area.name, _AREA_NAMES) is not None:
            missing.append(area.name)
    if not missing:
        return []
    return [
        f"{len(missing)} graded area{'s' if len(missing) > 1 else ''} had no grade in the text "
        f"({'; '.join(missing)}). The grades were probably images in the PDF: check them "
        "against the published report."
    ]


def pillar_of(question: str) -> str:
    """A pillar's question stands for the pillar: "How effective is the service at ...?" is
    Effectiveness, "How efficient ...?" Efficiency, "How well does the service look after its
    people?" People (the summary grades the pillars by these names)."""
    lowered = question.lower()
    if "efficient" in lowered:
        return "Efficiency"
    if "effective" in lowered:
        return "Effectiveness"
    return "People" if "people" in lowered else question


def _services(title: str, blocks: list[Block], text: str) -> list[str]:
    """The services the title names; else those the cover and opening name; else the one
    the text names most often."""
    services = services_named(title) or services_named("\n".join(b.text for b in blocks[:12]))
    if services:
        return services
    counts = service_mentions(text)
    return [max(counts, key=lambda name: counts[name])] if counts else []
