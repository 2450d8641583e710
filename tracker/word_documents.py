"""The published response as a Word document (.docx) the PCC office can edit and re-use.

Written from the same outline as the HTML and PDF (`documents.document_context`), so the three
formats always say the same thing. A real document (issue 21):
- the protective marking (`content["marking"]`) at the top and bottom of every page of every
  section, and a draft's status ("Draft – not published") at the top of every page, as the PDF
  of the same draft has them;
- paragraphs typed as "1)", "2)"... (or "a)", "(i)"-style letters) written as Word numbering
  that starts at the number typed, not as typed digits;
- core properties: title, subject, author (the office), language (en-GB, or cy-GB for the
  Welsh document of a bilingual response), and created and modified: the publication date for
  a published version, the moment it was made for a draft;
- a section with nothing in it is left out rather than printed as a bare heading;
- English passages of a Welsh document (the report's own wording, quoted) in runs whose
  language is en-GB, so spelling checkers and screen readers read them as English. The fixed
  phrases are translated (gettext): render inside translation.override("cy") for Welsh.
"""

import datetime
import io
import re
from collections.abc import Sequence
from typing import Any

import docx
from django.utils.translation import gettext
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from tracker.documents import LANGUAGE, Block, Content, document_context, iso_date

# Word's language tags for the documents' languages (documents.document_context's "lang").
WORD_LANGUAGES = {"cy": "cy-GB", "en": "en-GB", "en-gb": "en-GB"}


def word_language(lang: str) -> str:
    """The language tag Word expects for a document language: "cy" -> "cy-GB"."""
    return WORD_LANGUAGES.get((lang or "").lower(), lang or LANGUAGE)


def render_docx(content: Content, *, now: datetime.datetime | None = None) -> bytes:
    """Render the response as a Word document the PCC office can edit.

    Word's accessibility depends on real structure, so: heading styles (Heading 1 to 5, which
    make the navigation pane and the PDF bookmarks Word exports), "List Bullet" paragraphs for
    bullets, and a real table for the grades whose header row repeats on each page (w:tblHeader,
    which is also how screen readers know it is a header row). The document language (British
    English, or Welsh for a Welsh document) is set for the spelling checker and screen readers,
    and English passages of a Welsh document are marked as English. `now` (for a draft's
    created and modified dates) defaults to the present moment.
    """
    doc = document_context(content)
    language = word_language(doc["lang"])
    document = docx.Document()
    _setup_docx_styles(document, language)
    numbering = _Numbering(document)

    section = document.sections[0]
    # python-docx's template is US Letter; UK public bodies print on A4.
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    published = content.get("published_on") is not None

    # Word's document properties hold at most 255 characters each (python-docx refuses more);
    # a long report title is cut there, the heading in the document keeps it whole.
    properties = document.core_properties
    properties.title = _property(doc["title"])
    properties.subject = _property(doc["subject"])
    properties.author = _property(doc["author"])
    properties.last_modified_by = _property(doc["author"])
    properties.keywords = _property(doc["keywords"])
    properties.comments = ""
    properties.language = language
    properties.revision = max(int(content.get("version") or 1), 1)
    # Never the template's own dates (2013): a published version's date, else now.
    created = _docx_datetime(content.get("published_on"))
    if created is None:
        created = (now or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    properties.created = properties.modified = created

    if len(doc["title_parts"]) == 1:
        document.add_heading(doc["title"], level=1)
    else:  # a part in another language (an English report title in a Welsh document)
        heading = document.add_heading("", level=1)
        for text, lang in doc["title_parts"]:
            _set_language(heading.add_run(text), word_language(lang) if lang else "")
    document.add_paragraph(doc["status"])
    for row in doc["summary"]:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{row['label']}: ").bold = True
        value = paragraph.add_run(row["value"])
        if row.get("lang"):
            _set_language(value, word_language(row["lang"]))
        if row["url"]:
            paragraph.add_run(f" ({row['url']})")
    _add_docx_blocks(document, doc["introduction"], numbering)

    sections = doc["sections"]
    for position, part in enumerate(sections):
        if _empty(part, sections[position + 1 :]):
            continue
        if part["level"]:
            document.add_heading(part["heading"], level=part["level"])
        if part["grade"]:
            paragraph = document.add_paragraph()
            paragraph.add_run(gettext("Grade:") + " ").bold = True
            paragraph.add_run(part["grade"])
        if part["grades"]:
            _add_grades_table(document, doc["grades"])
        # A passage in another language than the document's: its runs say which.
        lang = part.get("lang") or ""
        _add_docx_blocks(document, part["blocks"], numbering, word_language(lang) if lang else "")

    for line in _footer_lines(doc):
        paragraph = document.add_paragraph(line)
        for run in paragraph.runs:
            run.font.size = Pt(9)

    # Every section's page header and footer (one section today; any added later too).
    marking = str(content.get("marking") or "").strip().upper()
    for each in document.sections:
        _add_running_header(each, marking, "" if published else doc["status"])
        _add_page_footer(each, marking)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _empty(part: dict[str, Any], after: Sequence[dict[str, Any]]) -> bool:
    """A heading with nothing under it: no text, no grade, no table, and no deeper heading
    next (which would be its content)."""
    if part["blocks"] or part["grade"] or part["grades"] or not part["level"]:
        return False
    following = next(iter(after), None)
    return following is None or not following["level"] or following["level"] <= part["level"]


def _property(text: str, limit: int = 255) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _footer_lines(doc: dict[str, Any]) -> list[str]:
    lines = []
    if doc["url"]:
        lines.append(gettext("This response is published at") + f" {doc['url']}")
    if doc["copyright"]:
        lines.append(doc["copyright"])
    return lines


def _docx_datetime(value: Any) -> datetime.datetime | None:
    """Midday UTC on the publication date, so the file says when it was published."""
    iso = iso_date(value)
    if not iso:
        return None
    return datetime.datetime.combine(
        datetime.date.fromisoformat(iso), datetime.time(12), tzinfo=datetime.UTC
    )


def _setup_docx_styles(document: WordDocument, language: str = LANGUAGE) -> None:
    """Arial, black headings and the document's language (British English, or Welsh), instead
    of python-docx's Calibri, blue and US English.

    The template's fonts come from its theme (w:asciiTheme...), which wins over a plain font
    name, so the theme attributes are removed where the fonts are set.
    """
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(run_defaults, "Arial")
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = run_defaults.makeelement(qn("w:lang"), {})
        run_defaults.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)

    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    sizes = {1: 20, 2: 16, 3: 13, 4: 12, 5: 11}
    for level, size in sizes.items():
        style = document.styles[f"Heading {level}"]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
        style.paragraph_format.space_before = Pt(18 if level <= 2 else 12)
        style.paragraph_format.space_after = Pt(6)
        _set_fonts(style.element.get_or_add_rPr(), "Arial")


