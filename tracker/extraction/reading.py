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
"""

from __future__ import annotations

import io
import re
import statistics
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise
from typing import TYPE_CHECKING

from .pdf_streams import expanded_size

if TYPE_CHECKING:
    # Imported where they are used, so that each reader pays only for its own library.
    import pypdfium2 as pdfium
    from docx.text.paragraph import Paragraph

# Checked before anything else is done with the upload, so a huge file costs nothing.
MAX_BYTES = 50 * 1024 * 1024

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc, Excel .xls
BULLET_GLYPHS = "•◦▪▫‣∙●○■□➢➤►–—·*"
# About 1,500 pages: more text than any one report has, and a bound on the time extraction
# takes (under a second per million characters of report text; two for pathological text).
MAX_TEXT_CHARS = 4_500_000
# Fewer readable characters per page than this and the PDF is treated as a scan.
MIN_CHARS_PER_PAGE = 20
# More pages than any report (the longest inspection reports run to a few hundred): a PDF
# with more is refused once opened, before its text is read.
MAX_PAGES = 2000
# What a PDF's compressed streams may expand to when read (pictures aside). A published
# report's text and drawings come to a few megabytes; a "bomb" of a few megabytes inflates
# to gigabytes. Counted before PDFium sees the file (pdf_streams.py).
MAX_EXPANDED_BYTES = 200 * 1024 * 1024


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


def read_document(
    data: bytes,
    filename: str = "",
    *,
    max_bytes: int | None = None,
    max_pages: int = MAX_PAGES,
    max_expanded_bytes: int = MAX_EXPANDED_BYTES,
) -> SourceText:
    """Read an uploaded file (PDF, Word .docx, HTML or plain text) into `SourceText`.

    1. Refuse an empty or oversized file before looking inside it.
    2. Decide the format from the first bytes (and, for HTML, from its tags).
    3. Hand over to the reader for that format; each raises ExtractionError on bad input.
    4. Refuse more text than any report has (MAX_TEXT_CHARS).

    An upload from a person is read in a separate process with limits on memory and time
    (`contained.read_contained`), which calls this.
    """
    check_size(len(data), max_bytes=max_bytes)
    return check_length(_read(data, filename, max_pages, max_expanded_bytes))


def _read(data: bytes, filename: str, max_pages: int, max_expanded_bytes: int) -> SourceText:
    if not data or data.isspace():
        raise ExtractionError("The file is empty: there is nothing in it to read.")
    head = data[:1024]
    if PDF_MAGIC in head:
        return read_pdf(data, max_pages=max_pages, max_expanded_bytes=max_expanded_bytes)
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


def describe_size(size: int) -> str:
    """'200 MB', '50 MB', '3.5 MB', '12 KB': sizes as people say them (1 MB = 1,048,576 bytes)."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 10:
        return f"{megabytes:.0f} MB"
    if megabytes >= 1:
        return f"{megabytes:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024))} KB"


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


# HTML ---------------------------------------------------------------------------------------

