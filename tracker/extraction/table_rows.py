"""Tables of numbered findings, read one row at a time.

Reports often list their recommendations (or areas for improvement) in a table: a column of
references and a column of text, sometimes a column of timescales. The readers give each row
as one line of cells (`7<TAB>By 31 March 2026, the force should ...`), so the walk
(`findings.walk`) sees a row, not a paragraph. These pure functions say what a row is:

- a header row ("No. | Recommendation", "Ref | Area for improvement") names the kind of the
  findings below it, and is never a finding itself;
- a row whose first cell is a reference as published ("7", "R1", "AFI 3", "Recommendation 2")
  and whose second cell reads as a finding is one finding, with that reference.
"""

from __future__ import annotations

import re

from .vocabulary import kind_label, timescale_heading

# A reference as a table prints it: "7", "7.", "6.1", "R1", "AFI 3", "Rec 2", "CoC 1",
# "Recommendation 2", "Area for improvement 4".
REFERENCE_CELL = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})?[a-z]?\.?"
    r"|(?:r|rec|afi|coc|aoi)\.?\s?\d{1,3}[a-z]?"
    r"|(?:recommendation|area\s+for\s+improvement|cause\s+of\s+concern)\s+\d{1,3}[a-z]?)$",
    re.IGNORECASE,
)
# The name of a table's reference column ("No.", "Ref", "Number", "#"), or an empty cell.
REFERENCE_COLUMN = re.compile(r"^(?:|ref(?:erence)?|no|number|#|id|item)\.?:?$", re.IGNORECASE)
# A row's text asks something of someone: what a recommendation or area for improvement says.
ASKS = re.compile(r"\b(?:should|must|needs?\s+to|ought\s+to|we\s+recommend)\b", re.IGNORECASE)


def header_kind(cells: tuple[str, ...]) -> str | None:
    """The kind of finding a header row names ("No. | Recommendation" -> "recommendation"),
    or None when the row is not such a header."""
    if len(cells) < 2 or not REFERENCE_COLUMN.match(cells[0].strip()):
        return None
    label = kind_label(cells[1], heading=True)
    if label is None or label.reference or label.rest:
        return None
    return label.kind


def row_reference(cells: tuple[str, ...]) -> str:
    """The reference in the row's first cell as published ("AFI 3"; "7." gives "7"), or ""
    when the first cell is not a reference."""
    if len(cells) < 2:
        return ""
    first = " ".join(cells[0].split())
    if not REFERENCE_CELL.match(first):
        return ""
    return first[:-1] if first.endswith(".") else first


def reads_as_finding(text: str, kind: str) -> bool:
    """A recommendation or area for improvement asks something ("should", "must"); a cause
    of concern states a problem in a sentence of six words or more."""
    if ASKS.search(text):
        return True
    return kind == "cause_of_concern" and len(text.split()) >= 6 and text.rstrip().endswith(".")


def row_timescale(cells: tuple[str, ...]) -> tuple[str, str | None] | None:
    """A timescale column after the text ("Within three months", "By 31 March 2025")."""
    for cell in cells[2:]:
        found = timescale_heading(cell) if cell.strip() else None
        if found is not None:
            return found
    return None
