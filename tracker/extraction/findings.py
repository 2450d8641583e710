"""Walk a document's blocks and collect its findings and the responses to them.

All inspection documents share one grammar for findings, whatever the programme: a label
("Cause of concern", "Recommendations", "Areas for improvement") and, under it, either one
bullet per finding (sub-bullets being parts of their finding) or a paragraph per finding.
A section ends at the next heading. Sections that praise ("Strengths", "Good practice")
are skipped. Force letters have no labels: every bullet under a heading is a finding.

The document rules say what an *area* heading is (a PEEL question, a baseline framework
"1A ...", a letter's section) through `area_at`, and where the walk starts and stops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleaning import Block
from .result import ExtractedFinding, ExtractedResponse
from .table_rows import header_kind, reads_as_finding, row_reference, row_timescale
from .vocabulary import (
    IGNORED_SECTION,
    KindLabel,
    find_target,
    kind_label,
    response_party,
    timescale_heading,
)

FINDING_KINDS = ("cause_of_concern", "recommendation", "area_for_improvement", "finding")
UNSURE_HEADING = "This heading might be a finding: check that it is one."
UNSURE_PART = "This list item might be a part of the finding above: check that it stands alone."

SHOULD = re.compile(r"\b(?:should|must|needs?\s+to|ought\s+to|we\s+recommend)\b", re.I)
# A recommendation made in the prose of a chapter, with no label above it.
WE_RECOMMEND = re.compile(r"^we\s+(?:therefore\s+|also\s+|now\s+)?recommend\s+that\b", re.I)
MODAL = re.compile(r"\b(?:should|must|needs?\s+to|ought\s+to)\b", re.I)
# "To address this cause of concern, we recommend that:": a cause's recommendations follow.
RECOMMEND_THAT = re.compile(r"\bwe\s+(?:therefore\s+|also\s+)?recommend\s+that\s*:?$", re.I)
# A decimal paragraph number opening a finding ("2.2 Chief constables should ...").
PARAGRAPH_NUMBER = re.compile(r"^(\d{1,2}\.\d{1,2})\s+(?=[A-Z])")
# The name of a table's reference column, on a line of its own when the table is read cell
# by cell ("Ref." | "Area for improvement").
COLUMN_HEADER = re.compile(r"^(?:ref(?:erence)?|no|number|#|id)\.?:?$", re.I)
# A numbered source note at the foot of a page: a citation ending in its year or address.
FOOTNOTE_CITATION = re.compile(r",\s*(?:19|20)\d\d\.?$|\b(?:https?://|www\.)\S+$", re.I)
# "© Crown copyright 2023", "This publication is licensed under ...": the back cover.
BACK_MATTER = re.compile(
    r"^(?:©|\(c\)\s|crown\s+copyright\b|this\s+publication\s+is\s+licen[cs]ed)", re.I
)


@dataclass
class Area:
    name: str
    reference: str = ""


@dataclass
class _Item:
    kind: str
    area: Area | None
    reference: str
    intro: str
    parts: list[str] = field(default_factory=list)
    more: list[str] = field(default_factory=list)  # continuation paragraphs
    parent: int | None = None
    lead_in: str = ""  # the shared "We recommend that by March 2024:" of split findings
    timescale: tuple[str, str | None] | None = None  # the "Within three months" heading above
    unsure: str = ""  # why the rules were unsure that this is a finding
    from_bullet: bool = False
    level: int = -1  # the nesting of the bullet it started from (-1: not a bullet)
    part_level: int | None = None  # the nesting of its first part, when it has parts
    number: str = ""  # the decimal paragraph number it was printed with ("2.2")

    def render(self) -> str:
        text = self.intro
        if self.parts:
            text += "".join(f"\n- {part}" for part in self.parts)
        for paragraph in self.more:
            text += "\n\n" + paragraph
        return text


@dataclass
class _Response:
    to: int
    party: str
    pieces: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)

    def render(self) -> str:
        out = ""
        previous = ""
        for kind, text in self.pieces:
            line = text if kind == "numbered" else (f"- {text}" if kind == "bullet" else text)
            if out:
                listy = kind in {"bullet", "numbered"} and previous in {"bullet", "numbered"}
                out += "\n" if listy else "\n\n"
            out += line
            previous = kind
        return out


@dataclass
class Walk:
    """The findings and responses of one walk, in document order."""

    findings: list[ExtractedFinding] = field(default_factory=list)
    responses: list[ExtractedResponse] = field(default_factory=list)


def walk(
    blocks: list[Block],
    area_at: dict[int, Area | None],
    *,
    start: int = 0,
    end: int | None = None,
    letter: bool = False,
) -> Walk:
    """Collect findings from blocks[start:end].

    1. A finding label opens a section of that kind; a response label ("PCC response",
       "WMP response:") opens a response to the latest recommendation (or finding).
    2. An entry in `area_at` (block index -> Area, or None to leave any area) changes the
       area and closes the section; in a letter it opens a section of plain findings.
    3. Any other heading closes the section, except that the first block under a label is
       always content (a short cause of concern can look like a heading).
    4. In a section: a top-level bullet starts a finding, a nested bullet is a part of it,
       a paragraph after a bullet continues it. With no bullets, a paragraph is a finding
       when it is the first under the label or reads as one ("should", "must"). A table
       row "7 | The force should ..." (a reference, then a finding) is a finding with that
       reference; a header row "No. | Recommendation" opens a section of its kind.
    5. A paragraph ending ":" followed by bullets is one finding with parts, unless the
       bullets are findings themselves (each says "should" and the paragraph does not).
    6. The back cover's imprint ("© Crown copyright") closes any section.
    7. A timescale heading ("Immediately", "Within three months") in a section of
       recommendations (or right after a cause of concern) groups the recommendations under
       it: they take it as their target, and it does not end the section.
    """
    state = _State(letter=letter)
    stop = len(blocks) if end is None else end
    for index in range(start, stop):
        block = blocks[index]
        if index in area_at:
            state.close()
            state.area = area_at[index]
            state.mode = "finding" if (letter and state.area is not None) else None
            state.last_cause = None
            state.end_timescales()
            continue
        if block.kind in {"heading", "para"} and BACK_MATTER.match(block.text):
            state.close()  # the imprint on the back cover is nobody's finding
            state.mode = None
            state.end_timescales()
            continue
        if block.kind in {"heading", "para"} and state.timescale_heading(block):
            continue
        if block.kind in {"heading", "para"} and state.label(block):
            continue
        if block.kind in {"heading", "para"} and state.response_label(block):
            continue
        if block.kind == "heading" and not state.expect_content:
            if state.mode == "response" and not block.marked:
                state.add_to_response(block)
                continue
            state.close()
            state.mode = None
            state.end_timescales()
            if letter and state.area is not None and not IGNORED_SECTION.match(block.text):
                state.mode = "finding"
            continue
        state.content(block)
    state.close()
    return Walk(state.findings, state.responses)


@dataclass
class _State:
    letter: bool
    area: Area | None = None
    mode: str | None = None  # a finding kind, "response", or None (not collecting)
    reference: str = ""
    expect_content: bool = False
    item: _Item | None = None
    items_in_section: int = 0
    last_cause: int | None = None
    response: _Response | None = None
    timescale: tuple[str, str | None] | None = None  # the current timescale heading's target
    timescale_kind: str | None = None  # the kind of the section the timescales group
    findings: list[ExtractedFinding] = field(default_factory=list)
    responses: list[ExtractedResponse] = field(default_factory=list)

    # Labels ---------------------------------------------------------------------------------

    def label(self, block: Block) -> bool:
        label = kind_label(block.text, heading=block.kind == "heading")
        if label is None and self.mode is None and WE_RECOMMEND.match(block.text):
            label = KindLabel("recommendation", "", block.text)  # a recommendation in prose
        if label is None:
            return False
        self.close()
        if label.kind == "area_for_improvement":
            self.last_cause = None
        if not label.reference:
            self.end_timescales()  # a new section; "Recommendation 3" keeps its group's
        self.mode = label.kind
        self.reference = label.reference
        self.items_in_section = 0
        timescale = timescale_heading(label.rest) if label.rest else None
        if timescale is not None:  # "Recommendations – within three months"
            self._start_timescale(timescale)
            return True
        self.expect_content = not label.rest
        if label.rest:
            self.start_item(label.rest)
        return True

    def timescale_heading(self, block: Block) -> bool:
        """A timescale heading within recommendations, or right after a cause of concern."""
        if len(block.text.split()) > 12:
            return False
        timescale = timescale_heading(block.text)
        if timescale is None:
            return False
        grouping = self.mode in {"recommendation", "cause_of_concern", "area_for_improvement"}
        if not (grouping or self.timescale_kind or self.last_cause is not None):
            return False
        if self.item is not None and _introduces(self.item, "should"):
            self.item = None  # "We make the following recommendations." introduces them
        self.close()
        if self.mode in {None, "cause_of_concern"}:
            self.mode = self.timescale_kind or "recommendation"
        self._start_timescale(timescale)
        return True

    def _start_timescale(self, timescale: tuple[str, str | None]) -> None:
        self.timescale = timescale
        self.timescale_kind = self.mode
        self.items_in_section = 0
        self.expect_content = True

    def end_timescales(self) -> None:
        self.timescale = None
        self.timescale_kind = None

    def response_label(self, block: Block) -> bool:
        party = response_party(block.text)
        if party is None or not self.findings and self.item is None:
            return False
        self.close()
        target = self._response_target()
        self.mode = "response"
        self.response = _Response(target, party)
        self.expect_content = False
        return True

    def _response_target(self) -> int:
        for index in range(len(self.findings) - 1, -1, -1):
            if self.findings[index].kind == "recommendation":
                return index
        return len(self.findings) - 1

    # Content --------------------------------------------------------------------------------

    def content(self, block: Block) -> None:
        if block.kind != "bullet" and COLUMN_HEADER.match(block.text):
            return  # "Ref." above a table read cell by cell: the column's name, not a finding
        first = self.expect_content
        self.expect_content = False
        if block.kind == "row" and self.table_header(block):
            return
        if self.mode is None:
            return
        if self.mode == "response":
            self.add_to_response(block)
            return
        if block.kind == "row":
            self.row(block)
            return
        if block.kind == "bullet":
            self.bullet(block)
        else:
            self.paragraph(block, first)
            if block.kind == "heading" and self.item is not None and self.item.intro == block.text:
                self.item.unsure = UNSURE_HEADING

    def table_header(self, block: Block) -> bool:
        """A header row "No. | Recommendation" names the kind of the rows below it: it opens
        a section of that kind (or is skipped inside one) and is never a finding."""
        kind = header_kind(block.cells)
        if kind is None or self.mode == "response":
            return False
        if self.mode != kind:
            self.label(Block("heading", block.cells[1], marked=True))
        return True

    def row(self, block: Block) -> None:
        """A row of a table of findings, "7 | By 31 March 2026, the force should ...": a
        finding of the section's kind with the first cell as its reference, as published.
        Any other row (a grade, a date and a status) is left alone."""
        reference = row_reference(block.cells)
        if self.mode not in FINDING_KINDS or not reference:
            return
        text = block.cells[1].strip()
        if not reads_as_finding(text, self.mode):
            return
        self.close()
        self.start_item(text)
        if self.item is not None:
            self.item.reference = reference
            self.item.from_bullet = True  # a paragraph after it continues or ends the table
            self.item.timescale = row_timescale(block.cells) or self.item.timescale

    def bullet(self, block: Block) -> None:
        item = self.item
        if (
            block.numbered
            and FOOTNOTE_CITATION.search(block.text)
            and not SHOULD.search(block.text)
        ):
            return  # "3. Fire and rescue incident statistics, Home Office, 2024.": a footnote
        # A nested bullet, or a bullet after an introduction that ends with a colon, is a
        # part of the item; any other bullet starts an item of its own. A bullet back at the
        # item's own level after its nested parts is the next item, not another part.
        if (
            item is not None
            and (block.level > 0 or (item.intro.endswith(":") and not item.more))
            and not _back_at_item_level(item, block.level)
        ):
            item.parts.append(block.text)
            if item.part_level is None:
                item.part_level = block.level
        else:
            if item is not None and _introduces(item, block.text):
                self.item = None  # "We make five recommendations:" is not one of them
                self.start_item(block.text)
                if self.item is not None:
                    self.item.from_bullet = True
                    self.item.level = block.level
                return
            # After a finding written as a paragraph, a bullet that does not read as a finding
            # of its own (lower case, no "should") might be a part of it: said, not guessed.
            maybe_part = (
                item is not None
                and not item.from_bullet
                and not item.parts
                and not self.letter
                and (block.text[:1].islower() or not SHOULD.search(block.text))
            )
            self.close()
            self.start_item(block.text)
            if self.item is not None:
                self.item.from_bullet = True
                self.item.level = block.level
                if maybe_part:
                    self.item.unsure = UNSURE_PART

    def paragraph(self, block: Block, first: bool) -> None:
        item = self.item
        if self.letter and self.mode == "finding":
            # A letter's findings are its bullets; a paragraph continues the bullet above it.
            if item is not None:
                item.more.append(block.text)
            return
        if item is None:
            if first or self.items_in_section == 0 or SHOULD.search(block.text):
                self.start_item(block.text)
            else:
                self._end_section()
            return
        if self.mode == "cause_of_concern" and _recommends(block.text):
            self.close()  # "To address this cause of concern, we recommend that:"
            self.mode = "recommendation"
            self.reference = ""
            self.items_in_section = 0
            self.start_item(block.text)
            return
        if item.parts and block.text.endswith(":") and MODAL.search(block.text):
            self.close()  # "Within six months, the force should:" after a list: a new one
            self.start_item(block.text)
        elif item.parts and item.parts[-1].endswith(".") and _asks(block.text):
            self.close()  # a list ended by a full stop, then "By 31 March, the force should"
            self.start_item(block.text)
        elif item.parts or item.intro.endswith(":"):
            item.more.append(block.text)  # a list finding's closing words
        elif SHOULD.search(block.text) and self.mode != "cause_of_concern":
            self.close()
            self.start_item(block.text)
        else:
            self._end_section()  # explanation after the finding, not a finding

    def _end_section(self) -> None:
        self.close()
        self.mode = None

    def start_item(self, text: str) -> None:
        kind = self.mode or "finding"
        parent = self.last_cause if kind == "recommendation" else None
        number = PARAGRAPH_NUMBER.match(text)
        if number:  # "2.2 Chief constables should ...": the paragraph's number is its reference
            text = text[number.end() :]
        self.item = _Item(
            kind,
            self.area,
            self.reference,
            text,
            parent=parent,
            timescale=self.timescale,
            number=number.group(1) if number else "",
        )

    def add_to_response(self, block: Block) -> None:
        if self.response is None or block.kind == "row":
            return
        kind = "numbered" if block.numbered else ("bullet" if block.kind == "bullet" else "para")
        self.response.pieces.append((kind, block.text))

    # Closing --------------------------------------------------------------------------------

    def close(self) -> None:
        if self.response is not None:
            text = self.response.render()
            if text and self.response.to >= 0:
                self.responses.append(
                    ExtractedResponse(self.response.to, self.response.party, text)
                )
            self.response = None
        item = self.item
        self.item = None
        if item is None:
            return
        for piece in _split_if_parts_are_findings(item):
            self._record(piece)

    def _record(self, item: _Item) -> None:
        text = item.render().strip()
        if not text:
            return
        # The group's target comes first: a timescale heading above it, or the shared lead-in
        # of split findings ("We recommend that, by 30 September 2024:"); a phrase inside
        # the text ("examine a phone within 14 days") may be what is asked, not when.
        target_text, target_date = item.timescale or ("", None)
        if not target_text and item.lead_in:
            target_text, target_date = find_target(item.lead_in)
        if not target_text:
            target_text, target_date = find_target(text)
        area = item.area
        self.findings.append(
            ExtractedFinding(
                kind=item.kind,
                area=area.name if area else "",
                text=text,
                reference=item.reference or item.number or (area.reference if area else ""),
                parent=item.parent,
                parts=list(item.parts),
                target_text=target_text,
                target_date=target_date,
                unsure=item.unsure,
            )
        )
        self.items_in_section += 1
        if item.kind == "cause_of_concern":
            self.last_cause = len(self.findings) - 1


def _back_at_item_level(item: _Item, level: int) -> bool:
    """A bullet at (or above) the level of the bullet that started the item, after parts
    nested deeper than it: "- The force should review plans: / - at the start / - on bail /
    - The force should improve ..." gives two findings, the first with two parts."""
    return (
        item.from_bullet and item.part_level is not None and level <= item.level < item.part_level
    )


