"""Layouts of PEEL (2021 on), inspection programme and fire and rescue reports that the shared
walk (findings.walk) would misread, rewritten into its grammar before the walk.

Each rule is about how reports are laid out, in every programme:

1. Practice boxes ("Innovative practice", "Promising practice", "Notable practice") tell
   other forces what works. They are never findings: the box is taken out and kept as a
   note for the person checking the import.
2. Numbered paragraphs ("6.1 Cause of concern: ...", "6.3 The force should ...") as joint
   custody reports number them: the number is the finding's reference as published, so it
   is kept aside and the text is read without it.
3. A labelled section split by subheadings ("Areas for improvement", then "Leadership,
   accountability and partnerships", then the findings of that part): each subheading is an
   area of the same section, not the end of it.
4. Lettered or roman parts run into their lead-in ("The force should: (a) ...; (b) ...",
   "i. ...", "ii. ..."): each becomes a part of its finding.
5. "Accelerated cause of concern" (PEEL since 2021: reported early for a serious risk) is a
   cause of concern; the note says it was accelerated.
6. A short line that says who should act ("Within three months, the force should:", "The
   force should audit its files" without a full stop, as converters leave it) is a
   paragraph, not a heading (short lines read as headings otherwise), unless the source
   marked it as one.
7. A second lead-in after a list ("Within six months, the force should:" after the
   three-month list) starts a finding of its own, not closing words of the first: the
   section's label is repeated before it.
8. A finding followed by an assessment of its own ("Achieved", "Partially achieved", "Not
   achieved", "No longer relevant") is an earlier report's finding whose progress is being
   reported (custody reports list them at the end), not a finding of this report: both
   are taken out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleaning import Block, looks_like_heading
from .vocabulary import KindLabel, kind_label, response_party, timescale_heading

PRACTICE = re.compile(
    r"^(?P<label>(?:innovative|promising|notable)(?:\s+(?:or|and)\s+(?:innovative|promising|"
    r"notable))?\s+practice)\b\s*(?:[:.–—-]\s*)?(?P<rest>.*)$",
    re.IGNORECASE,
)
PARAGRAPH_NUMBER = re.compile(r"^(?P<number>\d{1,2}\.\d{1,3})\s+(?=\S)")
ACCELERATED = re.compile(r"^accelerated\s+(?P<label>causes?\s+of\s+concern\b.*)$", re.IGNORECASE)
# Timescale headings ("Immediately", "Within three months") group recommendations by when
# they are due; the shared walk reads them (findings.py), so they are never subheadings here.
MODAL = re.compile(r"\b(?:should|must|needs?\s+to)\b", re.IGNORECASE)
# A finding opens with who should act: "The force should", "Kent Police must", "We recommend".
FINDING_OPENING = re.compile(
    r"^(?:[\w'’,()-]+\s+){0,7}?(?:should|must|needs?\s+to)\b|^we\s+recommend\b", re.IGNORECASE
)
# "(a) ", "a. ", "(ii) ", "ii. " at the start of a part.
PART_MARKER = re.compile(r"(?:(?<=^)|(?<=\s))\(?(?P<mark>[a-z]|[ivx]{1,4})[.)]\s+(?=\S)")
ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")
# The verdict on an earlier report's finding ("Partially achieved").
ASSESSMENT = re.compile(
    r"^(?:(?:not|partially|partly|fully)\s+)?achieved|^no\s+longer\s+(?:relevant|applicable)|"
    r"^not\s+(?:applicable|assessed)",
    re.IGNORECASE,
)
LABEL_NAMES = {
    "cause_of_concern": "Causes of concern",
    "recommendation": "Recommendations",
    "area_for_improvement": "Areas for improvement",
}


@dataclass
class Prepared:
    """Blocks ready for the walk, and what was kept aside on the way."""

    blocks: list[Block]
    notes: list[str] = field(default_factory=list)
    # A finding's opening text -> its paragraph number as published ("6.3").
    numbers: dict[str, str] = field(default_factory=dict)
    # Indices (in `blocks`) of subheadings inside a labelled section: areas of that section.
    subheadings: list[int] = field(default_factory=list)
    # Opening texts of causes of concern reported early ("accelerated").
    accelerated: list[str] = field(default_factory=list)


def prepare(
    blocks: list[Block], *, numbered_paragraphs: bool = False, subsections: bool = False
) -> Prepared:
    """Apply the rules of the module docstring, in order; rules 2 and 3 only when asked (a
    programme's or fire report's layout, not PEEL's, whose areas are its headings)."""
    prepared = Prepared([_lead_in_as_paragraph(block) for block in blocks])
    prepared.blocks, prepared.notes = take_practice_boxes(prepared.blocks)
    prepared.blocks = drop_assessed_findings(prepared.blocks)
    if numbered_paragraphs:
        prepared.blocks, prepared.numbers = take_paragraph_numbers(prepared.blocks)
    prepared.blocks, prepared.accelerated = read_accelerated(prepared.blocks)
    prepared.blocks = split_parts(prepared.blocks)
    prepared.blocks = separate_lead_ins(prepared.blocks)
    if subsections:
        prepared.blocks, prepared.subheadings = keep_sections_open(prepared.blocks)
    return prepared


def drop_assessed_findings(blocks: list[Block]) -> list[Block]:
    """Rule 8: a block followed by a line that is only an assessment ("Partially achieved",
    "Not achieved.") is an earlier finding with its verdict; both go."""
    kept: list[Block] = []
    for block in blocks:
        verdict = block.kind in {"heading", "para"} and len(block.text.split()) <= 4
        if (
            verdict
            and kept
            and kept[-1].kind != "row"
            and ASSESSMENT.fullmatch(block.text.strip(" ."))
        ):
            kept.pop()
            continue
        kept.append(block)
    return kept


def _lead_in_as_paragraph(block: Block) -> Block:
    """Rule 6."""
    if block.kind != "heading" or block.marked or block.text.endswith("?"):
        return block
    lead_in = block.text.endswith(":") and MODAL.search(block.text)
    if lead_in or FINDING_OPENING.match(block.text):
        return Block("para", block.text)
    return block


# 1. Practice boxes ----------------------------------------------------------------------------


def take_practice_boxes(blocks: list[Block]) -> tuple[list[Block], list[str]]:
    """Take each practice box out: its label, its title (a heading right after the label)
    and its text up to the next heading or finding label. The note is the label and the
    title, or the box's first sentence when it has no title."""
    kept: list[Block] = []
    notes: list[str] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        match = PRACTICE.match(block.text) if block.kind in {"heading", "para"} else None
        if match is None or (block.kind == "para" and not match.group("rest")):
            kept.append(block)
            index += 1
            continue
        label = match.group("label")
        label = label[0].upper() + label[1:].lower()
        title = _first_sentence(match.group("rest").strip())
        index += 1
        if not title and index < len(blocks) and blocks[index].kind == "heading":
            title = blocks[index].text
            index += 1
        while index < len(blocks) and _in_box(blocks[index]):
            title = title or _first_sentence(blocks[index].text)
            index += 1
        notes.append(f"{label}: {title}" if title else label)
    return kept, notes


# The words a finding label starts with: a cheap test before the label's full pattern.
LABEL_START = re.compile(r"^(?:the\s+|our\s+)?(?:causes?\b|recommendation|areas?\s+for|afi)", re.I)


def label_of(block: Block) -> KindLabel | None:
    """The block's finding label, if it is one (vocabulary.kind_label)."""
    if not LABEL_START.match(block.text):
        return None
    return kind_label(block.text, heading=block.kind == "heading")


def _in_box(block: Block) -> bool:
    if block.kind in {"heading", "row"} or PRACTICE.match(block.text):
        return False
    return kind_label(block.text, heading=False) is None and response_party(block.text) is None


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]


