"""Repair the damage that PDF-to-text conversion leaves, with rules that hold for any document.

Published inspection reports reach us as text converted from PDF, by our own reader or by
someone else's tool. The conversions leave the same kinds of damage whatever the report:

- page furniture in the flow of the text: running dates ("October 2006") and page numbers,
  often in the middle of a sentence or a bullet that was split by the page break;
- markup from the converter: markdown (`## Heading`, `**bold**`, `*italic*`, links), HTML
  tags (`<b>`, `<p>`, `<li>`), escaped underscores;
- bullets drawn with whatever glyph the font had (•, ·, ▪, private-use symbols), sometimes
  two markers on one bullet ("- · text"), and numbered points given a bullet too;
- stray spaces before punctuation ("crime ?") and footnote paragraphs.

`clean_text` returns text in the conventions of `reading.py` (blank line between paragraphs,
"- " bullets, "# " headings where the markup says so, tab-separated table rows), and
`parse_blocks` turns it into a list of `Block`s for the document rules.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .paragraphs import continues, has_prose, wrap_width
from .vocabulary import kind_label

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
MONTH_YEAR = re.compile(rf"^(?:{MONTHS})\s+\d{{4}}$", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.I)
FOOTNOTE = re.compile(r"^[\u00b9\u00b2\u00b3\u2070-\u2079]+\s*\S")
# A footnote marked with a symbol, as the PDF reader writes it after the page's body:
# "†Text", "‡ Text", "§", "¶", or "*Text" (an asterisk directly followed by a letter or digit:
# not a bullet "* item", and bold "**x**" is gone by then).
SYMBOL_FOOTNOTE = re.compile(r"^(?:[\u2020\u2021\u00a7\u00b6]\s*\S|\*[^\W_])")
SUPERSCRIPTS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
# Bullet glyphs seen in converted reports; U+F0xx are Symbol/Wingdings private-use glyphs.
BULLET = re.compile(r"^(\s*)(?:[-•◦▪▫‣∙●○■□➢➤►·–—*\uf000-\uf0ff]\s+)+")
NUMBERED_POINT = re.compile(r"^(?:\d{1,2}[.)]|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+\S")
TERMINAL = re.compile(r"[.!?:;)\"'”’]$")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\((?:[^)]*)\)")
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
WHOLE_LINE_BOLD = re.compile(r"\*\*(.+?)\*\*:?|__(.+?)__")
HTML_BREAK = re.compile(r"(?i)<br\s*/?>")
HTML_TAG = re.compile(r"(?i)</?(p|div|ul|ol|li|span|b|i|em|strong|u|sup|sub|font|a)(\s[^>]*)?>")
ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
# "PEEL 2023–25 | Police effectiveness, efficiency and legitimacy": a running header.
RUNNING_HEADER = re.compile(r"^[^\t|]{3,}\s\|\s[^\t|]{3,}$")
# The Government Security Classification printed at the top and foot of each page.
PROTECTIVE_MARKING = re.compile(
    r"(?:OFFICIAL(?:\s*[-–—:]?\s*SENSITIVE)?|NOT\s+PROTECTIVELY\s+MARKED|UNCLASSIFIED)"
)
SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<=\S)[ \t]+([?!,;:.])(?=\s|$)")


@dataclass
class Block:
    """One paragraph, bullet, heading or table row of a cleaned document."""

    kind: str  # "heading" | "para" | "bullet" | "row"
    text: str
    level: int = 0  # bullet nesting, 0 for a top-level bullet
    cells: tuple[str, ...] = ()
    marked: bool = False  # the source marked it as a heading (markup, style, type size)
    numbered: bool = False  # a "1) ..." point: kept as written, without a "- "


def clean_text(text: str) -> str:
    """Normalise extracted text; see the module docstring for what is repaired."""
    text = _normalise_characters(text)
    lines = [_clean_line(line) for line in text.split("\n")]
    lines = _drop_furniture(lines)
    text = "\n".join(lines)
    text = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text)
    return _rejoin_split_paragraphs(text).strip() + "\n"


def _normalise_characters(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u00ad", "")
    text = re.sub("[\u200b\u200c\u200d\ufeff]", "", text)
    return text


def _clean_line(line: str) -> str:
    if "<" in line:
        line = _strip_tags(line)
    if "](" in line:
        line = MARKDOWN_LINK.sub(r"\1", line)
    line = line.replace("\\_", "_").replace("^{*}", "*")
    heading = False
    stripped = line.strip()
    match = MARKDOWN_HEADING.match(stripped) if stripped.startswith("#") else None
    if match:
        heading, stripped = True, match.group(1)
    if stripped[:2] in {"**", "__"} and WHOLE_LINE_BOLD.fullmatch(stripped):
        heading = True
    if "\t" not in line and "<b>" in line.lower() and re.fullmatch(r"(?i)<b>.*</b>", stripped):
        heading = True
    if heading:
        text = _strip_emphasis(stripped).strip()
        return f"# {text}" if text else ""
    indent = line[: len(line) - len(line.lstrip(" "))]
    body = _strip_emphasis(line.strip())
    if "\t" in line:
        cells = [
            _tidy_spaces(_strip_emphasis(cell.strip())) for cell in line.strip(" ").split("\t")
        ]
        return "\t".join(cells)
    body = _tidy_spaces(body)
    bullet = BULLET.match(indent + body)
    if bullet:
        rest = BULLET.sub("", indent + body, count=1)
        if NUMBERED_POINT.match(rest):
            return rest
        level = 0 if not indent else (1 if len(indent) <= 3 else 2)
        return "  " * level + "- " + rest if rest else ""
    return body


def _strip_tags(line: str) -> str:
    """Keep the text of HTML fragments: list items become bullets inside the line's text."""
    line = HTML_BREAK.sub(" ", line)
    line = HTML_TAG.sub(" ", line)
    return re.sub(r" {2,}", " ", line).strip() if "\t" not in line else line


def _strip_emphasis(text: str) -> str:
    text = text.replace("**", "").replace("__", "")
    # *italic* around words, but not a lone asterisk used as a footnote mark.
    return ITALIC.sub(r"\1", text) if "*" in text else text


def _tidy_spaces(text: str) -> str:
    text = SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    if "  " in text:
        text = re.sub(r"[ ]{2,}", " ", text)
    return text.rstrip()


def _drop_furniture(lines: list[str]) -> list[str]:
    """Remove page numbers, lone rules, footnotes and running dates standing on their own.

    Footnotes: a line starting with a superscript number ("¹ Text"), or with a symbol mark
    ("*Text", "†Text", "‡", "§", "¶"; with the lines after it that start in lower case, the
    rest of a wrapped note).

    A date on a line of its own counts as furniture when it repeats (three times or more):
    a report's own date appears once, on the cover; a running footer appears on every page.
    So does a running header of the form "<report> | <force>" repeated three times or more
    (a line of a table would have tabs, not a bar), or any line repeated three times or
    more of which two stand next to a page number, and a protective marking on a line of its
    own ("OFFICIAL", "OFFICIAL-SENSITIVE").
    """
    standalone = Counter(line.strip().lower() for line in lines if MONTH_YEAR.match(line.strip()))
    running = Counter(line.strip() for line in lines if RUNNING_HEADER.search(line))
    beside = _beside_page_numbers(lines) | _numbered_running_lines(lines)
    kept: list[str] = []
    in_symbol_note = False
    for index, line in enumerate(lines):
        if index in beside:
            continue
        stripped = line.strip().lstrip("# ").strip()
        if PAGE_NUMBER.match(stripped) or re.fullmatch(r"[_\-–—=.]{1,5}", stripped):
            continue
        if running[line.strip()] >= 3 or PROTECTIVE_MARKING.fullmatch(stripped):
            continue
        if MONTH_YEAR.match(stripped) and standalone[stripped.lower()] >= 3:
            continue
        if FOOTNOTE.match(stripped):
            continue
        if "\t" not in line and SYMBOL_FOOTNOTE.match(line.strip()):
            in_symbol_note = True  # a wrapped note's lines in lower case go with it
            continue
        if in_symbol_note and stripped[:1].islower():
            continue
        in_symbol_note = False
        if line.startswith("# "):
            line = "# " + line[2:].rstrip(SUPERSCRIPTS + " ")
        elif line and line[-1] in SUPERSCRIPTS:
            line = line.rstrip(SUPERSCRIPTS + " ")
        kept.append(line)
    return kept


