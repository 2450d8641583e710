"""What a bulk import would do (the preview), worked out from the rows of a table. Reads the
database; writes nothing.

`plan_import` resolves every row against the database, in a fixed number of queries whatever
the number of rows, and says what will happen to it: create the report (or reuse the one with
that title and publication date about the row's force), create the finding (or match it in
that report by kind and reference, or kind and text), create the force's item or change its
status, owner, accountable lead or due date. It collects every problem with its row and
column.
"""

import datetime
import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import Organisation, User
from tracker import policy, services
from tracker.audit import natural_key
from tracker.bulk_import.table import (
    AREA,
    DATE_HINT,
    DUE,
    FINDING,
    FORCE,
    ITEM_LINK,
    KIND,
    KINDS,
    LEAD,
    LINK,
    OWNER,
    PUBLISHED,
    REFERENCE,
    REPORT,
    STATUS,
    STATUSES,
    USED,
    Table,
    cell_date,
    cell_month,
    cell_text,
    flat_text,
    or_list,
)
from tracker.models import (
    CHOOSABLE_STATUSES,
    Finding,
    FindingKind,
    Report,
    Status,
    TrackedItem,
)
from tracker.models.reports import REFERENCE_LENGTH


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


# Changes to items already in the tracker above which the preview warns (about 80 ms each).
SLOW_UPDATES = 300


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
class NewReport:
    title: str
    published_on: datetime.date
    forces: list[Organisation] = field(default_factory=list)
    first_row: int = 0
    created: Report | None = None

    @property
    def published_display(self) -> str:
        return f"{self.published_on.day} {self.published_on.strftime('%B %Y')}"

    def identity(self) -> list[str]:
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

    def fail(self, row: int | None, column: str | None, message: str) -> None:
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
    def slow(self) -> bool:
        """Whether the import may outlast a web request: new items are made together, in a
        few seconds for thousands (issue 16), but each change to an item already in the
        tracker still works out its deadlines and reminders on its own."""
        return len(self.updates) > SLOW_UPDATES

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

    def checked(self) -> "_GoodRow | None":
        """The row, if every cell passed its checks (so it has a force and a date)."""
        if not self.ok or self.force is None or self.published_on is None:
            return None
        return _GoodRow(
            number=self.number,
            force=self.force,
            title=self.title,
            published_on=self.published_on,
            kind=self.kind,
            reference=self.reference,
            area=self.area,
            text=self.text,
            status=self.status,
            owner=self.owner,
            lead=self.lead,
            due_date=self.due_date,
            link=self.link,
        )


