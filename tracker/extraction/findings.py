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
from .vocabulary import IGNORED_SECTION, find_target, kind_label, response_party

SHOULD = re.compile(r"\b(?:should|must|needs?\s+to|ought\s+to|we\s+recommend)\b", re.I)
MODAL = re.compile(r"\b(?:should|must|needs?\s+to|ought\s+to)\b", re.I)


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
       when it is the first under the label or reads as one ("should", "must").
    5. A paragraph ending ":" followed by bullets is one finding with parts, unless the
       bullets are findings themselves (each says "should" and the paragraph does not).
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
    findings: list[ExtractedFinding] = field(default_factory=list)
    responses: list[ExtractedResponse] = field(default_factory=list)

    # Labels ---------------------------------------------------------------------------------

    def label(self, block: Block) -> bool:
        label = kind_label(block.text, heading=block.kind == "heading")
        if label is None:
            return False
        self.close()
        if label.kind == "area_for_improvement":
            self.last_cause = None
        self.mode = label.kind
        self.reference = label.reference
        self.items_in_section = 0
        self.expect_content = not label.rest
        if label.rest:
            self.start_item(label.rest)
        return True

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
        first = self.expect_content
        self.expect_content = False
        if self.mode is None:
            return
        if self.mode == "response":
            self.add_to_response(block)
            return
        if block.kind == "row":
            return
        if block.kind == "bullet":
            self.bullet(block)
        else:
            self.paragraph(block, first)

    def bullet(self, block: Block) -> None:
        item = self.item
        # A nested bullet, or a bullet after an introduction that ends with a colon, is a
        # part of the item; any other bullet starts an item of its own.
        if item is not None and (block.level > 0 or (item.intro.endswith(":") and not item.more)):
            item.parts.append(block.text)
        else:
            self.close()
            self.start_item(block.text)

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
        if item.parts or item.intro.endswith(":"):
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
        self.item = _Item(kind, self.area, self.reference, text, parent=parent)

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
        target_text, target_date = find_target(text)
        if not target_text and item.lead_in:
            target_text, target_date = find_target(item.lead_in)
        area = item.area
        self.findings.append(
            ExtractedFinding(
                kind=item.kind,
                area=area.name if area else "",
                text=text,
                reference=item.reference or (area.reference if area else ""),
                parent=item.parent,
                parts=list(item.parts),
                target_text=target_text,
                target_date=target_date,
            )
        )
        self.items_in_section += 1
        if item.kind == "cause_of_concern":
            self.last_cause = len(self.findings) - 1


def _split_if_parts_are_findings(item: _Item) -> list[_Item]:
    """ "We recommend that by March 2024:" + bullets that each say "the force should ..." are
    separate recommendations sharing the lead-in's target; otherwise one finding with parts."""
    if not (item.intro.endswith(":") and len(item.parts) > 1) or MODAL.search(item.intro):
        return [item]
    if not all(MODAL.search(part) for part in item.parts):
        return [item]
    return [
        _Item(item.kind, item.area, item.reference, part, parent=item.parent, lead_in=item.intro)
        for part in item.parts
    ]
