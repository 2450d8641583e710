"""Positioned runs of text on a PDF page: what the text layer (`pdf_text.py`) and text
recognition (`ocr.py`) both give, and what the layout (`pdf_columns.py`, `pdf_layout.py`)
rebuilds lines and paragraphs from.

Coordinates are PDF points with y upwards (0 at the foot of the page). A run's vertical
extent is the loose box of its type (the font's ascent to its descent), not the ink of its
glyphs, so that the gaps between lines compare alike whatever letters a line holds, and its
height gives the type size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BULLET_GLYPHS = "•◦▪▫‣∙●○■□➢➤►–—·*"


@dataclass
class Line:
    """A run of text, or a line made of runs, with its box in PDF points (y upwards)."""

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


@dataclass
class PageRuns:
    """A page's size and its runs of text, as read from its text layer or by OCR."""

    width: float
    height: float
    runs: list[Line]


def rows_of(runs: list[Line]) -> list[list[Line]]:
    """Runs grouped into rows by their vertical overlap (at least half the shorter one's
    height), top to bottom, each row left to right."""
    runs = sorted(runs, key=lambda r: -(r.top + r.bottom) / 2)
    rows: list[list[Line]] = []
    top = bottom = 0.0
    for run in runs:
        if rows:
            overlap = min(top, run.top) - max(bottom, run.bottom)
            if overlap >= 0.5 * min(top - bottom, run.height):
                rows[-1].append(run)
                top, bottom = max(top, run.top), min(bottom, run.bottom)
                continue
        rows.append([run])
        top, bottom = run.top, run.bottom
    for row in rows:
        row.sort(key=lambda r: r.left)
    return rows
