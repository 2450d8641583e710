"""Extract what an inspection document asks of a force: `extract(text, known_forces=...)`.

1. Clean the text (cleaning.clean_text). A document in Welsh stops here, with a warning:
   Welsh documents are not read yet (language.py).
2. Split it into blocks (cleaning.parse_blocks) and recognise the document type from its
   shape, most specific first (DOCUMENT_TYPES). A document of no known type is read with
   the PEEL rules, which only look for labelled findings and graded questions, and is
   marked as of an unknown kind, each finding marked for checking (confidence.py).
3. Apply that type's rules (one module each), then the rules for every type: one finding
   for a text stated twice, each finding's addressee, and document-wide warnings.

Pure Python: no Django, no database. The forces are passed in so that callers decide
where the list comes from (see forces.load_known_forces).
"""

from __future__ import annotations

from . import baseline, letter, pcc_response, peel, progress_report, register, thematic
from .cleaning import Block, clean_text, parse_blocks
from .common import forces_for
from .confidence import for_unknown_kind, set_addressees
from .findings import merge_duplicates
from .language import WELSH_WARNING, language_of
from .result import Extraction
from .vocabulary import ForceNames, force_patterns

# Most specific first. Issue 17 adds kinds in the two marked blocks (one per builder).
DOCUMENT_TYPES = (
    # --- kinds-responses-thematic (register, progress report, thematic) ---
    # A progress report's "Update | Status" fields come before a register's statuses (a
    # committee paper may mention the register); both before a PCC response, whose labels
    # ("Force response") a progress report may use too.
    ("progress_report", progress_report),
    ("register", register),
    # --- end kinds-responses-thematic ---
    ("pcc_response", pcc_response),
    ("letter", letter),
    ("baseline", baseline),
    # Recommendations addressed to every force or a national body; after the letter (a
    # thematic inspection's letter to one force is a letter) and before the inspection
    # programmes, whose force reports say "The force should".
    ("thematic", thematic),
    # --- kinds-peel-programmes (fire and rescue, inspection programmes, PEEL 2021) ---
    # Inspection programmes (custody, crime data integrity, child protection, joint) and fire
    # and rescue services, listed in peel.py (which imports their modules). PEEL from 2021
    # is read by peel.py itself: document type "peel", grading scale "peel_2021".
    *peel.READ_BEFORE_PEEL,
    # --- end kinds-peel-programmes ---
    ("peel", peel),
)


def detect_type(blocks: list[Block]) -> str:
    for name, module in DOCUMENT_TYPES:
        if module.detect(blocks):
            return name
    return "unknown"


# Types whose rules say themselves why a document of theirs has no findings (a register
# page with no recommendation, a response that quotes none), or name no force on purpose.
EXPLAINS_NO_FINDINGS = {"register", "progress_report", "pcc_response"}
NAMES_NO_FORCE = {"thematic"}


def extract(text: str, *, known_forces: list[str]) -> Extraction:
    """Read one document's text (as `reading.read_document` returns it, or any text
    converted from a published report) and return what it finds."""
    cleaned = clean_text(text)
    patterns = force_patterns(known_forces)
    if language_of(cleaned) == "cy":
        return welsh(cleaned, patterns)
    blocks = parse_blocks(cleaned)
    document_type = detect_type(blocks)
    if document_type == "unknown":
        result = peel.extract(blocks, cleaned, patterns, document_type="unknown")
        for_unknown_kind(result)
    else:
        module = dict(DOCUMENT_TYPES)[document_type]
        result = module.extract(blocks, cleaned, patterns)
    result.findings, result.responses = merge_duplicates(result.findings, result.responses)
    set_addressees(result)
    if not result.findings and result.document_type not in EXPLAINS_NO_FINDINGS:
        result.warnings.append(
            "No findings were found: the text has no causes of concern, recommendations, "
            "areas for improvement or (in a force letter) findings under its headings."
        )
    nothing = not result.findings and result.document_type in EXPLAINS_NO_FINDINGS
    quiet = nothing or result.document_type in NAMES_NO_FORCE
    police = result.organisation_kind == "force"  # a fire document warns of its service itself
    if police and not (result.forces or result.services or quiet):
        result.warnings.append(
            "No police force of England and Wales is named in the title "
            "or opening of this document."
        )
    return result


def welsh(cleaned: str, patterns: ForceNames) -> Extraction:
    """A Welsh document: nothing is read from it but its title and force, and the warning
    says why (language.py)."""
    blocks = parse_blocks(cleaned)
    title = next((b.text for b in blocks[:5] if b.kind in {"heading", "para"}), "")
    forces = forces_for([title], patterns, "")
    return Extraction(
        title=title,
        forces=forces,
        warnings=[WELSH_WARNING],
        document_type="unknown",
        kind_known=False,
        language="cy",
    )
