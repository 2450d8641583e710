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
    yield COLUMNS
    for item in items:
        yield [safe_cell(v) for v in item_row(item, today, site)]


class _Echo:
    def write(self, value):
        return value


def csv_stream(items, today, site) -> Iterator[str]:
    """CSV lines, one at a time, with a byte-order mark so Excel reads UTF-8 correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows(items, today, site):
        yield writer.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in row])


def xlsx_file(items, today, site):
    """A temporary .xlsx file (deleted when closed), written row by row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Items")
    bold = Font(bold=True)
    generator = rows(items, today, site)
    header = []
    for title in next(generator):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in generator:
        sheet.append(row)
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle
