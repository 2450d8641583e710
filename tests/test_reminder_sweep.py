"""The sweep: exactly once, catch-up, cancellation, escalation and failures, on a frozen clock."""

import datetime
import smtplib
import uuid

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accounts.models import ReminderDelivery
from tests.factories import World
from tracker import services
from tracker.models import Deadline, DeadlineRule, Digest, Reminder, ReminderState, SweepRun
from tracker.reminders.digests import digests_plan, digests_run
from tracker.reminders.mail import MailServerDown, rows_claim
from tracker.reminders.sweeps import sweep

START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)  # a Monday
DUE = datetime.date(2026, 4, 15)  # a Wednesday


def at(day: datetime.date, hour=9, minute=0):
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    # These tests follow one rule, the action due date; the others stay out of the way.
    DeadlineRule.objects.exclude(key="action-due-date").update(active=False)
    w = World.build()
    services.item_revise_due_date(
        item=w.item, by=w.coordinator, new_date=DUE, reason="Agreed at the board."
    )
    w.item.refresh_from_db()
    return w


def sweep_at(clock, when):
    clock.move_to(when)
    return sweep()


def sweep_daily(clock, until: datetime.date, hour=9):
    """A worker that sweeps every morning from tomorrow until `until`; then a clean outbox."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day <= until:
        sweep_at(clock, at(day, hour))
        day += datetime.timedelta(days=1)
    mail.outbox.clear()


def days(n):
    return datetime.timedelta(days=n)


def sent_to(result):
    return sorted(line.split(" to ")[1].split(":")[0] for line in result.lines)


def action_reminders(world, version=2):
    """The item's due-date reminders (version 2: the fixture moved the due date once)."""
    return Reminder.objects.filter(
        deadline__item=world.item, deadline__rule__key="action-due-date", deadline_version=version
    )


def test_each_reminder_is_sent_once_however_often_the_sweep_runs(world, clock):
    sweep_daily(clock, DUE - days(8))
    first = sweep_at(clock, at(DUE - datetime.timedelta(days=7)))
    again = sweep()
    later = sweep_at(clock, at(DUE - datetime.timedelta(days=7), 11))

    assert sent_to(first) == [world.owner.email]
    assert again.sent == 0
    assert later.sent == 0
    seven = [m for m in mail.outbox if "Action due date: due in 7 days" in m.subject]
    assert len(seven) == 1
    assert seven[0].to == [world.owner.email]


def test_a_sweep_that_did_not_run_catches_up_and_marks_the_reminder_late(world, clock):
    sweep_daily(clock, DUE - days(8))
    # No sweep ran on the day the 7-day reminder was due; the next day's sweep sends it.
    result = sweep_at(clock, at(DUE - datetime.timedelta(days=6)))

    row = action_reminders(world).get(step="before-7", recipient=world.owner)
    assert row.state == ReminderState.SENT
    assert row.late
    assert result.late >= 1
    message = next(m for m in mail.outbox if m.extra_headers["X-Tracker-Reminder"] == str(row.pk))
    assert "could not be sent then" in message.body
    assert "due in 6 days" in message.subject  # it says how things stand now


def test_closing_the_item_cancels_its_waiting_reminders(world, clock):
    clock.move_to(at(DUE - datetime.timedelta(days=20)))
    services.closure_propose(item=world.item, by=world.owner, summary="Done and evidenced.")
    services.closure_decide(item=world.item, by=world.coordinator, approve=True)

    sweep_daily(clock, DUE + days(10))

    assert not Reminder.objects.filter(state=ReminderState.SENT).exists()
    assert not action_reminders(world).filter(state=ReminderState.PENDING).exists()
    assert (
        action_reminders(world)
        .filter(state=ReminderState.CANCELLED, note="The deadline was met.")
        .exists()
    )


def test_moving_the_due_date_cancels_the_old_reminders_and_plans_new_ones(world, clock):
    new_due = DUE + datetime.timedelta(days=30)
    clock.move_to(at(DUE - datetime.timedelta(days=20)))
    services.item_revise_due_date(
        item=world.item, by=world.coordinator, new_date=new_due, reason="Waiting for IT."
    )

    sweep_daily(clock, DUE - days(8))
    old_day = sweep_at(clock, at(DUE - datetime.timedelta(days=7)))
    sweep_daily(clock, new_due - days(8))
    new_day = sweep_at(clock, at(new_due - datetime.timedelta(days=7)))

    deadline = Deadline.objects.get(item=world.item, rule__key="action-due-date")
    assert deadline.version == 3
    assert old_day.sent == 0
    assert new_day.sent == 1
    assert (
        action_reminders(world, version=2)
        .filter(state=ReminderState.CANCELLED, note__startswith="The deadline moved")
        .exists()
    )


