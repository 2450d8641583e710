"""Rebuild lines, paragraphs, bullets, headings and table rows from positioned runs of text.

A PDF page gives runs of text with their boxes, not paragraphs: PDFium's text rectangles for
a page with a text layer (`pdf_text.py`), the words Tesseract recognised for a scanned page
(`ocr.py`). Both go through the same steps here, so the extraction rules see the same shape
whichever way a page was read:

1. group runs into lines by their vertical overlap, and join a line's runs left to right: a
   wide gap is a table cell boundary (a tab), a narrow one a space; a footnote call (a small
   raised number after a word) is left out;
2. put each page's lines in reading order: a page in two columns is read as full-width
   parts (titles) and column parts, the left column before the right (`pdf_columns.py`);
3. drop running headers and footers (the same line, numbers aside, at the top or bottom of
   many pages) and bare page numbers;
4. take the footnotes (smaller type at the bottom of a page, starting with a number or a
   symbol) out of the body: they follow it as paragraphs of their own, after the paragraph
   that runs on past the page, written "¹ Text" so that cleaning leaves them out;
5. start a new paragraph where the gap between lines is larger than the line spacing, at a
   bullet, or at a change of type size; mark large type as a heading;
6. put the next lines of a wrapped table cell back into their cell, also when the row runs
   on past a page break;
7. carry a paragraph across a page break (or from one column to the next) when the last line
   before the break is full width and does not end a sentence.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from .pdf_columns import reading_order
from .pdf_runs import BULLET_GLYPHS, Line, PageRuns, rows_of

# A footnote call: a small raised number or mark after a word ("district¹.").
FOOTNOTE_CALL = re.compile(r"\d{1,3}|[*†‡§¶]")
# A footnote's own first line: its number or mark, then its text ("1 Home Office, ...").
FOOTNOTE_START = re.compile(r"^(\d{1,3}|[*†‡§¶])[.)]?\s*(?=\S)")
SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# Type smaller than this share of the body's size, at the foot of a page, is a footnote.
FOOTNOTE_SIZE = 0.88
FOOTNOTE_AREA = 0.5  # footnotes start in the lower half of the page (y from its foot)
PAGE_NUMBER = re.compile(r"(page\s+)?\d{1,4}(\s+of\s+\d{1,4})?", re.IGNORECASE)


@dataclass
class PageLines:
    """A page's lines in reading order: one list per part read in turn (the whole page, or
    full-width parts and columns), and its footnotes."""

    height: float
    parts: list[list[Line]]
    footnotes: list[str] = field(default_factory=list)


def lay_out(pages: list[PageRuns]) -> str:
    """The text of the pages, in the conventions of `reading.py` (steps 1 to 7 above)."""
    laid = [
        PageLines(page.height, [group_runs(part) for part in reading_order(page)]) for page in pages
    ]
    _drop_running_lines(laid)
    sizes = [line.size for page in laid for part in page.parts for line in part if line.size > 0]
    body_size = statistics.median(sizes) if sizes else 0.0
    for page in laid:
        page.footnotes = _take_footnotes(page, body_size)
    return _pages_to_text(laid, body_size)


def group_runs(runs: list[Line]) -> list[Line]:
    """Lines, top to bottom, from runs: runs that overlap vertically make one line."""
    return [join_row(row) for row in rows_of(runs)]


def join_row(row: list[Line]) -> Line:
    """One line from its runs, left to right: a wide gap is a table cell boundary (a tab),
    a narrow one a space; a bullet glyph is followed by a space; a footnote call is left out."""
    text = ""
    cells: list[float] = [row[0].left]
    previous: Line | None = None
    after_call = False
    largest = max(row, key=lambda r: r.size)
    for run in row:
        if previous is not None and _is_footnote_call(run, largest):
            previous = run  # the gap to what follows is measured from the call
            after_call = True
            continue
        piece = run.text
        if previous is not None:
            gap = run.left - previous.right
            if previous.text.strip() in BULLET_GLYPHS:
                text = text.rstrip() + " "
            elif gap > 0.7 * max(run.size, previous.size, 4.0):
                text = text.rstrip() + "\t"
                cells.append(run.left)
            elif gap > 0.5 or (after_call and not re.match(r"[.,;:!?)\]’”]", piece)):
                text += " "  # after a call left out, a word ("district¹ and") not a stop
        text += piece
        previous = run
        after_call = False
    first = row[0]
    line = Line(
        first.left,
        min(r.bottom for r in row),
        max(r.right for r in row),
        max(r.top for r in row),
        text.strip(),
        size=largest.size,
    )
    line.cells = cells
    line.bullet = (
        bool(line.text)
        and line.text[0] in BULLET_GLYPHS
        and (len(line.text) == 1 or line.text[1] in " \t")
    )
    return line


def _is_footnote_call(run: Line, largest: Line) -> bool:
    """A small number or mark raised above the line's largest type, after a word."""
    return (
        bool(FOOTNOTE_CALL.fullmatch(run.text.strip()))
        and run.size < 0.8 * largest.size
        and (run.top + run.bottom) / 2 > (largest.top + largest.bottom) / 2 + 0.1 * largest.size
    )


