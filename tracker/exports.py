"""Item lists as CSV and Excel, with the filters the person applied.

Both stream: CSV row by row as the response is sent, Excel through openpyxl's write-only
workbook into a temporary file that is then sent from disk, so a large export never sits in
memory. Every text cell is made safe against formula injection: in CSV, text a spreadsheet would
run as a formula (starting, after any spaces, with =, +, -, @, a tab, a line break, a pipe
or their fullwidth forms) gets an apostrophe in front, which spreadsheets show as text; in
Excel, text is stored as a string cell, which is never a formula. Control characters that
an .xlsx file cannot hold are removed.
"""

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.utils import timezone

from tracker.models import TrackedItem

# What a spreadsheet may run as a formula when it starts a cell (after any spaces), including
# the fullwidth forms some spreadsheets accept, and DDE's pipe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Control characters an .xlsx file cannot hold.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_CELL_MAX = 32_767
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


# A cell's value: text, a number or a date (openpyxl and the CSV writer take each as it is).
Cell = str | int | float | datetime.date


def clean(value: object) -> Cell:
    """Values for either format: text without the control characters spreadsheets refuse."""
    if value is None:
        return ""
    if isinstance(value, int | float | datetime.date):
        return value
    return ILLEGAL.sub("", str(value))


def csv_cell(value: Cell) -> str | int | float:
    """A CSV cell a spreadsheet will not run as a formula: text that starts (after spaces)
    like a formula gets an apostrophe in front, which spreadsheets show as text."""
    if not isinstance(value, str):
        return value.isoformat() if isinstance(value, datetime.date) else value
    return "'" + value if value.lstrip(" \u00a0").startswith(FORMULA_STARTS) else value


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
        timezone.localdate(item.last_activity_at),
        f"{site}/items/{item.uuid}/",
    ]


def rows(items: Iterable[TrackedItem], today: datetime.date, site: str) -> Iterator[list]:
    """The item table: the header, then a safe row per item."""
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
                row.report.published_on,
                row.force.name,
                deadline.due_on if deadline else None,
                row.days_left if deadline and deadline.state == "open" else None,
                row.stage_label,
                row.response.published_on if row.response else None,
                row.latest_version or None,
                f"{site}/responses/{row.report.key}/{row.force.code}/",
            ]
            yield [clean(v) for v in values]


class _Echo:
    def write(self, value):
        return value


def csv_stream(table: Iterable[list]) -> Iterator[str]:
    """CSV lines, one at a time, with a byte-order mark so Excel reads UTF-8 correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in table:
        yield writer.writerow([csv_cell(v) for v in row])


def _xlsx_cell(sheet, value):
    """Text goes in as a string cell, exactly as written: never read as a formula (openpyxl
    would make one of text starting "="), with no apostrophe added."""
    from openpyxl.cell import WriteOnlyCell  # imported when used: see xlsx_file

    if value == "" or value is None:
        return None
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value[:XLSX_CELL_MAX])
    cell.data_type = "s"
    return cell


def xlsx_file(table: Iterable[list], title: str = "Items") -> IO[bytes]:
    """A temporary .xlsx file (deleted when closed), written row by row; the first row of
    the table is the header."""
    # openpyxl is imported here, not at the top: it takes about 0.2 s to import and only
    # Excel exports need it, so web workers, commands and tests that never export do not
    # pay for it at start-up.
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
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    # Not a with block: the file is returned open, and the response that sends it closes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open, see above
    workbook.save(handle)
    handle.seek(0)
    return handle
