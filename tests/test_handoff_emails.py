"""Hand-offs by email: each person's choice in Email settings, digests, and the words and
links of the emails (issue 14, bug 5)."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReminderDelivery
from tracker import handoffs, services
from tracker.models import AuditEvent, Deadline, Notification, Reminder
from tracker.reminders.digests import digests_run
from tracker.reminders.mail import reminder_message
from tracker.reminders.plan import name_is_plural
from tracker.reminders.sweeps import sweep
from tracker.reminders.sync import responses_ensure

SETTINGS_LINK = "http://testserver" + "/account/email-settings/"


def settings_link() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accounts:email_settings")


def hand_to_tom(world):
    services.item_assign(item=world.item, by=world.coordinator, owner=world.colleague)


# Email settings ---------------------------------------------------------------------------


def test_a_kind_switched_off_is_in_the_app_but_not_emailed(world):
    handoffs.person_set_email_events(person=world.colleague, off=[handoffs.Event.PEOPLE_CHANGED])
    mail.outbox.clear()
    hand_to_tom(world)
    sweep()

    tom = Notification.objects.get(user=world.colleague)
    assert (tom.email_state, tom.awaiting_digest) == ("", False)
    to = [m.to for m in mail.outbox]
    assert [world.colleague.email] not in to
    assert to.count([world.owner.email]) == 1  # Priya still wants hers


def test_a_kind_switched_off_stays_out_of_the_digest(world):
    world.colleague.reminder_delivery = ReminderDelivery.DAILY
    world.colleague.email_events_off = [handoffs.Event.PEOPLE_CHANGED]
    world.colleague.save()
    hand_to_tom(world)
    assert not Notification.objects.filter(user=world.colleague, awaiting_digest=True).exists()


def test_the_email_settings_page_switches_a_kind_off(client, world):
    client.force_login(world.owner)
    page = client.get(reverse("accounts:email_settings")).content.decode()
    assert "Closure is proposed for an item I may decide on" in page
    on = [k for k in handoffs.Event.values if k != "due_date_revised"]
    response = client.post(
        reverse("accounts:email_settings"), {"reminder_delivery": "each", "email_events": on}
    )
    assert response.status_code == 302
    world.owner.refresh_from_db()
    assert world.owner.email_events_off == ["due_date_revised"]
    assert AuditEvent.objects.filter(
        object_type="accounts.User", changes__email_events_off=[[], ["due_date_revised"]]
    ).exists()
    page = client.get(reverse("accounts:email_settings")).content.decode()
    assert 'value="due_date_revised">' in page  # shown unticked
    assert 'value="closure_proposed" checked>' in page


def test_a_tampered_setting_for_an_event_that_does_not_exist_is_refused(client, world):
    client.force_login(world.owner)
    response = client.post(
        reverse("accounts:email_settings"),
        {"reminder_delivery": "daily", "email_events": ["closure_proposed", "x" * 10_000]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a kind of email the tracker sends. Tick only the kinds listed." in page
    assert "x" * 61 not in page
    world.owner.refresh_from_db()
    assert (world.owner.reminder_delivery, world.owner.email_events_off) == ("each", [])


def test_the_service_refuses_an_unknown_kind(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a kind of email you can switch off"):
        handoffs.person_set_email_events(person=world.owner, off=["closure_exploded"])


# Delivery as reminders are delivered -------------------------------------------------------


def test_one_email_each_goes_out_with_the_next_sweep(world):
    mail.outbox.clear()
    hand_to_tom(world)
    sweep()
    to_tom = [m for m in mail.outbox if m.to == [world.colleague.email]]
    assert len(to_tom) == 1
    assert to_tom[0].subject.startswith("Grace Okafor made you the owner of an item")
    assert f"/items/{world.item.uuid}/" in to_tom[0].body


def test_the_daily_digest_includes_hand_offs(world):
    world.colleague.reminder_delivery = ReminderDelivery.DAILY
    world.colleague.save()
    start = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(start, tick=False):
        sweep()  # today's digests have gone
        mail.outbox.clear()
        hand_to_tom(world)
        sweep()
        assert not [m for m in mail.outbox if m.to == [world.colleague.email]]  # not on its own
    mail.outbox.clear()
    digests_run(now=datetime.datetime(2026, 3, 4, 8, 5, tzinfo=timezone.get_current_timezone()))
    to_tom = [m for m in mail.outbox if m.to == [world.colleague.email]]
    assert len(to_tom) == 1
    assert to_tom[0].subject == "Your reminders digest: 1 notice"
    assert "Grace Okafor made you the owner of an item" in to_tom[0].body
    assert settings_link() in to_tom[0].body


# Bug 5: the words and links of the emails --------------------------------------------------


@pytest.fixture
def statutory_reminder(world):
    """A reminder to the PCC office of the statutory deadline for its comments."""
    responses_ensure(report=world.report, now=timezone.now())
    deadline = Deadline.objects.get(response__report=world.report, rule__key="s55-pcc-comments")
    return Reminder.objects.create(
        deadline=deadline,
        deadline_version=deadline.version,
        step="before-7",
        recipient=world.pcc,
        due_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )


def test_a_statutory_reminder_links_to_the_response_page(statutory_reminder, world):
    message = reminder_message(statutory_reminder, now=timezone.now())
    response_page = reverse("tracker:response_detail", args=[world.report.key, world.wmp.code])
    assert message["url"] == response_page
    assert settings.SITE_URL + response_page in message["text"]
    assert reverse("tracker:report_detail", args=[world.report.key]) not in message["text"]


def test_comments_are_due_not_is_due(statutory_reminder):
    message = reminder_message(statutory_reminder, now=timezone.now())
    assert "PCC's comments on the report for West Midlands Police are " in message["text"]
    assert "are <strong>" in message["html"]


@pytest.mark.parametrize(
    ("name", "plural"),
    [
        ("Chief officer's comments to the PCC", True),
        ("PCC's comments on the report", True),
        ("PCC's comments: local target", False),
        ("Action due date", False),
        ("Next progress update", False),
        ("Response to an IOPC recommendation", False),
        ("Target set by the report", False),
    ],
)
def test_a_rule_name_is_plural_when_its_head_noun_is(name, plural):
    assert name_is_plural(name) is plural


def test_reminder_emails_link_to_the_email_settings_page(statutory_reminder):
    message = reminder_message(statutory_reminder, now=timezone.now())
    assert settings_link() in message["text"]
    assert f'<a href="{settings_link()}">your email settings page</a>' in message["html"]


def test_notice_emails_link_to_the_email_settings_page(world):
    mail.outbox.clear()
    hand_to_tom(world)
    sweep()
    email = next(m for m in mail.outbox if m.to == [world.colleague.email])
    assert settings_link() in email.body
    assert f'<a href="{settings_link()}">your email settings page</a>' in email.alternatives[0][0]


def test_the_demo_sends_from_a_demo_address():
    skip = ("DEFAULT_FROM_EMAIL", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEMO_MODE="1")
    result = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.DEFAULT_FROM_EMAIL)"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "tracker@tracker.inspection-demo.example"
