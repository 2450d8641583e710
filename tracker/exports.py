"""Item lists as CSV and Excel, with the filters the person applied, and what they are called.

Both stream: CSV row by row as the response is sent, Excel through openpyxl's write-only
workbook into a temporary file that is then sent from disk, so a large export never sits in
memory. Every text cell is made safe against formula injection: in CSV, text a spreadsheet would
run as a formula (starting, after any spaces, with =, +, -, @, a tab, a line break, a pipe
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, Any
from urllib.parse import quote

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organisation
from tracker import policy
from tracker.models import ProgressUpdate, Report, TrackedItem

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
# openpyxl holds every hyperlink until the sheet is finished (about 2.5 KB each: +25 MB for
# 10,000 rows, +123 MB for 50,000); rows beyond this many have the address as text instead.
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


def _xlsx_cell(sheet, value, make, link_font):
    """A cell for the write-only sheet (`make` is openpyxl's WriteOnlyCell, imported once by
    xlsx_file). Text goes in as a string cell, exactly as written: never read as a formula
    (openpyxl would make one of text starting "="), with no apostrophe added. Dates and
    months get their number format, links their hyperlink in `link_font` (with no font, the
    address as text)."""
    if value == "" or value is None:
        return None
    if isinstance(value, str):
        cell = make(sheet, value=value[:XLSX_CELL_MAX])
        cell.data_type = "s"
        return cell
    if isinstance(value, Month):
        cell = make(sheet, value=value.first)
        cell.number_format = MONTH_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = make(sheet, value=value)
        cell.number_format = DAY_FORMAT
        return cell
    if isinstance(value, Link):
        cell = make(sheet, value=value.url[:XLSX_CELL_MAX])
        cell.data_type = "s"
        if link_font is not None:
            cell.hyperlink = value.url
            cell.font = link_font
        return cell
    return value


def xlsx_file(table: Iterable[list], title: str = "Items") -> IO[bytes]:
    """A temporary .xlsx file (deleted when closed), written row by row; the first row of
    the table is the header.

    1. Hold back the header and the first WIDTH_SAMPLE rows, and fit the column widths to them
       (openpyxl writes the widths before the first row, so they are set first).
    2. Freeze the header row, write it in bold, then every row as it comes.
    3. Put the filter over the header and every row written (written after the rows).
    Memory stays flat however many rows there are, but for the hyperlinks of the first
    HYPERLINK_ROWS rows.
    """
    # openpyxl is imported here, not at the top: it takes about 0.2 s to import and only
    # Excel exports need it, so web workers, commands and tests that never export do not
    # pay for it at start-up.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    generator = iter(table)
    header = next(generator)
    first = list(islice(generator, WIDTH_SAMPLE))
    for position, width in enumerate(column_widths([header, *first]), start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    link = Font(color="0563C1", underline="single")  # as Excel shows a hyperlink
    heading_cells = []
    for heading in header:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        heading_cells.append(cell)
    sheet.append(heading_cells)
    written = 1
    for row in chain(first, generator):
        written += 1
        font = link if written <= HYPERLINK_ROWS + 1 else None
        sheet.append([_xlsx_cell(sheet, v, WriteOnlyCell, font) for v in row])
    sheet.auto_filter = AutoFilter(ref=f"A1:{get_column_letter(max(len(header), 1))}{written}")
    # Not a with block: the file is returned open, and the response that sends it closes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open, see above
    workbook.save(handle)
    handle.seek(0)
    return handle
