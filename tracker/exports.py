"""Item lists as CSV and Excel, with the filters the person applied, and what they are called.

Both stream: CSV row by row as the response is sent, Excel row by row into a zip (the .xlsx
file, written by `xlsx_write`) in a temporary file that is then sent from disk, so a large
export never sits in memory. Exports too large for a request are made the same way by the
worker (tracker/export_jobs.py).

Every text cell is made safe against formula injection: in CSV, text a spreadsheet would run
as a formula (starting, after any spaces, with =, +, -, @, a tab, a line break, a pipe
or their fullwidth forms) gets an apostrophe in front, which spreadsheets show as text; in
Excel, text is stored as a string cell, which is never a formula. Control characters that
an .xlsx file cannot hold are removed.

Ready for a meeting: the Excel sheet has its header row frozen, a filter over the data, columns
as wide as their content (up to a limit), dates as date cells (a report published "February
2016" shows as that month), and each item's link as a hyperlink. A file is named for what it
holds: "west-midlands-overdue-2026-12-04.xlsx", "all-forces-items-2026-12-04.csv".
"""

import csv
import datetime
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organisation
from tracker import policy, selectors
from tracker.models import (
    OPEN_STATUSES,
    FindingKind,
    ProgressUpdate,
    Report,
    Status,
    TrackedItem,
)

# What a spreadsheet may run as a formula when it starts a cell (after any spaces), including
# the fullwidth forms some spreadsheets accept, and DDE's pipe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Control characters an .xlsx file cannot hold.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_CELL_MAX = 32_767
CHUNK = 2000

# Excel: how dates show, how wide a column may grow, and how many rows its width is fitted to
# (the first rows are held back until then; the rest stream as before).
DAY_FORMAT = "d mmm yyyy"
MONTH_FORMAT = "mmmm yyyy"
WIDTH_MIN, WIDTH_MAX = 8, 60
WIDTH_SAMPLE = 500
# Rows whose link is a hyperlink; rows beyond this many have the address as text instead
# (each hyperlink is kept until the sheet is finished, and Excel allows 65,530 a sheet).
HYPERLINK_ROWS = 10_000

COLUMNS = [
    "Force",
    "Report",
    "Report published",
    "Kind",
    "Reference",
    "Area",
    "Finding",
    "Status",
    "Owner",
    "Accountable lead",
    "Due date",
    "Days overdue",
    "Last activity",
    "Latest update on",
    "Latest update",
    "Link",
]


@dataclass(frozen=True)
class Month:
    """A date known only to the month (a report published "February 2016"), stored as the
    first of the month: Excel shows it as the month, CSV as 2016-02."""

    first: datetime.date


@dataclass(frozen=True)
class Link:
    """An address: a hyperlink in Excel (showing the address), the address in CSV."""

    url: str


# A cell's value: text, a number, a date, a month or a link.
Cell = str | int | float | datetime.date | Month | Link


def clean(value: object) -> Cell:
    """Values for either format: text without the control characters spreadsheets refuse."""
    if type(value) is str:  # the most common, first
        return ILLEGAL.sub("", value)
    if value is None:
        return ""
    if isinstance(value, int | float | datetime.date | Month):
        return value
    if isinstance(value, Link):
        return Link(ILLEGAL.sub("", value.url))
    return ILLEGAL.sub("", str(value))


def published(report: Report) -> datetime.date | Month:
    """When a report was published, to the precision it is known."""
    if report.published_precision == Report.Precision.MONTH:
        return Month(report.published_on.replace(day=1))
    return report.published_on


def csv_cell(value: Cell) -> str | int | float:
    """A CSV cell a spreadsheet will not run as a formula: text that starts (after spaces)
    like a formula gets an apostrophe in front, which spreadsheets show as text. Dates are
    ISO (2026-12-04), months year and month (2016-02)."""
    if isinstance(value, Month):
        return value.first.strftime("%Y-%m")
    if isinstance(value, Link):
        value = value.url
    if not isinstance(value, str):
        return value.isoformat() if isinstance(value, datetime.date) else value
    return "'" + value if value.lstrip(" \u00a0").startswith(FORMULA_STARTS) else value


