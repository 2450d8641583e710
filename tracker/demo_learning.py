"""The demo's part of issue 18: learning shared between forces.

West Midlands closed its 2014 "Core business" finding on crime prevention training
(`core-business-2014:f-4`, tracker/demo.py), and its coordinator, Grace Okafor, shares the
closing summary with every force. Staffordshire has an item on a similar finding, from a
sample report made up for the demo (clearly labelled), so its coordinator, Megan Price, sees
the West Midlands summary beside it. West Midlands also closed an item on a similar finding
(its crime prevention strategy, `core-business-2014:f-1`) and never shared it: Megan sees
nothing of it. Matches are worked out here, at once (the pages read stored matches).
"""

import datetime

from django.utils import timezone

from accounts.models import Organisation, User
from tracker import learning, services
from tracker.models import Finding, FindingKind, GradingScale, Report, ReportType, TrackedItem

SAMPLE_REPORT = "demo-staffordshire-crime-prevention-sample"
SHARED_FINDING = "core-business-2014:f-4"
UNSHARED_FINDING = "core-business-2014:f-1"


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone()
    )


def _close(item: TrackedItem, *, owner: User, approver: User, summary: str, on: datetime.date):
    services.closure_propose(item=item, by=owner, summary=summary, now=_at(on))
    services.closure_decide(
        item=item,
        by=approver,
        approve=True,
        reason="Checked and agreed.",
        now=_at(on + datetime.timedelta(days=7)),
        today=on + datetime.timedelta(days=7),
    )


def create(*, today: datetime.date) -> None:
    """Add this part's demo rows (after the rest of the demo exists); once."""
    if Report.objects.filter(key=SAMPLE_REPORT).exists():
        return
    wmp = Organisation.objects.get(code="west-midlands-police")
    staffs = Organisation.objects.get(code="staffordshire-police")
    grace = User.objects.get(email="grace.okafor@wmp.example")
    tom = User.objects.get(email="tom.ellis@wmp.example")
    megan = User.objects.get(email="megan.price@staffs.example")

    # 1. West Midlands shares its closed crime prevention training item.
    training = TrackedItem.objects.get(finding__key=SHARED_FINDING, force=wmp)
    initial = learning.share_initial(training)
    learning.learning_share(
        item=training,
        by=grace,
        what_was_done=initial["what_was_done"]
        + " A two-hour module on spotting crime prevention opportunities (target hardening, "
        "repeat victims, referral to neighbourhood teams) is now part of induction for contact "
        "centre and investigation staff, with a yearly refresher.",
        evidence_of_effect="Training records show 94% of contact centre staff completed the "
        "module by March 2015. Crime prevention referrals from the contact centre rose from "
        "about 20 to over 150 a month, and a 2016 audit of 100 burglary calls found advice "
        "given in 88 of them.",
        contact_role="Head of Force Contact training",
        now=_at(today - datetime.timedelta(days=30)),
        today=today - datetime.timedelta(days=30),
    )

    # 2. A similar West Midlands finding, closed and never shared: it stays hidden.
    strategy = services.item_create(
        finding=Finding.objects.get(key=UNSHARED_FINDING),
        force=wmp,
        created_by=grace,
        owner=tom,
        lead=grace,
        due_date=datetime.date(2015, 6, 30),
        now=_at(datetime.date(2014, 9, 10)),
    )
    _close(
        strategy,
        owner=tom,
        approver=grace,
        summary="A force crime prevention strategy was written and agreed; not shared "
        "outside the force.",
        on=datetime.date(2015, 5, 1),
    )

    # 3. Staffordshire's item on a similar finding, from a sample report.
    # Published a month ago: its PCC comments (s55) are not yet due.
    published = today - datetime.timedelta(days=30)
    report = Report.objects.create(
        key=SAMPLE_REPORT,
        inspectorate=Organisation.objects.get(code="hmicfrs"),
        inspectorate_label="HMICFRS",
        title="Sample report for the demo: Staffordshire Police, crime prevention",
        report_type=ReportType.OTHER,
        published_on=published,
        grading_scale=GradingScale.NONE,
        notes="Sample data made up for the demo, to show learning shared between forces.",
    )
    report.forces.set([staffs])
    finding = Finding.objects.create(
        key=f"{SAMPLE_REPORT}:afi-1",
        report=report,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI 1",
        area="Preventing crime",
        text="Sample area for improvement: the force should provide crime prevention "
        "training to staff who deal frequently with victims of crime and anti-social "
        "behaviour, so that they use opportunities to prevent crime.",
        force=staffs,
        order=1,
    )
    services.item_create(
        finding=finding,
        force=staffs,
        created_by=megan,
        owner=megan,
        lead=megan,
        due_date=today + datetime.timedelta(days=120),
        now=_at(published + datetime.timedelta(days=7)),
    )
    learning.learning_match_all()
