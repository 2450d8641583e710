"""The demo: people at each role and West Midlands items at every stage.

Dates are set relative to the day the demo is seeded, so that "overdue", "due soon" and
"proposed for closure" mean something whenever someone tries it. The 2018 recommendation keeps
its real history: the responses published in May 2018 (from fixtures/reports.json).
"""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import two_factor
from accounts.models import (
    Organisation,
    ProtectiveMarking,
    Role,
    RoleAssignment,
    TwoFactorDevice,
    User,
)
from tracker import (
    demo_learning,
    demo_lineage,
    demo_national,
    demo_public_progress,
    marking_services,
    services,
)
from tracker.demo_integrations import create_demo_integrations
from tracker.demo_transfers import create_demo_transfer
from tracker.demo_wales import create_welsh_demo
from tracker.models import (
    Finding,
    FindingKind,
    GradingScale,
    Report,
    ReportType,
    Status,
    TrackedItem,
)
from tracker.reminders.plan import reminders_start_afresh
from tracker.reminders.sync import deadlines_sync_all
from tracker.report_import.item_history import inspectorate_status_add
from tracker.transfer.load import import_tracker

FIXTURES = Path(settings.FIXTURES_DIR)

# email, full name, job title, organisation code, roles
PEOPLE = [
    (
        "priya.shah@wmp.example",
        "Priya Shah",
        "Inspector, Force Contact",
        "west-midlands-police",
        [Role.FORCE_STAFF],
    ),
    (
        "tom.ellis@wmp.example",
        "Tom Ellis",
        "Detective Sergeant, Organised Crime",
        "west-midlands-police",
        [Role.FORCE_STAFF],
    ),
    (
        "grace.okafor@wmp.example",
        "Grace Okafor",
        "HMICFRS liaison and governance lead",
        "west-midlands-police",
        [Role.FORCE_COORDINATOR],
    ),
    (
        "daniel.hughes@pcc.example",
        "Daniel Hughes",
        "Policy officer, Office of the PCC",
        "west-midlands-pcc",
        [Role.PCC_OFFICE],
    ),
    (
        "megan.price@staffs.example",
        "Megan Price",
        "Performance and inspection manager",
        "staffordshire-police",
        [Role.FORCE_STAFF, Role.FORCE_COORDINATOR],
    ),
    (
        "sam.patel@hmicfrs.example",
        "Sam Patel",
        "National analyst",
        "hmicfrs",
        [Role.NATIONAL_READER],
    ),
    (
        "alex.morgan@admin.example",
        "Alex Morgan",
        "Tracker administrator",
        None,
        [Role.ADMINISTRATOR],
    ),
]
DEMO_MARKER = "priya.shah@wmp.example"


def load_reference_data() -> str:
    """Organisations, local policing bodies and the seed reports. Safe to run again: rows that
    exist are left as they are, so an edit made in the app is never undone by a reload."""
    messages = []
    for name in ("organisations.json", "reports.json"):
        with open(FIXTURES / name, encoding="utf-8") as handle:
            messages.append(
                f"{name}: {import_tracker(json.load(handle), only_missing=True).summary()}"
            )
    return "\n".join(messages)


def seed_report_keys() -> list[str]:
    """The keys of the seed reports (fixtures/reports.json)."""
    with open(FIXTURES / "reports.json", encoding="utf-8") as handle:
        return [r["key"] for r in json.load(handle)["reports"]]


def _at(today: datetime.date, days: int, hour: int = 10) -> datetime.datetime:
    day = today + datetime.timedelta(days=days)
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone()
    )


def _historic(y: int, m: int, d: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, hour, tzinfo=timezone.get_current_timezone())


# The markings accounts migration 0006 installs (accounts/migrations/0006_protective_marking.py
# MARKINGS); made again here if a test emptied the table.
DEMO_MARKINGS = [
    ("OFFICIAL", 10, "Routine business; most of what a force or PCC office files and sends."),
    (
        "OFFICIAL-SENSITIVE",
        20,
        "OFFICIAL information that would do harm if lost or disclosed: need to know only.",
    ),
]


def _marking(label: str, rank: int, description: str) -> ProtectiveMarking:
    return ProtectiveMarking.objects.get_or_create(
        label=label, defaults={"rank": rank, "description": description}
    )[0]


