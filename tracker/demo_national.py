"""The demo's national recommendation across forces (issue 18).

The seed's national report (the 2014 "Core business" letters) records only West Midlands'
findings, so the demo adds a sample national report, labelled as such, with one
recommendation to every chief constable, tracked by twelve forces with varied progress:
some closed (West Midlands' through its coordinator and PCC office, the others as each
force's own tracker recorded them), some in progress, some not started; the inspectorate's
status for some, one of them (West Midlands') disagreeing with the force's: closed by the
force, still "being progressed" in the register.

Every change goes through the services (items_create, item_change_status, closure_propose
and closure_decide, item_set_status under the item's lock as a bulk import records a
force's tracker, inspectorate_status_add), so the history and audit rows are the real ones.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from tracker import item_batches, services
from tracker.models import (
    AddresseeKind,
    Finding,
    FindingKind,
    GradingScale,
    Report,
    ReportType,
    Status,
    TrackedItem,
)
from tracker.report_import.item_history import inspectorate_status_add

NATIONAL_REPORT = "demo-sample-national-report"
NATIONAL_FINDING = f"{NATIONAL_REPORT}:rec-1"
SOURCE = "HMICFRS recommendation register, sample entry for the demo"
FORCE_TRACKER = "Recorded from the force's own tracker (sample data for the demo)."

# Each force (by code): its status, days from creation to closure (closed ones), and the
# inspectorate's status with how many days ago it was given (or None).
PLAN: list[tuple[str, str, int | None, tuple[str, int] | None]] = [
    ("west-midlands-police", Status.CLOSED, None, ("being_progressed", 20)),  # the mismatch
    ("staffordshire-police", Status.IN_PROGRESS, None, ("awaiting_review", 60)),
    ("west-mercia-police", Status.CLOSED, 150, ("complete", 40)),
    ("warwickshire-police", Status.CLOSED, 210, None),
    ("west-yorkshire-police", Status.IN_PROGRESS, None, ("being_progressed", 50)),
    ("greater-manchester-police", Status.CLOSED, 120, ("complete", 30)),
    ("merseyside-police", Status.NOT_STARTED, None, None),
    ("thames-valley-police", Status.IN_PROGRESS, None, None),
    ("kent-police", Status.CLOSED, 260, ("no_further_action", 15)),
    ("avon-and-somerset-constabulary", Status.IN_PROGRESS, None, ("being_progressed", 70)),
    ("northumbria-police", Status.NOT_STARTED, None, None),
    ("south-yorkshire-police", Status.NOT_STARTED, None, ("awaiting_review", 90)),
]


def _at(today: datetime.date, days: int, hour: int = 10) -> datetime.datetime:
    day = today + datetime.timedelta(days=days)
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone()
    )


def _report(today: datetime.date, forces: list[Organisation]) -> Finding:
    report = Report.objects.create(
        key=NATIONAL_REPORT,
        inspectorate=Organisation.objects.get(code="hmicfrs"),
        inspectorate_label="HMICFRS",
        title="Sample national report for the demo: a recommendation to every chief constable",
        report_type=ReportType.THEMATIC,
        published_on=today - datetime.timedelta(days=320),
        grading_scale=GradingScale.NONE,
        national=True,
        notes="Sample data made up for the demo, to show a national recommendation tracked "
        "by many forces.",
    )
    report.forces.set(forces)
    return Finding.objects.create(
        key=NATIONAL_FINDING,
        report=report,
        kind=FindingKind.RECOMMENDATION,
        reference="Recommendation 1",
        area="Sample",
        text="Sample recommendation: within twelve months, chief constables should make sure "
        "that every call from a vulnerable person that is not attended is reviewed by a "
        "supervisor within 24 hours.",
        target_text="within twelve months",
        addressee="Chief constables",
        addressee_kind=AddresseeKind.FORCES,
        order=1,
    )


@transaction.atomic
def create(*, today: datetime.date) -> None:
    """Add the sample national report, its recommendation and the forces' items (after the
    rest of the demo exists)."""
    if Report.objects.filter(key=NATIONAL_REPORT).exists():
        return
    codes = [code for code, *_rest in PLAN]
    by_code = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    forces = [by_code[c] for c in codes if c in by_code]
    finding = _report(today, forces)
    grace = User.objects.get(email="grace.okafor@wmp.example")
    tom = User.objects.get(email="tom.ellis@wmp.example")
    daniel = User.objects.get(email="daniel.hughes@pcc.example")
    megan = User.objects.get(email="megan.price@staffs.example")
    sam = User.objects.get(email="sam.patel@hmicfrs.example")
    created = _at(today, -300)
    due = today + datetime.timedelta(days=45)
    owners = {"west-midlands-police": tom, "staffordshire-police": megan}
    items = item_batches.items_create(
        new=[
            item_batches.NewItem(
                finding=finding,
                force=force,
                owner=owners.get(force.code),
                lead=grace if force.code == "west-midlands-police" else None,
                due_date=due,
            )
            for force in forces
        ],
        created_by=None,
        now=created,
    )
    by_force = {item.force.code: item for item in items}
    for code, status, days_to_close, inspectorate in PLAN:
        item = by_force.get(code)
        if item is None:
            continue
        if code == "west-midlands-police":
            services.item_change_status(
                item=item,
                by=tom,
                to_status=Status.IN_PROGRESS,
                reason="Supervisor review of unattended calls piloted in the control room.",
                now=_at(today, -250),
            )
            services.closure_propose(
                item=item,
                by=tom,
                summary="Every unattended call from a vulnerable person is now reviewed by a "
                "supervisor within 24 hours (sample data for the demo).",
                now=_at(today, -40),
            )
            services.closure_decide(
                item=item,
                by=daniel,
                approve=True,
                reason="Checked against the control room's audit (sample data).",
                now=_at(today, -35),
                today=today - datetime.timedelta(days=35),
            )
        elif code == "staffordshire-police":
            services.item_change_status(
                item=item,
                by=megan,
                to_status=Status.IN_PROGRESS,
                reason="Review process drafted with the control room (sample data).",
                now=_at(today, -200),
            )
        elif status != Status.NOT_STARTED:
            _record(item, status, days_to_close, today)
        if inspectorate is not None:
            value, days_ago = inspectorate
            inspectorate_status_add(
                item=TrackedItem.objects.get(pk=item.pk),
                status=value,
                stated_on=today - datetime.timedelta(days=days_ago),
                source=SOURCE,
                by=sam if code != "west-midlands-police" else grace,
                now=_at(today, -days_ago),
            )


def _record(item: TrackedItem, status: str, days_to_close: int | None, today) -> None:
    """A force without demo people: its progress as its own tracker recorded it, each change
    under the item's lock with its history and audit rows (as a bulk import records it)."""
    locked = services.item_lock(item=item)
    services.item_set_status(
        item=locked,
        by=None,
        to_status=Status.IN_PROGRESS,
        reason=FORCE_TRACKER,
        now=_at(today, -280),
    )
    if status == Status.CLOSED and days_to_close is not None:
        closed = _at(today, -300 + days_to_close)
        locked = services.item_lock(item=item)
        services.item_set_status(
            item=locked,
            by=None,
            to_status=Status.CLOSED,
            reason=FORCE_TRACKER,
            now=closed,
            closed_at=closed,
        )
