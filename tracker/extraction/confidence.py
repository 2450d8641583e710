"""Honest confidence: what the rules were unsure about, said in plain English.

The preview shows each finding with the reason the rules were unsure of it, if any
(`ExtractedFinding.unsure`), and says plainly when the document is of a kind the extractor
does not know (`Extraction.kind_known = False`), rather than offering guesses as findings.
`findings.walk` marks the guesses it makes while reading (a heading taken as a finding, a
bullet that might be a part of the finding above); this module adds what is known only once
the whole document has been read: its kind, and who each recommendation is addressed to.
"""

from __future__ import annotations

from .addressees import addressee_of
from .result import Extraction

UNKNOWN_KIND_WARNING = (
    "This document was not recognised as any kind of document this service reads (an "
    "inspection report, a thematic report, a baseline assessment, a force letter, a PCC "
    "response, a register entry or a progress report). Only findings under a label (cause "
    "of concern, recommendation, area for improvement) were looked for, and each is marked "
    "for checking: compare them with the document before importing."
)
UNSURE_UNKNOWN_KIND = (
    "The document is of a kind the rules do not know: check that this is a finding."
)


def for_unknown_kind(result: Extraction) -> None:
    """Mark a document of an unknown kind as such, and every finding found in it as a
    finding to check (only labelled findings are looked for)."""
    result.kind_known = False
    result.warnings.append(UNKNOWN_KIND_WARNING)
    for finding in result.findings:
        finding.unsure = finding.unsure or UNSURE_UNKNOWN_KIND


def set_addressees(result: Extraction) -> None:
    """Each finding's addressee from its own words; one the rules cannot place (neither the
    forces nor a known national body) is kept, with a note saying so."""
    for finding in result.findings:
        if finding.addressee:
            continue
        found = addressee_of(finding.text)
        if found is None:
            continue
        finding.addressee = found.name
        finding.addressee_kind = found.kind
        if not found.kind and not finding.unsure:
            finding.unsure = (
                f"Addressed to {found.name}, which the rules do not know as the forces or a "
                "national body: check who acts on it."
            )
    _causes_follow_their_recommendations(result)


def _causes_follow_their_recommendations(result: Extraction) -> None:
    """A cause of concern names nobody; in a national report it is the concern of whoever its
    recommendations are addressed to: every force when any of them goes to the forces."""
    for index, finding in enumerate(result.findings):
        if finding.kind != "cause_of_concern" or finding.addressee_kind:
            continue
        kinds = {f.addressee_kind for f in result.findings if f.parent == index}
        if "forces" in kinds:
            finding.addressee_kind = "forces"
        elif kinds == {"national_body"}:
            finding.addressee_kind = "national_body"