# Running headers, footers and footnotes --------------------------------------------------


def _footer_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


def _in_margin(line: Line, height: float) -> bool:
    return line.bottom > 0.92 * height or line.top < 0.08 * height


def _drop_running_lines(pages: list[PageLines]) -> None:
    """Remove lines in the top or bottom margin that repeat on many pages, and page numbers."""
    counts: dict[str, int] = {}
    for page in pages:
        keys = {
            _footer_key(line.text)
            for part in page.parts
            for line in part
            if _in_margin(line, page.height)
        }
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    threshold = max(2, int(0.3 * len(pages)))
    for page in pages:
        for part in page.parts:
            part[:] = [
                line
                for line in part
                if not (
                    _in_margin(line, page.height)
                    and (
                        counts.get(_footer_key(line.text), 0) >= threshold
                        or PAGE_NUMBER.fullmatch(line.text.strip())
                    )
                )
            ]
        page.parts[:] = [part for part in page.parts if part]


def _take_footnotes(page: PageLines, body_size: float) -> list[str]:
    """Remove the footnotes at the foot of each part of the page and return them as
    paragraphs, "¹ Text" (a number in superscript digits, the form cleaning leaves out).

    Footnotes are the lines at the end of a part in type smaller than the body's, the first
    of them starting with a number or a mark, in the lower half of the page; a line without
    a mark continues the footnote above it. Bullets and table rows are not footnotes.
    """
    if not body_size:
        return []
    notes: list[str] = []
    for part in page.parts:
        small = 0
        while small < len(part) and part[-1 - small].size < FOOTNOTE_SIZE * body_size:
            small += 1
        tail = part[len(part) - small :]
        start = next((i for i, line in enumerate(tail) if FOOTNOTE_START.match(line.text)), None)
        if (
            start is None
            or tail[start].top > FOOTNOTE_AREA * page.height
            or not all(_footnote_like(line) for line in tail[start:])
        ):
            continue
        found: list[str] = []
        for line in tail[start:]:
            mark = FOOTNOTE_START.match(line.text)
            if mark:
                found.append(_footnote_text(mark[1], line.text[mark.end() :]))
            else:
                found[-1] = _join_wrapped_text(found[-1], line.text.replace("\t", " "))
        del part[len(part) - small + start :]
        notes.extend(found)
    page.parts[:] = [part for part in page.parts if part]
    return notes


def _footnote_like(line: Line) -> bool:
    """Not a bullet, nor a table row. A footnote set with a wide gap after its mark reads as
    a row of a table ("1    Text") and is left in the body: a table of numbered
    recommendations in small type at the foot of a page looks the same, and must stay."""
    return not line.bullet and "\t" not in line.text


def _footnote_text(mark: str, text: str) -> str:
    text = " ".join(text.replace("\t", " ").split())
    if mark.isdigit():
        return f"{mark.translate(SUPERSCRIPT_DIGITS)} {text}"
    return f"{mark}{text}"  # "*Text", never "* Text", which would read as a bullet


# Paragraphs -------------------------------------------------------------------------------