HTML_DOCUMENT = re.compile(r"<(!doctype\s+html|html[\s>]|body[\s>]|head[\s>])", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """A web page, not text with a few stray tags (extracted text often carries <b> or <p>)."""
    return bool(HTML_DOCUMENT.search(text[:5000]))


class _HtmlText(HTMLParser):
    """Collect an HTML page's text in the plain-text conventions of this module."""

    BLOCKS = {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "table",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "main",
        "aside",
        "nav",
    }
    SKIP = {"script", "style", "head", "title", "noscript", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.prefix = ""
        self.skipping = 0
        self.list_depth = 0
        self.cells: list[str] | None = None

    def flush(self, blank: bool = True) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(self.prefix + text)
            if blank:
                self.lines.append("")
        self.current = []
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in {"ul", "ol"}:
            self.flush()
            self.list_depth += 1
        elif tag == "li":
            self.flush(blank=False)
            self.prefix = "  " * max(0, self.list_depth - 1) + "- "
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.prefix = "# "
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in {"td", "th"} and self.cells is not None:
            self.current = []
        elif tag == "br":
            self.current.append(" ")
        elif tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag in {"ul", "ol"}:
            self.flush(blank=False)
            self.list_depth = max(0, self.list_depth - 1)
            self.lines.append("")
        elif tag == "li":
            self.flush(blank=False)
        elif tag in {"td", "th"} and self.cells is not None:
            self.cells.append(" ".join("".join(self.current).split()))
            self.current = []
        elif tag == "tr" and self.cells is not None:
            if any(self.cells):
                self.lines.append("\t".join(self.cells))
            self.cells = None
            self.current = []
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def text(self) -> str:
        self.flush()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


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


# PDF ----------------------------------------------------------------------------------------


@dataclass
class _Line:
    left: float
    bottom: float
    right: float
    top: float
    text: str
    size: float = 0.0
    bullet: bool = False
    cells: list[float] = field(default_factory=list)  # left edge of each table cell

    @property
    def height(self) -> float:
        return self.top - self.bottom


def read_pdf(
    data: bytes, *, max_pages: int = MAX_PAGES, max_expanded_bytes: int = MAX_EXPANDED_BYTES
) -> SourceText:
    """Read a PDF's text layer with PDFium (pypdfium2), rebuilding lines and paragraphs.

    First, refuse a PDF whose streams expand past `max_expanded_bytes` (counted without
    keeping them, before PDFium inflates any) or that has more than `max_pages` pages.
    PDFium returns positioned runs of text, not paragraphs. So:
    1. group runs into lines by their vertical overlap, and cells of a table row with tabs;
    2. drop running headers and footers (the same line, numbers aside, at the top or bottom
       of many pages) and bare page numbers;
    3. start a new paragraph where the gap between lines is larger than the line spacing,
       at a bullet, or at a change of type size; mark large type as a heading;
    4. carry a paragraph across a page break when the last line on the page is full width.
    """
    import pypdfium2 as pdfium

    check_expanded_size(data, max_expanded_bytes)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4 or "password" in str(exc).lower():
            raise ExtractionError(
                "This PDF is protected by a password, so its text cannot be read. Open it, "
                "remove the password (or print it to a new PDF), and upload again."
            ) from exc
        raise ExtractionError(
            "This PDF is damaged and cannot be opened. Download the report again from the "
            "inspectorate's website and upload that copy."
        ) from exc
    try:
        check_pages(len(document), max_pages)
        pages = [_page_lines(document[i]) for i in range(len(document))]
    finally:
        document.close()
    if not pages:
        raise ExtractionError("This PDF has no pages, so there is nothing to read.")
    readable = sum(len(line.text.strip()) for _, lines in pages for line in lines)
    if readable < MIN_CHARS_PER_PAGE * len(pages):
        raise ExtractionError(
            "This PDF has no text layer: it looks like a scanned image. The service reads "
            "text, not pictures of text. Upload the report as published by the inspectorate, "
            "or run the scan through text recognition (OCR) and upload the result."
        )
    _drop_running_lines(pages)
    return SourceText(text=_pages_to_text(pages), format="pdf", pages=len(pages))


def check_expanded_size(data: bytes, limit: int) -> None:
    """Refuse a PDF whose compressed streams expand to more than `limit` bytes."""
    if expanded_size(data, stop_after=limit) > limit:
        raise ExtractionError(
            f"This file expands to more than {describe_size(limit)} when read, far more than "
            "any inspection report, so it was not read. It may be damaged, or made to overload "
            "the service. Download the report again from the inspectorate's website and "
            "upload that copy."
        )


def check_pages(pages: int, limit: int) -> None:
    """Refuse a PDF with more pages than any report, before reading its text."""
    if pages > limit:
        raise ExtractionError(
            f"This PDF has {pages:,} pages; the most this service reads is {limit:,}. Upload "
            "the inspection report on its own rather than a compilation of documents."
        )


def _page_lines(page: pdfium.PdfPage) -> tuple[float, list[_Line]]:
    """The page's height and its lines, top to bottom, with cells joined by tabs.

    Runs are PDFium's text rectangles, which follow the order of the page's characters, so
    a run's text is the characters from its first to the next run's first (found by
    position; reading by rectangle instead costs a scan of the page per run). When those
    positions are not in order the page is read rectangle by rectangle. Rectangles hug the
    glyphs ("were:" is shorter than "These"), so each run takes the loose box of its first
    character (the font's full ascent and descent) for its vertical extent: line gaps are
    then comparable, and the box's height gives the type size.
    """
    height = page.get_height()
    textpage = page.get_textpage()
    try:
        rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
        starts = [_first_char(textpage, rect) for rect in rects]
        found = [start for start in starts if start is not None]
        in_order = len(found) == len(starts) and all(a < b for a, b in pairwise(found))
        total: int = textpage.count_chars()
        runs = []
        for i, (left, bottom, right, top) in enumerate(rects):
            start = starts[i]
            if in_order:
                stop = found[i + 1] if i + 1 < len(found) else total
                text = textpage.get_text_range(found[i], stop - found[i])
            else:
                # Shrunk a little, so a glyph that only touches the edge is not read twice.
                dx = 0.3 if right - left > 1 else 0.0
                dy = 1.0 if top - bottom > 3 else 0.0
                text = textpage.get_text_bounded(left + dx, bottom + dy, right - dx, top - dy)
            if not text.strip():
                continue
            # PDFium marks a hyphen that ends a line (U+0002 or U+FFFE); keep the hyphen.
            text = re.sub("[\x02\ufffe]\\s*", "-", text)
            run = _Line(left, bottom, right, top, " ".join(text.split()))
            if start is not None:
                stop = found[i + 1] if in_order and i + 1 < len(found) else total
                extent = _loose_extent(
                    textpage, start, min(stop, start + 4), (left, bottom, right, top)
                )
                if extent:
                    run.bottom, run.top = extent
            run.size = run.top - run.bottom  # the loose box's height follows the type size
            runs.append(run)
        lines = _group_runs(runs)
    finally:
        textpage.close()
        page.close()
    return height, lines


def _loose_extent(
    textpage: pdfium.PdfTextPage, start: int, stop: int, rect: tuple[float, float, float, float]
) -> tuple[float, float] | None:
    """The vertical extent of the loose boxes of a run's first few characters (one glyph,
    a straight quote in a fallback font, can have a shorter box than its line), counting
    only boxes centred on the run's own rectangle."""
    _, rect_bottom, _, rect_top = rect
    bottoms, tops = [], []
    for index in range(start, stop):
        _, bottom, _, top = textpage.get_charbox(index, loose=True)
        if top > bottom and rect_bottom <= (top + bottom) / 2 <= rect_top:
            bottoms.append(bottom)
            tops.append(top)
    return (min(bottoms), max(tops)) if tops else None


def _first_char(
    textpage: pdfium.PdfTextPage, rect: tuple[float, float, float, float]
) -> int | None:
    left, bottom, right, top = rect
    # A tolerance of half the line's height in y: a quote mark sits high in its line.
    half = max(1.0, (top - bottom) / 2)
    index = textpage.get_index(left + min(0.5, (right - left) / 2), (top + bottom) / 2, 1.0, half)
    return index if index is not None and index >= 0 else None


def _group_runs(runs: list[_Line]) -> list[_Line]:
    runs.sort(key=lambda r: -(r.top + r.bottom) / 2)
    rows: list[list[_Line]] = []
    for run in runs:
        if rows:
            last = rows[-1]
            top = max(r.top for r in last)
            bottom = min(r.bottom for r in last)
            overlap = min(top, run.top) - max(bottom, run.bottom)
            if overlap >= 0.5 * min(top - bottom, run.height):
                last.append(run)
                continue
        rows.append([run])
    return [_join_row(sorted(row, key=lambda r: r.left)) for row in rows]


def _join_row(row: list[_Line]) -> _Line:
    """One line from its runs, left to right: a wide gap is a table cell boundary (a tab),
    a narrow one a space; a bullet glyph is followed by a space."""
    text = ""
    cells: list[float] = [row[0].left]
    previous: _Line | None = None
    for run in row:
        piece = run.text
        if previous is not None:
            gap = run.left - previous.right
            if previous.text.strip() in BULLET_GLYPHS:
                text = text.rstrip() + " "
            elif gap > 0.7 * max(run.size, previous.size, 4.0):
                text = text.rstrip() + "\t"
                cells.append(run.left)
            elif gap > 0.5:
                text += " "
        text += piece
        previous = run
    first = row[0]
    line = _Line(
        first.left,
        min(r.bottom for r in row),
        max(r.right for r in row),
        max(r.top for r in row),
        text.strip(),
        size=max(r.size for r in row),
    )
    line.cells = cells
    line.bullet = (
        bool(line.text)
        and line.text[0] in BULLET_GLYPHS
        and (len(line.text) == 1 or line.text[1] in " \t")
    )
    return line


def _footer_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


def _drop_running_lines(pages: list[tuple[float, list[_Line]]]) -> None:
    """Remove lines in the top or bottom margin that repeat on many pages, and page numbers."""
    counts: dict[str, int] = {}
    for height, lines in pages:
        for key in {_footer_key(line.text) for line in lines if _in_margin(line, height)}:
            counts[key] = counts.get(key, 0) + 1
    threshold = max(2, int(0.3 * len(pages)))
    for height, lines in pages:
        lines[:] = [
            line
            for line in lines
            if not (
                _in_margin(line, height)
                and (
                    counts.get(_footer_key(line.text), 0) >= threshold
                    or re.fullmatch(
                        r"(page\s+)?\d{1,4}(\s+of\s+\d{1,4})?", line.text.strip(), re.IGNORECASE
                    )
                )
            )
        ]


def _in_margin(line: _Line, height: float) -> bool:
    return line.bottom > 0.92 * height or line.top < 0.08 * height


def _pages_to_text(pages: list[tuple[float, list[_Line]]]) -> str:
    sizes = [line.size for _, lines in pages for line in lines if line.size > 0]
    body_size = statistics.median(sizes) if sizes else 0.0
    out: list[str] = []
    carry = False  # the previous page ended mid-paragraph
    for _, lines in pages:
        lines = _merge_wrapped_cells(lines)
        widest = max((line.right for line in lines), default=0.0)
        previous: _Line | None = None
        markers: list[float] = []  # bullet indents of the list being read, outermost first
        for line in lines:
            new_paragraph = previous is None and not carry
            if previous is not None:
                gap = previous.bottom - line.top
                new_paragraph = (
                    gap > 0.35 * max(line.size, previous.size, 1)
                    or "\t" in line.text
                    or "\t" in previous.text
                    or abs(line.size - previous.size) > 0.15 * max(line.size, previous.size, 1)
                )
            if line.bullet:
                level = _bullet_level(line.left, markers)
                text = "  " * level + "- " + line.text[1:].strip()
                out.append(("\n" if out and not new_paragraph else "\n\n") + text)
            else:
                if new_paragraph:
                    markers.clear()
                text = line.text
                if body_size and line.size > 1.2 * body_size and len(text) < 200:
                    text = "# " + text if new_paragraph else text
                out.append(("\n\n" if new_paragraph else "\n") + text)
            previous = line
        last = lines[-1] if lines else None
        carry = bool(
            last
            and widest
            and last.right >= 0.9 * widest
            and not re.search(r"[.!?:]$", last.text.strip())
        )
    return "".join(out).strip() + "\n"


def _merge_wrapped_cells(lines: list[_Line]) -> list[_Line]:
    """Put the second line of a wrapped table cell back into its cell.

    A line right under a table row (closer than a row's padding) whose runs start where the
    row's cells start continues those cells; the row keeps one line, as in the table.
    """
    out: list[_Line] = []
    for line in lines:
        row = out[-1] if out else None
        if (
            row is not None
            and len(row.cells) > 1
            and row.bottom - line.top < 0.25 * max(line.size, 1)
            and all(any(abs(x - left) < 3 for left in row.cells) for x in line.cells)
        ):
            cells = row.text.split("\t")
            for x, piece in zip(line.cells, line.text.split("\t"), strict=False):
                column = min(range(len(row.cells)), key=lambda i: abs(row.cells[i] - x))
                if column < len(cells):
                    cells[column] = _join_wrapped_text(cells[column], piece)
            row.text = "\t".join(cells)
            row.bottom = line.bottom
            continue
        out.append(line)
    return out


def _join_wrapped_text(first: str, second: str) -> str:
    if first.endswith("-") and second[:1].islower():
        return first + second
    return f"{first} {second}".strip()


def _bullet_level(left: float, markers: list[float]) -> int:
    """Nesting from the bullet's indent within the list being read: deeper than the
    previous bullet by 8 points or more is one level down; back out to a matching indent."""
    while markers and left < markers[-1] - 4:
        markers.pop()
    if not markers or left > markers[-1] + 8:
        markers.append(left)
    return min(len(markers) - 1, 3)