def with_latest_update(items: QuerySet[TrackedItem]) -> QuerySet[TrackedItem]:
    """The items, each with its latest progress update's time and text (latest_update_at,
    latest_update_text): two subqueries in the one query, not a query per item."""
    latest = ProgressUpdate.objects.filter(item_id=OuterRef("pk")).order_by("-written_at", "-id")
    return items.annotate(
        latest_update_at=Subquery(latest.values("written_at")[:1]),
        latest_update_text=Subquery(latest.values("text")[:1]),
    )


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def item_row(item: TrackedItem, today: datetime.date, site: str) -> list:
    finding, report = item.finding, item.finding.report
    updated = getattr(item, "latest_update_at", None)
    return [
        item.force.name,
        report.title,
        published(report),
        finding.get_kind_display(),
        finding.reference,
        finding.area,
        _one_line(finding.text),
        item.get_status_display(),
        item.owner.full_name if item.owner else "",
        item.lead.full_name if item.lead else "",
        item.due_date,
        item.days_overdue(today) or "",
        timezone.localdate(item.last_activity_at),
        timezone.localdate(updated) if updated else None,
        _one_line(getattr(item, "latest_update_text", "")),
        Link(f"{site}/items/{item.uuid}/"),
    ]


def rows(items: Iterable[TrackedItem], today: datetime.date, site: str) -> Iterator[list]:
    """The item table: the header, then a safe row per item (annotated by
    with_latest_update for the latest update's columns)."""
    yield COLUMNS
    for item in items:
        yield [clean(v) for v in item_row(item, today, site)]


# The columns item_values_rows reads, in its order: only what the table shows, as plain
# values (no model objects), which is several times faster to read than the items themselves.
ITEM_VALUES = (
    "force__name",
    "finding__report__title",
    "finding__report__published_on",
    "finding__report__published_precision",
    "finding__kind",
    "finding__reference",
    "finding__area",
    "finding__text",
    "status",
    "owner__full_name",
    "lead__full_name",
    "due_date",
    "last_activity_at",
    "latest_update_at",
    "latest_update_text",
    "uuid",
)


def item_values_rows(
    items: QuerySet[TrackedItem], today: datetime.date, site: str
) -> Iterator[list]:
    """The same table as `rows` (the header, then a safe row per item, the same values
    `item_row` gives), read as plain values in one streamed query."""
    kinds = dict(FindingKind.choices)
    statuses = dict(Status.choices)
    still_open = {str(s) for s in OPEN_STATUSES}
    month = Report.Precision.MONTH
    found = with_latest_update(items).values_list(*ITEM_VALUES)
    yield COLUMNS
    for (
        force,
        title,
        published_on,
        precision,
        kind,
        reference,
        area,
        text,
        status,
        owner,
        lead,
        due,
        last_activity,
        updated,
        update_text,
        uuid,
    ) in found.iterator(chunk_size=CHUNK):
        late = status in still_open and due is not None and due < today
        values = [
            force,
            title,
            Month(published_on.replace(day=1)) if precision == month else published_on,
            kinds.get(kind, kind),
            reference,
            area,
            _one_line(text),
            statuses.get(status, status),
            owner or "",
            lead or "",
            due,
            (today - due).days if late else "",
            timezone.localdate(last_activity),
            timezone.localdate(updated) if updated else None,
            _one_line(update_text),
            Link(f"{site}/items/{uuid}/"),
        ]
        yield [clean(v) for v in values]


RESPONSE_COLUMNS = [
    "Report",
    "Report published",
    "Force",
    "Deadline",
    "Days left (negative: late)",
    "Stage",
    "Published",
    "Latest version",
    "Link",
]


def response_rows(chunks: Iterable[list], site: str) -> Iterator[list]:
    """The statutory responses table, from chunks of selectors.response_rows()."""
    yield RESPONSE_COLUMNS
    for chunk in chunks:
        for row in chunk:
            deadline = row.deadline
            values = [
                row.report.title,
                published(row.report),
                row.force.name,
                deadline.due_on if deadline else None,
                row.days_left if deadline and deadline.state == "open" else None,
                row.stage_label,
                row.response.published_on if row.response else None,
                row.latest_version or None,
                Link(f"{site}/responses/{row.report.key}/{row.force.code}/"),
            ]
            yield [clean(v) for v in values]


# File names ----------------------------------------------------------------------------------


