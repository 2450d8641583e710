"""The demo's part of issue 18: lineage across inspections.

West Midlands' 2017 cause of concern (failing to attend incidents promptly, putting
vulnerable victims at risk: `peel-effectiveness-2017-west-midlands:coc-1`) continues its
2015 PEEL area for improvement on what is done at scenes (`...-2015-west-midlands:afi-2`),
which repeats the 2014 "Core business" letter's finding on attendance
(`core-business-2014:f-5`). Grace Okafor, the force's coordinator, confirmed both links at
the time. So the item page of the 2017 cause of concern shows its chain two steps back:
"Raised before: February 2016 area for improvement ... 4 September 2014 finding, closed ...".

The items the chain needs are made through the services (an item on the cause of concern,
in progress; one on the 2014 finding, closed in 2015); any that exist already are used.
Suggestions are then worked out for every finding of the seed reports, as an import would.
"""

import datetime
from typing import Any

from django.utils import timezone

from accounts.models import Organisation, User
from tracker import lineage, services
from tracker.models import (
    Finding,
    FindingLink,
    LinkRelation,
    LinkState,
    Status,
    TrackedItem,
)

CAUSE_OF_CONCERN = "peel-effectiveness-2017-west-midlands:coc-1"
AREA_FOR_IMPROVEMENT = "peel-effectiveness-2015-west-midlands:afi-2"
LETTER_FINDING = "core-business-2014:f-5"
# (later, earlier, relation, when Grace confirmed it)
CHAIN = [
    (AREA_FOR_IMPROVEMENT, LETTER_FINDING, LinkRelation.REPEATS, datetime.date(2016, 3, 14)),
    (CAUSE_OF_CONCERN, AREA_FOR_IMPROVEMENT, LinkRelation.CONTINUES, datetime.date(2018, 4, 9)),
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone()
    )


def _item(key: str, force: Organisation, **kwargs: Any) -> tuple[TrackedItem, bool]:
    """The force's item on the finding, made through the service if there is none."""
    found = TrackedItem.objects.filter(finding__key=key, force=force).first()
    if found is not None:
        return found, False
    return services.item_create(finding=Finding.objects.get(key=key), force=force, **kwargs), True


def create(*, today: datetime.date) -> None:
    """Add this part's demo rows (after the rest of the demo exists)."""
    wmp = Organisation.objects.get(code="west-midlands-police")
    grace = User.objects.get(email="grace.okafor@wmp.example")
    tom = User.objects.get(email="tom.ellis@wmp.example")

    # The 2014 letter's finding on attendance: tracked, and closed in 2015.
    letter, made = _item(
        LETTER_FINDING,
        wmp,
        created_by=grace,
        owner=tom,
        lead=grace,
        due_date=datetime.date(2015, 6, 30),
        now=_at(datetime.date(2014, 9, 12)),
    )
    if made:
        services.item_change_status(
            item=letter,
            by=tom,
            to_status=Status.IN_PROGRESS,
            reason="Attendance policy review started with Force Contact.",
            now=_at(datetime.date(2014, 10, 6)),
        )
        services.closure_propose(
            item=letter,
            by=tom,
            summary="Attendance policy rewritten around threat, risk and harm; "
            "call handlers briefed.",
            no_evidence_reason="The published policy is on the intranet.",
            now=_at(datetime.date(2015, 5, 4)),
        )
        services.closure_decide(
            item=letter,
            by=grace,
            approve=True,
            reason="Policy checked.",
            now=_at(datetime.date(2015, 5, 12)),
            today=datetime.date(2015, 5, 12),
        )

    # The 2017 cause of concern: tracked since the report, in progress.
    concern, made = _item(
        CAUSE_OF_CONCERN,
        wmp,
        created_by=grace,
        owner=tom,
        lead=grace,
        due_date=today + datetime.timedelta(days=75),
        now=_at(datetime.date(2018, 3, 23)),
    )
    if made:
        services.item_change_status(
            item=concern,
            by=tom,
            to_status=Status.IN_PROGRESS,
            reason="Attendance times reviewed weekly at the Force Contact performance meeting.",
            now=_at(datetime.date(2018, 4, 3)),
        )
        services.item_add_update(
            item=concern,
            author=tom,
            text="Scheduled appointments offered within three days; open incidents "
            "with vulnerability reviewed by the resolution team each shift.",
            now=_at(today - datetime.timedelta(days=20)),
        )

    # Suggestions first (as an import makes them), then Grace's confirmations, which keep a
    # suggestion's score and reason, or are added by hand when nothing was suggested.
    lineage.suggest_for_findings(
        list(Finding.objects.all()),
        now=_at(today - datetime.timedelta(days=1)),
    )
    for later_key, earlier_key, relation, on in CHAIN:
        link = FindingLink.objects.filter(
            later__key=later_key, earlier__key=earlier_key, force=wmp
        ).first()
        if link is not None and link.state == LinkState.CONFIRMED:
            continue
        if link is not None:
            lineage.link_confirm(link=link, by=grace, relation=relation, now=_at(on), today=on)
        else:
            later_item, _ = _item(later_key, wmp, created_by=grace, now=_at(on))
            lineage.link_add(
                later_item=later_item,
                earlier_finding_key=earlier_key,
                relation=relation,
                by=grace,
                now=_at(on),
                today=on,
            )
