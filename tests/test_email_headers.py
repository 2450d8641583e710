"""Emails that mail systems trust (issue 21): every kind of email the tracker sends by itself
(reminders, escalations, notices of hand-offs, the daily, weekly and overdue digests, the
password emails) received by a real SMTP server on loopback, and read back: the sender and the
Message-ID at the tracker's domain and never localhost, `Auto-Submitted: auto-generated`, a
one-click `List-Unsubscribe` that works, subjects under 78 characters led by the item's
protective marking, and digests that say what they count on the day the README says."""

import datetime
import email.policy
import re
import zoneinfo
from email import message_from_bytes
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from accounts import tasks
from accounts.models import ProtectiveMarking, ReminderDelivery, Role
from tests.e2e import free_port
from tests.factories import World, make_finding, make_item, make_user
from tracker import services
from tracker.models import (
    AuditEvent,
    Deadline,
    DeadlineRule,
    Digest,
    Notification,
    TrackedItem,
)
from tracker.reminders.digests import digests_plan
from tracker.reminders.sweeps import sweep

DOMAIN = "tracker.inspection-demo.example"
SITE = f"https://{DOMAIN}"
MONDAY = datetime.datetime(2026, 3, 9, 7, 30, tzinfo=datetime.UTC)  # London is on GMT
FRIDAY = datetime.datetime(2026, 3, 13, 9, 0, tzinfo=datetime.UTC)
LONDON = zoneinfo.ZoneInfo("Europe/London")


