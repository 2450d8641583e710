"""End to end: a real Celery worker (with beat) on the real Redis, a real SMTP server.

Each reminder must arrive exactly once, even when the worker is killed in the middle of a
sweep, while it is talking to the mail server, and a new worker takes over.
"""

import datetime
import time

import pytest
from django.utils import timezone

from tests.e2e import BLOCK_AT, kill_group, wait_for
from tests.factories import World, make_finding, make_item
from tracker.models import DeadlineRule, Reminder, ReminderState
from tracker.rule_presets import presets_install

# Transactional, so the worker sees the rows. Earlier transactional tests flush the tables,
# so the test installs the preset rules itself (as load_seed_data does).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ITEMS = 6  # each overdue item owes a reminder to its owner and to the force coordinator


def test_each_reminder_arrives_once_even_when_the_worker_is_killed_mid_sweep(
    mail_server, start_worker
):
    handler, _ = mail_server
    presets_install(DeadlineRule)
    world = World.build()
    overdue = timezone.localdate() - datetime.timedelta(days=2)
    for n in range(ITEMS):
        make_item(
            make_finding(world.report, text=f"Recommendation {n} for the end-to-end test."),
            world.wmp,
            owner=world.owner,
            due=overdue,
            by=world.coordinator,
        )
    due = set(
        Reminder.objects.filter(
            state=ReminderState.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    assert len(due) == ITEMS * 2

    first = start_worker("first")
    wait_for(lambda: handler.holding, what="the first worker to reach the held message")
    kill_group(first)  # killed while the mail server holds its message
    handler.released = True

    assert len(handler.reminder_ids()) == BLOCK_AT - 1
    # The dead worker's batch is still claimed: the message it was sending and the rest.
    stranded = set(
        Reminder.objects.filter(state=ReminderState.SENDING).values_list("pk", flat=True)
    )
    assert stranded == due - set(handler.reminder_ids())
    in_flight = Reminder.objects.filter(pk__in=stranded).order_by("next_attempt_at", "id")[0]

    start_worker("second")
    wait_for(
        lambda: set(handler.reminder_ids()) == due,
        what="every reminder to arrive after the restart",
    )
    time.sleep(5)  # two more beat sweeps: nothing more may arrive

    received = handler.reminder_ids()
    assert sorted(received) == sorted(due), "each reminder arrives exactly once"
    assert set(Reminder.objects.filter(pk__in=due).values_list("state", flat=True)) == {
        ReminderState.SENT
    }
    in_flight.refresh_from_db()
    assert in_flight.attempts == 2
    digests = [m["X-Tracker-Digest"] for m in handler.messages if m["X-Tracker-Digest"]]
    assert len(digests) == len(set(digests)), "each digest arrives once"
    first_message = next(m for m in handler.messages if m["X-Tracker-Reminder"])
    assert first_message.is_multipart()
    assert {p.get_content_type() for p in first_message.walk()} >= {"text/plain", "text/html"}
