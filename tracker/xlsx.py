"""Excel workbooks (.xlsx) written straight to their parts, as a stream, in constant memory.

An .xlsx file is a zip of small XML parts and one that grows with the rows: the sheet. The
sheet is written into the zip as the rows come, text as inline strings (no table of every
string held until the end, as a shared-strings writer needs), so memory stays flat however
many rows there are. Written by hand rather than through openpyxl, whose write-only sheet
makes a cell object per value: 120,000 rows took it about a minute; these take seconds. The
parts follow what Excel itself writes (and XlsxWriter's constant-memory mode).

A workbook is ready to work in and to print (issues 14 and 21):
- the data sheet, named for what it holds ("Items"): the protective marking in the first row
  when there is one, then the bold header row, both frozen; a filter over the header and the
  rows; each column as wide as its content up to a limit, text longer than its column wrapped;
  date cells with their number format (a month-precision date shows as the month); links as
  hyperlinks;
- print setup: A4 landscape, fitted to one page wide (as many pages down as it takes), the
  header row repeated at the top of every page (print titles), grid lines, the marking in the
  page header and footer and "Page N of M" in the footer;
- a second sheet, "About this file", saying what the file is: what it holds, the filters, when
  it was made and by whom, the marking.

No part holds the time it was made unless the caller says so (the "About" rows), so the same
rows give the same bytes.

Pure: no Django, no database. The cell values are the ones `tracker.exports` makes: text,
numbers, dates, `Month` and `Link`.
"""

import datetime
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Month:
    """A date known only to the month (a report published "February 2016"), stored as the
    first of the month: Excel shows it as the month, CSV as 2016-02."""

    first: datetime.date


@dataclass(frozen=True)
class Link:
    """An address: a hyperlink in Excel (showing the address), the address in CSV."""

    url: str


# Control characters an .xlsx file cannot hold.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_CELL_MAX = 32_767

# How dates show, how wide a column may grow, and how many rows its width is fitted to (the
# first rows are held back until then; the rest stream as before). Text longer than its
# column is wrapped, and its row made tall enough, so a finding of 2,000 characters reads
# (and prints) in full. When the columns add up to more than TABLE_WIDTH characters, the
# widest give way (down to WIDTH_SHRUNK), so the table printed one page wide stays readable.
DAY_FORMAT = "d mmm yyyy"
MONTH_FORMAT = "mmmm yyyy"
WIDTH_MIN, WIDTH_MAX = 8, 50
WIDTH_SAMPLE = 500
TABLE_WIDTH, WIDTH_SHRUNK = 280, 20
# A row's height: 15 points a line, Excel's most (409) at most. A line of a column holds about
# 1.25 times its width in characters of text (the width counts the digit "0", wider than most
# letters in Calibri).
LINE_HEIGHT, ROW_HEIGHT_MAX, CHARACTERS_PER_WIDTH = 15, 409, 1.25
# Rows whose link is a hyperlink; rows beyond this many have the address as text instead
# (each hyperlink is kept until the sheet is finished, and Excel allows 65,530 a sheet).
HYPERLINK_ROWS = 10_000

# Excel counts days from 30 December 1899 (its day 60 is a 29 February 1900 that never was).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Rows gathered before they are written to the zip together.
XLSX_BATCH = 500
# Style numbers in STYLES below.
STYLE_BOLD, STYLE_DAY, STYLE_MONTH, STYLE_LINK, STYLE_WRAP, STYLE_MARKING = 1, 2, 3, 4, 5, 6
ABOUT_TITLE = "About this file"
# Characters XML 1.0 cannot hold at all (the control characters are gone already), and those
# it must have escaped.
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
XML_SPECIAL = re.compile('[&<>"\ud800-\udfff\ufffe\uffff]')

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

