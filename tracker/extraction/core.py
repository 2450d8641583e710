"""Extract what an inspection document asks of a force: `extract(text, known_forces=...)`.

1. Clean the text (cleaning.clean_text) and split it into blocks (cleaning.parse_blocks).
2. Recognise the document type from its shape, most specific first: a PCC's statutory
   response, a force letter, a baseline assessment, a PEEL report. Anything else is read
   with the PEEL rules, which only look for labelled findings and graded questions.
3. Apply that type's rules (one module each) and add document-wide warnings.

Pure Python: no Django, no database. The forces are passed in so that callers decide
where the list comes from (see forces.load_known_forces).
"""

from __future__ import annotations

from . import baseline, letter, pcc_response, peel
from .cleaning import Block, clean_text, parse_blocks
from .result import Extraction
from .vocabulary import force_patterns

DOCUMENT_TYPES = (
    ("pcc_response", pcc_response),
    ("letter", letter),
    ("baseline", baseline),
    ("peel", peel),
)


def detect_type(blocks: list[Block]) -> str:
    for name, module in DOCUMENT_TYPES:
        if module.detect(blocks):
            return name
    return "unknown"


def extract(text: str, *, known_forces: list[str]) -> Extraction:
    """Read one document's text (as `reading.read_document` returns it, or any text
    converted from a published report) and return what it finds."""
    cleaned = clean_text(text)
    blocks = parse_blocks(cleaned)
    patterns = force_patterns(known_forces)
    document_type = detect_type(blocks)
    if document_type == "unknown":
        result = peel.extract(blocks, cleaned, patterns, document_type="unknown")
        result.warnings.append(
            "This document was not recognised as a PEEL report, a baseline assessment, a "
            "force letter or a PCC response, so only labelled findings (causes of concern, "
            "recommendations, areas for improvement) and stated grades were looked for."
        )
    else:
        module = dict(DOCUMENT_TYPES)[document_type]
        result = module.extract(blocks, cleaned, patterns)
    if not result.findings:
        result.warnings.append(
            "No findings were found: the text has no causes of concern, recommendations, "
            "areas for improvement or (in a force letter) findings under its headings."
        )
    if not result.forces:
        result.warnings.append(
            "No police force of England and Wales is named in the title "
            "or opening of this document."
        )
    return result
