"""Report extraction: read an inspection document and find its judgements and findings.

    from tracker.extraction import read_document, extract, load_known_forces
    source = read_document(uploaded_bytes, filename)      # raises ExtractionError
    result = extract(source.text, known_forces=load_known_forces())
    result.to_json()

Pure Python (no Django, no database), so it can run in a worker or a script.
"""

from .core import detect_type, extract
from .forces import load_known_forces
from .reading import MAX_BYTES, ExtractionError, SourceText, read_document
from .result import ExtractedFinding, ExtractedJudgement, ExtractedResponse, Extraction

__all__ = [
    "MAX_BYTES",
    "ExtractedFinding",
    "ExtractedJudgement",
    "ExtractedResponse",
    "Extraction",
    "ExtractionError",
    "SourceText",
    "detect_type",
    "extract",
    "load_known_forces",
    "read_document",
]
