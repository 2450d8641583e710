"""The batched sweep (issue 16): rows claimed a batch at a time by one UPDATE, settled together
(cancellations, notifications, rows read in the app) before any is emailed, one SMTP
connection a batch, and each emailed row still marked by its own UPDATE as soon as the mail
server accepts it. And emails built in linear time (an encoded subject, a ready boundary)."""

import datetime
import email
import email.policy
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from accounts.models import ReminderDelivery, User
from tests.factories import World, make_finding, make_item
from tracker.models import Notification, Reminder, ReminderState
from tracker.reminders import sweeps
from tracker.reminders.mail import build_email, encoded_words
from tracker.reminders.sweeps import sweep

ITEMS = 4  # each overdue item owes a reminder to its owner and to the force coordinator


def overdue_items(world: World, count: int = ITEMS) -> None:
    overdue = timezone.localdate() - datetime.timedelta(days=2)
    for n in range(count):
        make_item(
            make_finding(world.report, text=f"Recommendation {n} for the batch test."),
            world.wmp,
            owner=world.owner,
            due=overdue,
            by=world.coordinator,
        )


class Statements:
    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    def reminder_updates(self, state: str) -> list[tuple]:
        return [
            params
            for sql, params in self.seen
            if sql.startswith('UPDATE "tracker_reminder" SET "state"') and params[0] == state
        ]


class CountingBackend(EmailBackend):
    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()


@pytest.fixture
def counting_mail(settings):
    settings.EMAIL_BACKEND = "tests.test_sweep_batches.CountingBackend"
    CountingBackend.opened = 0
    return CountingBackend


def due_reminders() -> set[int]:
    return set(
        Reminder.objects.filter(
            state=ReminderState.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_each_batch_is_claimed_by_one_update_and_sent_over_one_connection(
    monkeypatch, counting_mail
):
    monkeypatch.setattr(sweeps, "REMINDER_BATCH", 3)
    overdue_items(World.build())
    due = due_reminders()
    assert len(due) == ITEMS * 2
    statements = Statements()

    with connection.execute_wrapper(statements):
        result = sweep()

    batches = -(-len(due) // 3)
    assert result.sent == len(due)
    assert len(statements.reminder_updates(ReminderState.SENDING)) == batches
    # One connection a batch, and one for the notices and digests after them.
    assert counting_mail.opened == batches + 1
    marks = statements.reminder_updates(ReminderState.SENT)
    assert len(marks) == len(due), "each emailed row is marked by its own UPDATE"
    sent_ids = {m.extra_headers.get("X-Tracker-Reminder") for m in mail.outbox} - {None}
    assert sent_ids == {str(pk) for pk in due}
    assert set(Reminder.objects.filter(pk__in=due).values_list("state", flat=True)) == {
        ReminderState.SENT
    }
    assert Notification.objects.filter(reminder_id__in=due).count() == len(due)


@pytest.mark.django_db
def test_rows_read_in_the_app_are_finished_together_without_an_email(counting_mail):
    world = World.build()
    User.objects.filter(pk__in=[world.owner.pk, world.coordinator.pk]).update(
        reminder_delivery=ReminderDelivery.DAILY
    )
    overdue_items(world)
    due = due_reminders()
    statements = Statements()

    with connection.execute_wrapper(statements):
        result = sweep()

    assert result.sent == len(due)
    assert not [m for m in mail.outbox if m.extra_headers.get("X-Tracker-Reminder")]
    assert len(statements.reminder_updates(ReminderState.SENT)) == 1, "one UPDATE for all"
    rows = Reminder.objects.filter(pk__in=due)
    assert {(r.state, r.by_email) for r in rows} == {(ReminderState.SENT, False)}
    # In the app and for the digest (which goes from 08:00, so perhaps in this same sweep).
    assert Notification.objects.filter(reminder_id__in=due).count() == len(due)


@pytest.mark.django_db
def test_rows_no_longer_wanted_are_cancelled_together(counting_mail):
    world = World.build()
    overdue_items(world)
    due = due_reminders()
    # The owner leaves (not through the service, so the waiting rows are still due).
    User.objects.filter(pk=world.owner.pk).update(is_active=False)
    statements = Statements()

    with connection.execute_wrapper(statements):
        result = sweep()

    cancelled = Reminder.objects.filter(pk__in=due, state=ReminderState.CANCELLED)
    assert result.cancelled == cancelled.count() == ITEMS
    assert set(cancelled.values_list("note", flat=True)) == {
        "The recipient's account is deactivated."
    }
    deactivated = [
        params
        for params in statements.reminder_updates(ReminderState.CANCELLED)
        if "The recipient's account is deactivated." in params
    ]
    assert len(deactivated) == 1, "one UPDATE for the batch"
    assert result.sent == ITEMS  # the coordinator's
    assert not [m for m in mail.outbox if m.to == [world.owner.email]]


class DownAfterClaimBackend(EmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.mark.django_db
def test_a_batch_whose_connection_cannot_open_is_given_back_untried(settings):
    settings.EMAIL_BACKEND = "tests.test_sweep_batches.DownAfterClaimBackend"
    overdue_items(World.build())
    due = due_reminders()
    before = dict(Reminder.objects.filter(pk__in=due).values_list("pk", "attempts"))

    with pytest.raises(sweeps.MailServerDown):
        sweep()

    rows = Reminder.objects.filter(pk__in=due)
    assert {r.state for r in rows} == {ReminderState.PENDING}
    assert {r.pk: r.attempts for r in rows} == before, "the claim's attempt is undone"
    assert due_reminders() == due, "all still due for the next sweep"


# Building the email --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "Action due date: 3 days overdue (12 April 2026) – Improve the quality of crime data",
        "é" * 200,
        "Emoji 🚓 at the edge " + "🚓" * 30,
        "Welsh: Ymateb i’r argymhelliad – Heddlu Dyfed-Powys " * 4,
    ],
)
def test_a_subject_is_encoded_in_words_that_decode_to_it(subject):
    encoded = encoded_words(subject)

    assert encoded.isascii()
    assert all(len(word) <= 75 for word in encoded.split(" "))
    assert str(make_header(decode_header(encoded))) == subject


@pytest.mark.django_db
def test_a_built_email_reads_back_as_written():
    world = World.build()
    subject = "Action due date: due in 7 days (22 April 2026) – Improve the quality of crime data"
    message = build_email(
        world.owner,
        subject,
        "The text – with a dash.",
        "<p>The HTML – with a dash.</p>",
        headers={"Message-ID": "<reminder-42.before-7.202604150700@tracker.example.org>"},
    )

    parsed = email.message_from_bytes(
        message.message().as_bytes(linesep="\r\n"), policy=email.policy.default
    )

    assert parsed["Subject"] == subject
    assert message.subject == subject, "the message keeps the subject as written"
    assert parsed["Message-ID"] == "<reminder-42.before-7.202604150700@tracker.example.org>"
    parts = {p.get_content_type(): p.get_content() for p in parsed.walk() if not p.is_multipart()}
    assert parts["text/plain"].strip() == "The text – with a dash."
    assert parts["text/html"].strip() == "<p>The HTML – with a dash.</p>"
    assert parsed.get_boundary() not in parts["text/plain"] + parts["text/html"]