CONTENT_TYPES = (
    XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
    f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{SHEET_TYPE}"/>'
    "</Types>"
)
ROOT_RELS = (
    XML_HEAD + f'<Relationships xmlns="{PACKAGE_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"'
    ' Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    XML_HEAD + f'<Relationships xmlns="{PACKAGE_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/worksheet" Target="worksheets/sheet2.xml"/>'
    "</Relationships>"
)
FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
# Every cell sits at the top of its row, so a row made tall by wrapped text still reads
# across; long text and the header wrap.
TOP = '<alignment vertical="top"/>'
TOP_WRAP = '<alignment vertical="top" wrapText="1"/>'
STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{MAIN_NS}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DAY_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{MONTH_FORMAT}"/></numFmts>'
    f'<fonts count="4"><font>{FONT}</font><font><b/>{FONT}</font>'
    '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/><family val="2"/>'
    '</font><font><b/><sz val="12"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    # The Normal style itself is top-aligned: LibreOffice gives a cell with no style number
    # the Normal style, not cellXfs[0].
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    f'applyAlignment="1">{TOP}</xf></cellStyleXfs>'
    '<cellXfs count="7">'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{TOP}</xf>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    f'applyAlignment="1">{TOP_WRAP}</xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyAlignment="1">{TOP}</xf>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyAlignment="1">{TOP}</xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" '
    f'applyAlignment="1">{TOP_WRAP}</xf>'
    f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">{TOP_WRAP}'
    "</xf>"
    '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
)


def clean_text(text: str) -> str:
    """Text without the control characters an .xlsx file refuses."""
    return ILLEGAL.sub("", text)