def _beside_page_numbers(lines: list[str]) -> set[int]:
    """Where a running header or footer without a bar stands: a line repeated three times or
    more, at least twice next to a page number ("Answering the call: police control rooms"
    above or below "4"). Only the copies next to a page number go: the same words on the
    cover are the title, and a repeated label or field is not next to page numbers."""
    repeated = Counter(line.strip() for line in lines if len(line.split()) >= 3)
    filled = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    found: dict[str, list[int]] = {}
    for position, (index, line) in enumerate(filled):
        if repeated[line] < 3:
            continue
        neighbours = filled[max(position - 1, 0) : position + 2]
        if any(PAGE_NUMBER.match(other) for _, other in neighbours if other != line):
            found.setdefault(line, []).append(index)
    return {index for indices in found.values() if len(indices) >= 2 for index in indices}


# "Sussex Police – National child protection inspection      31": a running footer whose page
# number shares its line (or "12   PEEL 2025–27 | Lincolnshire Police" on a left-hand page).
_WITH_PAGE_NUMBER = re.compile(
    r"^(?:(?P<before>\d{1,4})\s+)?(?P<words>.*?\S)(?:\s+(?P<after>\d{1,4}))?$"
)


def _numbered_running_lines(lines: list[str]) -> set[int]:
    """Lines that are the same words each time with a different number before or after:
    a running header or footer with its page number. Three copies or more, at least two
    numbers, three words or more besides the number, no tab (a table's rows are not page
    furniture), and not a finding's label ("Area for improvement 2" on a line of its own)."""
    copies: dict[str, list[tuple[int, str]]] = {}
    for index, line in enumerate(lines):
        stripped = line.strip().lstrip("# ").strip()
        if "\t" in line or len(stripped.split()) < 4:
            continue
        match = _WITH_PAGE_NUMBER.match(stripped)
        number = match and (match.group("after") or match.group("before"))
        if (
            match
            and number
            and not (match.group("after") and match.group("before"))
            and len(match.group("words").split()) >= 3
            and not kind_label(match.group("words"), heading=True)
        ):
            copies.setdefault(match.group("words"), []).append((index, number))
    return {
        index
        for found in copies.values()
        if len(found) >= 3 and len({number for _, number in found}) >= 2
        for index, _ in found
    }


def _rejoin_split_paragraphs(text: str) -> str:
    """Join a paragraph or bullet to the next paragraph when a page break cut it in two.

    The sign is grammatical, not positional: the first part does not end a sentence and the
    second starts in lower case ("... The purpose of this" / "doctrine is to ...").
    """
    parts = text.split("\n\n")
    out: list[str] = []
    for part in parts:
        stripped = part.strip("\n")
        if (
            out
            and stripped[:1].islower()
            and not out[-1].rstrip().endswith("\t")
            and not TERMINAL.search(out[-1].rstrip())
            and not out[-1].lstrip().startswith("# ")
            and "\t" not in out[-1].rsplit("\n", 1)[-1]
        ):
            out[-1] = out[-1].rstrip() + " " + stripped
        else:
            out.append(part)
    return "\n\n".join(out)


# Blocks -------------------------------------------------------------------------------------

HEADING_MAX_WORDS = 12
QUESTION_MAX_WORDS = 30


