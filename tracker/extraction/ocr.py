"""Read the pages of a PDF that have no text layer (scans) by text recognition (OCR).

A page whose text layer holds fewer than `MIN_CHARS_PER_PAGE` characters is a picture of a
page, or blank. Each such page is:

1. drawn small to see whether anything is on it: a page with almost no dark pixels (blank,
   or a lone page number) is left alone, costing nothing;
2. refused, all together, when more than `MAX_OCR_PAGES` pages need reading, before any is
   read (plain message: what to upload instead);
3. drawn at 300 dots per inch in greyscale with PDFium (fewer dots for a page larger than
   A3, so that no page takes more than `MAX_PIXELS` pixels of memory) and given to
   Debian's `tesseract` program (tesseract-ocr, with its English data tesseract-ocr-eng)
   through a pipe, with a time limit per page; up to `OCR_PROCESSES` pages at a time;
4. read back from Tesseract's hOCR output: each recognised word with its box, and for each
   line its baseline and type size. The words become runs for the same layout as a text
   layer's (`pdf_layout.py`): each word takes its line's loose box (a typical font's
   ascent and descent around the baseline), so line spacing, paragraph gaps, headings,
   indents (bullets) and table cells are measured as for a text layer. A bullet glyph
   (which Tesseract reads as "¢", "e", "°" and the like) is a one-character word that
   stands clear above the baseline, and becomes "•". A footnote call read into its word
   ("workloads.3") is left out, as it is from a text layer.

Tesseract is found at `TESSERACT_CMD` when that is set, else on PATH. When it is missing,
the message says that the PDF is a scan and what to install.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from .pdf_runs import Line, PageRuns
from .source import ExtractionError

if TYPE_CHECKING:
    import pypdfium2 as pdfium

# Fewer readable characters than this on a page and the page has no text layer to speak of.
MIN_CHARS_PER_PAGE = 20
# The most pages of a scan read by OCR. Tesseract takes 3 to 5 seconds a page on one core
# of a small server (measured: docs/extraction.md), so 60 pages take a few minutes, about
# as long as anyone should wait for a preview and as long as the reading worker should be
# held from other imports. Scans are letters, committee papers and responses, rarely more
# than a few dozen pages; a longer report is published with its text.
MAX_OCR_PAGES = 60
# The time allowed to read one page by OCR: several times what a page takes on a busy server.
OCR_SECONDS_PER_PAGE = 30.0
# Dots per inch for OCR: Tesseract reads body type best at 300.
DPI = 300
# The most pixels a page is drawn with (A3 at 300 dots per inch is 17.4 million): a page
# declared larger is drawn with fewer dots per inch, so a page of any size costs at most
# 20 MB to draw.
MAX_PIXELS = 20_000_000
# A page is blank when fewer than this share of its pixels are dark, drawn at 36 dpi: a page
# number alone is about 0.02%, one short line of heading type 0.15%, a page of text 5%.
INK_SHARE = 0.001
DARK = 160  # a grey level below this is ink
# Pages read at the same time (one Tesseract process each), for a machine's two cores.
OCR_PROCESSES = max(1, min(2, os.cpu_count() or 1))
INSTALL = "sudo apt-get install tesseract-ocr tesseract-ocr-eng"
# A typical font's loose box around its baseline, as shares of the type size: what PDFium
# gives a text layer's run (DejaVu Sans, Arial and Helvetica are within a few hundredths).
ASCENT = 0.93
DESCENT = 0.24
# Characters Tesseract reads a bullet glyph as.
BULLET_MISREADS = set("•◦▪‣∙●○■□·¢©®°eoO0*+«»>-–—~@")


def readable_characters(page: PageRuns) -> int:
    return sum(len(run.text.strip()) for run in page.runs)


def read_scanned_pages(
    document: pdfium.PdfDocument,
    pages: list[PageRuns],
    *,
    max_pages: int = MAX_OCR_PAGES,
    seconds_per_page: float = OCR_SECONDS_PER_PAGE,
    on_ocr: Callable[[int], None] | None = None,
) -> tuple[list[int], int]:
    """Read the pages without a text layer by OCR, replacing their runs in `pages`.

    Returns the numbers (from 1) of the pages whose text came from OCR, and how many pages
    were given to OCR (some may have held no words). `on_ocr` is told how many pages will be
    read before the first is, so that a caller keeping time can allow for them.
    """
    wordless = [i for i, page in enumerate(pages) if readable_characters(page) < MIN_CHARS_PER_PAGE]
    inked: list[int] = []
    for index in wordless:
        if _has_ink(document[index]):
            inked.append(index)
            if len(inked) > max_pages:
                raise ExtractionError(too_many_pages(len(wordless), max_pages))
    if not inked:
        return [], 0
    command = tesseract_command(len(inked), len(pages))
    if on_ocr is not None:
        on_ocr(len(inked))
    found: list[int] = []
    for index, runs in _recognise(document, inked, command, seconds_per_page):
        page = pages[index]
        pages[index] = PageRuns(page.width, page.height, runs)
        if runs:
            found.append(index + 1)
    return sorted(found), len(inked)


def too_many_pages(pages: int, limit: int) -> str:
    plural = "" if limit == 1 else "s"
    return (
        f"This PDF is a scan: {pages:,} of its pages have no text layer, and text recognition "
        f"(OCR) reads at most {limit:,} page{plural} of a scan (each takes a few seconds, and "
        "a longer scan would hold up everyone else's imports). Upload the pages that hold the "
        "findings (the summary, causes of concern, recommendations and areas for improvement) "
        "as a PDF of their own, or ask for the report as published, with its text."
    )


def missing_tesseract(pages: int, total: int) -> str:
    which = "its pages are" if pages == total else f"{pages:,} of its {total:,} pages are"
    return (
        f"This PDF is a scan: {which} pictures of text with no text layer, so they must be "
        "read by text recognition (OCR), and the OCR program, Tesseract, is not installed on "
        "this server. Ask your administrator to install it (on Debian or Ubuntu: "
        f"{INSTALL}), then upload the file again."
    )


def tesseract_command(pages: int = 1, total: int = 1) -> str:
    """The Tesseract program to run: `TESSERACT_CMD`, or `tesseract` on PATH."""
    configured = os.environ.get("TESSERACT_CMD", "").strip()
    command = configured or shutil.which("tesseract") or ""
    if not command or not os.path.isfile(command) or not os.access(command, os.X_OK):
        raise ExtractionError(missing_tesseract(pages, total))
    return command


# Drawing pages ----------------------------------------------------------------------------


def _has_ink(page: pdfium.PdfPage) -> bool:
    """Whether a page drawn at 36 dots per inch has more than a trace of ink."""
    try:
        bitmap = page.render(scale=0.5, grayscale=True)
        pixels = _grey_pixels(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride)
    finally:
        page.close()
    dark = len(pixels.translate(None, bytes(range(DARK, 256))))
    return dark > INK_SHARE * max(1, len(pixels))


def _grey_pixels(buffer: object, width: int, height: int, stride: int) -> bytes:
    """A greyscale bitmap's pixels, row after row, without the padding at each row's end."""
    data = bytes(memoryview(buffer).cast("B"))  # type: ignore[arg-type]
    if stride == width:
        return data[: width * height]
    return b"".join(data[row * stride : row * stride + width] for row in range(height))


def _draw(page: pdfium.PdfPage) -> tuple[bytes, int]:
    """The page as a greyscale image (PGM, which Tesseract reads from a pipe), and its dots
    per inch."""
    try:
        area = float(page.get_width()) * float(page.get_height())
        dpi = DPI
        if area * (DPI / 72) ** 2 > MAX_PIXELS:
            dpi = max(1, int(72 * math.sqrt(MAX_PIXELS / area)))
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        width, height = bitmap.width, bitmap.height
        pixels = _grey_pixels(bitmap.buffer, width, height, bitmap.stride)
    finally:
        page.close()
    return b"P5\n%d %d\n255\n" % (width, height) + pixels, dpi


# Tesseract --------------------------------------------------------------------------------


def _recognise(
    document: pdfium.PdfDocument, indexes: list[int], command: str, seconds_per_page: float
) -> Iterator[tuple[int, list[Line]]]:
    """Each page's words as runs, in page order, reading up to OCR_PROCESSES pages at once.
    Pages are drawn here, one at a time (PDFium must not be used from two threads), and at
    most OCR_PROCESSES drawn pages wait in memory."""
    done: dict[int, list[Line]] = {}
    with ThreadPoolExecutor(max_workers=OCR_PROCESSES) as pool:
        running: dict[Future[str], tuple[int, float, int]] = {}
        try:
            for index in indexes:
                page = document[index]
                height = float(page.get_height())
                image, dpi = _draw(page)
                future = pool.submit(_tesseract, command, image, dpi, index + 1, seconds_per_page)
                running[future] = (index, height, dpi)
                del image
                while len(running) >= OCR_PROCESSES:
                    _collect(running, done)
            while running:
                _collect(running, done)
        except BaseException:
            for future in running:
                future.cancel()
            raise
    for index in indexes:
        yield index, done[index]


def _collect(
    running: dict[Future[str], tuple[int, float, int]], done: dict[int, list[Line]]
) -> None:
    finished, _ = wait(running, return_when=FIRST_COMPLETED)
    for future in finished:
        index, height, dpi = running.pop(future)
        done[index] = words_from_hocr(future.result(), page_height=height, dpi=dpi)


def _tesseract(command: str, image: bytes, dpi: int, page: int, seconds: float) -> str:
    """Tesseract's hOCR for one page image."""
    try:
        done = subprocess.run(  # noqa: S603 - the configured program, fixed arguments
            [command, "stdin", "stdout", "--dpi", str(dpi), "-l", "eng", "--psm", "3", "hocr"],
            input=image,
            capture_output=True,
            timeout=seconds,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ExtractionError(
            f"Text recognition (OCR) of page {page} of this scan took longer than the "
            f"{seconds:g} second{'' if seconds == 1 else 's'} allowed for a page, so reading "
            "stopped. The page may be damaged, or far larger than a printed page. Scan it "
            "again, or upload the report as published, with its text."
        ) from None
    except OSError as exc:
        raise ExtractionError(missing_tesseract(1, 1)) from exc
    errors = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        if re.search(r"Failed loading language|Error opening data file", errors):
            raise ExtractionError(
                "This PDF is a scan, and the English data for text recognition (OCR) is not "
                "installed on this server, so it cannot be read. Ask your administrator to "
                f"install it (on Debian or Ubuntu: {INSTALL}), then upload the file again."
            )
        raise ExtractionError(
            f"Text recognition (OCR) could not read page {page} of this scan. Scan it again "
            "(300 dots per inch, pages upright), or upload the report as published, with its "
            "text."
        )
    return done.stdout.decode("utf-8", "replace")


# hOCR -------------------------------------------------------------------------------------

BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
X_SIZE = re.compile(r"x_size ([\d.]+)")
LINE_CLASSES = {"ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"}
# A footnote call read into its word: a number or mark right after a word's closing stop or
# comma ("workloads.3", "work.?"), which no word of a report ends with.
FOOTNOTE_CALL = re.compile(r"(?<=[A-Za-z][.,;:])(\d{1,3}|[?*†‡])$")


def words_from_hocr(hocr: str, *, page_height: float, dpi: int) -> list[Line]:
    """The recognised words of one page as runs in PDF points (y upwards)."""
    parser = _Hocr()
    parser.feed(hocr)
    parser.close()
    scale = 72 / dpi
    runs: list[Line] = []
    for line in parser.lines:
        found = BBOX.search(line.title)
        if not found or not line.words:
            continue
        x0, _, _, y1 = (int(value) for value in found.groups())
        slope, offset = 0.0, 0.0
        if baseline := BASELINE.search(line.title):
            slope, offset = float(baseline[1]), float(baseline[2])
        heights = [b[3] - b[1] for _, b in line.words]
        size_found = X_SIZE.search(line.title)
        size = float(size_found[1]) if size_found else float(max(heights))
        for position, (text, (left, top, right, bottom)) in enumerate(line.words):
            base = y1 + offset + slope * ((left + right) / 2 - x0)  # image y of the baseline
            if position == 0 and _is_bullet(text, top, bottom, base, size):
                text = "•"
            text = FOOTNOTE_CALL.sub("", text)
            run = Line(
                left * scale,
                page_height - (base + DESCENT * size) * scale,
                right * scale,
                page_height - (base - ASCENT * size) * scale,
                text,
            )
            run.size = run.top - run.bottom
            runs.append(run)
    return runs


def _is_bullet(text: str, top: int, bottom: int, baseline: float, size: float) -> bool:
    """A one-character word whose ink stands clear above the baseline, no taller than a
    small letter: a bullet glyph, whatever character Tesseract took it for."""
    return (
        len(text) == 1
        and text in BULLET_MISREADS
        and bottom < baseline - 0.08 * size
        and bottom - top < 0.45 * size
    )


class _Word:
    def __init__(self, title: str):
        self.title = title
        self.text: list[str] = []


class _HocrLine:
    def __init__(self, title: str):
        self.title = title
        self.words: list[tuple[str, tuple[int, int, int, int]]] = []


class _Hocr(HTMLParser):
    """The lines of an hOCR page, each with its words and their boxes (pixels, y down)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[_HocrLine] = []
        self.word: _Word | None = None
        self.word_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        classes = set(values.get("class", "").split())
        if classes & LINE_CLASSES:
            self.lines.append(_HocrLine(values.get("title", "")))
        elif "ocrx_word" in classes and self.lines:
            self.word = _Word(values.get("title", ""))
            self.word_depth = 0
        elif self.word is not None:
            self.word_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.word is None:
            return
        if self.word_depth:
            self.word_depth -= 1
            return
        text = " ".join("".join(self.word.text).split())
        found = BBOX.search(self.word.title)
        if text and found:
            box = (int(found[1]), int(found[2]), int(found[3]), int(found[4]))
            self.lines[-1].words.append((text, box))
        self.word = None

    def handle_data(self, data: str) -> None:
        if self.word is not None:
            self.word.text.append(data)