def scope_forces(
    *, user: Any, today: datetime.date, force_id: object = None
) -> list[Organisation] | None:
    """The forces an export or board pack covers: the force chosen in the filters when the
    person may see it (anything else is ignored, as the lists ignore it), else every force
    they may see, by name; None for every force. One query at most."""
    visible = policy.visible_force_ids(user, today)
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).order_by("name")
    chosen = str(force_id or "")
    if chosen.isdigit() and (visible is None or int(chosen) in visible):
        found = list(forces.filter(pk=int(chosen)))
        if found:
            return found
    if visible is None:
        return None
    return list(forces.filter(pk__in=visible)) if visible else []


def scope_title(forces: Sequence[Organisation] | None) -> str:
    """The forces by name, for a title: "All forces", "West Midlands Police", "West Mercia
    Police and Warwickshire Police"."""
    if forces is None:
        return "All forces"
    names = [f.name for f in forces]
    if not names:
        return "No forces"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def file_name(
    forces: Sequence[Organisation] | None, what: str, today: datetime.date, extension: str
) -> str:
    """An ASCII file name that says what the file holds, for whom and when:
    "west-midlands-overdue-2026-12-04.xlsx"; "all-forces-..." for every force; three or more
    forces as "3-forces-..."."""
    if forces is None:
        scope = "all-forces"
    elif len(forces) > 2:
        scope = f"{len(forces)}-forces"
    else:
        scope = "-and-".join(_slug(f.short_name or f.name, f"force-{f.pk}") for f in forces)
    parts = [scope, slugify(what), today.isoformat()]
    return "-".join(p for p in parts if p) + "." + extension


def _slug(name: str, otherwise: str) -> str:
    # Any punctuation (a dash, an apostrophe) separates words, as a space does.
    return (slugify(re.sub(r"[^\w]+", " ", name)) or otherwise)[:40].strip("-")


def _chosen(value: object) -> bool:
    # As the filters' BooleanWidget reads it.
    return str(value or "").lower() in ("true", "1")


def item_export_what(filters: Mapping[str, Any]) -> str:
    """What an item export holds, from its filters: "items", "overdue", "my-items"..."""
    overdue = _chosen(filters.get("overdue"))
    if filters.get("mine") == "1":
        return "my-overdue-items" if overdue else "my-items"
    return "overdue" if overdue else "items"


RESPONSE_STATES = {
    "late": "late-responses",
    "unpublished": "unpublished-responses",
    "published": "published-responses",
}


def response_export_what(filters: Mapping[str, Any]) -> str:
    return RESPONSE_STATES.get(str(filters.get("state") or ""), "responses")


def content_disposition(filename: str) -> str:
    """An attachment header with both forms of the name (RFC 6266): a plain ASCII one, and the
    UTF-8 one that browsers prefer."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "-", filename) or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


# What an export holds ------------------------------------------------------------------------
#
# One definition of each export, used by the page that sends a small one at once and by the
# worker that makes a large one (tracker/export_jobs.py), so both give the same file.

EXPORT_KINDS = ("items", "responses")
EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_TITLES = {"items": "Items", "responses": "Responses"}


def export_rows(
    kind: str, *, user: Any, today: datetime.date, filters: selectors.FilterValues
) -> Any:
    """The rows an export holds, as a QuerySet (to count them): the items, or the report and
    force pairs of the statutory responses, scoped to the person and then filtered."""
    if kind == "items":
        return selectors.item_export_list(user=user, today=today, filters=filters)
    return selectors.response_export_pairs(user=user, today=today, filters=filters)


def export_table(kind: str, found: Any, *, today: datetime.date, site: str) -> Iterator[list]:
    """The export's table from its rows (`export_rows`), header first, read as it is written:
    items in one streamed query (with their latest update), responses a page of 500 at a
    time."""
    if kind == "items":
        return item_values_rows(found, today, site)

    def chunks(size: int = 500) -> Iterator[list]:
        paginator = Paginator(found, size)
        for number in paginator.page_range:
            yield selectors.response_rows(paginator.page(number), today=today)

    return response_rows(chunks(), site)


def export_file_name(
    kind: str, *, user: Any, today: datetime.date, filters: selectors.FilterValues, fmt: str
) -> str:
    """What the download is called: "west-midlands-overdue-2026-12-04.xlsx"."""
    forces = scope_forces(user=user, today=today, force_id=filters.get("force"))
    what = item_export_what(filters) if kind == "items" else response_export_what(filters)
    return file_name(forces, what, today, fmt)


# Writing -------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_stream(table: Iterable[list]) -> Iterator[str]:
    """CSV lines, one at a time, with a byte-order mark so Excel reads UTF-8 correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in table:
        yield writer.writerow([csv_cell(v) for v in row])


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


