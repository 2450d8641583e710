"""Deadline rules are data an administrator edits; bad values are refused, nothing half-saved."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from tracker.models import AuditEvent, Deadline, DeadlineRule


def post_rule(admin_client, rule, **changes):
    data = {k: ("" if v is None else v) for k, v in model_to_dict(rule).items()}
    data.update(changes)
    return admin_client.post(reverse("admin:tracker_deadlinerule_change", args=[rule.pk]), data)


def test_the_presets_ship_with_the_product(db):
    keys = set(DeadlineRule.objects.values_list("key", flat=True))
    assert {
        "s55-pcc-comments",
        "chief-officer-comments",
        "iopc-recommendation",
        "coroner-pfd",
        "report-target",
        "action-due-date",
        "progress-update",
    } <= keys
    s55 = DeadlineRule.objects.get(key="s55-pcc-comments")
    assert (s55.length, s55.unit, s55.counting) == (56, "calendar_days", "beginning_with")
    assert str(s55.applies_from) == "2017-05-02"
    assert s55.offsets == [28, 14, 7, 3, 1, 0]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"length": "-5"}, "The length must be 0 or more."),
        ({"reminder_offsets": "28, 7, 7, 1"}, "7 is listed more than once."),
        ({"reminder_offsets": "28, soon"}, "is not a whole number of days"),
        ({"applies_from": "2020-01-01", "applies_until": "2019-01-01"}, "must stop applying"),
        ({"report_types": "peel_effectiveness, gossip"}, "“gossip” is not a report type"),
        ({"repeat_after_missed_days": "99999999"}, "This must be 365 or less."),
    ],
)
def test_a_bad_rule_is_refused_with_a_clear_message(admin_client, changes, message):
    rule = DeadlineRule.objects.get(key="action-due-date")
    before = model_to_dict(rule)

    response = post_rule(admin_client, rule, **changes)

    assert response.status_code == 200
    assert message in response.content.decode()
    rule.refresh_from_db()
    assert model_to_dict(rule) == before


def test_editing_a_rule_reworks_its_deadlines_and_is_audited(
    admin_client, world, django_capture_on_commit_callbacks
):
    rule = DeadlineRule.objects.get(key="progress-update")
    deadline = Deadline.objects.get(item=world.item, rule=rule)
    old_due = deadline.due_on

    with django_capture_on_commit_callbacks(execute=True):
        response = post_rule(admin_client, rule, length="60")

    assert response.status_code == 302
    deadline.refresh_from_db()
    assert (deadline.due_on - old_due).days == 30
    assert deadline.version == 2
    event = AuditEvent.objects.filter(object_type="tracker.DeadlineRule").get()
    assert event.changes["length"] == [30, 60]


def test_switching_a_rule_off_withdraws_its_deadlines_and_stops_their_reminders(
    admin_client, world, django_capture_on_commit_callbacks
):
    rule = DeadlineRule.objects.get(key="action-due-date")
    deadline = Deadline.objects.get(item=world.item, rule=rule)
    assert deadline.reminders.filter(state="pending").exists()

    with django_capture_on_commit_callbacks(execute=True):
        post_rule(admin_client, rule, active="")

    deadline.refresh_from_db()
    assert deadline.state == "withdrawn"
    assert not deadline.reminders.filter(state="pending").exists()