def _xml(text: str) -> str:
    """Text for an XML element or a double-quoted attribute."""
    if not XML_SPECIAL.search(text):
        return text
    text = NOT_XML.sub("", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def column_letter(position: int) -> str:
    """A, B, ... Z, AA, AB ... for column 1, 2, ..."""
    letters = ""
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def shown_width(value: object) -> int:
    """About how many characters a cell shows, for fitting its column."""
    if value is None or value == "":
        return 0
    if isinstance(value, Month):
        return len(value.first.strftime("%B %Y"))
    if isinstance(value, datetime.date):
        return 11  # "30 Sep 2026"
    if isinstance(value, Link):
        return len(value.url)
    return len(str(value))


def column_widths(sample: Iterable[Sequence[object]]) -> list[int]:
    """Each column's width from a sample whose first row is the header: its widest value and a
    little room, at least WIDTH_MIN and at most WIDTH_MAX. The header wraps, so it asks only
    for its longest word. When the columns add up to more than TABLE_WIDTH, those wider than
    WIDTH_SHRUNK give way in proportion to how much wider they are (their text wraps)."""
    widths: list[int] = []
    for number, row in enumerate(sample):
        for position, value in enumerate(row):
            if position == len(widths):
                widths.append(0)
            if number == 0 and isinstance(value, str):
                shown = max((len(word) for word in value.split()), default=0)
            else:
                shown = shown_width(value)
            widths[position] = max(widths[position], shown)
    fitted = [min(max(w + 2, WIDTH_MIN), WIDTH_MAX) for w in widths]
    excess = sum(fitted) - TABLE_WIDTH
    room = sum(w - WIDTH_SHRUNK for w in fitted if w > WIDTH_SHRUNK)
    if excess > 0 and room > 0:
        share = min(1.0, excess / room)
        fitted = [
            w - math.ceil((w - WIDTH_SHRUNK) * share) if w > WIDTH_SHRUNK else w for w in fitted
        ]
    return fitted


def lines_of(text: str, width: int) -> int:
    """About how many lines text takes wrapped in a column `width` wide."""
    per_line = max(1.0, (width - 1) * CHARACTERS_PER_WIDTH)
    return sum(max(1, -(-len(part) // int(per_line))) for part in text.split("\n"))


def row_height(lines: int) -> float:
    return float(min(ROW_HEIGHT_MAX, LINE_HEIGHT * lines))


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">'
        f"{_xml(text[:XLSX_CELL_MAX])}</t></is></c>"
    )


def _excel_day(value: datetime.date) -> str:
    days = (value - EXCEL_EPOCH).days
    if isinstance(value, datetime.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return repr(days + seconds / 86400) if seconds else str(days)
    return str(days)


class SheetWriter:
    """The cells of one sheet as XML, row by row; hyperlinks kept (up to HYPERLINK_ROWS rows'
    worth) for the parts written after the rows. `widths` (in characters) decides which text
    wraps: text longer than its column."""

    def __init__(self, columns: int, widths: Sequence[int] = (), first_row: int = 1) -> None:
        self.letters = [column_letter(n) for n in range(1, columns + 1)]
        self.widths = list(widths)
        self.links: list[tuple[str, str]] = []
        self.written = first_row - 1
        self.lines = 1
        # The row number past which links are text: HYPERLINK_ROWS rows after the header.
        self.last_linked = first_row + HYPERLINK_ROWS

    def _widen(self, columns: int) -> list[str]:
        while columns > len(self.letters):
            self.letters.append(column_letter(len(self.letters) + 1))
        return self.letters

    def _text_style(self, position: int, text: str, style: int = 0) -> int:
        """The text's style: `style` if given, else wrapped when longer than its column;
        counts the lines wrapped text takes, for the row's height."""
        if position >= len(self.widths):
            return style
        width = self.widths[position]
        wraps = style in (STYLE_BOLD, STYLE_LINK, STYLE_WRAP) or (
            not style and (len(text) > width - 2 or "\n" in text)
        )
        if wraps:
            self.lines = max(self.lines, lines_of(text, width))
            return style or STYLE_WRAP
        return style

    def row(self, values: Sequence[object], *, header: bool = False, style: int = 0) -> str:
        """One row's XML. Text is a string cell exactly as written (never a formula, with no
        apostrophe added), wrapped when longer than its column; dates and months are numbers
        with their format; a link shows its address, as a hyperlink in the first
        HYPERLINK_ROWS rows after the header; an empty value (None or "") is no cell."""
        self.written += 1
        self.lines = 1
        number = self.written
        linked = number <= self.last_linked
        cells = []
        letters = self.letters if len(values) <= len(self.letters) else self._widen(len(values))
        for position, (letter, value) in enumerate(zip(letters, values, strict=False)):
            if value is None or value == "":
                continue
            ref = f"{letter}{number}"
            if isinstance(value, str):
                chosen = self._text_style(position, value, style or (STYLE_BOLD if header else 0))
                cells.append(_text_cell(ref, value, chosen))
            elif isinstance(value, Link):
                if linked:
                    cells.append(
                        _text_cell(
                            ref, value.url, self._text_style(position, value.url, STYLE_LINK)
                        )
                    )
                    self.links.append((ref, value.url))
                else:
                    cells.append(_text_cell(ref, value.url, self._text_style(position, value.url)))
            elif isinstance(value, Month):
                cells.append(f'<c r="{ref}" s="{STYLE_MONTH}"><v>{_excel_day(value.first)}</v></c>')
            elif isinstance(value, datetime.date):
                cells.append(f'<c r="{ref}" s="{STYLE_DAY}"><v>{_excel_day(value)}</v></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            else:
                text = str(value)
                chosen = self._text_style(position, text, style or (STYLE_BOLD if header else 0))
                cells.append(_text_cell(ref, text, chosen))
        # Wrapped text needs a taller row: Excel and LibreOffice keep a row's height as the
        # file gives it (LibreOffice does not fit rows to wrapped text when it opens .xlsx).
        height = f' ht="{row_height(self.lines)}" customHeight="1"' if self.lines > 1 else ""
        return f'<row r="{number}"{height}>' + "".join(cells) + "</row>"


# Printing ------------------------------------------------------------------------------------


def _header_footer_text(text: str) -> str:
    """Text for a page header or footer: "&" starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def header_footer(marking: str) -> str:
    """The page header and footer: the marking at the centre of both (as the Government
    Security Classifications ask: top and bottom of every page), "Page N of M" at the
    footer's right."""
    mark = f'&C&"-,Bold"{_header_footer_text(marking)}' if marking else ""
    return (
        "<headerFooter>"
        + (f"<oddHeader>{_xml(mark)}</oddHeader>" if mark else "")
        + f"<oddFooter>{_xml(mark)}&amp;RPage &amp;P of &amp;N</oddFooter></headerFooter>"
    )


def page_setup(*, landscape: bool) -> str:
    """A4, fitted to one page wide and as many pages down as it takes."""
    orientation = "landscape" if landscape else "portrait"
    return (
        '<printOptions gridLines="1"/>'
        '<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="9" orientation="{orientation}" fitToWidth="1" fitToHeight="0"/>'
    )


def _sheet_start(widths: Sequence[int], *, frozen_rows: int, selected: bool) -> str:
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
        for n, w in enumerate(widths, start=1)
    )
    below = f"A{frozen_rows + 1}"
    pane = (
        f'<pane ySplit="{frozen_rows}" topLeftCell="{below}" activePane="bottomLeft" '
        f'state="frozen"/><selection pane="bottomLeft" activeCell="{below}" sqref="{below}"/>'
        if frozen_rows
        else ""
    )
    tab = ' tabSelected="1"' if selected else ""
    return (
        XML_HEAD + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f"<sheetViews><sheetView{tab} workbookViewId='0'>{pane}</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{columns}</cols>" if columns else "")
        + "<sheetData>"
    )


def _sheet_end(
    filter_ref: str, links: Sequence[tuple[str, str]], marking: str, *, landscape: bool
) -> str:
    hyperlinks = "".join(
        f'<hyperlink ref="{ref}" r:id="rId{n}"/>' for n, (ref, _) in enumerate(links, start=1)
    )
    return (
        "</sheetData>"
        + (f'<autoFilter ref="{filter_ref}"/>' if filter_ref else "")
        + (f"<hyperlinks>{hyperlinks}</hyperlinks>" if hyperlinks else "")
        + page_setup(landscape=landscape)
        + header_footer(marking)
        + "</worksheet>"
    )


def _sheet_rels(links: Sequence[tuple[str, str]]) -> str:
    relationships = "".join(
        f'<Relationship Id="rId{n}" Type="{REL_NS}/hyperlink" Target="{_xml(url)}" '
        'TargetMode="External"/>'
        for n, (_, url) in enumerate(links, start=1)
    )
    return XML_HEAD + f'<Relationships xmlns="{PACKAGE_REL_NS}">{relationships}</Relationships>'


def _absolute(ref: str) -> str:
    """A1:P20 as $A$1:$P$20."""
    start, _, end = ref.partition(":")
    return "$" + re.sub(r"(\d+)$", r"$\1", start) + ":$" + re.sub(r"(\d+)$", r"$\1", end)


def _sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _workbook(title: str, filter_ref: str, header_row: int) -> str:
    sheet = _sheet_ref(title)
    return (
        XML_HEAD + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" '
        'windowHeight="9660" activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{_xml(title)}" sheetId="1" r:id="rId1"/>'
        f'<sheet name="{ABOUT_TITLE}" sheetId="2" r:id="rId3"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{_xml(sheet)}!{_absolute(filter_ref)}</definedName>"
        '<definedName name="_xlnm.Print_Titles" localSheetId="0">'
        f"{_xml(sheet)}!${header_row}:${header_row}</definedName></definedNames>"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _app(title: str) -> str:
    return (
        XML_HEAD + "<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>Microsoft Excel</Application><HeadingPairs>"
        '<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
        "</vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        '<TitlesOfParts><vt:vector size="2" baseType="lpstr">'
        f"<vt:lpstr>{_xml(title)}</vt:lpstr><vt:lpstr>{ABOUT_TITLE}</vt:lpstr></vt:vector>"
        "</TitlesOfParts></Properties>"
    )


def _core(title: str, made_at: datetime.datetime | None) -> str:
    when = ""
    if made_at is not None:
        stamp = made_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        when = (
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        )
    return (
        XML_HEAD + "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml(title)}</dc:title><dc:creator>Inspection tracker</dc:creator>"
        f"<dc:language>en-GB</dc:language>{when}</cp:coreProperties>"
    )


def _about_sheet(about: Sequence[tuple[str, str]], marking: str) -> str:
    """The second sheet: what the file is, as label and value rows under a heading (the
    marking first when there is one), printed portrait on one page wide."""
    widths = [26, 90]
    rows = []
    if marking:
        rows.append([("A", marking, STYLE_MARKING)])
    rows.append([("A", ABOUT_TITLE, STYLE_MARKING)])
    for label, value in about:
        rows.append([("A", clean_text(label), STYLE_BOLD), ("B", clean_text(value), STYLE_WRAP)])
    body = "".join(
        f'<row r="{number}" ht="{row_height(max(lines_of(t, widths[1]) for _, t, _ in cells))}" '
        'customHeight="1">'
        + "".join(_text_cell(f"{letter}{number}", text, style) for letter, text, style in cells)
        + "</row>"
        for number, cells in enumerate(rows, start=1)
    )
    return (
        _sheet_start(widths, frozen_rows=0, selected=False)
        + body
        + _sheet_end("", [], marking, landscape=False)
    )


def _part(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text.encode("utf-8"))


def sheet_title(title: str) -> str:
    """A name Excel accepts for a sheet: 31 characters at most, none of []:*?/\\."""
    return (re.sub(r"[\[\]:*?/\\]", " ", clean_text(title)).strip() or "Sheet")[:31]


def xlsx_write(
    table: Iterable[Sequence[object]],
    handle: IO[bytes],
    title: str = "Items",
    *,
    marking: str = "",
    about: Sequence[tuple[str, str]] = (),
    made_at: datetime.datetime | None = None,
) -> int:
    """Write a table (the header first) as an .xlsx file into `handle` (a file open for
    writing that can seek: the zip fills in each part's size after it). `marking` is the
    protective marking as printed ("OFFICIAL"; "" for none); `about` the rows of the "About
    this file" sheet. Returns the number of rows written, the header included (not the
    marking).

    1. Hold back the header and the first WIDTH_SAMPLE rows, and fit the column widths to them
       (the widths come before the first row in the sheet).
    2. Write the fixed parts, then the sheet: the marking row (if any) and the bold header,
       both frozen, then every row as it comes, XLSX_BATCH rows at a time.
    3. After the rows: the filter over the header and every row, the hyperlinks, the print
       setup with its header and footer, the relationships, the "About this file" sheet, and
       the workbook (which names the filtered range and the print titles).
    """
    name = sheet_title(title)
    marking = clean_text(marking)
    generator = iter(table)
    header = list(next(generator))
    first = list(islice(generator, WIDTH_SAMPLE))
    widths = column_widths([header, *first])
    header_row = 2 if marking else 1
    writer = SheetWriter(len(header), widths, first_row=header_row)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _part(archive, "[Content_Types].xml", CONTENT_TYPES)
        _part(archive, "_rels/.rels", ROOT_RELS)
        _part(archive, "docProps/app.xml", _app(name))
        _part(archive, "docProps/core.xml", _core(name, made_at))
        _part(archive, "xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _part(archive, "xl/styles.xml", STYLES)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as sheet:
            start = _sheet_start(widths, frozen_rows=header_row, selected=True)
            if marking:
                start += f'<row r="1">{_text_cell("A1", marking, STYLE_MARKING)}</row>'
            sheet.write((start + writer.row(header, header=True)).encode())
            batch: list[str] = []
            for row in chain(first, generator):
                batch.append(writer.row(row))
                if len(batch) >= XLSX_BATCH:
                    sheet.write("".join(batch).encode())
                    batch.clear()
            last = column_letter(max(len(header), 1))
            filter_ref = f"A{header_row}:{last}{writer.written}"
            end = _sheet_end(filter_ref, writer.links, marking, landscape=True)
            sheet.write(("".join(batch) + end).encode())
        if writer.links:
            _part(archive, "xl/worksheets/_rels/sheet1.xml.rels", _sheet_rels(writer.links))
        _part(archive, "xl/worksheets/sheet2.xml", _about_sheet(about, marking))
        _part(archive, "xl/workbook.xml", _workbook(name, filter_ref, header_row))
    return writer.written - header_row + 1


def xlsx_file(
    table: Iterable[Sequence[object]],
    title: str = "Items",
    *,
    marking: str = "",
    about: Sequence[tuple[str, str]] = (),
    made_at: datetime.datetime | None = None,
) -> IO[bytes]:
    """A temporary .xlsx file (deleted when closed) holding the table, ready to be read from
    the start. Memory stays flat however many rows there are (but for the addresses of the
    first HYPERLINK_ROWS rows' hyperlinks)."""
    # Not a with block: the file is returned open, and the response that sends it closes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open, see above
    try:
        xlsx_write(table, handle, title, marking=marking, about=about, made_at=made_at)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