def _recommends(text: str) -> bool:
    """A lead-in under a cause of concern that introduces its recommendations."""
    return bool(RECOMMEND_THAT.search(text) or WE_RECOMMEND.match(text))


def _asks(text: str) -> bool:
    """A paragraph that opens by asking something of someone: a modal verb in its first
    fifteen words and first sentence ("By 31 March 2026, the force should review ...")."""
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return bool(MODAL.search(" ".join(first.split()[:15])))


def _introduces(item: _Item, bullet: str) -> bool:
    """A paragraph under a recommendations (or areas for improvement) label that asks
    nothing, followed by a bullet that does: the section's introduction, not a finding."""
    return (
        item.kind in {"recommendation", "area_for_improvement"}
        and not item.from_bullet
        and not item.parts
        and not item.more
        and not item.intro.endswith(":")
        and not SHOULD.search(item.intro)
        and bool(MODAL.search(bullet))
    )


def _split_if_parts_are_findings(item: _Item) -> list[_Item]:
    """ "We recommend that by March 2024:" + bullets that each say "the force should ..." are
    separate recommendations sharing the lead-in's target; otherwise one finding with parts."""
    if not (item.intro.endswith(":") and len(item.parts) > 1) or MODAL.search(item.intro):
        return [item]
    if not all(MODAL.search(part) for part in item.parts):
        return [item]
    return [
        _Item(
            item.kind,
            item.area,
            item.reference,
            part,
            parent=item.parent,
            lead_in=item.intro,
            timescale=item.timescale,
        )
        for part in item.parts
    ]