def test_a_new_owner_gets_the_reminders_the_old_owner_would_have(world, clock):
    clock.move_to(at(DUE - datetime.timedelta(days=10)))
    services.item_assign(item=world.item, by=world.coordinator, owner=world.colleague)

    first = sweep_at(clock, at(DUE - days(10), 10))
    sweep_daily(clock, DUE - days(8))
    result = sweep_at(clock, at(DUE - datetime.timedelta(days=7)))

    assert sent_to(first) == [world.colleague.email]  # where things stand: the 14-day step
    assert "due in 10 days" in first.lines[0]
    assert sent_to(result) == [world.colleague.email]
    assert (
        not action_reminders(world)
        .filter(recipient=world.owner, state=ReminderState.PENDING)
        .exists()
    )


def test_escalation_goes_owner_then_coordinator_then_pcc_office_and_lead(world, clock):
    services.item_assign(
        item=world.item, by=world.coordinator, owner=world.owner, lead=world.colleague
    )
    sweep_daily(clock, DUE - days(8))
    seven = sweep_at(clock, at(DUE - datetime.timedelta(days=7)))
    sweep_daily(clock, DUE - days(4))
    three = sweep_at(clock, at(DUE - datetime.timedelta(days=3)))
    sweep_daily(clock, DUE)
    missed_1 = sweep_at(clock, at(DUE + datetime.timedelta(days=1)))
    sweep_daily(clock, DUE + days(7))
    missed_2 = sweep_at(clock, at(DUE + datetime.timedelta(days=8)))

    action = "Action due date"
    assert [x for x in sent_to(seven)] == [world.owner.email]
    assert sent_to(three) == sorted([world.owner.email, world.coordinator.email])
    missed = [line for line in missed_1.lines if action in line]
    assert sorted(line.split(" to ")[1].split(":")[0] for line in missed) == sorted(
        [world.owner.email, world.coordinator.email]
    )
    second = [line for line in missed_2.lines if "missed-2" in line and action in line]
    assert sorted(line.split(" to ")[1].split(":")[0] for line in second) == sorted(
        [world.owner.email, world.coordinator.email, world.pcc.email, world.colleague.email]
    )


def test_a_missed_deadline_repeats_weekly_but_an_outage_does_not_cause_a_burst(world, clock):
    sweep_daily(clock, DUE)
    # The worker is down for a month after the deadline.
    after_outage = sweep_at(clock, at(DUE + datetime.timedelta(days=30)))
    same_day = sweep()

    owner_missed = [
        line
        for line in after_outage.lines
        if "missed-" in line and world.owner.email in line and "Action due date" in line
    ]
    assert len(owner_missed) == 1  # missed-1, late; not one per week of the outage
    assert same_day.sent == 0
    upcoming = action_reminders(world).filter(state=ReminderState.PENDING, recipient=world.owner)
    assert [r.step for r in upcoming] == ["missed-6"]
    assert upcoming[0].due_at == at(DUE + datetime.timedelta(days=36), 8)


def test_a_reminder_claimed_by_another_sweep_is_not_sent_again(world, clock, settings):
    sweep_daily(clock, DUE - days(8))
    clock.move_to(at(DUE - datetime.timedelta(days=7)))
    row = action_reminders(world).get(step="before-7", recipient=world.owner)
    # Another worker claimed it a moment ago and is sending it.
    assert rows_claim(Reminder, [row.pk], now=timezone.now(), token=uuid.uuid4())

    assert sweep().sent == 0
    clock.move_to(timezone.now() + datetime.timedelta(seconds=settings.REMINDER_CLAIM_SECONDS - 1))
    assert sweep().sent == 0
    # That worker died: once its claim lapses the reminder is sent, once.
    clock.move_to(timezone.now() + datetime.timedelta(seconds=2))
    assert sweep().sent == 1
    assert sweep().sent == 0
    row.refresh_from_db()
    assert row.state == ReminderState.SENT
    assert row.attempts == 2


class RefusingBackend(EmailBackend):
    """A mail server that refuses one address for good and is briefly busy for another."""

    refused = "tom.ellis@example.org"
    busy = set()

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"No such user")})
            if set(message.to) & self.busy:
                raise smtplib.SMTPDataError(451, b"Try again later")
        return super().send_messages(messages)