def _set_fonts(rpr: BaseOxmlElement, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), name)


def _add_docx_blocks(
    document: WordDocument, blocks: list[Block], numbering: "_Numbering", language: str = ""
) -> None:
    """Paragraphs, bullets, and runs of numbered paragraphs as Word numbering. `language`:
    the blocks' language when it is not the document's ("" for the document's)."""
    numbered = numbered_runs(blocks)

    def add(text: str, style: str | None = None) -> Paragraph:
        paragraph = document.add_paragraph(text, style=style)
        for run in paragraph.runs:
            _set_language(run, language)
        return paragraph

    for position, (_kind, value) in enumerate(blocks):
        if isinstance(value, list):  # ("ul", items)
            for item in value:
                add(item, style="List Bullet")
            continue
        found = numbered.get(position)
        if found is None:
            add(value)
            continue
        paragraph = add(found.text)
        number_properties = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        number_properties.get_or_add_ilvl().val = 0
        number_properties.get_or_add_numId().val = found.num_id or numbering.start(found)


def _set_language(run: Any, language: str) -> None:
    """Mark a run's text as being in `language` (w:lang), or leave it ("")."""
    if not language:
        return
    properties = run._r.get_or_add_rPr()
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), language)


# Numbered paragraphs -------------------------------------------------------------------------

# "1) text", "2. text", "(3) text", "a) text", "(b) text": the number, its look, the text.
_NUMBER = re.compile(r"^(\()?(\d{1,3}|[a-z]|[A-Z])([.)])\s+(\S.*)$")
_FORMATS = {"decimal": "decimal", "lower": "lowerLetter", "upper": "upperLetter"}


class _Numbered:
    """One numbered paragraph: its number, how the number is shown (e.g. "%1)"), its text,
    and the Word numbering it joins (0 for the first of a run, which starts a new one)."""

    def __init__(self, value: int, kind: str, shown: str, text: str) -> None:
        self.value, self.kind, self.shown, self.text = value, kind, shown, text
        self.num_id = 0
        self.first: _Numbered = self


def _number_of(text: str) -> _Numbered | None:
    match = _NUMBER.match(text)
    if match is None:
        return None
    opening, number, closing, rest = match.groups()
    if opening and closing != ")":
        return None
    if number.isdigit():
        kind, value = "decimal", int(number)
    else:
        kind, value = ("lower" if number.islower() else "upper"), ord(number.lower()) - 96
    return _Numbered(value, kind, f"{opening or ''}%1{closing}", rest)


