"""What the rules of PEEL (2021 on), inspection programmes and fire and rescue reports doubt
about a finding, said for the person checking the import; and the references kept aside.

The walk takes what sits under a label; some of it may not be what it seems. These checks
drop nothing: they set `ExtractedFinding.unsure` (when the walk has not already), which the
preview shows beside the finding so that a person decides.
"""

from __future__ import annotations

import re

from .result import ExtractedFinding

INSTRUCTION = re.compile(
    r"\b(?:should|must|needs?\s+to|ought\s+to|recommend|ensure|make\s+sure|review|improve|"
    r"develop|establish|introduce)\w*\b",
    re.IGNORECASE,
)
KIND_NAMES = {
    "cause_of_concern": "cause of concern",
    "recommendation": "recommendation",
    "area_for_improvement": "area for improvement",
    "finding": "finding",
}


def mark_unsure(findings: list[ExtractedFinding]) -> None:
    """Set `unsure` on findings that may be something else (the first reason found)."""
    for finding in findings:
        if not finding.unsure:
            finding.unsure = _reason(finding)


def _reason(finding: ExtractedFinding) -> str:
    name = KIND_NAMES.get(finding.kind, "finding")
    first = finding.text.split("\n", 1)[0]
    if len(finding.text.split()) <= 5:
        return f"Very short for {_a(name)}: it may be a heading rather than a finding."
    if finding.kind in {"recommendation", "area_for_improvement"} and not INSTRUCTION.search(
        finding.text
    ):
        return (
            "It does not say what should be done, so it may be an explanation or a heading "
            f"rather than {_a(name)}."
        )
    if finding.parts and not first.rstrip().endswith(":"):
        return (
            "The list under it was read as its parts; check that the items are not "
            f"{name}s of their own."
        )
    return ""


def _a(name: str) -> str:
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def add_references(findings: list[ExtractedFinding], numbers: dict[str, str]) -> None:
    """Give a finding without a reference the paragraph number it was published with
    (`numbers`: a paragraph's opening words, as report_sections.opening gives them)."""
    for finding in findings:
        if finding.reference:
            continue
        key = " ".join(finding.text.split())[:80].lower()
        for opening, number in numbers.items():
            if key.startswith(opening) or opening.startswith(key):
                finding.reference = number
                break