class Inbox:
    """What a real SMTP server (aiosmtpd) on loopback received, parsed as a mail client would."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.greetings: set[str] = set()  # the names the sender gave in EHLO

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN201 - aiosmtpd's hook
        self.raw.append(envelope.content)
        self.greetings.add(session.host_name)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=email.policy.default) for raw in self.raw]


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "tracker.reminders.mail.SMTPBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = SITE
    settings.EMAIL_MESSAGE_ID_DOMAIN = ""
    settings.DEFAULT_FROM_EMAIL = f"tracker@{DOMAIN}"
    yield handler
    controller.stop()


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def kind_of(message: EmailMessage) -> str:
    """Which kind of email a received message is, from its own headers."""
    if message["X-Tracker-Reminder"]:
        return "reminder"
    if message["X-Tracker-Digest"]:
        return "digest-" + Digest.objects.get(pk=int(message["X-Tracker-Digest"])).kind
    return message["Message-ID"].strip().split("-")[0].lstrip("<")  # notice, password, set


@pytest.fixture
def world(db, clock):
    """A Monday morning before 08:00 with something of every kind to send at 08:05."""
    w = World.build()
    overdue = timezone.localdate() - datetime.timedelta(days=2)
    w.sensitive = make_item(
        make_finding(
            w.report,
            text=(
                "The force should make sure that officers and staff record every crime reported "
                "to it in line with the national crime recording standard, and that its "
                "auditors check a sample of incidents each month."
            ),
        ),
        w.wmp,
        owner=w.owner,
        due=overdue,
        by=w.coordinator,
    )
    marking, _ = ProtectiveMarking.objects.get_or_create(
        label="OFFICIAL-SENSITIVE", defaults={"rank": 20}
    )
    TrackedItem.objects.filter(pk=w.sensitive.pk).update(marking=marking)
    w.daily = make_user("Dee Daily", w.wmp, Role.FORCE_STAFF)
    w.weekly = make_user("Wes Weekly", w.wmp, Role.FORCE_STAFF)
    for person, delivery in ((w.daily, "daily"), (w.weekly, "weekly")):
        person.reminder_delivery = delivery
        person.save()
        make_item(make_finding(w.report, text=f"For {person}."), w.wmp, owner=person, due=overdue)
    # A hand-off: Tom Ellis becomes the owner of the first item.
    services.item_assign(item=w.item, by=w.coordinator, owner=w.colleague)
    return w


def send_everything(world, clock) -> None:
    clock.move_to(MONDAY + datetime.timedelta(minutes=35))  # 08:05, Monday
    sweep()
    tasks.send_password_reset_email(world.owner.email)
    tasks.send_set_password_email(world.colleague.pk)


def test_every_kind_of_email_reaches_a_real_mail_server_with_trusted_headers(inbox, world, clock):
    send_everything(world, clock)

    kinds: dict[str, list[EmailMessage]] = {}
    for message in inbox.messages:
        kinds.setdefault(kind_of(message), []).append(message)
    assert set(kinds) == {
        "reminder",
        "notice",
        "digest-daily",
        "digest-weekly",
        "digest-overdue",
        "password",
        "set",
    }
    # The relay would write the EHLO name into a Received header: never "localhost".
    assert inbox.greetings == {DOMAIN}
    # Reminders to owners, and escalations of the missed deadline to the coordinator.
    assert {m["To"] for m in kinds["reminder"]} >= {world.owner.email, world.coordinator.email}
    for raw, message in zip(inbox.raw, inbox.messages, strict=True):
        assert b"localhost" not in raw.lower(), kind_of(message)
        assert message["From"] == f"tracker@{DOMAIN}"
        assert message["Message-ID"].endswith(f"@{DOMAIN}>")
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["X-Auto-Response-Suppress"] == "All"
        assert len(message["Subject"]) < 78, message["Subject"]
        assert "\n" not in message["Subject"]
        if kind_of(message) in ("password", "set"):
            # Asked for, not a kind anyone can switch off.
            assert message["List-Unsubscribe"] is None
            continue
        unsubscribe = message["List-Unsubscribe"].strip()  # folded onto its own line
        assert unsubscribe.startswith(f"<{SITE}/account/unsubscribe/")
        assert unsubscribe.endswith("/>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        if message.get_body(("html",)) is not None:
            html = message.get_body(("html",)).get_content()
            assert f"<title>{message['Subject']}</title>" in html.replace("&#x27;", "'")


def test_subjects_are_short_say_what_they_count_and_carry_the_items_marking(inbox, world, clock):
    send_everything(world, clock)
    by_kind_and_person = {(kind_of(m), m["To"]): m for m in inbox.messages}

    sensitive = [
        m
        for m in inbox.messages
        if kind_of(m) == "reminder"
        and m["To"] == world.owner.email
        and "officers and staff record every crime" in m.get_body(("plain",)).get_content()
    ]
    assert len(sensitive) == 1
    subject = sensitive[0]["Subject"]
    assert subject == (
        "OFFICIAL-SENSITIVE: Action due date: 2 days overdue – The force should make…"
    )
    assert len(subject) <= 77
    # The detail is in the body.
    body = sensitive[0].get_body(("plain",)).get_content()
    assert "2 days overdue (it was due on 7 March 2026)" in body
    assert world.sensitive.finding.summary in body

    overdue = by_kind_and_person[("digest-overdue", world.coordinator.email)]
    assert overdue["Subject"] == "OFFICIAL-SENSITIVE: Weekly overdue digest: 3 overdue items"
    text = overdue.get_body(("plain",)).get_content()
    assert "Your weekly overdue digest for the week of 9 March 2026." in text
    assert "Items past their due date: 3" in text
    nothing = by_kind_and_person[("digest-overdue", world.outsider.email)]
    assert nothing["Subject"] == "Weekly overdue digest: nothing is overdue"

    daily = by_kind_and_person[("digest-daily", world.daily.email)]
    assert daily["Subject"] == "Your reminders digest: 1 reminder"
    weekly = by_kind_and_person[("digest-weekly", world.weekly.email)]
    assert weekly["Subject"] == "Your reminders digest: 1 reminder"
    notice = by_kind_and_person[("notice", world.colleague.email)]
    assert notice["Subject"].startswith("Grace Okafor made you the owner of an item – ")
    password = by_kind_and_person[("password", world.owner.email)]
    assert password["Subject"] == "Reset your inspection tracker password"
    welcome = by_kind_and_person[("set", world.colleague.email)]
    assert welcome["Subject"] == "Set your password for the inspection tracker"


def test_the_overdue_digest_counts_what_the_overdue_report_counts(inbox, world, clock, client):
    DeadlineRule.objects.filter(key="progress-update").update(active=True)
    services.item_add_update(item=world.item, author=world.colleague, text="Started.")
    clock.move_to(datetime.datetime(2026, 4, 27, 8, 5, tzinfo=LONDON))  # a Monday
    sweep()

    digest = received(inbox, "digest-overdue", world.coordinator)
    today = timezone.localdate()
    missed = Deadline.objects.filter(
        state="open", due_on__lt=today, rule__key="progress-update"
    ).count()
    client.force_login(world.coordinator)
    report = client.get(reverse("tracker:overdue")).content.decode()
    items = int(re.search(r"(\d+) overdue items?<", report).group(1))
    assert (items, missed) == (4, 4)
    # Each count says what it counts: the overdue report's items, then the other deadlines
    # missed (progress updates here), which are not overdue items.
    # "Weekly overdue digest: …" would be 78 characters with the marking: the shorter head.
    assert digest["Subject"] == (
        "OFFICIAL-SENSITIVE: Overdue digest: 4 overdue items, 4 missed deadlines"
    )
    html = digest.get_body(("html",)).get_content()
    assert "Items past their due date: 4" in html
    assert "Other deadlines missed: 4" in html
    assert "</a>. " not in html, "no full stop after a summary that has its own"


# One-click unsubscribe -------------------------------------------------------------------


def unsubscribe_path(message: EmailMessage) -> str:
    return urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path


def received(inbox, kind: str, person) -> EmailMessage:
    return next(m for m in inbox.messages if kind_of(m) == kind and m["To"] == person.email)


def test_a_one_click_post_switches_reminder_emails_to_the_weekly_digest(
    inbox, world, clock, client, django_assert_max_num_queries
):
    send_everything(world, clock)
    path = unsubscribe_path(received(inbox, "reminder", world.owner))

    # A mail system's POST: no cookies, no CSRF token, the RFC 8058 body.
    with django_assert_max_num_queries(8):
        response = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "Unsubscribed" in response.content.decode()
    world.owner.refresh_from_db()
    assert world.owner.reminder_delivery == ReminderDelivery.WEEKLY
    (event,) = AuditEvent.objects.filter(
        object_type="accounts.User", note="Switched off from the unsubscribe link in an email"
    )
    assert event.changes == {"reminder_delivery": ["each", "weekly"]}
    assert event.actor_id == world.owner.pk
    # Again: nothing more to change, said plainly.
    again = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert "Already unsubscribed" in again.content.decode()


def test_a_get_changes_nothing_and_offers_a_button(
    inbox, world, clock, client, django_assert_max_num_queries
):
    send_everything(world, clock)
    path = unsubscribe_path(received(inbox, "reminder", world.owner))
    audit_rows = AuditEvent.objects.count()

    with django_assert_max_num_queries(3):
        response = client.get(path)

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Stop sending an email for each reminder and notice to priya.shah@example.org?" in page
    assert '<button type="submit" class="govuk-button"' in page
    world.owner.refresh_from_db()
    assert world.owner.reminder_delivery == ReminderDelivery.EACH
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: token.replace(".each:", ".overdue:"),  # another kind
        lambda token: "1" + token,  # another person
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_gets_a_clear_page_and_changes_nothing(inbox, world, clock, client, tamper):
    send_everything(world, clock)
    path = unsubscribe_path(received(inbox, "reminder", world.owner))
    token = path.rstrip("/").rsplit("/", 1)[1]
    bad = reverse("accounts:unsubscribe", args=[tamper(token)])
    audit_rows = AuditEvent.objects.count()

    for method in (client.get, client.post):
        response = method(bad)
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
        assert "Nothing has been switched off." in response.content.decode()

    world.owner.refresh_from_db()
    assert world.owner.reminder_delivery == ReminderDelivery.EACH
    assert AuditEvent.objects.count() == audit_rows


def test_unsubscribing_from_the_overdue_digest_stops_it_from_next_monday(
    inbox, world, clock, client
):
    send_everything(world, clock)
    path = unsubscribe_path(received(inbox, "digest-overdue", world.coordinator))

    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200

    world.coordinator.refresh_from_db()
    assert "overdue_digest" in world.coordinator.email_events_off
    digests_plan(now=MONDAY + datetime.timedelta(days=7, hours=1))
    next_week = Digest.objects.filter(kind="overdue", period_start=datetime.date(2026, 3, 16))
    assert world.pcc.pk in {d.user_id for d in next_week}
    assert world.coordinator.pk not in {d.user_id for d in next_week}


def test_unsubscribing_from_the_weekly_digest_leaves_reminders_in_the_app_only(
    inbox, world, clock, client
):
    send_everything(world, clock)
    path = unsubscribe_path(received(inbox, "digest-weekly", world.weekly))
    assert client.post(path).status_code == 200  # a browser's button, or a bare POST
    world.weekly.refresh_from_db()
    assert "weekly_digest" in world.weekly.email_events_off

    # Next week's reminder is in the app, waits for no digest, and no digest is planned.
    clock.move_to(MONDAY + datetime.timedelta(days=7, hours=1))
    inbox.raw.clear()
    sweep()
    assert not [m for m in inbox.messages if m["To"] == world.weekly.email]
    assert Notification.objects.filter(user=world.weekly).count() >= 2
    assert not Notification.objects.filter(user=world.weekly, awaiting_digest=True).exists()


def test_the_daily_digest_link_moves_the_person_to_the_weekly_digest(inbox, world, clock, client):
    send_everything(world, clock)
    path = unsubscribe_path(received(inbox, "digest-daily", world.daily))
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    world.daily.refresh_from_db()
    assert world.daily.reminder_delivery == ReminderDelivery.WEEKLY


# The day of the weekly digests ---------------------------------------------------------------


def test_weekly_digests_are_planned_on_monday_not_on_the_day_the_tracker_starts(world, clock):
    clock.move_to(FRIDAY)
    digests_plan(now=timezone.now())
    assert not Digest.objects.filter(kind__in=["weekly", "overdue"]).exists()

    clock.move_to(datetime.datetime(2026, 3, 16, 7, 59, tzinfo=datetime.UTC))
    digests_plan(now=timezone.now())
    assert not Digest.objects.filter(kind__in=["weekly", "overdue"]).exists()

    clock.move_to(datetime.datetime(2026, 3, 16, 8, 0, tzinfo=datetime.UTC))
    digests_plan(now=timezone.now())
    planned = set(Digest.objects.values_list("kind", "period_start"))
    assert ("overdue", datetime.date(2026, 3, 16)) in planned
    assert ("weekly", datetime.date(2026, 3, 16)) in planned


# The recipient's language --------------------------------------------------------------------


def test_each_email_is_rendered_in_the_recipients_language(inbox, world, clock):
    if not hasattr(world.owner, "language"):
        pytest.fail("User.language (issue 22) is not there yet")
    type(world.owner).objects.filter(pk=world.owner.pk).update(language="cy")
    send_everything(world, clock)
    for message in inbox.messages:
        html = message.get_body(("html",))
        if html is None:
            continue
        lang = "cy" if message["To"] == world.owner.email else "en-GB"
        assert f'<html lang="{lang}">' in html.get_content(), (message["To"], kind_of(message))
