"""The published response as a Word document (.docx) the PCC office can edit and re-use.

Written from the same outline as the HTML and PDF (`documents.document_context`), so the three
formats always say the same thing.
"""

import datetime
import io
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor

from tracker.documents import LANGUAGE, Block, Content, document_context, iso_date


def render_docx(content: Content) -> bytes:
    """Render the response as a Word document the PCC office can edit.

    Word's accessibility depends on real structure, so: heading styles (Heading 1 to 5, which
    make the navigation pane and the PDF bookmarks Word exports), "List Bullet" paragraphs for
    bullets, and a real table for the grades whose header row repeats on each page (w:tblHeader,
    which is also how screen readers know it is a header row). The document language is
    British English for the spelling checker and screen readers.
    """
    doc = document_context(content)
    document = docx.Document()
    _setup_docx_styles(document)

    section = document.sections[0]
    # python-docx's template is US Letter; UK public bodies print on A4.
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    _add_page_number_footer(section)

    # Word's document properties hold at most 255 characters each (python-docx refuses more);
    # a long report title is cut there, the heading in the document keeps it whole.
    properties = document.core_properties
    properties.title = _property(doc["title"])
    properties.subject = _property(doc["subject"])
    properties.author = _property(doc["author"])
    properties.last_modified_by = _property(doc["author"])
    properties.keywords = _property(doc["keywords"])
    properties.comments = ""
    properties.language = LANGUAGE
    properties.revision = max(int(content.get("version") or 1), 1)
    created = _docx_datetime(content.get("published_on"))
    if created is not None:
        properties.created = properties.modified = created

    document.add_heading(doc["title"], level=1)
    document.add_paragraph(doc["status"])
    for row in doc["summary"]:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{row['label']}: ").bold = True
        paragraph.add_run(row["value"])
        if row["url"]:
            paragraph.add_run(f" ({row['url']})")
    _add_docx_blocks(document, doc["introduction"])

    for part in doc["sections"]:
        if part["level"]:
            document.add_heading(part["heading"], level=part["level"])
        if part["grade"]:
            paragraph = document.add_paragraph()
            paragraph.add_run("Grade: ").bold = True
            paragraph.add_run(part["grade"])
        if part["grades"]:
            _add_grades_table(document, doc["grades"])
        _add_docx_blocks(document, part["blocks"])

    for line in _footer_lines(doc):
        paragraph = document.add_paragraph(line)
        for run in paragraph.runs:
            run.font.size = Pt(9)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _property(text: str, limit: int = 255) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _footer_lines(doc: dict[str, Any]) -> list[str]:
    lines = []
    if doc["url"]:
        lines.append(f"This response is published at {doc['url']}")
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


def _setup_docx_styles(document: WordDocument) -> None:
    """Arial, black headings and British English, instead of python-docx's Calibri and blue.

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
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)

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


def _add_docx_blocks(document: WordDocument, blocks: list[Block]) -> None:
    for _kind, value in blocks:
        if isinstance(value, list):  # ("ul", items)
            for item in value:
                document.add_paragraph(item, style="List Bullet")
        else:
            document.add_paragraph(value)


def _add_grades_table(document: WordDocument, grades: dict[str, Any]) -> None:
    """The grades as a real table: bold header row that repeats, alt text from the caption."""
    headers = ["Area", "Grade"] + (["Direction of travel"] if grades["has_direction"] else [])
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


def _add_page_number_footer(section: Section) -> None:
    """ "Page N" in the footer, as a PAGE field so Word keeps it right after edits."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("Page ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