def column_widths(sample: Iterable[list]) -> list[int]:
    """Each column's width: its widest value (the header among them) and a little room, at
    least WIDTH_MIN and at most WIDTH_MAX."""
    widths: list[int] = []
    for row in sample:
        for position, value in enumerate(row):
            if position == len(widths):
                widths.append(0)
            widths[position] = max(widths[position], shown_width(value))
    return [min(max(w + 2, WIDTH_MIN), WIDTH_MAX) for w in widths]


# Excel, written straight to its parts ------------------------------------------------------
#
# An .xlsx file is a zip of small XML parts and one that grows with the rows: the sheet. The
# sheet is written into the zip as the rows come, text as inline strings (no table of every
# string held until the end, as a shared-strings writer needs), so memory stays flat however
# many rows there are. Written by hand rather than through openpyxl, whose write-only sheet
# makes a cell object per value: 120,000 rows took it about a minute; these take seconds. The
# parts follow what Excel itself writes (and XlsxWriter's constant-memory mode): the header
# row frozen and bold, each column's width, date cells with their number format, a filter over
# the rows, and hyperlinks with their relationships. No part holds the time it was made, so
# the same rows give the same bytes.

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel counts days from 30 December 1899 (its day 60 is a 29 February 1900 that never was).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Rows gathered before they are written to the zip together.
XLSX_BATCH = 500
# Style numbers in STYLES below.
STYLE_BOLD, STYLE_DAY, STYLE_MONTH, STYLE_LINK = 1, 2, 3, 4
# Characters XML 1.0 cannot hold at all (the control characters are gone already, by clean),
# and those it must have escaped.
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
XML_SPECIAL = re.compile('[&<>"\ud800-\udfff\ufffe\uffff]')

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

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
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
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
CORE = (
    XML_HEAD + "<cp:coreProperties "
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Inspection tracker</dc:creator>'
    "</cp:coreProperties>"
)
WORKBOOK_RELS = (
    XML_HEAD + f'<Relationships xmlns="{PACKAGE_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{MAIN_NS}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DAY_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{MONTH_FORMAT}"/></numFmts>'
    f'<fonts count="3"><font>{FONT}</font><font><b/>{FONT}</font>'
    '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/><family val="2"/>'
    "</font></fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
)


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
    worth) for the parts written after the rows."""

    def __init__(self, columns: int) -> None:
        self.letters = [column_letter(n) for n in range(1, columns + 1)]
        self.links: list[tuple[str, str]] = []
        self.written = 0

    def _widen(self, columns: int) -> list[str]:
        while columns > len(self.letters):
            self.letters.append(column_letter(len(self.letters) + 1))
        return self.letters

    def row(self, values: Sequence[object], *, header: bool = False) -> str:
        """One row's XML. Text is a string cell exactly as written (never a formula, with no
        apostrophe added); dates and months are numbers with their format; a link shows its
        address, as a hyperlink in the first HYPERLINK_ROWS rows after the header; an empty
        value (None or "") is no cell."""
        self.written += 1
        number = self.written
        linked = number <= HYPERLINK_ROWS + 1
        cells = [f'<row r="{number}">']
        letters = self.letters if len(values) <= len(self.letters) else self._widen(len(values))
        for letter, value in zip(letters, values, strict=False):
            if value is None or value == "":
                continue
            ref = f"{letter}{number}"
            if isinstance(value, str):
                cells.append(_text_cell(ref, value, STYLE_BOLD if header else 0))
            elif isinstance(value, Link):
                if linked:
                    cells.append(_text_cell(ref, value.url, STYLE_LINK))
                    self.links.append((ref, value.url))
                else:
                    cells.append(_text_cell(ref, value.url))
            elif isinstance(value, Month):
                cells.append(f'<c r="{ref}" s="{STYLE_MONTH}"><v>{_excel_day(value.first)}</v></c>')
            elif isinstance(value, datetime.date):
                cells.append(f'<c r="{ref}" s="{STYLE_DAY}"><v>{_excel_day(value)}</v></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            else:
                cells.append(_text_cell(ref, str(value), STYLE_BOLD if header else 0))
        cells.append("</row>")
        return "".join(cells)


def _sheet_start(widths: Sequence[int]) -> str:
    columns = "".join(
        f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
        for n, w in enumerate(widths, start=1)
    )
    return (
        XML_HEAD + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{columns}</cols>" if columns else "")
        + "<sheetData>"
    )


def _sheet_end(filter_ref: str, links: Sequence[tuple[str, str]]) -> str:
    hyperlinks = "".join(
        f'<hyperlink ref="{ref}" r:id="rId{n}"/>' for n, (ref, _) in enumerate(links, start=1)
    )
    return (
        f'</sheetData><autoFilter ref="{filter_ref}"/>'
        + (f"<hyperlinks>{hyperlinks}</hyperlinks>" if hyperlinks else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/></worksheet>'
    )


def _sheet_rels(links: Sequence[tuple[str, str]]) -> str:
    relationships = "".join(
        f'<Relationship Id="rId{n}" Type="{REL_NS}/hyperlink" Target="{_xml(url)}" '
        'TargetMode="External"/>'
        for n, (_, url) in enumerate(links, start=1)
    )
    return XML_HEAD + f'<Relationships xmlns="{PACKAGE_REL_NS}">{relationships}</Relationships>'


def _workbook(title: str, filter_ref: str) -> str:
    start, _, end = filter_ref.partition(":")
    absolute = "$" + re.sub(r"(\d+)$", r"$\1", start) + ":$" + re.sub(r"(\d+)$", r"$\1", end)
    sheet = "'" + title.replace("'", "''") + "'"
    return (
        XML_HEAD + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" '
        'windowHeight="9660"/></bookViews>'
        f'<sheets><sheet name="{_xml(title)}" sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{_xml(sheet)}!{absolute}</definedName></definedNames>"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _app(title: str) -> str:
    return (
        XML_HEAD + "<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>Microsoft Excel</Application><HeadingPairs>"
        '<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
        "</vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        '<TitlesOfParts><vt:vector size="1" baseType="lpstr">'
        f"<vt:lpstr>{_xml(title)}</vt:lpstr></vt:vector></TitlesOfParts></Properties>"
    )


def _part(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text.encode("utf-8"))


def xlsx_write(table: Iterable[list], handle: IO[bytes], title: str = "Items") -> int:
    """Write a table (the header first) as an .xlsx file into `handle` (a file open for
    writing that can seek: the zip fills in each part's size after it). Returns the number of
    rows written, the header included.

    1. Hold back the header and the first WIDTH_SAMPLE rows, and fit the column widths to them
       (the widths come before the first row in the sheet).
    2. Write the fixed parts, then the sheet: the frozen, bold header, then every row as it
       comes, XLSX_BATCH rows at a time.
    3. After the rows: the filter over the header and every row, the hyperlinks, their
       relationships, and the workbook (which names the filtered range).
    """
    sheet_title = (ILLEGAL.sub("", title) or "Sheet")[:31]
    generator = iter(table)
    header = next(generator)
    first = list(islice(generator, WIDTH_SAMPLE))
    widths = column_widths([header, *first])
    writer = SheetWriter(len(header))
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _part(archive, "[Content_Types].xml", CONTENT_TYPES)
        _part(archive, "_rels/.rels", ROOT_RELS)
        _part(archive, "docProps/app.xml", _app(sheet_title))
        _part(archive, "docProps/core.xml", CORE)
        _part(archive, "xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _part(archive, "xl/styles.xml", STYLES)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as sheet:
            sheet.write((_sheet_start(widths) + writer.row(header, header=True)).encode())
            batch: list[str] = []
            for row in chain(first, generator):
                batch.append(writer.row(row))
                if len(batch) >= XLSX_BATCH:
                    sheet.write("".join(batch).encode())
                    batch.clear()
            filter_ref = f"A1:{column_letter(max(len(header), 1))}{writer.written}"
            sheet.write(("".join(batch) + _sheet_end(filter_ref, writer.links)).encode())
        if writer.links:
            _part(archive, "xl/worksheets/_rels/sheet1.xml.rels", _sheet_rels(writer.links))
        _part(archive, "xl/workbook.xml", _workbook(sheet_title, filter_ref))
    return writer.written


def xlsx_file(table: Iterable[list], title: str = "Items") -> IO[bytes]:
    """A temporary .xlsx file (deleted when closed) holding the table, ready to be read from
    the start. Memory stays flat however many rows there are (but for the addresses of the
    first HYPERLINK_ROWS rows' hyperlinks)."""
    # Not a with block: the file is returned open, and the response that sends it closes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open, see above
    try:
        xlsx_write(table, handle, title)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