@dataclass(frozen=True)
class _GoodRow:
    """A row whose cells passed their checks, matched against the database next."""

    number: int
    force: Organisation
    title: str
    published_on: datetime.date
    kind: str
    reference: str
    area: str
    text: str
    status: str | None
    owner: str
    lead: str
    due_date: datetime.date | None
    link: uuidlib.UUID | None


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

    name = cell_text(cell(FORCE))
    if not name:
        fail(FORCE, "Enter the force, for example West Midlands Police.")
    else:
        row.force = forces.get(flat_text(name))
        if row.force is None:
            fail(
                FORCE,
                f"“{name}” is not a police force in the tracker. Use the force's name as the "
                "export writes it, for example West Midlands Police.",
            )
        elif not policy.can_bulk_import_for(user, row.force.id):
            mine = user.organisation.name if user.organisation else "your own force"
            fail(FORCE, f"You can only import items for {mine}, not {row.force.name}.")

    row.title = cell_text(cell(REPORT))
    if not row.title:
        fail(REPORT, "Enter the report's title.")
    elif len(row.title) > 400:
        fail(REPORT, "The report's title must be 400 characters or fewer.")

    raw = cell(PUBLISHED)
    if cell_text(raw) == "":
        fail(PUBLISHED, "Enter the date the report was published, for example 22/03/2018.")
    else:
        # A month-precision date ("February 2016") is exported to CSV as 2016-02.
        row.published_on = cell_date(raw) or cell_month(raw)
        if row.published_on is None:
            fail(PUBLISHED, f"“{cell_text(raw)}” is not a real date. {DATE_HINT}")

    kind = cell_text(cell(KIND))
    kinds = or_list(FindingKind.labels)
    if not kind:
        fail(KIND, f"Enter the kind of finding: {kinds}.")
    else:
        row.kind = KINDS.get(flat_text(kind), "")
        if not row.kind:
            fail(KIND, f"“{kind}” is not a kind of finding. Use {kinds}.")

    row.reference = cell_text(cell(REFERENCE))
    if len(row.reference) > REFERENCE_LENGTH:  # a finding's reference, kept as published
        fail(REFERENCE, f"The reference must be {REFERENCE_LENGTH} characters or fewer.")
    row.area = cell_text(cell(AREA))
    if len(row.area) > 400:
        fail(AREA, "The area must be 400 characters or fewer.")
    row.text = cell_text(cell(FINDING))
    if not row.text:
        fail(FINDING, "Enter the finding's text, exactly as published.")
    elif len(row.text) > services.MAX_TEXT:
        fail(FINDING, f"The finding must be {services.MAX_TEXT:,} characters or fewer.")

    status = cell_text(cell(STATUS))
    if status:
        row.status = STATUSES.get(flat_text(status))
        if row.status is None:
            fail(STATUS, f"“{status}” is not a status. Use {or_list(Status.labels)}.")

    row.owner = cell_text(cell(OWNER))
    row.lead = cell_text(cell(LEAD))

    raw = cell(DUE)
    if cell_text(raw):
        row.due_date = cell_date(raw)
        if row.due_date is None:
            fail(DUE, f"“{cell_text(raw)}” is not a real date. {DATE_HINT}")

    link = cell_text(cell(LINK))
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
        people = (
            User.objects.with_role(*policy.FORCE_ROLES)
            .active()
            .filter(organisation_id__in=force_ids)
        )
        for person in people:
            self.by_force.setdefault(person.organisation_id, []).append(person)

    @staticmethod
    def _matches(person, text) -> bool:
        if "@" in text:
            return person.email.casefold() == text.casefold()
        return flat_text(person.full_name) == flat_text(text)

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
    forces: dict[str, Organisation] = {}
    for force in Organisation.objects.filter(kind=Organisation.Kind.FORCE):
        for name in (force.code, force.short_name, force.name):
            forces.setdefault(flat_text(name), force)
    rows = [_read_row(n, cells, table.columns, plan, forces, user) for n, cells in table.rows]
    good = [checked for r in rows if (checked := r.checked()) is not None]

    reports: dict[tuple, list[Report]] = {}
    report_forces: dict[int, set[int]] = {}  # report id -> the ids of the forces it is about
    for existing in Report.objects.filter(
        published_on__in={r.published_on for r in good}
    ).prefetch_related("forces"):
        report_forces[existing.id] = {f.id for f in existing.forces.all()}
        reports.setdefault((flat_text(existing.title), existing.published_on), []).append(existing)
    candidates = [r for group in reports.values() for r in group]
    findings: dict[int, list[Finding]] = {}
    for known in Finding.objects.filter(report__in=candidates):
        findings.setdefault(known.report_id, []).append(known)
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
        report = _resolve_report(r, reports, report_forces, new_reports, plan)
        if report is None:
            continue
        finding = _resolve_finding(r, report, report_forces, findings, new_findings, plan)
        if finding is None:
            continue
        item = None if isinstance(finding, NewFinding) else items.get((finding.id, r.force.id))
        if item is None and isinstance(finding, Finding) and finding.for_national_body:
            # Issue 17: recorded on the report, owned by no force.
            plan.fail(r.number, FINDING, services.national_body_message(finding))
            continue
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


def _resolve_report(
    r: _GoodRow,
    reports: dict[tuple, list[Report]],
    report_forces: dict[int, set[int]],
    new_reports: dict[tuple, NewReport],
    plan: Plan,
) -> Report | NewReport | None:
    key = (flat_text(r.title), r.published_on)
    about_force = [rep for rep in reports.get(key, []) if r.force.id in report_forces[rep.id]]
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


def _resolve_finding(
    r: _GoodRow,
    report: Report | NewReport,
    report_forces: dict[int, set[int]],
    findings: dict[int, list[Finding]],
    new_findings: dict[tuple, NewFinding],
    plan: Plan,
) -> Finding | NewFinding | None:
    """Match by kind and reference when the row has a reference, else by kind and text."""
    if isinstance(report, Report):
        pool = [
            f
            for f in findings.get(report.id, [])
            if f.kind == r.kind and f.force_id in (None, r.force.id)
        ]
        by_reference = [
            f for f in pool if r.reference and flat_text(f.reference) == flat_text(r.reference)
        ]
        found = by_reference or [f for f in pool if flat_text(f.text) == flat_text(r.text)]
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
    identity = flat_text(r.reference) if r.reference else "text:" + flat_text(r.text)
    # A finding added to an existing report about several forces is about this force only.
    force = r.force if isinstance(report, Report) and len(report_forces[report.id]) > 1 else None
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
    if flat_text(new.text) != flat_text(r.text):
        plan.fail(
            r.number,
            FINDING,
            f"Row {new.first_row} gives different text for {new.label} of this report. Give "
            "the same text, or a different reference.",
        )
        return None
    return new


def _plan_item(
    r: _GoodRow,
    report: Report | NewReport,
    finding: Finding | NewFinding,
    item: TrackedItem | None,
    people: "_People",
    plan: Plan,
    today: datetime.date,
) -> RowPlan | None:
    errors_before = len(plan.problems)
    found_owner, owner = people.find(
        r.owner, r.force, item.owner if item else None, plan, r.number, OWNER
    )
    found_lead, lead = people.find(
        r.lead, r.force, item.lead if item else None, plan, r.number, LEAD
    )
    base: dict[str, Any] = {"row": r.number, "force": r.force, "report": report, "finding": finding}

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
                services.item_check_due_date(report=report, due_date=r.due_date)
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
                services.item_check_due_date(report=report, due_date=after)
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
