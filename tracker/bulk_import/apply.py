"""Making the changes a bulk import planned: everything or nothing.

`items_import` is the service: inside one transaction it reads and plans the file again,
refuses it if there is any problem (nothing is saved), or if the plan differs from the one
the person checked, and otherwise makes the changes through the item services, under the
same rules as the item pages, with history rows and audit events for each. New findings and
items are made together (`item_batches`), with a few queries however many there are.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from tracker import background, item_batches, learning, policy, services
from tracker.audit import audit_event, audit_record
from tracker.bulk_import.plan import (
    ImportRejected,
    NewFinding,
    NewReport,
    Plan,
    PlanChanged,
    RowPlan,
    plan_import,
)
from tracker.bulk_import.table import FileRejected, read_table
from tracker.models import (
    AuditEvent,
    Finding,
    GradingScale,
    Report,
    ReportType,
)
from tracker.outbox import send_on_commit
from tracker.reminders.plan import people_remembered
from tracker.reminders.sync import responses_ensure


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
    with people_remembered():
        for new_report in plan.new_reports:
            _report_create(new_report, user=user, now=now, note=note)
        _findings_create(plan.new_findings, user=user, now=now, note=note)
        # New items all at once (their deadlines and reminders planned together), with the
        # same rows as one by one: `item_create`, then `item_set_status` when one starts
        # "In progress".
        created = [row for row in plan.rows if row.action == "create"]
        items = item_batches.items_create(
            new=[
                item_batches.NewItem(
                    finding=_made_finding(row.finding),
                    force=row.force,
                    owner=row.owner,
                    lead=row.lead,
                    due_date=row.due_date,
                    status=row.status,
                    reason=f"{note}, row {row.row}",
                )
                for row in created
            ],
            created_by=user,
            now=now,
        )
        for row, item in zip(created, items, strict=True):
            row.item = item
        for row in plan.rows:
            if row.action == "update":
                reason = f"{note}, row {row.row}"
                _item_import_changes(row, user=user, now=now, reason=reason, plan=plan)
        for new_report in plan.new_reports:
            responses_ensure(report=_made_report(new_report), now=now)
        # Issue 18, in the worker after commit: the new items' findings matched against the
        # summaries forces shared; lineage suggested for each report given new items.
        learning.learning_findings_added(finding_ids=sorted({i.finding_id for i in items}))
        for report_id in sorted({i.finding.report_id for i in items}):
            send_on_commit(background.SUGGEST_LINEAGE, report_id)
    return plan


def _made_report(report: Report | NewReport) -> Report:
    """The report in the tracker: one that was there, or the one this import made."""
    if isinstance(report, Report):
        return report
    if report.created is None:  # not met: new reports are made before anything else
        raise ValueError(f"The new report “{report.title}” has not been made.")
    return report.created


def _made_finding(finding: Finding | NewFinding) -> Finding:
    """The finding in the tracker: one that was there, or the one this import made."""
    if isinstance(finding, Finding):
        return finding
    if finding.created is None:  # not met: new findings are made before the items
        raise ValueError(f"The new finding of row {finding.first_row} has not been made.")
    return finding.created


def _report_create(new: NewReport, *, user, now, note) -> Report:
    base = f"{slugify(new.title)[:90].strip('-') or 'report'}-{new.published_on.isoformat()}"
    report = Report(
        key=services.unique_key(Report, base),
        inspectorate=services.default_inspectorate(),
        inspectorate_label="HMICFRS" if new.published_on >= services.HMICFRS_FROM else "HMIC",
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


def _findings_create(new_findings: list[NewFinding], *, user, now, note) -> list[Finding]:
    """The new findings, each numbered after the last of its report and keyed uniquely, as
    one by one, with an audit event each; written with a few queries whatever their number
    (one per report for the keys and numbers, then one INSERT per thousand rows)."""
    reports: dict[int, Report] = {}
    for new in new_findings:
        report = _made_report(new.report)
        reports[report.pk] = report
    keys = item_batches.unique_keys(Finding, [f"{r.key}:import-" for r in reports.values()])
    last = {
        report_id: top or 0
        for report_id, top in Finding.objects.filter(report__in=list(reports))
        .values("report")
        .annotate(top=Max("order"))
        .values_list("report", "top")
    }
    findings = []
    for new in new_findings:
        report = _made_report(new.report)
        last[report.pk] = last.get(report.pk, 0) + 1
        finding = Finding(
            key=keys.take(f"{report.key}:import-{new.first_row}"),
            report=report,
            kind=new.kind,
            reference=new.reference,
            area=new.area,
            text=new.text,
            force=new.force,
            order=last[report.pk],
        )
        # The key was chosen unused just now (the database's unique index has the last word);
        # the report and force are rows just read or made: no query per finding.
        finding.full_clean(exclude=["report", "force"], validate_unique=False)
        findings.append(finding)
        new.created = finding
    Finding.objects.bulk_create(findings, batch_size=item_batches.BATCH_SIZE)
    AuditEvent.objects.bulk_create(
        [
            audit_event(
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
            for finding in findings
        ],
        batch_size=item_batches.BATCH_SIZE,
    )
    return findings


def _item_import_changes(row: RowPlan, *, user, now, reason, plan) -> None:
    """The changes a coordinator makes on an item's pages, recorded by the same services with
    the same history rows and audit events: a status change, a due date revision (the
    original due date stays), and the owner and accountable lead. The checks were made when
    planning; the item is locked and compared with the plan, so a change made meanwhile
    stops the import."""
    if row.item is None:  # not met: only rows about an item the tracker has are updates
        raise ValueError(f"Row {row.row} is an update without an item.")
    item = services.item_lock(item=row.item)
    current: dict[str, object] = {"status": item.status, "owner": item.owner, "lead": item.lead}
    current["due_date"] = item.due_date
    if any(current[name] != before for name, (before, _after) in row.changes.items()):
        raise PlanChanged(plan)
    if "status" in row.changes:
        services.item_set_status(
            item=item, by=user, to_status=row.changes["status"][1], reason=reason, now=now
        )
    people = {k: after for k, (_before, after) in row.changes.items() if k in ("owner", "lead")}
    if "due_date" in row.changes:
        # With the owner or lead changing too, the deadlines are synced once, after both.
        services.item_set_due_date(
            item=item,
            by=user,
            new_date=row.changes["due_date"][1],
            reason=reason,
            now=now,
            sync_deadlines=not people,
        )
    if people:
        services.item_set_owner_and_lead(
            item=item,
            by=user,
            owner=people.get("owner", item.owner),
            lead=people.get("lead", item.lead),
            now=now,
            note=reason,
        )