def test_an_address_that_bounces_fails_for_good_and_is_shown_to_administrators(
    world, clock, settings, client
):
    settings.EMAIL_BACKEND = "tests.test_reminder_sweep.RefusingBackend"
    services.item_assign(item=world.item, by=world.coordinator, owner=world.colleague)

    sweep_daily(clock, DUE - days(8))
    result = sweep_at(clock, at(DUE - datetime.timedelta(days=7)))

    row = action_reminders(world).get(step="before-7", recipient=world.colleague)
    assert result.failed == 1
    assert row.state == ReminderState.FAILED
    assert "refused the address" in row.note
    assert world.colleague.notifications.filter(reminder=row).exists()  # still in the app
    admin = World.admin()
    client.force_login(admin)
    page = client.get("/reminders/health/").content.decode()
    assert "tom.ellis@example.org" in page
    assert "refused the address" in page


def test_a_busy_mail_server_is_retried_with_backoff(world, clock, settings):
    settings.EMAIL_BACKEND = "tests.test_reminder_sweep.RefusingBackend"
    sweep_daily(clock, DUE - days(8))
    RefusingBackend.busy = {world.owner.email}
    first = sweep_at(clock, at(DUE - datetime.timedelta(days=7)))
    row = action_reminders(world).get(step="before-7", recipient=world.owner)
    assert first.retried == 1
    assert row.state == ReminderState.PENDING
    assert row.next_attempt_at == at(DUE - datetime.timedelta(days=7)) + datetime.timedelta(
        minutes=1
    )

    RefusingBackend.busy = set()
    assert sweep_at(clock, at(DUE - datetime.timedelta(days=7), 9, 2)).sent == 1
    row.refresh_from_db()
    assert row.state == ReminderState.SENT
    assert row.attempts == 2


