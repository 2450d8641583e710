"""Read a page laid out in two columns in reading order: the full-width parts (titles,
introductions, footnotes across the page) in turn, and within a part in columns the left
column before the right.

Lines are grouped by height, so without this the two columns of a page would be read as
one line of two table cells. A page is in columns when:

1. a vertical gutter runs down its body: an x position between a fifth and four fifths of
   the text's width that no run crosses (a run crosses it when the position falls inside
   it, or inside a gap narrower than a table cell's between two of a line's runs) over at
   least half of the body's height (margins aside);
2. both sides of the gutter hold text at least a quarter of the text's width wide, in three
   lines or more (a column of numbers or of page numbers is not a column of text);
3. it is not a table: the blocks on the two sides do not start level with each other. A
   table's rows align across the gap (each row starts both its cells at the same height,
   after the row's padding); two columns of text start their paragraphs wherever the text
   falls. When most (three in five) of the block starts on the side with fewer of them,
   the first lines aside, are level with one on the other side, the page is read as a
   table, row by row, as before.

Then the page is cut, top to bottom, into full-width parts (lines that cross the gutter)
and column parts (lines that do not), and each column part is read as its left column and
then its right column.
"""

from __future__ import annotations

from .pdf_runs import Line, PageRuns, rows_of

MARGIN = 0.08  # the top and bottom share of a page that holds running headers and footers
GUTTER_WINDOW = (0.2, 0.8)  # where a gutter may be, as shares of the text's width
MIN_FREE_SHARE = 0.5  # the share of the body's height the gutter must run down
MIN_COLUMN_SHARE = 0.25  # the least width of each column, as a share of the text's width
MIN_COLUMN_LINES = 3
ALIGNED_SHARE = 0.6  # this share of block starts level across the gap: a table


def reading_order(page: PageRuns) -> list[list[Line]]:
    """The page's runs in the parts it is read in, top to bottom: the whole page as one part,
    or full-width parts and columns (left, then right) in turn."""
    rows = rows_of(page.runs)
    gutter = find_gutter(rows, page.height)
    if gutter is None:
        return [page.runs] if page.runs else []
    parts: list[list[Line]] = []
    left: list[Line] = []
    right: list[Line] = []
    full: list[Line] = []
    for row in rows:
        if _in_margin(row, page.height) or _crosses(row, gutter):
            if left or right:
                parts.extend(side for side in (left, right) if side)
                left, right = [], []
            full.extend(row)
            continue
        if full:
            parts.append(full)
            full = []
        left.extend(run for run in row if run.right <= gutter)
        right.extend(run for run in row if run.left >= gutter)
    parts.extend(side for side in (full, left, right) if side)
    return parts


def find_gutter(rows: list[list[Line]], page_height: float) -> float | None:
    """The x position of the gutter between two columns of text, or None (steps 1 to 3)."""
    body = [row for row in rows if not _in_margin(row, page_height)]
    if len(body) < 2 * MIN_COLUMN_LINES:
        return None
    text_left = min(row[0].left for row in body)
    text_right = max(max(run.right for run in row) for row in body)
    width = text_right - text_left
    if width <= 0:
        return None
    # Cheap test first: most lines of a page in columns are short (one column's) or have a
    # wide gap (two columns' lines side by side); most lines of a page of prose are neither.
    split = sum(1 for row in body if len(_spans(row)) > 1 or _extent(row) < 0.6 * width)
    if split < MIN_FREE_SHARE * len(body):
        return None
    low, high = (text_left + share * width for share in GUTTER_WINDOW)
    gutter = _freest_position(body, low, high)
    if gutter is None:
        return None
    x, free = gutter
    total = sum(_height(row) for row in body)
    if free < MIN_FREE_SHARE * total:
        return None
    uncrossed = [row for row in body if not _crosses(row, x)]
    left = [[run for run in row if run.right <= x] for row in uncrossed]
    right = [[run for run in row if run.left >= x] for row in uncrossed]
    for side in (left, right):
        lines = [row for row in side if row]
        if len(lines) < MIN_COLUMN_LINES:
            return None
        extent = max(run.right for row in lines for run in row) - min(row[0].left for row in lines)
        if extent < MIN_COLUMN_SHARE * width:
            return None
    if _rows_align(left, right):
        return None
    return x


