"""Extensions and steps as the law allows them (issue 22), through the service and the page.

para 28B(3) Sch 3 Police Reform Act 2002: "The Director General may extend the period of 56
days following an application received before the end of the period". reg 29(5) Coroners
(Investigations) Regulations 2013: "The coroner may extend the period" (no time for asking).
para 28B(5): the Director General publishes the response "within the period of 21 days
beginning with the day on which the Director General received it".
Every refusal leaves nothing behind: no change row, no audit row, the deadline as it was.
"""

import datetime
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item, make_report
from tracker import deadlines
from tracker.models import AuditEvent, Deadline, DeadlineChange, DeadlineRule, ReportType
from tracker.reminders.changes import (
    deadline_extend,
    deadline_pause,
    deadline_record_step,
    deadline_resume,
)
from tracker.rule_presets import UPDATES_0022, presets_update


def at(day: date, hour: int = 12) -> datetime.datetime:
    """Noon (by default) on `day`, London time: the `now` a service is given."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=deadlines.LONDON)


def deadline_for(world, report_type: str, key: str, made: date) -> Deadline:
    report = make_report(forces=[world.wmp], published_on=made)
    report.report_type = report_type
    report.save()
    item = make_item(make_finding(report), world.wmp, owner=world.owner, by=world.coordinator)
    return Deadline.objects.get(item=item, rule__key=key)


@pytest.fixture
def iopc(world):
    """A recommendation made on 2 December 2026: due 26 January 2027 (para 28B(2))."""
    deadline = deadline_for(
        world, ReportType.IOPC_RECOMMENDATIONS, "iopc-recommendation", date(2026, 12, 2)
    )
    assert deadline.due_on == date(2027, 1, 26)
    return deadline


@pytest.fixture
def pfd(world):
    """A Prevention of Future Deaths report sent on 1 March 2027: due 26 April (reg 29(4))."""
    deadline = deadline_for(
        world, ReportType.PREVENTION_OF_FUTURE_DEATHS, "coroner-pfd", date(2027, 3, 1)
    )
    assert deadline.due_on == date(2027, 4, 26)
    return deadline


def extend(deadline, by, *, applied_on, approved_by="Jane Doe, Director General", today=None):
    today = today or date(2027, 1, 28)
    return deadline_extend(
        deadline=deadline,
        by=by,
        new_due_on=deadline.due_on + datetime.timedelta(days=28),
        reason="Awaiting the misconduct hearing.",
        approved_by=approved_by,
        approved_on=today,
        applied_on=applied_on,
        now=at(today),
    )


def nothing_saved(deadline, due_on):
    deadline.refresh_from_db()
    assert deadline.due_on == due_on
    assert not DeadlineChange.objects.filter(deadline=deadline).exists()
    assert not AuditEvent.objects.filter(object_type="tracker.Deadline").exists()


CASES = [
    # (application received, accepted?, the words)
    (date(2027, 1, 26), True, "28B(3): on day 56, the last day of the period: accepted"),
    (date(2026, 12, 2), True, "28B(3): on the day it was made: accepted"),
    (date(2027, 1, 27), False, "28B(3): a day after the period ended: refused"),
]


@pytest.mark.parametrize(("received", "accepted", "words"), CASES)
def test_an_iopc_extension_needs_an_application_received_before_the_period_ends(
    iopc, world, received, accepted, words
):
    if accepted:
        change = extend(iopc, world.coordinator, applied_on=received)
        iopc.refresh_from_db()
        assert iopc.due_on == date(2027, 2, 23), words
        assert (change.applied_on, change.approved_by) == (
            received,
            "Jane Doe, Director General",
        )
        return
    with pytest.raises(ValidationError) as refused:
        extend(iopc, world.coordinator, applied_on=received)
    assert refused.value.message_dict == {
        "applied_on": [
            "The Director General can extend only on an application made before 27 January 2027."
        ]
    }, words
    nothing_saved(iopc, date(2027, 1, 26))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"applied_on": None}, "applied_on", "Enter the day the Director General received"),
        ({"approved_by": "  "}, "approved_by", "Enter who granted the extension"),
        ({"applied_on": date(2027, 1, 29)}, "applied_on", "enter today or earlier"),
        ({"applied_on": date(2026, 12, 1)}, "applied_on", "before the period began"),
    ],
)
def test_an_iopc_extension_granted_by_nobody_or_on_no_application_is_refused(
    iopc, world, changes, field, message
):
    arguments = {"applied_on": date(2027, 1, 20), **changes}
    with pytest.raises(ValidationError) as refused:
        extend(iopc, world.coordinator, **arguments)
    assert message in " ".join(refused.value.message_dict[field])
    nothing_saved(iopc, date(2027, 1, 26))


def test_an_extension_dated_before_the_deadline_it_extends_is_refused(iopc, world):
    with pytest.raises(ValidationError, match="must be after the current deadline"):
        deadline_extend(
            deadline=iopc,
            by=world.coordinator,
            new_due_on=date(2027, 1, 25),
            reason="x",
            approved_by="Director General",
            approved_on=date(2027, 1, 20),
            applied_on=date(2027, 1, 20),
            now=at(date(2027, 1, 20)),
        )
    nothing_saved(iopc, date(2027, 1, 26))


def test_an_extension_cannot_be_granted_before_it_was_applied_for(iopc, world):
    with pytest.raises(ValidationError, match="cannot be granted before it was applied for"):
        deadline_extend(
            deadline=iopc,
            by=world.coordinator,
            new_due_on=date(2027, 2, 20),
            reason="x",
            approved_by="Director General",
            approved_on=date(2027, 1, 10),
            applied_on=date(2027, 1, 12),
            now=at(date(2027, 1, 20)),
        )
    nothing_saved(iopc, date(2027, 1, 26))


def test_judicial_review_pauses_the_iopc_period_by_the_days_in_progress(iopc, world):
    # 28B(4): proceedings started 10 January 2027 and ended 19 January: 10 days.
    deadline_pause(
        deadline=iopc,
        by=world.coordinator,
        starts_on=date(2027, 1, 10),
        reason="Judicial review of the decision to recommend",
        approved_by="Administrative Court claim CO/123/2027",
        now=at(date(2027, 1, 10)),
    )
    deadline_resume(
        deadline=iopc,
        by=world.coordinator,
        ends_on=date(2027, 1, 19),
        reason="Permission refused",
        now=at(date(2027, 1, 20)),
    )
    iopc.refresh_from_db()
    assert iopc.due_on == date(2027, 2, 5)
    # The application window moves with the period: received 5 February is in time.
    extend(iopc, world.coordinator, applied_on=date(2027, 2, 5), today=date(2027, 2, 6))
    iopc.refresh_from_db()
    assert iopc.due_on == date(2027, 3, 5)


def test_a_pfd_extension_applied_for_after_the_period_is_accepted_from_the_coroner(pfd, world):
    # reg 29(5) sets no time for asking, unlike para 28B(3).
    change = extend(
        pfd,
        world.coordinator,
        applied_on=date(2027, 4, 27),
        approved_by="HM Senior Coroner for Birmingham",
        today=date(2027, 4, 28),
    )
    pfd.refresh_from_db()
    assert pfd.due_on == date(2027, 5, 24)
    assert change.applied_on == date(2027, 4, 27)


def test_a_pfd_extension_granted_by_nobody_is_refused(pfd, world):
    with pytest.raises(ValidationError, match="Enter who granted the extension: the coroner"):
        extend(pfd, world.coordinator, applied_on=date(2027, 4, 20), approved_by="")
    nothing_saved(pfd, date(2027, 4, 26))


def test_the_response_and_its_publication_by_the_director_general_are_tracked_steps(
    iopc, world, client
):
    with pytest.raises(ValidationError, match="Record the day the response was provided"):
        deadline_record_step(
            deadline=iopc,
            by=world.coordinator,
            kind="published",
            on_date=date(2027, 1, 20),
            now=at(date(2027, 1, 20)),
        )
    deadline_record_step(
        deadline=iopc,
        by=world.coordinator,
        kind="response_sent",
        on_date=date(2027, 1, 26),
        now=at(date(2027, 1, 26)),
    )
    with pytest.raises(ValidationError, match="cannot be published before it was provided"):
        deadline_record_step(
            deadline=iopc,
            by=world.coordinator,
            kind="published",
            on_date=date(2027, 1, 25),
            now=at(date(2027, 1, 27)),
        )
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:item_detail", args=[iopc.item.uuid])).content.decode()
    assert "26 January 2027, in time." in page
    # 28B(5): 21 days beginning with 26 January 2027 end on 15 February 2027.
    assert "The Director General must publish it by 15 February 2027" in page
    deadline_record_step(
        deadline=iopc,
        by=world.coordinator,
        kind="published",
        on_date=date(2027, 2, 16),
        note="On the IOPC website",
        now=at(date(2027, 2, 17)),
    )
    page = client.get(reverse("tracker:item_detail", args=[iopc.item.uuid])).content.decode()
    assert "Published on 16 February 2027, 1 day after 15 February 2027." in page
    assert [c.kind for c in iopc.changes.all()] == ["response_sent", "published"]
    with pytest.raises(ValidationError, match="already recorded"):
        deadline_record_step(
            deadline=iopc,
            by=world.coordinator,
            kind="published",
            on_date=date(2027, 2, 16),
            now=at(date(2027, 2, 17)),
        )


def test_a_rule_without_a_publication_step_refuses_one(pfd, world):
    with pytest.raises(ValidationError, match="no publication step"):
        deadline_record_step(
            deadline=pfd,
            by=world.coordinator,
            kind="response_sent",
            on_date=date(2027, 3, 2),
            now=at(date(2027, 3, 2)),
        )


def test_the_page_refuses_a_late_application_beside_its_field_and_saves_nothing(client, world):
    today = timezone.localdate()
    made = today - datetime.timedelta(days=60)  # the period ended four days ago
    deadline = deadline_for(world, ReportType.IOPC_RECOMMENDATIONS, "iopc-recommendation", made)
    client.force_login(world.coordinator)
    url = reverse("tracker:deadline_change", args=[deadline.uuid])
    page = client.get(url).content.decode()
    assert "When did the Director General receive the application?" in page
    assert "Who granted it (the Director General)" in page
    late = deadline.due_on + datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "action": "extend",
            "on_date": (deadline.due_on + datetime.timedelta(days=30)).strftime("%d/%m/%Y"),
            "reason": "Asked late",
            "approved_by": "Director General",
            "approved_on": today.strftime("%d/%m/%Y"),
            "applied_on": late.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    closes = deadlines.format_day(late)
    assert f"The Director General can extend only on an application made before {closes}." in body
    assert 'id="id_applied_on-error"' in body
    nothing_saved(deadline, deadline.due_on)


def test_the_page_records_the_response_step(client, iopc, world):
    client.force_login(world.coordinator)
    url = reverse("tracker:deadline_change", args=[iopc.uuid])
    assert "The response was provided" in client.get(url).content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")  # on or after the day it was made
    response = client.post(url, {"action": "response_sent", "on_date": today})
    assert response.status_code == 302
    assert iopc.changes.get().kind == "response_sent"
    # Providing the response is what para 28B(2) asks: the deadline is met on that day, and
    # its reminders stop, while the item itself may stay open for the work it promised.
    iopc.refresh_from_db()
    assert (iopc.state, iopc.met_on) == ("met", timezone.localdate())
    assert not iopc.reminders.filter(state="pending").exists()
    # The Director General's publication comes later: the page still offers that step, and
    # only that one (a met deadline is not extended).
    page = client.get(url).content.decode()
    assert "published the response" in page
    assert "An extension" not in page
    item_page = client.get(reverse("tracker:item_detail", args=[iopc.item.uuid])).content.decode()
    assert "Record the response or its publication" in item_page
    assert "Extend or pause" not in item_page
    response = client.post(url, {"action": "published", "on_date": today})
    assert response.status_code == 302
    assert [c.kind for c in iopc.changes.order_by("recorded_at", "id")] == [
        "response_sent",
        "published",
    ]
    assert client.get(url).status_code == 403  # nothing left to record


def test_a_step_needs_no_reason_but_an_extension_does(client, iopc, world):
    client.force_login(world.coordinator)
    url = reverse("tracker:deadline_change", args=[iopc.uuid])
    response = client.post(url, {"action": "extend", "on_date": "20/03/2027"})
    assert response.status_code == 400
    assert "Enter the reason" in response.content.decode()
    assert not iopc.changes.exists()


# The data migration keeps an administrator's edits -----------------------------------------


def test_updating_the_presets_keeps_what_an_administrator_changed(db):
    rule = DeadlineRule.objects.get(key="coroner-pfd")
    shipped = {name: old for name, (old, _new) in UPDATES_0022["coroner-pfd"].items()}
    for name, value in shipped.items():
        setattr(rule, name, value)
    rule.description = "Our own wording, agreed with the coroner's office."
    rule.save()

    changed = presets_update(DeadlineRule)

    rule.refresh_from_db()
    assert rule.description == "Our own wording, agreed with the coroner's office."
    assert "description" not in changed["coroner-pfd"]
    assert rule.extended_by == "the coroner"
    assert rule.legal_basis == "reg 29(4) and (5) Coroners (Investigations) Regulations 2013"
    assert presets_update(DeadlineRule) == {}  # a second run changes nothing
