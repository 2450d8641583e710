"""Lineage across inspections (issue 18): the services (suggesting, confirming, dismissing,
adding links; every refusal; superseding) on the demo's West Midlands findings."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Organisation, User
from tracker import lineage
from tracker.models import (
    AuditEvent,
    Deadline,
    DeadlineState,
    Finding,
    FindingLink,
    LinkRelation,
    LinkState,
    Reminder,
    ReminderState,
    Status,
    StatusChange,
    TrackedItem,
)
from tracker.reminders.plan import target_open

pytestmark = pytest.mark.django_db

COC = "peel-effectiveness-2017-west-midlands:coc-1"
REC = "peel-effectiveness-2017-west-midlands:rec-1"
AFI = "peel-effectiveness-2015-west-midlands:afi-{}".format
LETTER = "core-business-2014:f-5"
TODAY = timezone.localdate()


def _person(email: str) -> User:
    return User.objects.get(email=email)


@pytest.fixture
def grace(demo_world):
    return _person("grace.okafor@wmp.example")


@pytest.fixture
def wmp(demo_world):
    return Organisation.objects.get(code="west-midlands-police")


@pytest.fixture
def suggestion(wmp):
    """A suggested link (the 2015 area for improvement on crime prevention back to the 2014
    letter's), made here so the tests do not hang on the measure's thresholds."""
    link, _ = FindingLink.objects.update_or_create(
        later=Finding.objects.get(key=AFI(1)),
        earlier=Finding.objects.get(key="core-business-2014:f-4"),
        force=wmp,
        defaults={
            "state": LinkState.SUGGESTED,
            "score": 0.42,
            "reason": "Same inspection area; shared words: prevent, crime (similarity 0.42)",
            "suggested_at": timezone.now(),
        },
    )
    return link


def _item(key: str, force: Organisation) -> TrackedItem:
    return TrackedItem.objects.get(finding__key=key, force=force)


def _state(link: FindingLink) -> tuple:
    link = FindingLink.objects.get(pk=link.pk)
    return (link.state, link.relation, link.decided_by_id, link.note)


def _counts() -> tuple[int, int, int]:
    return (FindingLink.objects.count(), AuditEvent.objects.count(), StatusChange.objects.count())


def test_the_demo_chain_runs_from_2017_back_to_2014(wmp):
    links = {
        (link.later.key, link.earlier.key): link
        for link in FindingLink.objects.confirmed()
        .filter(force=wmp)
        .select_related("later", "earlier")
    }
    assert links[(COC, AFI(2))].relation == LinkRelation.CONTINUES
    assert links[(AFI(2), LETTER)].relation == LinkRelation.REPEATS
    assert all(x.decided_by.email == "grace.okafor@wmp.example" for x in links.values())
    assert all(x.decided_at.date() < TODAY for x in links.values())
    # Suggestions were worked out for the rest, each with its reason, never across forces.
    suggested = FindingLink.objects.suggested()
    assert all(s.reason and 0 < s.score <= 1 for s in suggested)
    for s in suggested.select_related("later", "earlier"):
        for finding in (s.later, s.earlier):
            assert finding.force_id in (None, s.force_id)


def test_suggestions_never_overwrite_a_decision(wmp, suggestion):
    confirmed = FindingLink.objects.get(later__key=COC, earlier__key=AFI(2), force=wmp)
    dismissed = suggestion
    lineage.link_dismiss(link=dismissed, by=_person("grace.okafor@wmp.example"), today=TODAY)
    before = (_state(confirmed), _state(dismissed))
    lineage.suggest_for_findings(list(Finding.objects.filter(report__forces=wmp)))
    assert (_state(confirmed), _state(dismissed)) == before
    assert not FindingLink.objects.filter(
        later=dismissed.later, earlier=dismissed.earlier, force=wmp, state=LinkState.SUGGESTED
    ).exists()


def test_suggest_for_report_stores_ranked_suggestions_with_reasons(wmp):
    # The 2015 report's findings, whose earlier findings are the 2014 letter's and the 2006
    # baseline's.
    report = Finding.objects.get(key=AFI(1)).report
    FindingLink.objects.filter(later__report=report, state=LinkState.SUGGESTED).delete()
    stored = lineage.suggest_for_report(report)
    assert stored > 0
    rows = FindingLink.objects.suggested().filter(later__report=report)
    assert rows.count() == stored
    assert all(r.earlier.report.published_on < report.published_on for r in rows)
    assert all(r.suggested_at is not None for r in rows)


def _refused(message: str, act) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        act()
    assert message in " ".join(caught.value.messages)
    assert _counts() == before


def test_a_link_to_itself_is_refused(grace, wmp):
    _refused(
        "cannot be linked to itself",
        lambda: lineage.link_add(
            later_item=_item(COC, wmp),
            earlier_finding_key=COC,
            relation=LinkRelation.REPEATS,
            by=grace,
            today=TODAY,
        ),
    )


def test_a_link_to_another_forces_finding_is_refused(grace, wmp):
    other = Finding.objects.exclude(force=wmp).exclude(force__isnull=True).first()
    assert other is not None
    assert other.force_id != wmp.pk
    _refused(
        "Lineage stays within a force",
        lambda: lineage.link_add(
            later_item=_item(COC, wmp),
            earlier_finding_key=other.key,
            relation=LinkRelation.REPEATS,
            by=grace,
            today=TODAY,
        ),
    )


def test_another_forces_key_and_a_key_no_finding_has_get_the_same_answer(grace, wmp):
    """The refusal never tells whether another force has a finding with that key."""
    other = Finding.objects.exclude(force=wmp).exclude(force__isnull=True).first()
    answers = []
    for key in (other.key, "no-such-report:f-1"):
        with pytest.raises(ValidationError) as caught:
            lineage.link_add(
                later_item=_item(COC, wmp),
                earlier_finding_key=key,
                relation=LinkRelation.REPEATS,
                by=grace,
                today=TODAY,
            )
        answers.append(" ".join(caught.value.messages).replace(key, "KEY"))
    assert answers[0] == answers[1]


def test_a_circle_of_supersedes_is_refused(grace, wmp):
    # The 2014 finding already comes before the 2017 one, two links back: linking it as
    # superseding the 2017 finding would make a circle.
    letter_item = _item(LETTER, wmp)
    _refused(
        "would make a circle",
        lambda: lineage.link_add(
            later_item=letter_item,
            earlier_finding_key=COC,
            relation=LinkRelation.SUPERSEDES,
            by=grace,
            today=TODAY,
        ),
    )


def test_a_later_finding_that_is_not_later_is_refused(grace, wmp):
    # The 2015 area for improvement is not later than the 2017 recommendation.
    _refused(
        "is not later",
        lambda: lineage.link_add(
            later_item=_item(AFI(1), wmp),
            earlier_finding_key=REC,
            relation=LinkRelation.REPEATS,
            by=grace,
            today=TODAY,
        ),
    )
    # Nor is a finding of the same report.
    _refused(
        "is not later",
        lambda: lineage.link_add(
            later_item=_item(REC, wmp),
            earlier_finding_key=COC,
            relation=LinkRelation.REPEATS,
            by=grace,
            today=TODAY,
        ),
    )


def test_only_the_forces_coordinator_or_pcc_office_decides(wmp, suggestion):
    link = suggestion
    for email in (
        "priya.shah@wmp.example",
        "megan.price@staffs.example",
        "sam.patel@hmicfrs.example",
    ):
        _refused(
            "You cannot decide",
            lambda email=email: lineage.link_confirm(
                link=link, by=_person(email), relation=LinkRelation.REPEATS, today=TODAY
            ),
        )
    lineage.link_dismiss(link=link, by=_person("daniel.hughes@pcc.example"), today=TODAY)
    assert FindingLink.objects.get(pk=link.pk).state == LinkState.DISMISSED


def test_confirming_is_audited_and_dismissing_twice_is_refused(grace, wmp, suggestion):
    link = suggestion
    lineage.link_confirm(link=link, by=grace, relation=LinkRelation.REPEATS, note="Same issue")
    link.refresh_from_db()
    assert (link.state, link.relation, link.decided_by, link.note) == (
        LinkState.CONFIRMED,
        LinkRelation.REPEATS,
        grace,
        "Same issue",
    )
    assert link.reason  # the suggestion's reason is kept
    event = AuditEvent.objects.filter(
        object_type="tracker.FindingLink", object_id=str(link.pk)
    ).get()
    assert event.actor == grace
    assert event.changes["state"] == ["suggested", "confirmed"]
    _refused(
        "already been confirmed",
        lambda: lineage.link_confirm(link=link, by=grace, relation=LinkRelation.REPEATS),
    )
    _refused("Only a suggested link", lambda: lineage.link_dismiss(link=link, by=grace))


def test_an_unknown_relation_is_refused(grace, wmp, suggestion):
    link = suggestion
    _refused("Choose how", lambda: lineage.link_confirm(link=link, by=grace, relation="replaces"))


def test_superseding_closes_the_older_item_and_keeps_its_history(grace, wmp):
    older = _item(AFI(4), wmp)  # not started, due in three months
    history = list(older.status_changes.values_list("pk", flat=True))
    assert Deadline.objects.filter(item=older, state=DeadlineState.OPEN).exists()
    now = timezone.now()
    link = lineage.link_add(
        later_item=_item(COC, wmp),
        earlier_finding_key=AFI(4),
        relation=LinkRelation.SUPERSEDES,
        by=grace,
        now=now,
    )
    older.refresh_from_db()
    assert older.status == Status.SUPERSEDED
    assert older.superseded_by.key == COC
    assert older.closed_at == now
    # Its history is all there, with the new change last, naming the superseding finding.
    changes = list(older.status_changes.order_by("changed_at", "id"))
    assert [c.pk for c in changes[:-1]] == history
    last = changes[-1]
    assert (last.from_status, last.to_status, last.changed_by) == (
        Status.NOT_STARTED,
        Status.SUPERSEDED,
        grace,
    )
    assert "Cause of concern" in last.reason
    assert "2018" in last.reason  # the 2017 inspection's report, published March 2018
    # Audited: the link and the item's status.
    assert AuditEvent.objects.filter(
        object_type="tracker.FindingLink", object_id=str(link.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="tracker.TrackedItem",
        object_id=str(older.uuid),
        changes__status=["not_started", "superseded"],
    ).exists()
    # Its deadlines are handled as a closed item's: none left open, met on the day it was
    # superseded, no reminder waiting to be sent.
    deadlines = list(Deadline.objects.filter(item=older))
    assert deadlines
    assert not any(d.state == DeadlineState.OPEN for d in deadlines)
    assert all(
        d.met_on == timezone.localdate(now) for d in deadlines if d.state == DeadlineState.MET
    )
    assert not any(target_open(d) for d in deadlines)
    assert not Reminder.objects.filter(deadline__item=older, state=ReminderState.PENDING).exists()
    assert not older.is_open


def test_superseding_waits_for_a_closure_decision(grace, wmp):
    waiting = TrackedItem.objects.get(
        force=wmp, status=Status.PROPOSED_FOR_CLOSURE, finding__key=AFI(3)
    )
    _refused(
        "waiting for a closure decision",
        lambda: lineage.link_add(
            later_item=_item(COC, wmp),
            earlier_finding_key=AFI(3),
            relation=LinkRelation.SUPERSEDES,
            by=grace,
        ),
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.PROPOSED_FOR_CLOSURE