def _pages_to_text(pages: list[PageLines], body_size: float) -> str:
    out: list[str] = []
    pending: list[str] = []  # footnotes waiting for the paragraph they interrupt to end
    carry = False  # the previous part ended mid-paragraph
    row: Line | None = None  # the table row the previous part ended with, if any
    row_at = -1  # where that row is in `out`
    last: Line | None = None  # the last line of the previous part
    for page in pages:
        for part in page.parts:
            lines = _merge_wrapped_cells(part)
            if row is not None:
                before = len(lines)
                lines = _continue_row(row, lines)
                if len(lines) < before:
                    lead = out[row_at][: len(out[row_at]) - len(out[row_at].lstrip())]
                    out[row_at] = lead + row.text.rstrip("\t")
            widest = max((line.right for line in lines), default=0.0)
            previous: Line | None = None
            markers: list[float] = []  # bullet indents of the list being read, outermost first
            for line in lines:
                # Across a break, a paragraph carries on only in type of the same size.
                new_paragraph = previous is None and (
                    not carry
                    or last is None
                    or "\t" in line.text
                    or "\t" in last.text
                    or abs(line.size - last.size) > 0.15 * max(line.size, last.size, 1)
                )
                if previous is not None:
                    gap = previous.bottom - line.top
                    new_paragraph = (
                        gap > 0.35 * max(line.size, previous.size, 1)
                        or "\t" in line.text
                        or "\t" in previous.text
                        or abs(line.size - previous.size) > 0.15 * max(line.size, previous.size, 1)
                    )
                if pending and (new_paragraph or line.bullet):
                    out.extend("\n\n" + note for note in pending)
                    pending.clear()
                    new_paragraph = True
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
            if not lines:
                continue
            last = lines[-1]
            carry = bool(
                widest
                and last.right >= 0.9 * widest
                and not re.search(r"[.!?:]$", last.text.strip())
            )
            row, row_at = (_open_row(lines), len(out) - 1)
        pending.extend(page.footnotes)
        if pending and not carry:
            out.extend("\n\n" + note for note in pending)
            pending.clear()
    out.extend("\n\n" + note for note in pending)
    return "".join(out).strip() + "\n"


def _merge_wrapped_cells(lines: list[Line]) -> list[Line]:
    """Put the second line of a wrapped table cell back into its cell.

    A line right under a table row (closer than a row's padding) whose runs start where the
    row's cells start continues those cells; the row keeps one line, as in the table.
    """
    out: list[Line] = []
    for line in lines:
        row = out[-1] if out else None
        if (
            row is not None
            and len(row.cells) > 1
            and row.bottom - line.top < 0.25 * max(line.size, 1)
            and all(any(abs(x - left) < 3 for left in row.cells) for x in line.cells)
        ):
            _merge_into_row(row, line)
            row.bottom = line.bottom
            continue
        out.append(line)
    return out


def _open_row(lines: list[Line]) -> Line | None:
    """The table row a part ends with, which the next part may continue: its last line when
    that is a row of cells; or when it holds only a first cell ("9") under a row whose other
    cells it lacks (its text went over the break), that cell as a row of the same cells."""
    last = lines[-1]
    if last.bullet:
        return None
    if len(last.cells) > 1:
        return last
    above = lines[-2] if len(lines) > 1 else None
    if above is None or len(above.cells) < 2 or abs(last.left - above.cells[0]) >= 3:
        return None
    row = Line(last.left, last.bottom, last.right, last.top, last.text, size=last.size)
    row.text += "\t" * (len(above.cells) - 1)
    row.cells = list(above.cells)
    return row


def _continue_row(row: Line, lines: list[Line]) -> list[Line]:
    """The lines at the top of a page (or column) that continue the cells of the table row
    the previous one ended with: they start where the row's cells start, but none where its
    first cell starts (a new row fills its first cell: "2", "AFI 3"). Those lines go into
    the row; the rest are returned."""
    taken = 0
    previous: Line | None = None
    for line in lines:
        continues = (
            not line.bullet
            and abs(line.size - row.size) <= 0.15 * max(line.size, row.size, 1)
            and all(any(abs(x - left) < 3 for left in row.cells[1:]) for x in line.cells)
            and (previous is None or previous.bottom - line.top < 0.25 * max(line.size, 1))
        )
        if not continues:
            break
        _merge_into_row(row, line)
        previous = line
        taken += 1
    return lines[taken:]


def _merge_into_row(row: Line, line: Line) -> None:
    cells = row.text.split("\t")
    for x, piece in zip(line.cells, line.text.split("\t"), strict=False):
        column = min(range(len(row.cells)), key=lambda i: abs(row.cells[i] - x))
        if column < len(cells):
            cells[column] = _join_wrapped_text(cells[column], piece)
    row.text = "\t".join(cells)


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
