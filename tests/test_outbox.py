"""The outbox (tracker/outbox.py): background work asked for in a transaction is recorded in
it, sent after commit, kept while the broker is down and sent by the sweep when it is back,
and never sent twice at once. And defect 3 of issue 19: a report uploaded while Redis is down
is accepted, kept, and read once Redis returns (with a real worker and beat in the end-to-end
test)."""

import time
from pathlib import Path

import pytest
import time_machine
from celery import Celery, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tests.test_deadline_rules_admin import post_rule
from tracker import background, outbox
from tracker.models import DeadlineRule, OutboxMessage
from tracker.reminders.notices import notify

RECORD = "tests.outbox.record"
RAN: list[tuple] = []
PEEL_2015 = (Path(settings.FIXTURES_DIR) / "sources" / "002_d8db408b9b4688bf.txt").read_bytes()


@shared_task(name=RECORD)
def record(*args) -> None:
    """A task that only notes that it ran (CELERY_TASK_ALWAYS_EAGER runs it inline)."""
    RAN.append(args)


@pytest.fixture(autouse=True)
def nothing_ran_yet():
    RAN.clear()
    yield
    RAN.clear()


@pytest.fixture
def broker_down(monkeypatch):
    """The broker refuses connections, as Redis does while it is down (a real kombu
    connection to a port nobody listens on)."""
    app = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    monkeypatch.setattr(background, "current_app", app)
    return app


def waiting_row(*args, task_name: str = RECORD) -> OutboxMessage:
    """A row as a commit leaves it when the broker could not take it: waiting, unclaimed."""
    return OutboxMessage.objects.create(
        task_name=task_name, args=list(args), created_at=timezone.now(), attempts=1
    )


# Recording and sending ---------------------------------------------------------------------


def test_work_asked_for_in_a_change_that_rolls_back_is_never_sent(
    db, django_capture_on_commit_callbacks
):
    def change_that_fails():
        with transaction.atomic():
            outbox.send_on_commit(RECORD, 1)
            raise RuntimeError("the change fails")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboxMessage.objects.exists()
    assert RAN == []


def test_work_is_recorded_with_the_change_and_sent_once_it_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        outbox.send_on_commit(RECORD, 7, "x")
    message = OutboxMessage.objects.get()
    assert message.state == "waiting"  # recorded in the transaction, not sent before commit
    assert RAN == []
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert RAN == [(7, "x")]
    assert message.state == "sent"
    assert message.sent_at is not None
    assert message.attempts == 1


