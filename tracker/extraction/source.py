"""What every reader gives (`SourceText`) and how it fails (`ExtractionError`).

Kept apart from `reading.py` so that each format's reader (`pdf_text.py`, `ocr.py`,
`html_text.py`) can raise the same error without importing the module that dispatches to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ExtractionError(Exception):
    """A file that cannot be read. The message is plain English for the person uploading."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SourceText:
    """What a file says, as text, with how it was read."""

    text: str
    format: str  # "pdf" | "docx" | "html" | "text"
    pages: int = 1
    # The pages (from 1) whose text came from text recognition (OCR) because they had no
    # text layer, so the preview can say so: OCR misreads a word now and then.
    ocr_pages: list[int] = field(default_factory=list)


def describe_size(size: int) -> str:
    """'200 MB', '50 MB', '3.5 MB', '12 KB': sizes as people say them (1 MB = 1,048,576 bytes)."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 10:
        return f"{megabytes:.0f} MB"
    if megabytes >= 1:
        return f"{megabytes:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024))} KB"
