"""Read a PDF: its text layer with PDFium (pypdfium2), and its scanned pages by OCR.

1. Refuse a PDF whose streams expand past `max_expanded_bytes` (counted without keeping
   them, before PDFium inflates any: `pdf_streams.py`), one that is damaged or locked, and
   one with more than `max_pages` pages (PDFium counts them from the page tree, without
   reading a page).
2. Read each page's text layer as positioned runs.
3. Read the pages without a text layer by OCR (`ocr.py`); only those pages.
4. Rebuild lines, columns, paragraphs, bullets, headings and table rows from the runs
   (`pdf_columns.py`, `pdf_layout.py`), the same way for both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from . import ocr
from .pdf_layout import lay_out
from .pdf_runs import Line, PageRuns
from .pdf_streams import expanded_size
from .source import ExtractionError, SourceText, describe_size

if TYPE_CHECKING:
    import pypdfium2 as pdfium

# More pages than any report with its annexes (the longest inspection reports run to a few
# hundred pages): a PDF with more is refused once opened, before a page is read.
MAX_PAGES = 1000
# What a PDF's compressed streams may expand to when read (pictures aside). A published
# report's text and drawings come to a few megabytes; a "bomb" of a few megabytes inflates
# to gigabytes. Counted before PDFium sees the file (pdf_streams.py).
MAX_EXPANDED_BYTES = 200 * 1024 * 1024


def read_pdf(
    data: bytes,
    *,
    max_pages: int = MAX_PAGES,
    max_expanded_bytes: int = MAX_EXPANDED_BYTES,
    max_ocr_pages: int = ocr.MAX_OCR_PAGES,
    ocr_seconds_per_page: float = ocr.OCR_SECONDS_PER_PAGE,
    on_ocr: Callable[[int], None] | None = None,
) -> SourceText:
    """Read a PDF's text (steps 1 to 4 above). `on_ocr` is told how many pages will be read
    by OCR, before the first is."""
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
        pages = [page_runs(document[i]) for i in range(len(document))]
        if not pages:
            raise ExtractionError("This PDF has no pages, so there is nothing to read.")
        ocr_pages, tried = ocr.read_scanned_pages(
            document,
            pages,
            max_pages=max_ocr_pages,
            seconds_per_page=ocr_seconds_per_page,
            on_ocr=on_ocr,
        )
    finally:
        document.close()
    readable = sum(ocr.readable_characters(page) for page in pages)
    if readable < ocr.MIN_CHARS_PER_PAGE * len(pages):
        raise ExtractionError(nothing_to_read(ocr_tried=bool(tried)))
    return SourceText(text=lay_out(pages), format="pdf", pages=len(pages), ocr_pages=ocr_pages)


def nothing_to_read(*, ocr_tried: bool) -> str:
    if ocr_tried:
        return (
            "This PDF has no text layer: it looks like a scanned image. Text recognition (OCR) "
            "found no words in it, or too few to read. Scan the pages again (300 dots per "
            "inch, pages upright), or upload the report as published by the inspectorate."
        )
    return (
        "This PDF has no text layer and its pages are blank, so there is nothing in it to "
        "read. Check that this is the right file, or download the report again from the "
        "inspectorate's website."
    )


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
            "the inspection report on its own rather than a compilation of documents, or split "
            "the PDF and upload the part with the report."
        )


def page_runs(page: pdfium.PdfPage) -> PageRuns:
    """The page's size and the runs of its text layer.

    Runs are PDFium's text rectangles, which follow the order of the page's characters, so
    a run's text is the characters from its first to the next run's first (found by
    position; reading by rectangle instead costs a scan of the page per run). When those
    positions are not in order the page is read rectangle by rectangle. Rectangles hug the
    glyphs ("were:" is shorter than "These"), so each run takes the loose box of its first
    character (the font's full ascent and descent) for its vertical extent: line gaps are
    then comparable, and the box's height gives the type size.
    """
    width = float(page.get_width())
    height = float(page.get_height())
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
            run = Line(left, bottom, right, top, " ".join(text.split()))
            if start is not None:
                # Up to the next run's first character; read by rectangle, only this run's.
                stop = found[i + 1] if in_order and i + 1 < len(found) else total
                if not in_order:
                    stop = min(stop, start + len(text.strip()))
                extent = _loose_extent(
                    textpage, start, min(stop, start + 4), (left, bottom, right, top)
                )
                if extent:
                    run.bottom, run.top = extent
            run.size = run.top - run.bottom  # the loose box's height follows the type size
            runs.append(run)
    finally:
        textpage.close()
        page.close()
    return PageRuns(width, height, runs)


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