def test_a_commit_while_the_broker_is_down_keeps_the_work_and_raises_nothing(
    db, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.send_on_commit(RECORD, 1)
    message = OutboxMessage.objects.get()
    assert message.state == "waiting"
    assert message.claimed_until is None  # given back for the sweep
    assert "broker could not be reached" in message.note
    assert outbox.is_waiting(RECORD, 1)


def test_a_sweep_while_the_broker_is_down_stops_at_once_and_keeps_every_row(db, broker_down):
    for n in range(20):
        waiting_row(n)
    started = time.monotonic()
    first = outbox.outbox_sweep()
    second = outbox.outbox_sweep()  # and again: no crash, no loop
    assert time.monotonic() - started < 10
    assert first["broker down"] == second["broker down"] == 1
    assert first["sent"] == second["sent"] == 0
    assert OutboxMessage.objects.waiting().count() == 20
    assert not OutboxMessage.objects.exclude(claimed_until=None).exists()


def test_the_sweep_sends_what_the_broker_could_not_take_once_it_is_back(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    with monkeypatch.context() as patch, django_capture_on_commit_callbacks(execute=True):
        patch.setattr(background, "current_app", down)
        for n in range(3):
            outbox.send_on_commit(RECORD, n)
    assert RAN == []
    assert OutboxMessage.objects.waiting().count() == 3
    counts = outbox.outbox_sweep()  # the broker is back (the test's eager app)
    assert counts["sent"] == 3
    assert sorted(RAN) == [(0,), (1,), (2,)]
    assert not OutboxMessage.objects.waiting().exists()
    assert outbox.outbox_sweep()["sent"] == 0  # nothing is sent twice


def test_two_senders_never_send_one_row_twice(db, monkeypatch):
    for n in range(5):
        waiting_row(n)
    real_send = background.send
    second: dict[str, int] = {}

    def send_while_another_sweep_runs(task_name, *args):
        # While the first sweep holds its first row, a second sweep runs in full.
        if not second:
            second["started"] = 1
            second.update(outbox.outbox_sweep())
        real_send(task_name, *args)

    monkeypatch.setattr(background, "send", send_while_another_sweep_runs)
    first = outbox.outbox_sweep()
    assert sorted(RAN) == [(0,), (1,), (2,), (3,), (4,)]  # each once
    assert second["sent"] == 4  # the second sweep left the claimed row alone
    assert first["sent"] == 1  # and the first found the rest sent
    assert first["taken"] == 4
    assert OutboxMessage.objects.filter(state="sent", attempts=2).count() == 5  # one claim each


def test_work_whose_process_died_before_sending_is_sent_when_its_lease_runs_out(db):
    # Recorded; the after-commit step never runs here, as if the process died before it.
    message = outbox.send_on_commit(RECORD, 1)
    assert outbox.outbox_sweep()["sent"] == 0  # it is the recording process's to send
    assert outbox.message_send(message.pk) is outbox.Outcome.TAKEN
    assert RAN == []
    assert outbox.outbox_sweep(now=timezone.now() + outbox.LEASE * 2)["sent"] == 1
    assert RAN == [(1,)]


def test_a_commit_that_comes_after_the_lease_ran_out_sends_only_if_no_sweep_took_it(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as taken_meanwhile:
        outbox.send_on_commit(RECORD, 1)
    with django_capture_on_commit_callbacks(execute=False) as still_its_own:
        outbox.send_on_commit(RECORD, 2)
    later = timezone.now() + outbox.LEASE * 2
    with time_machine.travel(later):
        first = OutboxMessage.objects.get(args=[1])
        assert outbox.message_send(first.pk) is outbox.Outcome.SENT  # a sweep took it
        taken_meanwhile[0]()  # then the long transaction's after-commit step
        still_its_own[0]()
    assert sorted(RAN) == [(1,), (2,)]  # each once
    assert OutboxMessage.objects.get(args=[1]).attempts == 2
    assert OutboxMessage.objects.get(args=[2]).state == "sent"


def test_work_for_a_task_that_does_not_exist_fails_for_good(db):
    message = waiting_row(1, task_name="tracker.tasks.no_such_task")
    assert outbox.outbox_sweep()["failed"] == 1
    message.refresh_from_db()
    assert message.state == "failed"
    assert "no task called tracker.tasks.no_such_task" in message.note
    assert outbox.outbox_sweep()["failed"] == 0  # not tried again


def test_sent_work_is_deleted_after_a_week(db):
    now = timezone.now()
    OutboxMessage.objects.create(
        task_name=RECORD, args=[], created_at=now, state="sent", sent_at=now - outbox.KEEP_SENT * 2
    )
    recent = OutboxMessage.objects.create(
        task_name=RECORD, args=[], created_at=now, state="sent", sent_at=now
    )
    outbox.outbox_sweep(now=now)
    assert list(OutboxMessage.objects.all()) == [recent]


def test_beat_runs_the_outbox_sweep_every_minute():
    from celery import current_app

    entry = settings.CELERY_BEAT_SCHEDULE["send-outbox"]
    assert entry["task"] == background.SEND_OUTBOX
    assert entry["schedule"] == 60
    assert background.SEND_OUTBOX in current_app.tasks


def test_the_reminder_sweep_sends_the_outbox_first(db):
    waiting_row(1)
    background.send(background.SWEEP_REMINDERS)
    assert RAN == [(1,)]


# Every enqueue after commit goes through the outbox -------------------------------------------


def test_a_rule_saved_in_the_admin_asks_for_its_resync_through_the_outbox(
    admin_client, world, broker_down
):
    rule = DeadlineRule.objects.get(key="progress-update")
    response = post_rule(admin_client, rule, length="60")
    assert response.status_code == 302
    assert outbox.is_waiting(background.RESYNC_RULE, rule.pk)


def test_a_notice_asks_for_a_sweep_through_the_outbox(world):
    notify([world.owner], subject="Hello", body="A notice", url="/", now=timezone.now())
    assert outbox.is_waiting(background.SWEEP_REMINDERS)


def test_nothing_in_the_app_enqueues_after_commit_except_the_outbox():
    root = Path(settings.BASE_DIR)
    found = [
        str(path.relative_to(root))
        for folder in ("tracker", "accounts", "config")
        for path in (root / folder).rglob("*.py")
        if "transaction.on_commit(" in path.read_text() or ".delay(" in path.read_text()
    ]
    assert found == ["tracker/outbox.py"]