def numbered_runs(blocks: Sequence[Block]) -> dict[int, "_Numbered"]:
    """The paragraphs (by position) that are numbered as typed: runs of consecutive
    paragraphs numbered 1), 2), 3)... in one style and counting up by one. A run starts at
    the number typed; letters need at least two in a row ("A. Smith said" is not a list)."""
    found: dict[int, _Numbered] = {}
    run: list[tuple[int, _Numbered]] = []

    def close() -> None:
        if run and (run[0][1].kind == "decimal" or len(run) > 1):
            for position, item in run:
                item.first = run[0][1]
                found[position] = item
        run.clear()

    for position, (kind, value) in enumerate(blocks):
        item = _number_of(value) if kind == "p" and isinstance(value, str) else None
        if item is None:
            close()
            continue
        if run:
            last = run[-1][1]
            if (item.kind, item.shown, item.value) != (last.kind, last.shown, last.value + 1):
                close()
        run.append((position, item))
    close()
    return found


class _Numbering:
    """Word numbering definitions added to the document's numbering part: one abstract
    definition per look ("%1)", decimal), one numbering instance per run, starting at the
    run's first number."""

    def __init__(self, document: WordDocument) -> None:
        self.root = document.part.numbering_part.element
        self.abstract: dict[tuple[str, str], int] = {}
        self.next_abstract = 1 + max(
            (int(n.get(qn("w:abstractNumId"))) for n in self.root.findall(qn("w:abstractNum"))),
            default=0,
        )
        self.next_num = 1 + max(
            (int(n.get(qn("w:numId"))) for n in self.root.findall(qn("w:num"))), default=0
        )

    def _abstract_id(self, kind: str, shown: str) -> int:
        key = (kind, shown)
        if key not in self.abstract:
            number = self.next_abstract
            self.next_abstract += 1
            element = parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{number}">'
                '<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0">'
                f'<w:start w:val="1"/><w:numFmt w:val="{_FORMATS[kind]}"/>'
                f'<w:lvlText w:val="{shown}"/><w:lvlJc w:val="left"/>'
                '<w:pPr><w:ind w:left="567" w:hanging="567"/></w:pPr></w:lvl></w:abstractNum>'
            )
            # Abstract definitions come before every numbering instance.
            first_num = self.root.find(qn("w:num"))
            if first_num is None:
                self.root.append(element)
            else:
                first_num.addprevious(element)
            self.abstract[key] = number
        return self.abstract[key]

    def start(self, item: _Numbered) -> int:
        """The numbering instance of the run `item` belongs to (made for its first item)."""
        first = item.first
        if not first.num_id:
            number = self.next_num
            self.next_num += 1
            self.root.append(
                parse_xml(
                    f'<w:num {nsdecls("w")} w:numId="{number}">'
                    f'<w:abstractNumId w:val="{self._abstract_id(first.kind, first.shown)}"/>'
                    '<w:lvlOverride w:ilvl="0">'
                    f'<w:startOverride w:val="{first.value}"/></w:lvlOverride></w:num>'
                )
            )
            first.num_id = number
        return first.num_id


def _add_grades_table(document: WordDocument, grades: dict[str, Any]) -> None:
    """The grades as a real table: bold header row that repeats, alt text from the caption."""
    headers = [gettext("Area"), gettext("Grade")]
    if grades["has_direction"]:
        headers.append(gettext("Direction of travel"))
    widths = [Mm(95), Mm(40), Mm(35)] if grades["has_direction"] else [Mm(120), Mm(50)]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"

    header = table.rows[0]
    row_properties = header._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        row_properties.append(element)
    for cell, text, width in zip(header.cells, headers, widths, strict=True):
        cell.width = width
        cell.paragraphs[0].add_run(text).bold = True

    for judgement in grades["rows"]:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(judgement["area"])
        if judgement["note"]:
            note = cells[0].add_paragraph().add_run(judgement["note"])
            note.font.size = Pt(9)
        cells[1].paragraphs[0].add_run(judgement["grade"])
        if grades["has_direction"]:
            cells[2].paragraphs[0].add_run(judgement["direction"])
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width

    # Alternative text for the table (Word's "Table Properties > Alt Text > Title").
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), grades["caption"])
    table._tbl.tblPr.append(caption)
    document.add_paragraph()  # keeps the next heading from touching the table


# Page headers and footers -------------------------------------------------------------------


def _add_running_header(section: Section, marking: str, status: str) -> None:
    """The marking (bold, centred) and, for a draft, its status at the top of every page."""
    header = section.header
    header.is_linked_to_previous = False
    lines = [(marking, True), (status, False)]
    paragraph = header.paragraphs[0]
    first = True
    for text, bold in lines:
        if not text:
            continue
        if not first:
            paragraph = header.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(10)


def _add_page_footer(section: Section, marking: str) -> None:
    """The marking (bold, centred) and "Page N of M" at the bottom of every page."""
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    if marking:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(marking)
        run.bold = True
        run.font.size = Pt(10)
        paragraph = footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(gettext("Page") + " ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" " + gettext("of") + " ")
    _add_field(paragraph, "NUMPAGES")


def _add_field(paragraph: Any, instruction: str) -> None:
    """A field (PAGE, NUMPAGES) Word and LibreOffice keep right after edits."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