# 2. Numbered paragraphs --------------------------------------------------------------------


def take_paragraph_numbers(blocks: list[Block]) -> tuple[list[Block], dict[str, str]]:
    """ "6.3 The force should ..." is read as "The force should ..." with reference "6.3"."""
    out: list[Block] = []
    numbers: dict[str, str] = {}
    for block in blocks:
        match = PARAGRAPH_NUMBER.match(block.text) if block.kind in {"para", "bullet"} else None
        if match is None:
            out.append(block)
            continue
        text = block.text[match.end() :]
        kind = "heading" if block.kind == "para" and looks_like_heading(text) else block.kind
        out.append(Block(kind, text, level=block.level, numbered=block.numbered))
        label = kind_label(text, heading=False)
        numbers[opening(label.rest if label else text)] = match.group("number")
    return out, numbers


def opening(text: str) -> str:
    """How a finding is looked up by its first words (the walk may add parts after them)."""
    return " ".join(text.split())[:80].lower()


# 5. Accelerated causes of concern ----------------------------------------------------------


def read_accelerated(blocks: list[Block]) -> tuple[list[Block], list[str]]:
    out: list[Block] = []
    accelerated: list[str] = []
    for index, block in enumerate(blocks):
        match = ACCELERATED.match(block.text) if block.kind in {"heading", "para"} else None
        if match is None:
            out.append(block)
            continue
        text = match.group("label")
        text = text[0].upper() + text[1:]
        label = kind_label(text, heading=block.kind == "heading")
        if label is None:
            out.append(block)
            continue
        out.append(Block(block.kind, text, marked=block.marked))
        following = blocks[index + 1].text if index + 1 < len(blocks) else ""
        accelerated.append(opening(label.rest or following))
    return out, accelerated


