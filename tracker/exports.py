"""Item lists as CSV and Excel, with the filters the person applied.

Both stream: CSV row by row as the response is sent, Excel through openpyxl's write-only
workbook into a temporary file that is then sent from disk, so a large export never sits in
memory. Every text cell is made safe against formula injection: a value a spreadsheet would
run as a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with an
apostrophe, which spreadsheets show as text.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator

from tracker.models import TrackedItem

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000

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
    "Link",
]


def safe_cell(value):
    """Text that a spreadsheet will not run as a formula; numbers and dates as they are."""
    if value is None:
        return ""
    if isinstance(value, int | float | datetime.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def item_row(item: TrackedItem, today: datetime.date, site: str) -> list:
    finding, report = item.finding, item.finding.report
    return [
        item.force.name,
        report.title,
        report.published_on,
        finding.get_kind_display(),
        finding.reference,
        finding.area,
        " ".join(finding.text.split()),
        item.get_status_display(),
        item.owner.full_name if item.owner else "",
        item.lead.full_name if item.lead else "",
        item.due_date,
        item.days_overdue(today) or "",
        item.last_activity_at.date(),
        f"{site}/items/{item.uuid}/",
    ]


def rows(items: Iterable[TrackedItem], today: datetime.date, site: str) -> Iterator[list]:
    """The item table: the header, then a safe row per item."""
    yield COLUMNS
    for item in items:
        yield [safe_cell(v) for v in item_row(item, today, site)]


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
                row.report.published_on,
                row.force.name,
                deadline.due_on if deadline else None,
                row.days_left if deadline and deadline.state == "open" else None,
                row.stage_label,
                row.response.published_on if row.response else None,
                row.latest_version or None,
                f"{site}/responses/{row.report.key}/{row.force.code}/",
            ]
            yield [safe_cell(v) for v in values]


class _Echo:
    def write(self, value):
        return value


def csv_stream(table: Iterable[list]) -> Iterator[str]:
    """CSV lines, one at a time, with a byte-order mark so Excel reads UTF-8 correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in table:
        yield writer.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in row])


def xlsx_file(table: Iterable[list], title: str = "Items"):
    """A temporary .xlsx file (deleted when closed), written row by row; the first row of
    the table is the header."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    generator = iter(table)
    header = []
    for heading in next(generator):
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in generator:
        sheet.append([None if v == "" else v for v in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle
