"""Bulk import of findings and items from a spreadsheet (CSV or Excel), in the columns the
item export writes (tracker/exports.py), so an export imports back unchanged.

1. `read_table` works out the format from the content (an .xlsx file is a zip holding
   xl/workbook.xml; anything else is read as CSV, in UTF-8 with or without a byte-order
   mark, else Windows-1252), finds the row of column names and matches the columns by name.
   A file that cannot be used at all raises FileRejected with one message.
2. `plan_import` resolves every row against the database, in a fixed number of queries
   whatever the number of rows, and says what will happen to it: create the report (or reuse
   the one with that title and publication date about the row's force), create the finding
   (or match it in that report by kind and reference, or kind and text), create the force's
   item or change its status, owner, accountable lead or due date. It writes nothing and
   collects every problem with its row and column.
3. `items_import` is the service: inside one transaction it reads and plans the file again,
   refuses it if there is any problem (nothing is saved), or if the plan differs from the one
   the person checked, and otherwise makes the changes through the item services, under the
   same rules as the item pages, with history rows and audit events for each.
"""

import csv
import datetime
import hashlib
import io
import json
import re
import uuid as uuidlib
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organisation, Role, User
from tracker import exports, policy, reminders, services
from tracker.audit import audit_record, natural_key
from tracker.models import (
    CHOOSABLE_STATUSES,
    AuditEvent,
    DueDateRevision,
    Finding,
    FindingKind,
    GradingScale,
    Report,
    ReportType,
    Status,
    TrackedItem,
)

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
HMICFRS_FROM = services.HMICFRS_FROM


class FileRejected(Exception):
    """The file cannot be used at all (not a spreadsheet, empty, too big, no columns)."""


class ImportRejected(Exception):
    """The file has problems; nothing was saved."""

    def __init__(self, plan: "Plan"):
        self.plan = plan
        shown = [str(p) for p in plan.problems[:20]]
        more = len(plan.problems) - len(shown)
        super().__init__(
            "Nothing was imported:\n  "
            + "\n  ".join(shown)
            + (f"\n  … and {more} more" if more else "")
        )


class PlanChanged(Exception):
    """The tracker changed between the preview and the confirmation."""

    def __init__(self, plan: "Plan"):
        self.plan = plan
        super().__init__(
            "The tracker has changed since the file was checked. Check the preview again; "
            "nothing was imported."
        )


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        where = ", ".join(
            part for part in (f"Row {self.row}" if self.row else "", self.column or "") if part
        )
        return f"{where}: {self.message}" if where else self.message


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
    from openpyxl import load_workbook

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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _flat(value: str) -> str:
    """Text compared as the export writes it: whitespace collapsed, case ignored."""
    return " ".join(value.split()).casefold()


def _date(value) -> datetime.date | None:
    """A date from a cell, or None when it is not a real date (ValueError: blank)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value).date()
        except (ValueError, OverflowError, AttributeError):
            return None
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if 1900 <= day.year <= 2200 else None
    return None


def _label_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_flat(label)] = value
        lookup[_flat(value)] = value
        lookup[_flat(value.replace("_", " "))] = value
    return lookup


KINDS = _label_lookup(FindingKind.choices)
KINDS.update({"afi": FindingKind.AREA_FOR_IMPROVEMENT, "coc": FindingKind.CAUSE_OF_CONCERN})
STATUSES = _label_lookup(Status.choices)


def _or_list(labels) -> str:
    labels = list(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


# --------------------------------------------------------------------------- the plan


@dataclass
class NewReport:
    title: str
    published_on: datetime.date
    forces: list[Organisation] = field(default_factory=list)
    first_row: int = 0
    created: Report | None = None

    @property
    def published_display(self) -> str:
        return f"{self.published_on.day} {self.published_on.strftime('%B %Y')}"

    def identity(self):
        return ["new", self.title, self.published_on.isoformat()]


@dataclass
class NewFinding:
    report: Report | NewReport
    kind: str
    reference: str
    area: str
    text: str
    force: Organisation | None
    first_row: int = 0
    created: Finding | None = None

    @property
    def label(self) -> str:
        kind = FindingKind(self.kind).label
        if not self.reference:
            return kind
        if self.reference.lower().startswith(kind.lower()):
            return self.reference
        return f"{kind} ({self.reference})"

    @property
    def summary(self) -> str:
        flat = " ".join(self.text.split())
        return flat if len(flat) <= 160 else flat[:157].rsplit(" ", 1)[0] + "…"


@dataclass
class RowPlan:
    row: int
    action: str  # "create", "update" or "unchanged"
    force: Organisation
    report: Report | NewReport
    finding: Finding | NewFinding
    item: TrackedItem | None = None
    status: str = Status.NOT_STARTED
    owner: User | None = None
    lead: User | None = None
    due_date: datetime.date | None = None
    changes: dict = field(default_factory=dict)  # field -> (before, after)

    def describe(self) -> list[str]:
        """What will happen to the row, in a few words per change."""

        def show(name, value):
            if value is None or value == "":
                return "none"
            if name == "status":
                return Status(value).label
            if name == "due_date":
                return value.strftime("%d/%m/%Y")
            return value.full_name

        if self.action == "create":
            parts = [f"New item: {Status(self.status).label}"]
            if self.owner:
                parts.append(f"owner {self.owner.full_name}")
            if self.lead:
                parts.append(f"accountable lead {self.lead.full_name}")
            if self.due_date:
                parts.append(f"due {self.due_date:%d/%m/%Y}")
            return [", ".join(parts)]
        labels = {"status": STATUS, "owner": OWNER, "lead": LEAD, "due_date": DUE}
        return [
            f"{labels[name]}: {show(name, before)} → {show(name, after)}"
            for name, (before, after) in self.changes.items()
        ]


@dataclass
class Plan:
    name: str
    format: str
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    new_reports: list[NewReport] = field(default_factory=list)
    new_findings: list[NewFinding] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    row_count: int = 0

    def fail(self, row, column, message):
        self.problems.append(Problem(row, column, message))

    @property
    def creates(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action == "create"]

    @property
    def updates(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action == "update"]

    @property
    def changes(self) -> list[RowPlan]:
        return [r for r in self.rows if r.action != "unchanged"]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "reports": len(self.new_reports),
            "findings": len(self.new_findings),
            "items": len(self.creates),
            "updated": len(self.updates),
            "unchanged": sum(1 for r in self.rows if r.action == "unchanged"),
            "problem_rows": len({p.row for p in self.problems if p.row}),
        }

    @property
    def changed(self) -> bool:
        return bool(self.new_reports or self.new_findings or self.changes)

    @property
    def fingerprint(self) -> str:
        """What the plan would do, as a hash: the confirmation must match the preview."""

        def ident(obj):
            if obj is None:
                return None
            if isinstance(obj, NewReport):
                return obj.identity()
            if isinstance(obj, NewFinding):
                return ["new", ident(obj.report), obj.kind, obj.reference, obj.text]
            return natural_key(obj)

        content = [
            [
                r.row,
                r.action,
                r.force.code,
                ident(r.report),
                ident(r.finding),
                ident(r.item),
                r.status,
                ident(r.owner),
                ident(r.lead),
                r.due_date.isoformat() if r.due_date else None,
                {
                    k: [ident(v) if hasattr(v, "pk") else str(v) for v in pair]
                    for k, pair in r.changes.items()
                },
            ]
            for r in self.rows
        ]
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def summary(self) -> str:
        c = self.counts
        made = [
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in (
                (c["reports"], "report"),
                (c["findings"], "finding"),
                (c["items"], "item"),
            )
            if n
        ]
        parts = []
        if made:
            parts.append(
                (", ".join(made[:-1]) + " and " + made[-1] if len(made) > 1 else made[0])
                + " created"
            )
        if c["updated"]:
            parts.append(f"{c['updated']} item{'s' if c['updated'] != 1 else ''} changed")
        return "; ".join(parts) if parts else "Nothing to change"


@dataclass
class _Row:
    number: int
    force: Organisation | None = None
    title: str = ""
    published_on: datetime.date | None = None
    kind: str = ""
    reference: str = ""
    area: str = ""
    text: str = ""
    status: str | None = None
    owner: str = ""
    lead: str = ""
    due_date: datetime.date | None = None
    link: uuidlib.UUID | None = None
    ok: bool = True


def _read_row(number, cells, columns, plan, forces, user) -> _Row:
    """Check each cell of one row on its own; anything that needs the database beyond the
    forces comes later."""
    row = _Row(number)

    def cell(column):
        position = columns.get(column)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def fail(column, message):
        plan.fail(number, column, message)
        row.ok = False

    name = _text(cell(FORCE))
    if not name:
        fail(FORCE, "Enter the force, for example West Midlands Police.")
    else:
        row.force = forces.get(_flat(name))
        if row.force is None:
            fail(
                FORCE,
                f"“{name}” is not a police force in the tracker. Use the force's name as the "
                "export writes it, for example West Midlands Police.",
            )
        elif not policy.can_bulk_import_for(user, row.force.id):
            mine = user.organisation.name if user.organisation else "your own force"
            fail(FORCE, f"You can only import items for {mine}, not {row.force.name}.")

    row.title = _text(cell(REPORT))
    if not row.title:
        fail(REPORT, "Enter the report's title.")
    elif len(row.title) > 400:
        fail(REPORT, "The report's title must be 400 characters or fewer.")

    raw = cell(PUBLISHED)
    if _text(raw) == "":
        fail(PUBLISHED, "Enter the date the report was published, for example 22/03/2018.")
    else:
        row.published_on = _date(raw)
        if row.published_on is None:
            fail(PUBLISHED, f"“{_text(raw)}” is not a real date. {DATE_HINT}")

    kind = _text(cell(KIND))
    kinds = _or_list(FindingKind.labels)
    if not kind:
        fail(KIND, f"Enter the kind of finding: {kinds}.")
    else:
        row.kind = KINDS.get(_flat(kind), "")
        if not row.kind:
            fail(KIND, f"“{kind}” is not a kind of finding. Use {kinds}.")

    row.reference = _text(cell(REFERENCE))
    if len(row.reference) > 20:
        fail(REFERENCE, "The reference must be 20 characters or fewer.")
    row.area = _text(cell(AREA))
    if len(row.area) > 400:
        fail(AREA, "The area must be 400 characters or fewer.")
    row.text = _text(cell(FINDING))
    if not row.text:
        fail(FINDING, "Enter the finding's text, exactly as published.")
    elif len(row.text) > services.MAX_TEXT:
        fail(FINDING, f"The finding must be {services.MAX_TEXT:,} characters or fewer.")

    status = _text(cell(STATUS))
    if status:
        row.status = STATUSES.get(_flat(status))
        if row.status is None:
            fail(STATUS, f"“{status}” is not a status. Use {_or_list(Status.labels)}.")

    row.owner = _text(cell(OWNER))
    row.lead = _text(cell(LEAD))

    raw = cell(DUE)
    if _text(raw):
        row.due_date = _date(raw)
        if row.due_date is None:
            fail(DUE, f"“{_text(raw)}” is not a real date. {DATE_HINT}")

    link = _text(cell(LINK))
    if link:
        match = ITEM_LINK.search(link)
        if match is None:
            fail(LINK, f"“{link[:80]}” is not a link to an item. Leave it empty for a new item.")
        else:
            row.link = uuidlib.UUID(match.group(1))
    return row


class _People:
    """The people of the forces in the file who can own items (active force staff and
    coordinators), found by email address or by name."""

    def __init__(self, force_ids):
        self.by_force: dict[int, list[User]] = {}
        people = User.objects.filter(
            organisation_id__in=force_ids,
            is_active=True,
            role_assignments__role__in=[Role.FORCE_STAFF, Role.FORCE_COORDINATOR],
        ).distinct()
        for person in people:
            self.by_force.setdefault(person.organisation_id, []).append(person)

    @staticmethod
    def _matches(person, text) -> bool:
        if "@" in text:
            return person.email.casefold() == text.casefold()
        return _flat(person.full_name) == _flat(text)

    def find(self, text, force, current, plan, row, column):
        """(found, person): the current owner or lead wins a tie, so an export imports back
        even when they have left or share a name."""
        if not text:
            return False, None
        if current is not None and self._matches(current, text):
            return True, current
        found = [p for p in self.by_force.get(force.id, []) if self._matches(p, text)]
        if len(found) == 1:
            return True, found[0]
        if found:
            plan.fail(
                row,
                column,
                f"More than one person at {force.name} is called {text}. Use their email "
                "address instead.",
            )
        else:
            plan.fail(
                row,
                column,
                f"“{text}” is not a person at {force.name}. Use the name or email address of "
                f"someone at {force.name} who uses the tracker.",
            )
        return False, None


def plan_import(*, table: Table, user, today: datetime.date) -> Plan:
    """What importing the table would do, and every problem with it. Writes nothing.

    1. Check each row's cells (force, dates, kind, status, link) and the importer's scope.
    2. Load, in one query each, the reports published on the file's dates, their findings,
       the forces' items for those findings, the items the links name, and the people.
    3. Resolve each row: report, finding, item, owner and lead; then what changes.
    """
    plan = Plan(name=table.name, format=table.format, unused_columns=table.unused)
    plan.row_count = len(table.rows)
    forces = {}
    for force in Organisation.objects.filter(kind=Organisation.Kind.FORCE):
        for name in (force.code, force.short_name, force.name):
            forces.setdefault(_flat(name), force)
    rows = [_read_row(n, cells, table.columns, plan, forces, user) for n, cells in table.rows]
    good = [r for r in rows if r.ok]

    reports: dict[tuple, list[Report]] = {}
    for report in Report.objects.filter(
        published_on__in={r.published_on for r in good}
    ).prefetch_related("forces"):
        report.force_ids = {f.id for f in report.forces.all()}
        reports.setdefault((_flat(report.title), report.published_on), []).append(report)
    candidates = [r for group in reports.values() for r in group]
    findings: dict[int, list[Finding]] = {}
    for finding in Finding.objects.filter(report__in=candidates):
        findings.setdefault(finding.report_id, []).append(finding)
    row_forces = {r.force.id for r in good}
    items = {
        (i.finding_id, i.force_id): i
        for i in TrackedItem.objects.filter(
            finding__report__in=candidates, force_id__in=row_forces
        ).select_related("owner", "lead")
    }
    linked = {
        i.uuid: i
        for i in TrackedItem.objects.filter(
            uuid__in={r.link for r in good if r.link}, force_id__in=row_forces
        ).select_related("owner", "lead", "force")
    }
    people = _People(row_forces)

    new_reports: dict[tuple, NewReport] = {}
    new_findings: dict[tuple, NewFinding] = {}
    seen: dict[tuple, int] = {}
    for r in good:
        report = _resolve_report(r, reports, new_reports, plan)
        if report is None:
            continue
        finding = _resolve_finding(r, report, findings, new_findings, plan)
        if finding is None:
            continue
        item = None if isinstance(finding, NewFinding) else items.get((finding.id, r.force.id))
        if r.link and r.link in linked:
            by_link = linked[r.link]
            if by_link.force_id != r.force.id:
                plan.fail(r.number, LINK, f"The link is to an item of {by_link.force.name}.")
                continue
            if by_link != item:
                plan.fail(
                    r.number,
                    LINK,
                    "The link is to a different item from the one the Report, Kind, "
                    "Reference and Finding columns describe. Correct the row, or clear the "
                    "Link to match the item by those columns.",
                )
                continue
        key = ("item", item.pk) if item else ("new", id(finding), r.force.id)
        if key in seen:
            plan.fail(
                r.number, None, f"This is the same item as row {seen[key]}. Keep one of the rows."
            )
            continue
        seen[key] = r.number
        row_plan = _plan_item(r, report, finding, item, people, plan, today)
        if row_plan is not None:
            plan.rows.append(row_plan)

    plan.new_reports = list(new_reports.values())
    plan.new_findings = list(new_findings.values())
    if plan.new_reports and services.default_inspectorate() is None:
        plan.fail(
            None,
            None,
            "New reports need an inspectorate, and none is set up. Ask an administrator to "
            "load the seed data.",
        )
    plan.problems.sort(key=lambda p: (p.row or 0, USED.index(p.column) if p.column else -1))
    return plan


def _resolve_report(r: _Row, reports, new_reports, plan):
    key = (_flat(r.title), r.published_on)
    about_force = [rep for rep in reports.get(key, []) if r.force.id in rep.force_ids]
    if len(about_force) > 1:
        plan.fail(
            r.number,
            REPORT,
            f"{len(about_force)} reports about {r.force.name} have this title and were "
            "published that day, so the tracker cannot tell which is meant. Ask an "
            "administrator to tell them apart.",
        )
        return None
    if about_force:
        return about_force[0]
    new = new_reports.get(key)
    if new is None:
        new = new_reports[key] = NewReport(
            title=" ".join(r.title.split()), published_on=r.published_on, first_row=r.number
        )
    if r.force not in new.forces:
        new.forces.append(r.force)
    return new


def _resolve_finding(r: _Row, report, findings, new_findings, plan):
    """Match by kind and reference when the row has a reference, else by kind and text."""
    if isinstance(report, Report):
        pool = [
            f
            for f in findings.get(report.id, [])
            if f.kind == r.kind and f.force_id in (None, r.force.id)
        ]
        by_reference = [f for f in pool if r.reference and _flat(f.reference) == _flat(r.reference)]
        found = by_reference or [f for f in pool if _flat(f.text) == _flat(r.text)]
        if len(found) > 1:
            plan.fail(
                r.number,
                REFERENCE if by_reference else FINDING,
                f"{len(found)} findings in this report match this row, so the tracker cannot "
                "tell which is meant. Add the Link column from an export to say which item.",
            )
            return None
        if found:
            return found[0]
    identity = _flat(r.reference) if r.reference else "text:" + _flat(r.text)
    # A finding added to an existing report about several forces is about this force only.
    force = r.force if isinstance(report, Report) and len(report.force_ids) > 1 else None
    key = (id(report), r.kind, identity, force.id if force else None)
    new = new_findings.get(key)
    if new is None:
        new_findings[key] = NewFinding(
            report=report,
            kind=r.kind,
            reference=r.reference,
            area=r.area,
            text=r.text,
            force=force,
            first_row=r.number,
        )
        return new_findings[key]
    if _flat(new.text) != _flat(r.text):
        plan.fail(
            r.number,
            FINDING,
            f"Row {new.first_row} gives different text for {new.label} of this report. Give "
            "the same text, or a different reference.",
        )
        return None
    return new


def _plan_item(r: _Row, report, finding, item, people, plan, today) -> RowPlan | None:
    errors_before = len(plan.problems)
    found_owner, owner = people.find(
        r.owner, r.force, item.owner if item else None, plan, r.number, OWNER
    )
    found_lead, lead = people.find(
        r.lead, r.force, item.lead if item else None, plan, r.number, LEAD
    )
    base = {"row": r.number, "force": r.force, "report": report, "finding": finding}

    if item is None:
        status = r.status or Status.NOT_STARTED
        if status not in CHOOSABLE_STATUSES:
            plan.fail(
                r.number,
                STATUS,
                f"A new item cannot start as “{Status(status).label}”. Import it as Not "
                "started or In progress; closure is proposed and approved on the item's page.",
            )
        if r.due_date is not None:
            try:
                services._check_due_date(report, r.due_date)
            except ValidationError as exc:
                plan.fail(r.number, DUE, exc.messages[0])
        if len(plan.problems) > errors_before:
            return None
        return RowPlan(
            action="create", status=status, owner=owner, lead=lead, due_date=r.due_date, **base
        )

    changes = {}
    wanted = [
        ("status", STATUS, r.status is not None, item.status, r.status),
        ("owner", OWNER, found_owner, item.owner, owner),
        ("lead", LEAD, found_lead, item.lead, lead),
        ("due_date", DUE, r.due_date is not None, item.due_date, r.due_date),
    ]
    for name, column, given, before, after in wanted:
        if not given or before == after:
            continue
        if not item.is_open:
            plan.fail(r.number, column, "This item is closed, so it cannot be changed.")
            continue
        if name == "status":
            if item.status == Status.PROPOSED_FOR_CLOSURE:
                plan.fail(
                    r.number,
                    column,
                    "This item is waiting for a decision on closing it. Its status can change "
                    "once the proposal is approved or returned.",
                )
                continue
            if after not in CHOOSABLE_STATUSES:
                plan.fail(
                    r.number,
                    column,
                    f"An item cannot be made “{Status(after).label}” by import. Propose "
                    "closure on the item's page; the coordinator or PCC office then approves it.",
                )
                continue
        if name == "due_date":
            try:
                services._check_due_date(report, after)
            except ValidationError as exc:
                plan.fail(r.number, column, exc.messages[0])
                continue
            if after < today:
                plan.fail(
                    r.number,
                    column,
                    f"A revised due date must be today or later, and {after:%d/%m/%Y} has "
                    "passed. Leave the due date as it is, or choose a later one.",
                )
                continue
        changes[name] = (before, after)
    if len(plan.problems) > errors_before:
        return None
    return RowPlan(
        action="update" if changes else "unchanged",
        item=item,
        status=item.status,
        owner=item.owner,
        lead=item.lead,
        due_date=item.due_date,
        changes=changes,
        **base,
    )


# --------------------------------------------------------------------------- the service


@transaction.atomic
def items_import(
    *,
    user,
    data: bytes,
    name: str,
    expected: str | None = None,
    now: datetime.datetime | None = None,
) -> Plan:
    """Import a spreadsheet: everything or nothing.

    Raises FileRejected when the file cannot be read, ImportRejected when any row has a
    problem, and PlanChanged when `expected` (the fingerprint of the plan the person checked)
    no longer matches, because the tracker changed in between.
    """
    now = now or timezone.now()
    if not policy.can_bulk_import(user):
        raise FileRejected("You cannot import items.")
    table = read_table(data, name)
    plan = plan_import(table=table, user=user, today=timezone.localdate(now))
    if plan.problems:
        raise ImportRejected(plan)
    if expected is not None and plan.fingerprint != expected:
        raise PlanChanged(plan)
    note = f"Imported from {name}"[:300]
    for new in plan.new_reports:
        _report_create(new, user=user, now=now, note=note)
    for new in plan.new_findings:
        _finding_create(new, user=user, now=now, note=note)
    for row in plan.rows:
        reason = f"{note}, row {row.row}"
        if row.action == "create":
            finding = row.finding.created if isinstance(row.finding, NewFinding) else row.finding
            item = services.item_create(
                finding=finding,
                force=row.force,
                created_by=user,
                owner=row.owner,
                lead=row.lead,
                due_date=row.due_date,
                now=now,
            )
            row.item = item
            if row.status != Status.NOT_STARTED:
                services._set_status(item, by=user, to_status=row.status, reason=reason, now=now)
        elif row.action == "update":
            _item_import_changes(row, user=user, now=now, reason=reason, plan=plan)
    for new in plan.new_reports:
        reminders.responses_ensure(report=new.created, now=now)
    return plan


def _report_create(new: NewReport, *, user, now, note) -> Report:
    base = f"{slugify(new.title)[:90].strip('-') or 'report'}-{new.published_on.isoformat()}"
    report = Report(
        key=services.unique_key(Report, base),
        inspectorate=services.default_inspectorate(),
        inspectorate_label="HMICFRS" if new.published_on >= HMICFRS_FROM else "HMIC",
        title=new.title,
        report_type=ReportType.OTHER,
        published_on=new.published_on,
        national=len(new.forces) > 1,
        grading_scale=GradingScale.NONE,
        notes=f"{note} by {user.full_name or user.email} on {timezone.localdate(now):%d/%m/%Y}.",
    )
    report.full_clean()
    report.save()
    report.forces.set(new.forces)
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=report,
        at=now,
        changes={
            "title": (None, report.title),
            "published_on": (None, report.published_on),
            "forces": (None, sorted(f.code for f in new.forces)),
        },
        note=note,
    )
    new.created = report
    return report


def _finding_create(new: NewFinding, *, user, now, note) -> Finding:
    report = new.report.created if isinstance(new.report, NewReport) else new.report
    order = (report.findings.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    finding = Finding(
        key=services.unique_key(Finding, f"{report.key}:import-{new.first_row}"),
        report=report,
        kind=new.kind,
        reference=new.reference,
        area=new.area,
        text=new.text,
        force=new.force,
        order=order,
    )
    finding.full_clean()
    finding.save()
    audit_record(
        actor=user,
        action=AuditEvent.Action.CREATE,
        obj=finding,
        at=now,
        changes={
            "kind": (None, finding.kind),
            "reference": (None, finding.reference),
            "text": (None, finding.text),
        },
        note=note,
    )
    new.created = finding
    return finding


def _item_import_changes(row: RowPlan, *, user, now, reason, plan) -> None:
    """The changes a coordinator makes on an item's pages, with the same history rows and
    audit events: a status change, a due date revision (the original due date stays), and
    the owner and accountable lead. The checks were made when planning; the item is locked
    and compared with the plan, so a change made meanwhile stops the import."""
    item = services._locked(row.item)
    current = {"status": item.status, "owner": item.owner, "lead": item.lead}
    current["due_date"] = item.due_date
    if any(current[name] != before for name, (before, _after) in row.changes.items()):
        raise PlanChanged(plan)
    if "status" in row.changes:
        services._set_status(
            item, by=user, to_status=row.changes["status"][1], reason=reason, now=now
        )
    if "due_date" in row.changes:
        before, after = row.changes["due_date"]
        DueDateRevision.objects.create(
            item=item,
            previous_date=before,
            new_date=after,
            reason=reason,
            approved_by=user,
            recorded_at=now,
        )
        extra = {} if item.original_due_date else {"original_due_date": after}
        services._touch(item, now, due_date=after, **extra)
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            obj=item,
            at=now,
            changes={"due_date": (before, after)},
            note=reason,
        )
    people = {k: v for k, v in row.changes.items() if k in ("owner", "lead")}
    if people:
        services._touch(item, now, **{k: after for k, (_before, after) in people.items()})
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            obj=item,
            at=now,
            changes=people,
            note=reason,
        )
    if set(row.changes) - {"status"}:
        reminders.deadlines_sync_item(item=item, now=now)


# --------------------------------------------------------------------------- templates


def template_csv() -> bytes:
    """A blank template: the header row only, in UTF-8 with a byte-order mark for Excel."""
    return "".join(exports.csv_stream([TEMPLATE_COLUMNS])).encode("utf-8")


def template_xlsx():
    return exports.xlsx_file([TEMPLATE_COLUMNS], "Items")