@transaction.atomic
def create_demo(*, password: str, today: datetime.date) -> bool:
    """Create the demo people and items once. Returns False when they already exist."""
    if User.objects.filter(email=DEMO_MARKER).exists():
        return False
    people = {}
    for email, name, title, org_code, roles in PEOPLE:
        org = Organisation.objects.get(code=org_code) if org_code else None
        user = User.objects.create_user(
            email,
            password,
            full_name=name,
            job_title=title,
            # The team after the rank: "Inspector, Force Contact" works in Force Contact.
            department=title.split(", ", 1)[1] if ", " in title else "",
            organisation=org,
        )
        if Role.ADMINISTRATOR in roles:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        for role in roles:
            RoleAssignment.objects.create(user=user, role=role)
        if {Role.ADMINISTRATOR, Role.PCC_OFFICE} & set(roles):
            # Their roles need two-factor authentication (TWO_FACTOR_REQUIRED_ROLES). The
            # demo's keys are public, so the code page shows the code; a real one never does.
            TwoFactorDevice.objects.create(
                user=user, secret=two_factor.demo_secret(email), confirmed_at=timezone.now()
            )
        people[email.split("@")[0].split(".")[0]] = user
    priya, tom, grace, daniel = (people[k] for k in ("priya", "tom", "grace", "daniel"))
    wmp = Organisation.objects.get(code="west-midlands-police")
    # Protective marking (issue 21): what West Midlands Police files and sends is OFFICIAL
    # unless marked higher (one item below is OFFICIAL-SENSITIVE).
    official, sensitive = (_marking(*marking) for marking in DEMO_MARKINGS)
    wmp.default_marking = official
    wmp.save(update_fields=["default_marking"])

    def finding(key):
        return Finding.objects.get(key=key)

    def item(key, *, owner, created, due):
        return services.item_create(
            finding=finding(key),
            force=wmp,
            created_by=grace,
            owner=owner,
            lead=grace,
            due_date=due,
            now=created,
        )

    # The 2018 cause of concern's recommendation: its real response history, closed in 2018.
    rec = TrackedItem.objects.get(
        finding__key="peel-effectiveness-2017-west-midlands:rec-1", force=wmp
    )
    services.item_assign(item=rec, by=grace, owner=priya, lead=grace, now=_historic(2018, 3, 23))
    services.item_revise_due_date(
        item=rec,
        by=grace,
        new_date=datetime.date(2018, 6, 30),
        reason="The report says “immediately”: the force set 30 June "
        "2018 for the backlog review and doctrine roll-out.",
        now=_historic(2018, 3, 26),
    )
    services.item_change_status(
        item=rec,
        by=priya,
        to_status=Status.IN_PROGRESS,
        reason="Backlog review started in the three control rooms.",
        now=_historic(2018, 3, 27),
    )
    services.item_add_update(
        item=rec,
        author=priya,
        now=_historic(2018, 4, 20),
        text="Open incident logs now split across four or five terminals instead of two. "
        "Resolution team pilot running since March.",
    )
    services.closure_propose(
        item=rec,
        by=priya,
        now=_historic(2018, 6, 25),
        summary="Backlog reduced and vulnerability incidents prioritised; "
        "doctrine embedded (see force response of May 2018).",
    )
    services.closure_decide(
        item=rec,
        by=daniel,
        approve=True,
        now=_historic(2018, 7, 10),
        today=datetime.date(2018, 7, 10),
        reason="Agreed at the Strategic Policing and Crime Board. The PCC "
        "will keep monitoring outstanding logs over the summer.",
    )

    afi = "peel-effectiveness-2015-west-midlands:afi-{}".format
    # In progress, due in six weeks.
    a1 = item(afi(1), owner=priya, created=_at(today, -120), due=today + datetime.timedelta(45))
    services.item_change_status(
        item=a1,
        by=priya,
        to_status=Status.IN_PROGRESS,
        reason="Evidence-based practice group set up.",
        now=_at(today, -100),
    )
    services.item_add_update(
        item=a1,
        author=priya,
        now=_at(today, -30),
        text="Reviewed College of Policing 'what works' toolkit with the "
        "neighbourhood leads; two tactics chosen for evaluation.",
    )
    services.item_add_update(
        item=a1,
        author=priya,
        now=_at(today, -6, 15),
        text="Evaluation plan agreed with the university partner. First "
        "results due before the next board.",
    )
    # Overdue: due twelve days ago, last update more than a month ago.
    a2 = item(afi(2), owner=priya, created=_at(today, -150), due=today - datetime.timedelta(12))
    services.item_change_status(
        item=a2,
        by=priya,
        to_status=Status.IN_PROGRESS,
        reason="Scene evidence audit started.",
        now=_at(today, -140),
    )
    services.item_add_update(
        item=a2,
        author=priya,
        now=_at(today, -40),
        text="Audit of 200 scenes found photographs missing in 1 in 8. "
        "Refresher briefing drafted for response teams.",
    )
    # Names the scenes audited: the coordinator marks it above the force's default.
    marking_services.item_marking_set(
        item=a2,
        marking=sensitive,
        by=grace,
        now=_at(today, -39),
    )
    # Proposed for closure, with evidence, waiting for the coordinator or PCC office.
    a3 = item(afi(3), owner=priya, created=_at(today, -200), due=today + datetime.timedelta(10))
    services.item_change_status(
        item=a3,
        by=priya,
        to_status=Status.IN_PROGRESS,
        reason="Profile work started with partners.",
        now=_at(today, -190),
    )
    services.evidence_attach(
        item=a3,
        by=priya,
        now=_at(today, -3),
        description="Minutes of the partnership board that signed off the profile",
        uploaded_file=SimpleUploadedFile(
            "soc-local-profile-sign-off.txt",
            b"Serious and organised crime local profile: signed off by the partnership "
            b"board. Partner data from councils, health and probation included.\n",
            content_type="text/plain",
        ),
    )
    services.closure_propose(
        item=a3,
        by=priya,
        now=_at(today, -2),
        summary="The local profile is complete with partner data, and the partnership board "
        "now owns serious and organised crime locally.",
        evidence_ids=list(a3.evidence.values_list("pk", flat=True)),
    )
    # Not started, due in three months.
    item(afi(4), owner=priya, created=_at(today, -20), due=today + datetime.timedelta(90))
    # A colleague's item whose due date was revised.
    a5 = item(afi(5), owner=tom, created=_at(today, -180), due=today - datetime.timedelta(10))
    services.item_change_status(
        item=a5,
        by=tom,
        to_status=Status.IN_PROGRESS,
        reason="Intelligence sources review started.",
        now=_at(today, -170),
    )
    services.item_revise_due_date(
        item=a5,
        by=grace,
        new_date=today + datetime.timedelta(60),
        reason="Waiting for the regional intelligence system upgrade.",
        now=_at(today, -14),
    )
    item(afi(6), owner=tom, created=_at(today, -20), due=today + datetime.timedelta(120))
    # A 2014 letter finding the force chose to track, closed.
    training = item(
        "core-business-2014:f-4",
        owner=tom,
        created=_historic(2014, 9, 10),
        due=datetime.date(2015, 3, 31),
    )
    services.item_change_status(
        item=training,
        by=tom,
        to_status=Status.IN_PROGRESS,
        reason="Crime prevention training designed.",
        now=_historic(2014, 10, 1),
    )
    services.closure_propose(
        item=training,
        by=tom,
        now=_historic(2015, 3, 2),
        summary="Crime prevention module delivered to all contact centre and investigation staff.",
    )
    services.closure_decide(
        item=training,
        by=grace,
        approve=True,
        now=_historic(2015, 3, 20),
        today=datetime.date(2015, 3, 20),
        reason="Training records checked.",
    )
    _recent_report(today=today, coordinator=grace, owner=tom)
    create_welsh_demo(password=password, today=today)  # Dyfed-Powys, in Welsh and English
    # Issue 18: lineage, a national recommendation across forces, shared learning, published
    # progress (each module's create() adds its part).
    demo_lineage.create(today=today)
    demo_national.create(today=today)
    demo_learning.create(today=today)
    demo_public_progress.create(today=today)
    now = timezone.now()
    deadlines_sync_all(now=now)
    reminders_start_afresh(now=now)
    create_demo_transfer()  # the planned 2028 hand-over of PCC functions (issue 22)
    create_demo_integrations(today=today)  # provider, SCIM and API tokens, webhook (issue 15)
    return True


