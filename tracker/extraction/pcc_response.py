"""A local policing body's statutory response (s55 Police Act 1996) to an inspection report.

Shape: the date, "Police and Crime Commissioner ... response to ... report <title>", the
grades the report gave (often as a table), the commissioner's comments, then for each
recommendation (under "Cause of concern" / "Recommendation" labels, within the question
it belongs to) the force's response ("<force> response:", "Chief Constable's response")
and the commissioner's ("PCC response"). Summaries of what the report said ("The report
states that the force: ...") are not findings.

Many responses are letters (to the Home Secretary, or to the inspectorate) that answer the
report without quoting any of its findings: they give no findings, and say so, rather than
taking the commissioner's own comments for the report's findings. A passage under a label
that speaks in the commissioner's voice ("I", "my") or about the report ("The report found
...", "HMICFRS recognised ...") is commentary, not a quoted finding.
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
from .fire_services import services_named
from .judgements import find_judgements
from .result import ExtractedFinding, ExtractedResponse, Extraction
from .vocabulary import PCC_RESPONSE, ForceNames

SALUTATION = re.compile(r"^Dear\s+\S", re.IGNORECASE)
VALEDICTION = re.compile(r"^Yours\s+(?:sincerely|faithfully|truly)\b", re.IGNORECASE)
STATUTE = re.compile(r"\b(?:section\s+55|s\.?\s?55|Police\s+Act\s+1996)\b", re.IGNORECASE)
COMMISSIONER = re.compile(
    r"\b(?:police,?\s+(?:fire\s+and\s+)?(?:and\s+)?crime\s+commissioner|\bPCC\b|\bPFCC\b|"
    r"\bOPCC\b|deputy\s+mayor\s+for\s+policing|mayor[’']?s\s+office\s+for\s+policing)",
    re.IGNORECASE,
)
INSPECTION = re.compile(r"\b(?:HMICFRS|HMIC|inspectorate|inspection|report)\b", re.IGNORECASE)
# Commentary: the commissioner's own voice, or words about the report rather than from it.
COMMENTARY = re.compile(
    r"(?:^|[\s(])(?:I|I[’']m|I[’']ve|I[’']d|I[’']ll|[Mm]y|[Mm]e)\b"
    r"|^(?i:the|this)\s+(?i:report|inspection|inspectorate)\b"
    r"|^(?:HMICFRS|HMIC|(?i:the\s+inspectors?))\s+(?i:found|recognised|noted|highlighted|"
    r"identified|said|acknowledged|has|have|was|were)\b",
)
NO_QUOTED_FINDINGS = (
    "This response does not quote the report's causes of concern, recommendations or areas "
    "for improvement, so no findings were taken from it. Import the report itself for its "
    "findings; this response can then be recorded against them."
)

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
    return opening or label or _commissioners_letter(blocks)


def _commissioners_letter(blocks: list[Block]) -> bool:
    """A letter ("Dear ..." to "Yours sincerely") from a commissioner about an inspection
    report: the commissioner in its letterhead, subject or signature, or the statute (s55
    Police Act 1996) cited."""
    salutation = valediction = None
    for index, block in enumerate(blocks):
        if block.kind not in {"heading", "para"}:
            continue
        if salutation is None and index < 60 and SALUTATION.match(block.text):
            salutation = index
        elif salutation is not None and VALEDICTION.match(block.text):
            valediction = index
            break
    if salutation is None or valediction is None:
        return False
    # The commissioner as the sender: the signature, or the office's letterhead on top (an
    # inspector's letter may be addressed to a commissioner, so not the address block).
    signature = " ".join(b.text for b in blocks[valediction : valediction + 8])
    letterhead = " ".join(b.text for b in blocks[:2])
    body = " ".join(b.text for b in blocks[salutation:valediction])
    office = re.search(r"\boffice\s+of\s+the\b|\bOPCC\b|\bOPFCC\b", letterhead, re.I)
    from_commissioner = bool(
        COMMISSIONER.search(signature) or (office and COMMISSIONER.search(letterhead))
    )
    return (from_commissioner or bool(STATUTE.search(body))) and bool(INSPECTION.search(body))


def extract(blocks: list[Block], text: str, patterns: ForceNames) -> Extraction:
    title = _report_title(blocks)
    published = publication_date(blocks)
    area_at = question_areas(blocks)
    judgements = find_judgements(blocks, area_per_block(blocks, area_at))
    found = walk(blocks, area_at, end=_valediction(blocks))
    findings, responses = _without_commentary(found.findings, found.responses)
    warnings = []
    if findings and not responses:
        warnings.append("No force or PCC response was found under the recommendations.")
    if not findings:
        warnings.append(NO_QUOTED_FINDINGS)
    # A Police, Fire and Crime Commissioner's response to a fire and rescue inspection: the
    # service is the organisation ("Essex" in its name is not Essex Police).
    services = services_named(title)
    opening = "\n".join(b.text for b in blocks[:8])
    forces = [] if services else forces_for([title, opening], patterns, text)
    return Extraction(
        title=title,
        inspectorate=inspectorate(text, published),
        forces=forces,
        organisation_kind="fire_and_rescue" if services else "force",
        services=services,
        report_type=report_type_for(title, text, "pcc_response"),
        published=published,
        grading_scale=grading_scale(judgements, title, "pcc_response"),
        judgements=judgements,
        findings=findings,
        responses=responses,
        warnings=warnings,
        document_type="pcc_response",
        dated=first_standalone_date(blocks, limit=6),
    )


def _report_title(blocks: list[Block]) -> str:
    """The report's title as the response names it: "... response to the publication of
    HMICFRS's report PEEL: police effectiveness 2017 – <force>", or a letter's subject line
    "Response to HMICFRS report: <title>"."""
    for block in blocks[:8]:
        if block.kind in {"para", "heading"} and OPENING.search(block.text):
            match = REPORT_TITLE.search(block.text)
            if match:
                return match.group("title").strip(" .")
    for index, block in enumerate(blocks[:60]):
        if block.kind in {"para", "heading"} and SALUTATION.match(block.text):
            subject = blocks[index + 1].text if index + 1 < len(blocks) else ""
            match = REPORT_TITLE.search(re.sub(r"^(?:re|subject)\s*:\s*", "", subject, flags=re.I))
            return match.group("title").strip(" .") if match else ""
    return ""


def _valediction(blocks: list[Block]) -> int | None:
    """Where a letter's body ends ("Yours sincerely"): the signature is not a response."""
    salutation = next(
        (
            i
            for i, b in enumerate(blocks[:60])
            if b.kind in {"heading", "para"} and SALUTATION.match(b.text)
        ),
        None,
    )
    if salutation is None:
        return None
    return next(
        (
            i
            for i in range(salutation + 1, len(blocks))
            if blocks[i].kind in {"heading", "para"} and VALEDICTION.match(blocks[i].text)
        ),
        None,
    )


def _without_commentary(
    findings: list[ExtractedFinding], responses: list[ExtractedResponse]
) -> tuple[list[ExtractedFinding], list[ExtractedResponse]]:
    """Drop "findings" that are the commissioner's comments (see the module docstring), and
    the responses tied to them."""
    keep: dict[int, int] = {}
    kept: list[ExtractedFinding] = []
    for index, finding in enumerate(findings):
        opening = re.split(r"(?<=[.!?])\s+", finding.text, maxsplit=1)[0]
        if COMMENTARY.search(opening):
            continue
        keep[index] = len(kept)
        kept.append(finding)
    if len(kept) == len(findings):
        return findings, responses
    for finding in kept:
        finding.parent = keep.get(finding.parent) if finding.parent is not None else None
    moved = [
        ExtractedResponse(keep[r.to], r.party, r.text, r.source, r.status)
        for r in responses
        if r.to in keep
    ]
    return kept, moved