# 4. Lettered and roman parts ---------------------------------------------------------------


def split_parts(blocks: list[Block]) -> list[Block]:
    """A lead-in ending ":" with its parts run into it ("...: (a) x; (b) y.") becomes the
    lead-in and one numbered point per part; a paragraph "i. x" or "b. y" after a lead-in or
    a point is a numbered point too (the cleaner only knows "1)", "(a)" and "(ii)")."""
    out: list[Block] = []
    for block in blocks:
        if block.kind not in {"para", "bullet"}:
            out.append(block)
            continue
        pieces = _run_in_parts(block.text)
        if pieces:
            out.append(Block(block.kind, pieces[0], level=block.level))
            out.extend(Block("bullet", piece, numbered=True) for piece in pieces[1:])
        elif block.kind == "para" and out and _continues_parts(out[-1], block.text):
            # "i. x; and ii. y" when the cleaner joined two parts that a page broke apart.
            out.extend(Block("bullet", piece, numbered=True) for piece in _parts_in(block.text))
        else:
            out.append(block)
    return out


def _run_in_parts(text: str) -> list[str]:
    """["The force should:", "(a) x;", "(b) y."] when the parts run in sequence, else []."""
    colon = text.find(": ")
    if colon < 0:
        return []
    marks = [m for m in PART_MARKER.finditer(text) if m.start() > colon]
    if len(marks) < 2 or text[colon + 1 : marks[0].start()].strip():
        return []
    if not _in_sequence([m.group("mark") for m in marks]):
        return []
    pieces = [text[: colon + 1].strip()]
    for here, after in zip(marks, [*marks[1:], None], strict=True):
        pieces.append(text[here.start() : after.start() if after else len(text)].strip())
    return pieces


def _parts_in(text: str) -> list[str]:
    """A paragraph of parts that starts with a marker: one piece per marker in sequence."""
    marks = list(PART_MARKER.finditer(text))
    if len(marks) < 2 or not _in_sequence([m.group("mark") for m in marks]):
        return [text]
    return [
        text[here.start() : after.start() if after else len(text)].strip()
        for here, after in zip(marks, [*marks[1:], None], strict=True)
    ]


def _in_sequence(marks: list[str]) -> bool:
    """a, b, c ... or i, ii, iii ..."""
    if marks == [chr(ord("a") + n) for n in range(len(marks))]:
        return True
    return len(marks) <= len(ROMAN) and marks == list(ROMAN[: len(marks)])


def _continues_parts(previous: Block, text: str) -> bool:
    match = PART_MARKER.match(text)
    if match is None:
        return False
    mark = match.group("mark")
    if previous.numbered:
        before = PART_MARKER.match(previous.text)
        return bool(before and _in_sequence([before.group("mark"), mark]))
    return previous.text.endswith(":") and mark in {"a", "i"}


# 7. Lead-ins after a list ---------------------------------------------------------------------


def separate_lead_ins(blocks: list[Block]) -> list[Block]:
    """Rule 7: repeat the open section's label before a lead-in that follows a list."""
    out: list[Block] = []
    open_kind: str | None = None
    for block in blocks:
        label = label_of(block) if block.kind in {"heading", "para"} else None
        if label is not None:
            open_kind = label.kind
        elif block.kind == "heading" and not timescale_heading(block.text):
            open_kind = None
        elif (
            open_kind is not None
            and block.kind == "para"
            and block.text.endswith(":")
            and MODAL.search(block.text)
            and out
            and out[-1].kind == "bullet"
        ):
            out.append(Block("heading", LABEL_NAMES[open_kind], marked=True))
        out.append(block)
    return out


# 3. Sections with subheadings --------------------------------------------------------------


def keep_sections_open(blocks: list[Block]) -> tuple[list[Block], list[int]]:
    """Inside a section opened by a label heading ("Areas for improvement"), a subheading
    followed by a finding (a paragraph or bullet that says "should") is an area of that
    section: the label is repeated after it so that the walk keeps collecting."""
    out: list[Block] = []
    subheadings: list[int] = []
    open_kind: str | None = None
    for index, block in enumerate(blocks):
        if block.kind != "heading":
            out.append(block)
            continue
        label = label_of(block)
        if label is not None:
            open_kind = label.kind if not label.rest else None
            out.append(block)
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        subheading = (
            open_kind is not None
            and following is not None
            and following.kind in {"para", "bullet"}
            and FINDING_OPENING.match(following.text) is not None
            and not timescale_heading(block.text)
            and not block.text.endswith("?")
            and response_party(block.text) is None
        )
        out.append(block)
        if subheading and open_kind is not None:
            subheadings.append(len(out) - 1)
            out.append(Block("heading", LABEL_NAMES[open_kind], marked=True))
        elif not timescale_heading(block.text):
            open_kind = None
    return out, subheadings
