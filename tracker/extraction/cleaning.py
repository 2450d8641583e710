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

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
MONTH_YEAR = re.compile(rf"^(?:{MONTHS})\s+\d{{4}}$", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.I)
FOOTNOTE = re.compile(r"^[\u00b9\u00b2\u00b3\u2070-\u2079]+\s*\S")
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

    A date on a line of its own counts as furniture when it repeats (three times or more):
    a report's own date appears once, on the cover; a running footer appears on every page.
    """
    standalone = Counter(line.strip().lower() for line in lines if MONTH_YEAR.match(line.strip()))
    kept: list[str] = []
    for line in lines:
        stripped = line.strip().lstrip("# ").strip()
        if PAGE_NUMBER.match(stripped) or re.fullmatch(r"[_\-–—=.]{1,5}", stripped):
            continue
        if MONTH_YEAR.match(stripped) and standalone[stripped.lower()] >= 3:
            continue
        if FOOTNOTE.match(stripped):
            continue
        if line.startswith("# "):
            line = "# " + line[2:].rstrip(SUPERSCRIPTS + " ")
        elif line and line[-1] in SUPERSCRIPTS:
            line = line.rstrip(SUPERSCRIPTS + " ")
        kept.append(line)
    return kept


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
    for chunk in text.split("\n\n"):
        current: Block | None = None
        for raw_line in chunk.split("\n"):
            if not raw_line.strip():
                continue
            if "\t" in raw_line.strip(" "):
                cells = tuple(cell.strip() for cell in raw_line.strip(" ").split("\t"))
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
            elif NUMBERED_POINT.match(stripped) and (
                current is None or current.kind == "bullet" or current.numbered
            ):
                current = Block("bullet", stripped.strip(), numbered=True)
                blocks.append(current)
            elif current is not None:
                current.text = _join_wrapped(current.text, stripped.strip())
            else:
                current = Block("para", stripped.strip())
                blocks.append(current)
    for block in blocks:
        if block.kind == "para" and looks_like_heading(block.text):
            block.kind = "heading"
    return blocks


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
    if text.endswith(":"):
        return len(words) <= 6
    if re.search(r"[.,;!]$", text) or len(words) > HEADING_MAX_WORDS:
        return False
    return not re.fullmatch(r"[\d\s.,%£$/-]+", text)