def merge_duplicates(
    findings: list[ExtractedFinding], responses: list[ExtractedResponse]
) -> tuple[list[ExtractedFinding], list[ExtractedResponse]]:
    """One finding for each text that a document states twice.

    National and thematic reports list their recommendations in the summary and again in
    the chapter that explains them (PEEL reports do the same with areas for improvement);
    each is one finding. The first occurrence is kept, filled in from the later one (its
    reference, area, target, addressee), and responses and parents follow it.
    """
    kept: list[ExtractedFinding] = []
    where: dict[tuple[str, str], int] = {}
    new_index: dict[int, int] = {}
    for index, finding in enumerate(findings):
        key = (finding.kind, _comparable(finding.text))
        if key in where:
            first = kept[where[key]]
            for name in ("reference", "area", "target_text", "target_date", "addressee"):
                if not getattr(first, name) and getattr(finding, name):
                    setattr(first, name, getattr(finding, name))
            if not first.addressee_kind:
                first.addressee_kind = finding.addressee_kind
            new_index[index] = where[key]
            continue
        where[key] = len(kept)
        new_index[index] = len(kept)
        kept.append(finding)
    if len(kept) == len(findings):
        return findings, responses
    for finding in kept:
        if finding.parent is not None:
            finding.parent = new_index.get(finding.parent)
    moved = [
        ExtractedResponse(new_index[r.to], r.party, r.text, r.source, r.status)
        for r in responses
        if r.to in new_index
    ]
    return kept, moved


def _comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
