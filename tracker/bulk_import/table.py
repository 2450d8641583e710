"""Reading a spreadsheet (CSV or Excel) for bulk import, in the columns the item export
writes (tracker/exports.py), so an export imports back unchanged. No database access.

`read_table` works out the format from the content (an .xlsx file is a zip holding
xl/workbook.xml; anything else is read as CSV, in UTF-8 with or without a byte-order mark,
else Windows-1252), finds the row of column names and matches the columns by name. A file
that cannot be used at all raises FileRejected with one message. The cell helpers below
turn a cell into text, a date, a kind of finding or a status.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from tracker import exports
from tracker.models import FindingKind, Status

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5_000
MAX_UNZIPPED = 200 * 1024 * 1024  # an .xlsx that unpacks to more is refused (a zip bomb)
MAX_COLUMNS = 60
BLANK_ROWS_END = 1_000  # this many blank rows in a row: the sheet has ended

FORCE = "Force"
REPORT = "Report"
PUBLISHED = "Report published"
KIND = "Kind"
REFERENCE = "Reference"
AREA = "Area"
FINDING = "Finding"
STATUS = "Status"
OWNER = "Owner"
LEAD = "Accountable lead"
DUE = "Due date"
LINK = "Link"

REQUIRED = [FORCE, REPORT, PUBLISHED, KIND, FINDING]
# The columns a blank template has; Link is optional and matches an exported item.
TEMPLATE_COLUMNS = [FORCE, REPORT, PUBLISHED, KIND, REFERENCE, AREA, FINDING]
TEMPLATE_COLUMNS += [STATUS, OWNER, LEAD, DUE]
USED = TEMPLATE_COLUMNS + [LINK]
# Every export column is known; "Days overdue" and "Last activity" are read and ignored.
KNOWN = {" ".join(c.split()).casefold(): c for c in exports.COLUMNS}

NOT_A_SPREADSHEET = "The selected file must be a CSV file or an Excel workbook (.xlsx)."
DATE_HINT = "Use the form 31/01/2027 or 2027-01-31."
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"]
DATE_FORMATS += ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
ITEM_LINK = re.compile(r"(?:/items/)?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})/?$")


class FileRejected(Exception):
    """The file cannot be used at all (not a spreadsheet, empty, too big, no columns)."""


@dataclass
class Table:
    name: str
    format: str  # "CSV" or "Excel"
    columns: dict[str, int]  # column name (as the export spells it) -> position
    unused: list[str]  # headings that are not export columns
    rows: list[tuple[int, list]]  # (row number as a spreadsheet shows it, cell values)


# --------------------------------------------------------------------------- reading


def read_table(data: bytes, name: str = "upload") -> Table:
    """The rows of a CSV or .xlsx file, with the columns matched by name."""
    if not data:
        raise FileRejected("The selected file is empty.")
    if len(data) > MAX_BYTES:
        raise FileRejected(f"The selected file must be smaller than {MAX_BYTES // 2**20} MB.")
    if data[:4] == b"PK\x03\x04":
        return _table(name, "Excel", _xlsx_rows(data))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRejected(
            "This is an old-style Excel file (.xls). Save it as an Excel workbook (.xlsx) or "
            "as CSV, and select that file."
        )
    return _table(name, "CSV", _csv_rows(data))


def _csv_rows(data: bytes):
    if b"\x00" in data[:4096]:
        # Binary, or UTF-16 text: neither is CSV as spreadsheets save it by default.
        raise FileRejected(NOT_A_SPREADSHEET + " If it is CSV, save it as “CSV UTF-8”.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRejected(
                NOT_A_SPREADSHEET + " If it is CSV, save it as “CSV UTF-8” and try again."
            ) from None
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:  # some spreadsheets save "CSV" with semicolons or tabs
        delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):
            yield number, [_undo_formula_guard(cell) for cell in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise FileRejected(
            f"The CSV file could not be read (line {reader.line_num}: {exc})."
        ) from None


def _undo_formula_guard(text: str) -> str:
    """The CSV export puts an apostrophe before text a spreadsheet would run as a formula
    ("'=SUM(A1)"); take it off again. Only for CSV: the Excel export adds none."""
    if text.startswith("'") and text[1:].lstrip(" \u00a0").startswith(exports.FORMULA_STARTS):
        return text[1:]
    return text


def _xlsx_rows(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected(NOT_A_SPREADSHEET) from None
    if "xl/workbook.xml" not in names:
        raise FileRejected(NOT_A_SPREADSHEET)
    if unzipped > MAX_UNZIPPED:
        raise FileRejected("The Excel workbook is too large to import. Split it into parts.")
    from openpyxl import load_workbook  # imported when used (slow to import): see exports

    unreadable = FileRejected(
        "The Excel workbook could not be read. Open it, save it again as an Excel workbook "
        "(.xlsx), and select that file."
    )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise unreadable from None
    try:
        if not workbook.worksheets:
            raise FileRejected("The Excel workbook has no sheets.")
        sheet = workbook.worksheets[0]
        try:
            for number, row in enumerate(
                sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
            ):
                yield number, list(row)
        except FileRejected:
            raise
        except Exception:
            raise unreadable from None
    finally:
        workbook.close()


def _heading(value) -> str:
    return " ".join(str(value or "").replace("\ufeff", "").split()).casefold()


def _blank(row) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _is_title(row) -> bool:
    """A line above the column names with one cell that names no column: the protective
    marking the Excel export puts first ("OFFICIAL", issue 21), or a title someone typed."""
    filled = [v for v in row if not (v is None or (isinstance(v, str) and not v.strip()))]
    return len(filled) == 1 and _heading(filled[0]) not in KNOWN


def _table(name: str, fmt: str, source) -> Table:
    header = None
    rows: list[tuple[int, list]] = []
    blanks = 0
    for number, row in source:
        if _blank(row):
            blanks += 1
            if blanks >= BLANK_ROWS_END:
                break
            continue
        blanks = 0
        if header is None:
            if _is_title(row):
                continue  # a line above the column names: the export's protective marking
            header = row
            continue
        if len(rows) >= MAX_ROWS:
            raise FileRejected(
                f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
            )
        rows.append((number, row))
    if header is None:
        raise FileRejected("The selected file is empty.")
    columns: dict[str, int] = {}
    unused = []
    for position, heading in enumerate(header):
        key = _heading(heading)
        if not key:
            continue
        column = KNOWN.get(key)
        if column is None:
            unused.append(str(heading).strip())
        elif column in columns:
            raise FileRejected(f"The column “{column}” appears twice. Keep one of them.")
        else:
            columns[column] = position
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        names = " and ".join(f"“{c}”" for c in missing) if len(missing) < 3 else None
        raise FileRejected(
            (f"The file has no {names} column{'s' if len(missing) > 1 else ''}. " if names else "")
            + "The first row must name the columns, as the export does: "
            + ", ".join(TEMPLATE_COLUMNS)
            + "."
        )
    if not rows:
        raise FileRejected(
            "The file has the row of column names but no rows under it, so there is nothing "
            "to import."
        )
    return Table(name=name, format=fmt, columns=columns, unused=unused, rows=rows)


# --------------------------------------------------------------------------- cells


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def flat_text(value: str) -> str:
    """Text compared as the export writes it: whitespace collapsed, case ignored."""
    return " ".join(value.split()).casefold()


def cell_date(value) -> datetime.date | None:
    """A date from a cell, or None when it is not a real date (ValueError: blank)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel  # imported when used: see exports

        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, AttributeError):
            return None
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            # Only the date is kept, so the time zone given to the parsed time is immaterial.
            day = datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.UTC).date()
        except ValueError:
            continue
        return day if 1900 <= day.year <= 2200 else None
    return None


def cell_month(value) -> datetime.date | None:
    """A month as the CSV export writes a date known only to the month ("2016-02"): the
    first of the month, as the report stores it; None when it is not one."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", cell_text(value))
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    day = datetime.date(int(match[1]), int(match[2]), 1)
    return day if 1900 <= day.year <= 2200 else None


def _label_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[flat_text(label)] = value
        lookup[flat_text(value)] = value
        lookup[flat_text(value.replace("_", " "))] = value
    return lookup


KINDS = _label_lookup(FindingKind.choices)
KINDS.update({"afi": FindingKind.AREA_FOR_IMPROVEMENT, "coc": FindingKind.CAUSE_OF_CONCERN})
STATUSES = _label_lookup(Status.choices)


def or_list(labels) -> str:
    labels = list(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


# --------------------------------------------------------------------------- templates


def template_csv() -> bytes:
    """A blank template: the header row only, in UTF-8 with a byte-order mark for Excel."""
    return "".join(exports.csv_stream([TEMPLATE_COLUMNS])).encode("utf-8")


def template_xlsx() -> IO[bytes]:
    """A blank template as an Excel workbook: the header row only."""
    return exports.xlsx_file([TEMPLATE_COLUMNS], "Items")