RECENT_REPORT = "demo-report-published-50-days-ago"


def _recent_report(*, today: datetime.date, coordinator, owner) -> None:
    """A sample report published 50 days before the demo starts, so that the PCC office's
    56-day deadline is five days away and its 7-day reminder is due. Marked as sample data:
    the four real reports are the seed documents."""
    published = today - datetime.timedelta(days=50)
    wmp = Organisation.objects.get(code="west-midlands-police")
    report = Report.objects.create(
        key=RECENT_REPORT,
        inspectorate=Organisation.objects.get(code="hmicfrs"),
        inspectorate_label="HMICFRS",
        title="Sample report for the demo: West Midlands Police, published 50 days ago",
        report_type=ReportType.OTHER,
        published_on=published,
        grading_scale=GradingScale.NONE,
        notes="Sample data made up for the demo, to show a statutory deadline coming up.",
    )
    report.forces.set([wmp])
    finding = Finding.objects.create(
        key=f"{RECENT_REPORT}:rec-1",
        report=report,
        kind=FindingKind.RECOMMENDATION,
        reference="Recommendation 1",
        area="Sample",
        text="Sample recommendation: within six months, the force should review how it "
        "records and responds to repeat calls from vulnerable people.",
        target_text="within six months",
        order=1,
    )
    sample = services.item_create(
        finding=finding,
        force=wmp,
        created_by=coordinator,
        owner=owner,
        lead=coordinator,
        due_date=today + datetime.timedelta(days=40),
        now=_at(today, -45),
    )
    # The inspectorate's own status of it, as its recommendation register would give it
    # (issue 17): sample entries, marked as such.
    for days, status in ((-44, "awaiting_review"), (-10, "being_progressed")):
        inspectorate_status_add(
            item=sample,
            status=status,
            stated_on=today + datetime.timedelta(days=days),
            source="HMICFRS recommendation register, sample entry for the demo",
            by=coordinator,
            now=_at(today, days),
        )
