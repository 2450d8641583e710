"""The delivery guarantee: "at least once; a repeat is possible only when a worker dies
between the mail server accepting a message and the row being marked, and carries the same
Message-ID".

The window is one message and one UPDATE: after the server accepts a reminder, the sweep marks
that row sent before it does anything else. End to end, a real worker (with beat) on the real
Redis sends to a real SMTP server, which stops the worker's process group the moment it
accepts the third reminder (before its 250 reply can be read), so the worker dies exactly
inside that window; a new worker takes over once the claim has lapsed, and the one repeat
carries the same Message-ID.
"""

import collections
import datetime
import os
import signal
import time

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from tests.e2e import kill_group, wait_for
from tests.factories import World, make_finding, make_item
from tracker.models import DeadlineRule, Reminder, ReminderState
from tracker.reminders.sweeps import sweep
from tracker.rule_presets import presets_install

ITEMS = 4  # each overdue item owes a reminder to its owner and to the force coordinator
STOP_AT = 3  # the worker dies once the mail server has accepted the third reminder


def overdue_items(world: World) -> None:
    overdue = timezone.localdate() - datetime.timedelta(days=2)
    for n in range(ITEMS):
        make_item(
            make_finding(world.report, text=f"Recommendation {n} for the delivery test."),
            world.wmp,
            owner=world.owner,
            due=overdue,
            by=world.coordinator,
        )


# The window, in one process ----------------------------------------------------------------

EVENTS: list[tuple] = []  # in order: ("sql", statement, params), ("accepted", reminder pk)


class RecordingBackend(EmailBackend):
    """A mail server that notes each message it accepts among the SQL the sweep runs."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        EVENTS.extend(("accepted", m.extra_headers.get("X-Tracker-Reminder", "")) for m in messages)
        return sent


def record_sql(execute, sql, params, many, context):
    EVENTS.append(("sql", sql, params))
    return execute(sql, params, many, context)


@pytest.mark.django_db
def test_after_the_server_accepts_a_reminder_the_only_step_before_the_next_is_marking_it(
    settings,
):
    settings.EMAIL_BACKEND = "tests.test_delivery_guarantee.RecordingBackend"
    world = World.build()
    overdue_items(world)
    EVENTS.clear()

    with connection.execute_wrapper(record_sql):
        assert sweep().sent == ITEMS * 2

    accepted = [n for n, event in enumerate(EVENTS) if event[0] == "accepted" and event[1]]
    assert len(accepted) == ITEMS * 2
    for this, following in zip(accepted, accepted[1:], strict=False):
        between = EVENTS[this + 1 : following]
        assert len(between) == 1, f"one statement between two messages, not {between}"
        _, sql, params = between[0]
        assert sql.startswith('UPDATE "tracker_reminder" SET "state"'), sql
        assert ReminderState.SENT in params
        assert int(EVENTS[this][1]) in params, "the row of the message just accepted"
    # Each missed-deadline reminder's next repeat was planned before it went.
    for row in Reminder.objects.filter(state=ReminderState.SENT):
        assert Reminder.objects.filter(
            deadline=row.deadline, recipient=row.recipient, step="missed-2"
        ).exists()


# End to end: a real worker killed inside the window ----------------------------------------


# Transactional, so the worker sees the rows. Earlier transactional tests flush the tables,
# so the test installs the preset rules itself (as load_seed_data does).
@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_the_server_accepts_repeats_one_reminder_with_its_message_id(
    mail_server, start_worker
):
    handler, _ = mail_server
    handler.block_at = None  # nothing is held at RCPT: the kill comes after DATA instead
    presets_install(DeadlineRule)
    overdue_items(World.build())
    due = set(
        Reminder.objects.filter(
            state=ReminderState.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    assert len(due) == ITEMS * 2

    workers: list = []
    stopped: list[int] = []

    def stop_the_worker(message) -> None:
        """Freeze the sending worker as its message is accepted: it never reads the 250."""
        if stopped or not message["X-Tracker-Reminder"]:
            return
        if len(handler.reminder_ids()) == STOP_AT:
            os.killpg(workers[0].pid, signal.SIGSTOP)
            stopped.append(int(message["X-Tracker-Reminder"]))

    handler.on_accept = stop_the_worker
    workers.append(start_worker("first"))
    wait_for(lambda: bool(stopped), what="the mail server to accept the third reminder")
    time.sleep(0.5)  # the 250 reply goes back to the frozen worker
    kill_group(workers[0])
    handler.on_accept = None
    (accepted,) = stopped

    # The kill landed in the window: the server has the message, the row is not marked.
    assert handler.reminder_ids().count(accepted) == 1
    assert Reminder.objects.get(pk=accepted).state == ReminderState.SENDING
    already_sent = set(handler.reminder_ids()) - {accepted}
    assert len(already_sent) == STOP_AT - 1
    assert set(Reminder.objects.filter(pk__in=already_sent).values_list("state", flat=True)) == {
        ReminderState.SENT
    }, "each message accepted before the kill was marked at once"

    start_worker("second")  # takes the stranded rows over once their claim lapses
    wait_for(
        lambda: set(handler.reminder_ids()) == due,
        what="every reminder to arrive after the restart",
    )
    time.sleep(5)  # two more beat sweeps: nothing more may arrive

    received = collections.Counter(handler.reminder_ids())
    assert received[accepted] == 2, "the one message in the window is repeated once"
    assert {pk: n for pk, n in received.items() if pk != accepted} == dict.fromkeys(
        due - {accepted}, 1
    ), "every other reminder arrives exactly once"
    ids = collections.defaultdict(set)
    for message in handler.messages:
        if message["X-Tracker-Reminder"]:
            ids[int(message["X-Tracker-Reminder"])].add(message["Message-ID"])
    assert len(ids[accepted]) == 1, f"the repeat carries the same Message-ID: {ids[accepted]}"
    assert len({next(iter(v)) for v in ids.values()}) == len(due), "one Message-ID per reminder"
    assert set(Reminder.objects.filter(pk__in=due).values_list("state", flat=True)) == {
        ReminderState.SENT
    }
    assert Reminder.objects.get(pk=accepted).attempts == 2