def _spans(row: list[Line]) -> list[tuple[float, float]]:
    """The stretches of x a row's text covers: its runs, joined across gaps narrower than a
    table cell's (a word space is not a gutter)."""
    spans: list[tuple[float, float]] = []
    for run in row:
        if spans and run.left - spans[-1][1] <= 0.7 * max(run.size, 4.0):
            spans[-1] = (spans[-1][0], max(spans[-1][1], run.right))
        else:
            spans.append((run.left, run.right))
    return spans


def _crosses(row: list[Line], x: float) -> bool:
    return any(left < x < right for left, right in _spans(row))


def _extent(row: list[Line]) -> float:
    return max(run.right for run in row) - row[0].left


def _height(row: list[Line]) -> float:
    return max(run.top for run in row) - min(run.bottom for run in row)


def _in_margin(row: list[Line], page_height: float) -> bool:
    top = max(run.top for run in row)
    bottom = min(run.bottom for run in row)
    return bottom > (1 - MARGIN) * page_height or top < MARGIN * page_height


def _freest_position(rows: list[list[Line]], low: float, high: float) -> tuple[float, float] | None:
    """The x between `low` and `high` that the least height of text crosses, with the
    height of the rows that do not cross it. Of several equally free stretches, the
    widest; the middle of it."""
    events: list[tuple[float, float]] = []
    for row in rows:
        height = _height(row)
        for left, right in _spans(row):
            if right > low and left < high:
                events.append((max(left, low), height))
                events.append((min(right, high), -height))
    events.sort()
    total = sum(_height(row) for row in rows)
    best: tuple[float, float, float] | None = None  # covered height, -width, middle
    covered = 0.0
    position = low
    for x, change in [*events, (high, 0.0)]:
        if x > position:
            candidate = (round(covered, 3), -(x - position), (x + position) / 2)
            if best is None or candidate < best:
                best = candidate
        covered += change
        position = max(position, x)
    if best is None:
        return None
    return best[2], total - best[0]


def _rows_align(left: list[list[Line]], right: list[list[Line]]) -> bool:
    """Whether the two sides start their blocks level with each other, as a table's rows
    do (step 3). The first lines of the two sides always start level, so they do not count;
    with no other block start on one side, the two are columns."""
    left_starts = _block_starts([row for row in left if row])[1:]
    right_starts = _block_starts([row for row in right if row])[1:]
    fewer, more = sorted((left_starts, right_starts), key=len)
    if not fewer:
        return False
    level = sum(1 for top, size in fewer if any(abs(top - t) < 0.3 * size for t, _ in more))
    return level >= ALIGNED_SHARE * len(fewer)


def _block_starts(rows: list[list[Line]]) -> list[tuple[float, float]]:
    """The top and type size of each line that starts a block (a paragraph, or a table
    cell): the first line, and each line further below the one above than the side's usual
    line spacing (by a point, or a tenth of the type size; the usual spacing is at most a
    third of the type size, for a side whose every line is a block of its own). A table's
    cell padding makes its row boundaries such starts on both sides, however tight."""
    boxes = [
        (max(run.top for run in row), min(run.bottom for run in row), max(r.size for r in row))
        for row in rows
    ]
    gaps = [above[1] - below[0] for above, below in zip(boxes, boxes[1:], strict=False)]
    usual = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    starts = [(boxes[0][0], boxes[0][2] or 1.0)] if boxes else []
    for gap, (top, _, size) in zip(gaps, boxes[1:], strict=False):
        if gap > min(usual, 0.35 * size) + max(1.0, 0.1 * size):
            starts.append((top, size or 1.0))
    return starts
