"""Turn an uploaded file into plain text that the extraction rules can read.

The format is decided by the file's content, never by its name: a coordinator may upload
"report.pdf" that is really a Word file, or a PDF saved without an extension. Every reader
produces the same plain-text conventions, which `cleaning.py` then tidies:

- paragraphs separated by a blank line;
- bullets as lines starting "- " (two more spaces of indent per nesting level);
- headings that the source marks as headings (Word styles, HTML <h1>-<h6>, large type in a
  PDF) as lines starting "# ";
- table rows as one line with the cells separated by tabs.

Every failure raises `ExtractionError` with a message meant for a force coordinator, not a
developer: what is wrong with the file and what to do about it.

The readers: PDF in `pdf_text.py` (its text layer; scanned pages by OCR in `ocr.py`; the
layout rebuilt in `pdf_columns.py` and `pdf_layout.py`), HTML in `html_text.py`, Word and
text here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING

from .html_text import html_to_text, looks_like_html
from .ocr import MAX_OCR_PAGES, OCR_SECONDS_PER_PAGE
from .pdf_text import MAX_EXPANDED_BYTES, MAX_PAGES, check_pages, read_pdf
from .source import ExtractionError, SourceText, describe_size

if TYPE_CHECKING:
    # Imported where it is used, so that the PDF path does not pay for python-docx.
    from docx.text.paragraph import Paragraph

# Kept importable from here, where they were before the PDF, OCR and HTML readers had
# modules of their own.
__all__ = [
    "MAX_BYTES",
    "MAX_EXPANDED_BYTES",
    "MAX_OCR_PAGES",
    "MAX_PAGES",
    "MAX_TEXT_CHARS",
    "ExtractionError",
    "SourceText",
    "check_length",
    "check_pages",
    "check_size",
    "decode_text",
    "describe_size",
    "html_to_text",
    "looks_like_html",
    "read_document",
    "read_docx",
    "read_pdf",
]

# Checked before anything else is done with the upload, so a huge file costs nothing.
MAX_BYTES = 50 * 1024 * 1024

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc, Excel .xls
# About 1,500 pages: more text than any one report has, and a bound on the time extraction
# takes (under a second per million characters of report text; two for pathological text).
MAX_TEXT_CHARS = 4_500_000


def read_document(
    data: bytes,
    filename: str = "",
    *,
    max_bytes: int | None = None,
    max_pages: int = MAX_PAGES,
    max_expanded_bytes: int = MAX_EXPANDED_BYTES,
    max_ocr_pages: int = MAX_OCR_PAGES,
    ocr_seconds_per_page: float = OCR_SECONDS_PER_PAGE,
    on_ocr: Callable[[int], None] | None = None,
) -> SourceText:
    """Read an uploaded file (PDF, Word .docx, HTML or plain text) into `SourceText`.

    1. Refuse an empty or oversized file before looking inside it.
    2. Decide the format from the first bytes (and, for HTML, from its tags).
    3. Hand over to the reader for that format; each raises ExtractionError on bad input.
       A PDF's pages without a text layer are read by OCR (`ocr.py`); `on_ocr` is told how
       many before the first is read.
    4. Refuse more text than any report has (MAX_TEXT_CHARS).

    An upload from a person is read in a separate process with limits on memory and time
    (`contained.read_contained`), which calls this.
    """
    check_size(len(data), max_bytes=max_bytes)
    if not data or data.isspace():
        raise ExtractionError("The file is empty: there is nothing in it to read.")
    if PDF_MAGIC in data[:1024]:
        source = read_pdf(
            data,
            max_pages=max_pages,
            max_expanded_bytes=max_expanded_bytes,
            max_ocr_pages=max_ocr_pages,
            ocr_seconds_per_page=ocr_seconds_per_page,
            on_ocr=on_ocr,
        )
    else:
        source = _read_other(data, filename)
    return check_length(source)


def _read_other(data: bytes, filename: str) -> SourceText:
    head = data[:1024]
    if head.startswith(ZIP_MAGIC):
        return read_docx(data)
    if head.startswith(OLE_MAGIC):
        raise ExtractionError(
            "This is an older Microsoft Office file (such as a .doc), which this service cannot "
            "read. Save it as a PDF or a Word .docx file and upload that."
        )
    if filename.lower().endswith(".pdf"):
        raise ExtractionError(
            f"The file {filename!r} is named as a PDF but is not one: it does not start the way "
            "every PDF does. It may be damaged or saved in another format. Download the report "
            "again from the inspectorate's website and upload that copy."
        )
    text = decode_text(data)
    if looks_like_html(text):
        return SourceText(text=html_to_text(text), format="html")
    return SourceText(text=text, format="text")


def check_length(source: SourceText) -> SourceText:
    """Refuse text longer than any report, which would only tie up the service."""
    if len(source.text) > MAX_TEXT_CHARS:
        pages = len(source.text) // 3000
        raise ExtractionError(
            f"This document has about {pages:,} pages of text; the longest this service reads "
            f"is about {MAX_TEXT_CHARS // 3000:,} pages. Upload the inspection report on its "
            "own rather than a compilation of documents."
        )
    return source


def check_size(size: int, *, max_bytes: int | None = None) -> None:
    """Refuse a file over the limit, before reading it (callers can pass a file's size)."""
    limit = MAX_BYTES if max_bytes is None else max_bytes
    if size > limit:
        raise ExtractionError(
            f"The file is {describe_size(size)}; the largest file this service reads is "
            f"{describe_size(limit)}. Upload the report itself rather than a bundle, or a "
            "version without embedded images."
        )


# Text ---------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode text whatever the encoding a publisher or a conversion tool chose.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are exact;
    UTF-16 without one is recognised by its many zero bytes; anything else that is text is
    Windows-1252, the encoding of older Office exports. Binary data is refused rather than
    turned into nonsense.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode_or_fail(data, "utf-16")
    elif _looks_like_utf16_without_bom(data):
        even_zeros = data[0::2].count(0)
        text = _decode_or_fail(data, "utf-16-be" if even_zeros > len(data) // 4 else "utf-16-le")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if _looks_binary(text):
        raise ExtractionError(
            "This file is not a PDF, a Word document, a web page or text: its content looks "
            "like binary data. Upload the report as a PDF, a Word .docx file or plain text."
        )
    return text


def _decode_or_fail(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            "The text in this file is damaged: it says it is UTF-16 text but some of it cannot "
            "be read. Save it again as UTF-8 text, a PDF or a Word .docx file."
        ) from exc


def _looks_like_utf16_without_bom(data: bytes) -> bool:
    sample = data[:4096]
    return len(sample) >= 8 and sample.count(0) >= len(sample) // 3


def _looks_binary(text: str) -> bool:
    """True when more than 1 in 100 characters are control codes or undecodable bytes."""
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd")
    return "\x00" in sample or bad / len(sample) > 0.01


# Word ---------------------------------------------------------------------------------------


def read_docx(data: bytes) -> SourceText:
    """Paragraphs in order, list paragraphs as bullets, heading styles marked, tables as rows."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_word = "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile as exc:
        raise ExtractionError(
            "This file looks like a Word document or a zip archive but is damaged, so it "
            "cannot be opened. Save it again from Word, or upload the report as a PDF."
        ) from exc
    if not is_word:
        raise ExtractionError(
            "This is a zip archive (or another Office format), not a Word document. Upload the "
            "report itself as a PDF, a Word .docx file or plain text."
        )
    import docx  # python-docx, imported here so the PDF path does not pay for it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise  # not damaged: too big to read within the memory limit (contained.py)
    except Exception as exc:  # python-docx raises several types for a broken package
        if _parser_out_of_memory(exc):
            raise MemoryError from exc
        raise ExtractionError(
            "This Word document is damaged and cannot be opened. Save it again from Word, or "
            "upload the report as a PDF."
        ) from exc
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.extend(_docx_paragraph(Paragraph(child, document)))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = [" ".join(cell.text.split()) for cell in row.cells]
                if any(cells):
                    lines.append("\t".join(_dedupe_merged(cells)))
            lines.append("")
    return SourceText(text="\n".join(lines), format="docx")


def _parser_out_of_memory(exc: Exception) -> bool:
    """lxml reports an allocation that failed as a syntax error with libxml2's code 2
    (XML_ERR_NO_MEMORY), not as MemoryError."""
    return type(exc).__name__ == "XMLSyntaxError" and getattr(exc, "code", None) == 2


def _docx_paragraph(paragraph: Paragraph) -> list[str]:
    text = " ".join(paragraph.text.split())
    if not text:
        return []
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    # The numbering, <w:pPr><w:numPr><w:ilvl w:val="1"/>, read by XPath: python-docx types
    # an element's children as the descriptors that make them, not as elements.
    props = paragraph._p.pPr
    numbered: list[object] = props.xpath("./w:numPr") if props is not None else []
    levels: list[str] = props.xpath("./w:numPr/w:ilvl/@w:val") if props is not None else []
    if style.lower().startswith(("heading", "title")):
        return [f"# {text}", ""]
    if numbered or "list" in style.lower():
        level = int(levels[0]) if levels else 0
        return ["  " * level + f"- {text}"]
    return [text, ""]


def _dedupe_merged(cells: list[str]) -> list[str]:
    """python-docx repeats a merged cell's text in every grid column it spans."""
    out: list[str] = []
    for cell in cells:
        if not out or cell != out[-1] or not cell:
            out.append(cell)
    return out
