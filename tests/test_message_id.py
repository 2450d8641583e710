"""Message-IDs: derived from a row alone, so a repeat of a message carries the same one and a
receiving system can drop it; unique to each row; always a valid RFC 5322 msg-id."""

import datetime
import email.policy
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.factories import World, make_finding, make_item
from tracker.models import Digest, Reminder, ReminderState
from tracker.reminders.digests import digests_plan, digests_run
from tracker.reminders.mail import id_stamp, mail_domain, message_id
from tracker.reminders.sweeps import sweep

# RFC 5322 3.6.4: msg-id = "<" id-left "@" id-right ">", each side dot-atom-text.
ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
MSG_ID = re.compile(rf"<{ATOM}(\.{ATOM})*@{ATOM}(\.{ATOM})*>")


def assert_valid(value: str) -> None:
    assert MSG_ID.fullmatch(value), value
    header = email.policy.default.header_factory("Message-ID", value)
    assert not header.defects, (value, header.defects)


# The pure derivation -----------------------------------------------------------------------


def test_the_same_row_always_gets_the_same_id():
    first = message_id("reminder", 42, "missed-1", "202604220700", domain="tracker.example.org")
    again = message_id("reminder", 42, "missed-1", "202604220700", domain="tracker.example.org")

    assert first == again == "<reminder-42.missed-1.202604220700@tracker.example.org>"


def test_different_rows_get_different_ids():
    ids = {
        message_id("reminder", 42, "missed-1", "202604220700", domain="x.org"),
        message_id("reminder", 43, "missed-1", "202604220700", domain="x.org"),
        message_id("reminder", 42, "missed-2", "202604290700", domain="x.org"),
        message_id("digest", 42, "daily", "20260422", domain="x.org"),
        message_id("notice", 42, "202604220700", domain="x.org"),
        message_id("reminder", 4, "2", domain="x.org"),  # not the same as 42 with no details
        message_id("reminder", 42, domain="x.org"),
    }

    assert len(ids) == 7


@pytest.mark.parametrize(
    ("kind", "details", "domain"),
    [
        ("reminder", ("missed-1", "202604220700"), "tracker.example.org"),
        ("reminder", ("before 7 days", "a<b>c@d"), "127.0.0.1"),
        ("digest", ("weekly", ""), "localhost"),
        ("notice", ("..", "é"), "example.org:8000"),  # a port is not allowed on the right
        ("notice", (), ""),
        ("notice", (), "[::1]"),
    ],
)
def test_every_id_is_a_valid_rfc_5322_msg_id(kind, details, domain):
    assert_valid(message_id(kind, 7, *details, domain=domain))


def test_a_domain_that_is_not_a_dot_atom_falls_back_to_a_reserved_example_name():
    assert (
        message_id("notice", 7, domain="example.org:8000")
        == "<notice-7@tracker.inspection-demo.example>"
    )


def test_moments_are_stamped_in_utc_to_the_minute_and_days_as_digits():
    london = datetime.timezone(datetime.timedelta(hours=1))

    assert id_stamp(datetime.datetime(2026, 4, 22, 8, 0, 59, tzinfo=london)) == "202604220700"
    assert id_stamp(datetime.date(2026, 4, 20)) == "20260420"


def test_the_domain_is_the_settings_then_the_senders_then_the_sites(settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = ""
    settings.DEFAULT_FROM_EMAIL = "Inspection tracker <tracker@hmicfrs.example.org>"
    settings.SITE_URL = "https://tracker.example.org:8443/"
    assert mail_domain() == "hmicfrs.example.org"

    settings.EMAIL_MESSAGE_ID_DOMAIN = "mail.hmicfrs.example.org"
    assert mail_domain() == "mail.hmicfrs.example.org"

    settings.EMAIL_MESSAGE_ID_DOMAIN = ""
    settings.DEFAULT_FROM_EMAIL = "tracker"
    assert mail_domain() == "tracker.example.org"


@pytest.mark.parametrize(
    ("sender", "site"),
    [
        ("tracker@localhost", "http://localhost:8000"),
        ("tracker", "http://[::1]:8000"),
        ("tracker@127.0.0.1", "http://127.0.0.1:8000"),
    ],
)
def test_localhost_and_addresses_are_never_the_domain(settings, sender, site):
    settings.EMAIL_MESSAGE_ID_DOMAIN = ""
    settings.DEFAULT_FROM_EMAIL = sender
    settings.SITE_URL = site
    assert mail_domain() == "tracker.inspection-demo.example"


# On the messages sent ----------------------------------------------------------------------


@pytest.fixture
def overdue_world(db):
    world = World.build()
    overdue = timezone.localdate() - datetime.timedelta(days=2)
    for n in range(2):
        make_item(
            make_finding(world.report, text=f"Recommendation {n} for the Message-ID test."),
            world.wmp,
            owner=world.owner,
            due=overdue,
            by=world.coordinator,
        )
    return world


def reminder_emails():
    return [m for m in mail.outbox if "X-Tracker-Reminder" in m.extra_headers]


def test_a_reminder_sent_again_after_a_worker_died_carries_the_same_message_id(
    overdue_world, settings
):
    settings.DEFAULT_FROM_EMAIL = "tracker@hmicfrs.example.org"
    sweep()
    first = {
        m.extra_headers["X-Tracker-Reminder"]: m.message()["Message-ID"] for m in reminder_emails()
    }
    assert len(first) == 4
    assert len(set(first.values())) == 4, "one Message-ID per reminder"
    for value in first.values():
        assert_valid(value)
        assert value.startswith("<reminder-")
        assert value.endswith("@hmicfrs.example.org>")

    # A worker died after the server accepted this one and before marking it: once its claim
    # lapses, the next sweep sends it again.
    row = Reminder.objects.filter(state=ReminderState.SENT).order_by("id").first()
    Reminder.objects.filter(pk=row.pk).update(
        state=ReminderState.SENDING, claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    mail.outbox.clear()
    sweep()

    (repeat,) = reminder_emails()
    assert repeat.extra_headers["X-Tracker-Reminder"] == str(row.pk)
    assert repeat.message()["Message-ID"] == first[str(row.pk)]


@time_machine.travel(datetime.datetime(2026, 3, 9, 9, tzinfo=datetime.UTC), tick=False)
def test_a_digest_sent_again_carries_the_same_message_id(overdue_world):
    now = timezone.now()  # a Monday morning: the weekly overdue digests are due
    digests_plan(now=now)
    digest = Digest.objects.filter(kind=Digest.Kind.OVERDUE).order_by("id").first()
    Digest.objects.filter(pk=digest.pk).update(next_attempt_at=now)
    digests_run(now=now)
    Digest.objects.filter(pk=digest.pk).update(
        state=ReminderState.SENDING, claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )

    digests_run(now=now)

    first_id, repeat_id = (
        m.message()["Message-ID"]
        for m in mail.outbox
        if m.extra_headers.get("X-Tracker-Digest") == str(digest.pk)
    )
    assert first_id == repeat_id
    assert first_id.startswith(f"<digest-{digest.pk}.overdue.")
    assert_valid(first_id)
