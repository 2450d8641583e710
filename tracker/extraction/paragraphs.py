"""Where a paragraph ends when the text has no blank lines between paragraphs.

Text taken from a PDF by another tool (or pasted from a viewer) often comes in one of two
shapes that a blank-line split does not read:

- **one line per paragraph or heading**, with no blank line between them: the lines are
  of every length, from a two-word heading to a 400-character paragraph;
- **hard-wrapped lines**, cut at a fixed width (about 80 characters), again with no blank
  line between paragraphs: most lines are nearly as long as the longest.

Joining every line of a chunk into one paragraph (right for a wrapped paragraph standing on
its own) then runs headings, labels and paragraphs together ("Main findings Cause of concern
The force doesn't ..."), and no label is ever seen. The document's own line lengths say which
shape it has: `wrap_width` finds the width a wrapped document was cut at, and
`continues` decides for each pair of lines whether the second carries on the first's
paragraph. Both are about the shape of text, not about any kind of report.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .vocabulary import kind_label

# Shortest and longest widths a hard-wrapped document is cut at (characters).
MIN_WRAP, MAX_WRAP = 50, 130
# A line is "full" when the next word would not have fitted in what the wrapping left:
# the fonts of a PDF are proportional, so a line may stop a little short of the width.
FULL_SHARE = 0.8
PROSE_WORDS = 12
CARRIED_SHARE = 0.2
# "7.2 The force should ...", "12. ...": a numbered paragraph starts a block of its own.
DECIMAL_NUMBER = re.compile(r"^\d{1,2}\.\d{1,3}\s+[A-Z]")
PARAGRAPH_NUMBER = re.compile(r"^(?:\d{1,2}\.\d{1,3}|\d{1,2}\.)\s+\S")
SENTENCE_END = re.compile(r"[.!?:;)\"”’]$")


def wrap_width(lines: list[str]) -> int | None:
    """The width the document's prose was hard-wrapped at, or None when it was not.

    Prose lines (not table rows, bullets or marked headings) of 30 characters or more are
    measured. A wrapped document has a ceiling: its longest lines are all about as long
    (the 90th percentile within 130 characters and no line much longer), most of its long
    lines sit just under it, and a fifth or more of its lines carry on a sentence in lower
    case. A document of one line per paragraph has no ceiling, or no line in lower case.
    """
    lengths = sorted(len(line.strip()) for line in lines if _is_prose(line))
    lengths = [n for n in lengths if n >= 30]
    if len(lengths) < 8:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not MIN_WRAP <= width <= MAX_WRAP or lengths[-1] > width * 1.25:
        return None
    near = sum(1 for n in lengths if n >= FULL_SHARE * width)
    if near < 0.5 * len(lengths):
        return None
    # Wrapping cuts sentences anywhere, so many lines carry on in lower case; short
    # paragraphs of one line each, all about as long, never do.
    prose = [line.strip() for line in lines if _is_prose(line)]
    carried = sum(1 for line in prose[1:] if line[0].islower())
    return width if carried >= CARRIED_SHARE * len(prose) else None


# A field's label opening a line: one to three words, the first capitalised, then a colon.
FIELD_LABEL = re.compile(r"^[A-Z][\w’'-]*(?:\s+[\w’'()-]+){0,2}:\s+\S")


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and "\t" not in line and not stripped.startswith(("# ", "- "))


def has_prose(lines: list[str]) -> bool:
    """Whether a chunk holds prose: a line of 12 words or more (longer than a heading
    reads), or of eight or more that ends a sentence.

    A chunk of short lines only (an address, a letterhead, a cover's title lines) is one
    block, as it always was: its lines are not paragraphs of their own.
    """
    for line in lines:
        stripped = line.strip()
        if "\t" in line or not stripped:
            continue
        words = len(stripped.split())
        if words >= PROSE_WORDS or (words >= 8 and re.search(r"[.!?:]$", stripped)):
            return True
    return False


def continues(
    previous: str, line: str, width: int | None, is_heading: Callable[[str], bool]
) -> bool:
    """Whether `line` carries on the paragraph whose last line is `previous`.

    A line starting in lower case always carries on; one that opens with a finding's label
    and a number or colon ("Recommendation 4:", "Area for improvement 2 –") or with a
    paragraph number ("6.7 Custody sergeants ...") never does.
    Otherwise, in a wrapped document the previous line carries on when it was full (its
    length and the next word's reach the width), unless it ends a sentence and the line is
    a short heading, a lead-in ending ":" or a numbered paragraph of its own; in a document
    of one line per paragraph, when it stops mid-sentence and does not read as a heading.
    """
    previous, line = previous.strip(), line.strip()
    if not previous or not line:
        return False
    if line[0].islower():
        return True
    if kind_label(line, heading=False) is not None:
        return False  # "Recommendation 4: The College of Policing should ..." starts afresh
    if DECIMAL_NUMBER.match(line):
        return False  # "6.7 Custody sergeants should ...": a numbered paragraph
    if width is not None:
        if SENTENCE_END.search(previous) and PARAGRAPH_NUMBER.match(line):
            return False
        if SENTENCE_END.search(previous) and FIELD_LABEL.match(line):
            return False  # "Force update: ...", "OPCC comment: ...": a field of its own
        if SENTENCE_END.search(previous) and line.endswith(":") and len(line) < FULL_SHARE * width:
            return False  # a lead-in of its own ("Within six months, the force should:")
        if SENTENCE_END.search(previous) and is_heading(line) and len(line) < FULL_SHARE * width:
            return False  # a sentence ends, and a short line of its own follows: a heading
        first_word = line.split()[0]
        return len(previous) + 1 + len(first_word) >= FULL_SHARE * width
    return not SENTENCE_END.search(previous) and not is_heading(previous)