def parse_blocks(text: str) -> list[Block]:
    """Split cleaned text into blocks.

    Lines of one paragraph are joined (a PDF wraps them); a line starting "- " starts a
    bullet and the lines after it continue it; a line with tabs is a table row on its own.
    A paragraph is a heading when the source marked it, or when it reads like one: short, no
    full stop at the end, starting with a capital (questions may be longer).
    """
    blocks: list[Block] = []
    width = wrap_width(text.split("\n"))
    for chunk in text.split("\n\n"):
        current: Block | None = None
        previous = ""
        lines = chunk.split("\n")
        paragraphs = has_prose(lines)
        for position, raw_line in enumerate(lines):
            if not raw_line.strip():
                continue
            if "\t" in raw_line.strip(" "):
                cells = tuple(cell.strip() for cell in raw_line.strip(" ").split("\t"))
                if blocks and _continues_row(blocks[-1], cells):
                    last = blocks[-1].cells
                    cells = (*last[:-1], f"{last[-1]} {cells[0]}", *cells[1:])
                    blocks.pop()
                blocks.append(Block("row", " ".join(c for c in cells if c), cells=cells))
                current = None
                continue
            stripped = raw_line.lstrip(" ")
            indent = len(raw_line) - len(stripped)
            if stripped.startswith("- "):
                level = 0 if indent == 0 else (1 if indent <= 3 else 2)
                current = Block("bullet", stripped[2:].strip(), level=level)
                blocks.append(current)
            elif stripped.startswith("# "):
                current = Block("heading", stripped[2:].strip(), marked=True)
                blocks.append(current)
            elif (
                paragraphs and current is None and _chapter_heading(stripped, lines[position + 1 :])
            ):
                current = Block("heading", stripped.strip())
                blocks.append(current)
            elif NUMBERED_POINT.match(stripped) and (
                current is None
                or current.kind == "bullet"
                or current.numbered
                or (paragraphs and re.search(r"[:;]$", previous) is not None)
            ):
                current = Block("bullet", stripped.strip(), numbered=True)
                blocks.append(current)
            elif (
                current is not None
                and not _starts_a_field(stripped, current)
                and (not paragraphs or continues(previous, stripped, width, looks_like_heading))
            ):
                current.text = _join_wrapped(current.text, stripped.strip())
            else:
                current = Block("para", stripped.strip())
                blocks.append(current)
            previous = stripped[2:] if stripped.startswith(("- ", "# ")) else stripped
    for block in blocks:
        if block.kind == "para" and looks_like_heading(block.text):
            block.kind = "heading"
    return blocks


def _continues_row(previous: Block, cells: tuple[str, ...]) -> bool:
    """A row cut by a page break: its first cell carries on the last cell of the row above
    (starts in lower case, the cell above stops mid-sentence)."""
    if previous.kind != "row" or not previous.cells or not cells[0][:1].islower():
        return False
    return not TERMINAL.search(previous.cells[-1])


CHAPTER_NUMBER = re.compile(r"^\d{1,2}\.\s+(?=[A-Z])")


def _chapter_heading(line: str, after: list[str]) -> bool:
    """ "2. Policy and governance" opening a chunk of prose: a numbered chapter's heading, not
    the first point of a numbered list (the next line is not numbered, and the words after
    the number read as a heading)."""
    if not CHAPTER_NUMBER.match(line):
        return False
    following = next((a.strip() for a in after if a.strip()), "")
    if not following or NUMBERED_POINT.match(following) or following.startswith("- "):
        return False
    return looks_like_heading(CHAPTER_NUMBER.sub("", line).strip())


# "Status: Complete" on a line of its own: a labelled field of a web page or a form, copied
# as text one field per line, which a wrapped paragraph's next line never looks like.
FIELD_LINE = re.compile(
    r"^(?P<label>[A-Z][A-Za-z’'/()&-]*(?:\s+[A-Za-z’'/()&-]+){0,3}):(?:\s+\S|\s*$)"
)
FIELD_LABELS = re.compile(
    r"^(?:status|current\s+status|rag(?:\s+status)?|reference|ref|id|report(?:\s+published)?|"
    r"published|last\s+updated|updated|type|recommendation|area\s+for\s+improvement|force|"
    r"service|date|update|progress(?:\s+update)?|response|action(?:s|\s+taken)?|owner|lead|"
    r"target(?:\s+date)?|due\s+date|history)$",
    re.IGNORECASE,
)


def _starts_a_field(line: str, current: Block) -> bool:
    """A line "Label: value" after a block that is itself a field, or with a label that
    forms and status pages use ("Status:", "Reference:", "Last updated:"), starts a block."""
    match = FIELD_LINE.match(line)
    if match is None:
        return False
    return bool(FIELD_LABELS.match(match.group("label")) or FIELD_LINE.match(current.text))


def _join_wrapped(first: str, second: str) -> str:
    if first.endswith("-") and second[:1].islower() and not first.endswith(" -"):
        return first + second
    return f"{first} {second}"


def looks_like_heading(text: str) -> bool:
    words = text.split()
    if not words or not (text[0].isupper() or text[0].isdigit()):
        return False
    if text.endswith("?"):
        return len(words) <= QUESTION_MAX_WORDS
    if text.endswith(":"):  # "Within three months, the force should:" opens a list
        return len(words) <= 6 and not re.search(r"\b(?:should|must|needs?\s+to)\b", text, re.I)
    if re.search(r"[.,;!]$", text) or len(words) > HEADING_MAX_WORDS:
        return False
    return not re.fullmatch(r"[\d\s.,%£$/-]+", text)
