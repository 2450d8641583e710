"""Extensions and pauses: recorded with reason and approver; the original deadline stays."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item, make_report
from tracker.models import Deadline, DeadlineChange, ReportType
from tracker.reminders.changes import deadline_extend, deadline_pause, deadline_resume
from tracker.reminders.sync import responses_ensure


@pytest.fixture
def iopc(world):
    """An IOPC recommendation made ten days ago to West Midlands Police."""
    report = make_report(
        forces=[world.wmp], published_on=timezone.localdate() - datetime.timedelta(days=9)
    )
    report.report_type = ReportType.IOPC_RECOMMENDATIONS
    report.save()
    item = make_item(make_finding(report), world.wmp, owner=world.owner, by=world.coordinator)
    return Deadline.objects.get(item=item, rule__key="iopc-recommendation")


def test_an_iopc_recommendation_is_due_56_days_beginning_with_the_day_it_was_made(iopc):
    assert iopc.due_on == iopc.trigger_on + datetime.timedelta(days=55)


def test_an_extension_keeps_the_original_deadline_visible(iopc, world):
    original = iopc.due_on
    later = original + datetime.timedelta(days=28)
    deadline_extend(
        deadline=iopc,
        by=world.coordinator,
        new_due_on=later,
        reason="Awaiting the misconduct hearing.",
        approved_by="IOPC casework manager",
        approved_on=timezone.localdate(),
        applied_on=timezone.localdate(),
    )
    iopc.refresh_from_db()
    assert (iopc.original_due_on, iopc.due_on, iopc.version) == (original, later, 2)
    change = iopc.changes.get()
    assert change.approved_by == "IOPC casework manager"
    assert change.recorded_by == world.coordinator


def test_an_extension_that_ends_before_the_deadline_is_refused(iopc, world):
    with pytest.raises(ValidationError, match="must be after the current deadline"):
        deadline_extend(
            deadline=iopc,
            by=world.coordinator,
            new_due_on=iopc.due_on - datetime.timedelta(days=1),
            reason="Typo",
            approved_by="Someone",
            approved_on=timezone.localdate(),
        )
    assert not DeadlineChange.objects.exists()


def test_a_pause_stops_the_clock_and_resuming_moves_the_deadline_on(iopc, world):
    today = timezone.localdate()
    original = iopc.due_on
    deadline_pause(
        deadline=iopc,
        by=world.coordinator,
        starts_on=today - datetime.timedelta(days=8),
        reason="Judicial review",
        approved_by="Legal services",
    )
    iopc.refresh_from_db()
    assert iopc.due_on is None
    assert iopc.paused
    assert not iopc.reminders.filter(state="pending").exists()

    deadline_resume(
        deadline=iopc,
        by=world.coordinator,
        ends_on=today - datetime.timedelta(days=1),
        reason="Review concluded",
    )
    iopc.refresh_from_db()
    assert iopc.due_on == original + datetime.timedelta(days=8)  # 8 days paused, inclusive
    assert iopc.reminders.filter(state="pending", deadline_version=iopc.version).exists()


def test_the_statutory_s55_deadline_cannot_be_extended(world):
    report = make_report(forces=[world.wmp], published_on=timezone.localdate())
    responses_ensure(report=report)
    deadline = Deadline.objects.get(response__report=report, rule__key="s55-pcc-comments")
    with pytest.raises(ValidationError, match="does not allow"):
        deadline_extend(
            deadline=deadline,
            by=world.pcc,
            new_due_on=deadline.due_on + datetime.timedelta(1),
            reason="x",
            approved_by="y",
            approved_on=timezone.localdate(),
        )


def test_the_coordinator_extends_through_the_page(client, iopc, world):
    client.force_login(world.coordinator)
    url = reverse("tracker:deadline_change", args=[iopc.uuid])
    later = iopc.due_on + datetime.timedelta(days=14)
    response = client.post(
        url,
        {
            "action": "extend",
            "on_date": later.strftime("%d/%m/%Y"),
            "reason": "Applied before expiry.",
            "approved_by": "IOPC casework manager",
            "approved_on": timezone.localdate().strftime("%d/%m/%Y"),
            "applied_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    iopc.refresh_from_db()
    assert iopc.due_on == later
    page = client.get(response.url).content.decode()
    assert "Original deadline" in page
    assert "Applied before expiry." in page


def test_a_bad_date_on_the_page_is_refused_and_nothing_changes(client, iopc, world):
    client.force_login(world.coordinator)
    url = reverse("tracker:deadline_change", args=[iopc.uuid])
    response = client.post(
        url, {"action": "extend", "on_date": "31/02/2027", "reason": "x", "approved_by": "y"}
    )
    assert response.status_code == 400
    assert "Enter the date as a real date" in response.content.decode()
    assert not iopc.changes.exists()


def test_the_owner_cannot_extend_and_another_force_gets_404(client, iopc, world):
    url = reverse("tracker:deadline_change", args=[iopc.uuid])
    client.force_login(world.owner)
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_an_extension_after_a_pause_is_not_moved_again_by_the_pause(iopc, world):
    today = timezone.localdate()
    deadline_pause(
        deadline=iopc,
        by=world.coordinator,
        starts_on=today - datetime.timedelta(days=5),
        reason="Judicial review",
        approved_by="Legal services",
    )
    deadline_resume(
        deadline=iopc,
        by=world.coordinator,
        ends_on=today - datetime.timedelta(days=1),
        reason="Review concluded",
    )
    iopc.refresh_from_db()
    wanted = iopc.due_on + datetime.timedelta(days=14)
    deadline_extend(
        deadline=iopc,
        by=world.coordinator,
        new_due_on=wanted,
        reason="Applied in time",
        approved_by="IOPC",
        approved_on=today,
        applied_on=today,
    )
    iopc.refresh_from_db()
    assert iopc.due_on == wanted


def test_an_extension_of_more_than_ten_years_is_refused(iopc, world):
    with pytest.raises(ValidationError, match="at most ten years"):
        deadline_extend(
            deadline=iopc,
            by=world.coordinator,
            new_due_on=iopc.due_on + datetime.timedelta(days=365 * 11),
            reason="x",
            approved_by="y",
            approved_on=timezone.localdate(),
        )


def test_a_pause_starting_before_the_deadline_began_is_refused(iopc, world):
    with pytest.raises(ValidationError, match="cannot start before the deadline began"):
        deadline_pause(
            deadline=iopc,
            by=world.coordinator,
            starts_on=iopc.trigger_on - datetime.timedelta(days=1),
            reason="x",
            approved_by="y",
        )


def test_a_pause_ending_in_the_future_is_refused(iopc, world):
    today = timezone.localdate()
    deadline_pause(
        deadline=iopc, by=world.coordinator, starts_on=today, reason="x", approved_by="y"
    )
    with pytest.raises(ValidationError, match="The pause must have ended"):
        deadline_resume(
            deadline=iopc,
            by=world.coordinator,
            ends_on=today + datetime.timedelta(days=3),
            reason="x",
        )


def test_an_extension_to_the_year_9999_is_a_clear_error_not_a_crash(client, iopc, world):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("tracker:deadline_change", args=[iopc.uuid]),
        {
            "action": "extend",
            "on_date": "31/12/9999",
            "reason": "x",
            "approved_by": "y",
            "approved_on": timezone.localdate().strftime("%d/%m/%Y"),
            "applied_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 400
    assert "at most ten years" in response.content.decode()