class DownBackend(EmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


def test_an_unreachable_mail_server_stops_the_sweep_and_nothing_is_lost(world, clock, settings):
    settings.EMAIL_BACKEND = "tests.test_reminder_sweep.DownBackend"
    clock.move_to(at(DUE - datetime.timedelta(days=7)))

    with pytest.raises(MailServerDown):
        sweep()

    assert action_reminders(world).get(step="before-7", recipient=world.owner).state == (
        ReminderState.PENDING
    )
    assert "could not be reached" in SweepRun.objects.get().error


def test_a_digest_reader_gets_one_email_a_day_listing_their_reminders(world, clock):
    world.owner.reminder_delivery = ReminderDelivery.DAILY
    world.owner.save()
    sweep_daily(clock, DUE - days(8))
    sweep_at(clock, at(DUE - datetime.timedelta(days=7), 7, 0))  # before 08:00: not yet
    morning = sweep_at(clock, at(DUE - datetime.timedelta(days=7), 8, 5))
    again = sweep()

    to_owner = [m for m in mail.outbox if m.to == [world.owner.email]]
    assert len(to_owner) == 1
    assert to_owner[0].subject.startswith("Your reminders digest: 1 reminder")
    assert "Action due date: due in 7 days" in to_owner[0].body
    assert morning.digests >= 1
    assert again.digests == 0
    assert not world.owner.notifications.filter(awaiting_digest=True).exists()


def test_managers_get_a_weekly_overdue_digest_even_when_nothing_is_overdue(world, clock):
    monday = datetime.date(2026, 3, 9)
    sweep_daily(clock, monday - days(1))
    sweep_at(clock, at(monday, 8, 1))
    sweep()

    digests = [m for m in mail.outbox if m.subject.startswith("Weekly overdue digest")]
    assert sorted(m.to[0] for m in digests) == sorted(
        [world.coordinator.email, world.pcc.email, world.outsider.email, world.reader.email]
    )
    assert all(m.subject == "Weekly overdue digest: nothing is overdue" for m in digests)
    html = digests[0].alternatives[0][0]
    assert "Nothing is overdue" in html


def test_the_overdue_digest_lists_only_what_the_manager_may_see(world, clock):
    monday = DUE + datetime.timedelta(days=12)  # 27 April 2026, a Monday
    assert monday.weekday() == 0
    sweep_daily(clock, monday - days(1))
    sweep_at(clock, at(monday, 8, 1))

    digests = {m.to[0]: m for m in mail.outbox if m.subject.startswith("Weekly overdue")}
    assert digests[world.coordinator.email].subject == "Weekly overdue digest: 1 overdue item"
    assert "12 days overdue" in digests[world.coordinator.email].body
    assert world.finding.summary[:40] in digests[world.pcc.email].body
    assert digests[world.outsider.email].subject.endswith("nothing is overdue")


def test_claims_are_timed_by_the_real_clock_not_the_sweeps_now(world, clock):
    sweep_daily(clock, DUE - days(8))
    clock.move_to(at(DUE - days(7)))
    row = action_reminders(world).get(step="before-7", recipient=world.owner)
    # A worker is sending it now.
    assert rows_claim(Reminder, [row.pk], now=timezone.now(), token=uuid.uuid4())

    # An operator runs a sweep "as of tomorrow": the claim is still held in real time.
    sweep(now=timezone.now() + days(1))

    row.refresh_from_db()
    assert row.state == ReminderState.SENDING
    assert row.sent_at is None
    assert not [m for m in mail.outbox if "due in 7 days" in m.subject]


class FlakyOnSecondBackend(EmailBackend):
    """Accepts one message, then the connection drops."""

    sent = 0

    def send_messages(self, messages):
        FlakyOnSecondBackend.sent += 1
        if FlakyOnSecondBackend.sent > 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_mail_outage_mid_sweep_still_leaves_the_next_repeat_planned(world, clock, settings):
    sweep_daily(clock, DUE)
    settings.EMAIL_BACKEND = "tests.test_reminder_sweep.FlakyOnSecondBackend"
    FlakyOnSecondBackend.sent = 0
    clock.move_to(at(DUE + days(1)))

    with pytest.raises(MailServerDown):
        sweep()

    first = action_reminders(world).get(state=ReminderState.SENT, step="missed-1")
    assert action_reminders(world).filter(step="missed-2", recipient=first.recipient).exists()
    # The rest of the batch was given back untried, not left claimed.
    assert not action_reminders(world).filter(state=ReminderState.SENDING).exists()
    other = action_reminders(world).filter(step="missed-1").exclude(pk=first.pk).get()
    assert other.state == ReminderState.PENDING


def test_switching_back_to_each_email_sends_what_waited_for_a_digest(world, clock):
    world.owner.reminder_delivery = ReminderDelivery.WEEKLY
    world.owner.save()
    sweep_daily(clock, DUE - days(7))  # the 7-day reminder waits for Monday's digest
    assert world.owner.notifications.filter(awaiting_digest=True).exists()
    world.owner.reminder_delivery = ReminderDelivery.EACH
    world.owner.save()

    sweep_at(clock, at(DUE - days(6)))

    assert not world.owner.notifications.filter(awaiting_digest=True).exists()
    digest = [m for m in mail.outbox if m.to == [world.owner.email] and "digest" in m.subject]
    assert len(digest) == 1
    assert "due in 7 days" in digest[0].body


def test_a_digest_claimed_by_another_run_is_not_sent_twice(world, clock):
    monday = datetime.date(2026, 3, 9)
    sweep_daily(clock, monday - days(1))
    clock.move_to(at(monday, 8, 1))
    digests_plan(now=timezone.now())

    digest = Digest.objects.get(user=world.coordinator, kind="overdue", period_start=monday)
    # Another run holds it: claimed a moment ago.
    Digest.objects.filter(pk=digest.pk).update(
        state=ReminderState.SENDING,
        claimed_until=timezone.now() + datetime.timedelta(seconds=60),
        claim_token=uuid.uuid4(),
    )
    digests_run(now=timezone.now() + days(1))  # a run told it is tomorrow
    assert not [m for m in mail.outbox if m.to == [world.coordinator.email]]


def test_adding_evidence_counts_as_activity_for_the_next_progress_update(world, clock):
    DeadlineRule.objects.filter(key="progress-update").update(active=True)
    services.item_add_update(item=world.item, author=world.owner, text="Started.")
    deadline = Deadline.objects.get(item=world.item, rule__key="progress-update")
    first = deadline.due_on
    clock.move_to(at(timezone.localdate() + days(10), 11))
    services.evidence_attach(
        item=world.item,
        by=world.owner,
        uploaded_file=SimpleUploadedFile("minutes.txt", b"Board minutes.\n"),
    )
    deadline.refresh_from_db()
    assert deadline.due_on == first + days(10)


def test_the_overdue_digest_also_lists_missed_progress_updates(world, clock):
    DeadlineRule.objects.filter(key="progress-update").update(active=True)
    services.item_add_update(item=world.item, author=world.owner, text="Started.")
    monday = datetime.date(2026, 4, 13)  # 42 days after the update; the item is not yet due
    sweep_daily(clock, monday - days(1))
    sweep_at(clock, at(monday, 8, 1))

    digest = next(m for m in mail.outbox if m.to == [world.coordinator.email])
    assert digest.subject == "Weekly overdue digest: 1 missed deadline"
    assert "Next progress update, West Midlands" in digest.body
    assert "12 days overdue" in digest.body
