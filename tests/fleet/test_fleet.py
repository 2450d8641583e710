"""The tracker as a fleet, under faults: nothing acknowledged is lost, every due reminder goes
out (a repeat only with the same Message-ID), no request fails outside the database restart,
and the balancer takes a dead web host out through /readyz.

Hosts (network namespaces, tests/fleet/stack.py): db, redis, mail, lb (HAProxy), web1, web2
(gunicorn, 2 workers each), worker1, worker2 (Celery), beat. The test, in the root namespace,
drives people through the balancer while, on a fixed timeline:

    T+10 s  web1 dies as if its power went (network unplugged, every process SIGKILLed)
    T+20 s  a worker dies the same way, while the mail server holds back the "250" for the
            reminder it is sending (so that reminder is delivered, not marked, and sent again)
    T+30 s  the other worker is cut off from Redis (packets silently dropped) for 30 s
    T+70 s  PostgreSQL restarts (immediate shutdown: crash recovery; down about 4 s)
    T+95 s  the load stops; then the reminders have up to 90 s to finish going out

The reminders: the demo's and FLEET_OVERDUE more items' missed-deadline reminders, planned by
the app, with their next attempt spread over T+5 s to T+85 s, so they fall due during the
faults.
"""

import datetime
import json
import os
import signal
import time

import pytest

from tests.fleet import stack as fleet_stack
from tests.fleet.figures import db, reminders_received, summarise
from tests.fleet.load import Load

pytestmark = pytest.mark.fleet

OVERDUE = int(os.environ.get("FLEET_OVERDUE", "30"))  # items, two reminders each
WRITERS = int(os.environ.get("FLEET_WRITERS", "4"))
DEMO_PASSWORD = "inspection-demo-2026"  # noqa: S105 - the demo's published password
REMINDERS_FROM, REMINDERS_TO = 5, 85  # seconds after T
WEB1_DIES, WORKER1_DIES, CUT_FROM, CUT_FOR, PG_RESTARTS, PG_DOWN_FOR = 10, 20, 30, 30, 70, 4
LOAD_STOPS = 95
RESTART_GRACE = 10  # seconds after PostgreSQL is back that a failure still counts as its


def spread_reminders(stack, start: float) -> dict[int, float]:
    """Every reminder due now is moved to fall due between T+5 s and T+85 s instead."""
    rows = db(
        stack,
        "SELECT id FROM tracker_reminder WHERE state = 'pending' AND next_attempt_at <= now() "
        "ORDER BY next_attempt_at, id",
    )
    times = {}
    for n, (pk,) in enumerate(rows):
        times[pk] = start + REMINDERS_FROM + n * (REMINDERS_TO - REMINDERS_FROM) / len(rows)
    for pk, when in times.items():
        at = datetime.datetime.fromtimestamp(when, tz=datetime.UTC)
        db(stack, "UPDATE tracker_reminder SET next_attempt_at = %s WHERE id = %s", (at, pk))
    return times


def wait_until(condition, timeout: float, every: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def test_the_fleet_loses_nothing_through_host_deaths_a_partition_and_a_database_restart(fleet):
    stack, items = fleet_stack.stack_up(fleet, overdue=OVERDUE, writable=max(WRITERS, 4))
    hosts = fleet.hosts
    start = time.time() + 15  # T: when the load starts, once the workers are up
    due = spread_reminders(stack, start)
    assert len(due) >= OVERDUE * 2, f"expected the overdue items' reminders, found {len(due)}"
    for name in ("worker1", "worker2"):
        stack.started[name] = fleet_stack.worker_start(stack, name)
    stack.started["beat"] = fleet_stack.beat_start(stack)
    load = Load(stack.site, [("priya.shah@wmp.example", DEMO_PASSWORD)] * WRITERS, items)
    time.sleep(max(0.0, start - time.time()))
    load.start()  # signs everyone in first
    t = {"load started": start}

    def at(seconds: float) -> None:
        time.sleep(max(0.0, start + seconds - time.time()))

    def mark(what: str) -> None:
        t[what] = time.time()
        fleet.note(what)

    try:
        at(WEB1_DIES)
        mark("web1 killed")
        fleet.link(hosts["web1"], up=False)  # the power goes: nothing gets out any more
        fleet.kill(stack.started["web1"])
        wait_until(
            lambda: fleet_stack.haproxy_servers(stack)["web1"]["status"].startswith("DOWN"), 20
        )
        mark("web1 out of the balancer")

        at(WORKER1_DIES)
        # A worker dies at the worst moment: the mail server has the reminder it is sending,
        # and it is waiting for the "250" before marking the reminder sent. Whichever worker
        # sends next is the one that dies; the other is cut off from Redis later.
        (stack.mail_hold / "hold").touch()
        wait_until(lambda: (stack.mail_hold / "held").exists(), CUT_FROM - WORKER1_DIES - 2, 0.1)
        held = stack.mail_hold / "held"
        held = json.loads(held.read_text()) if held.exists() else {}
        by_address = {hosts[n].address: n for n in ("worker1", "worker2")}
        dead = by_address.get(held.get("peer"), "worker1")
        survivor = "worker2" if dead == "worker1" else "worker1"
        mark("worker killed")
        fleet.link(hosts[dead], up=False)
        fleet.kill(stack.started[dead])
        (stack.mail_hold / "release").touch()

        at(CUT_FROM)
        mark("worker cut from redis")
        fleet.cut(hosts[survivor], hosts["redis"])
        at(CUT_FROM + CUT_FOR)
        fleet.heal(hosts[survivor], hosts["redis"])
        mark("worker reconnected to redis")

        at(PG_RESTARTS)
        mark("postgres stopped")
        fleet.kill(stack.postgres, signal.SIGQUIT, wait=30)  # immediate shutdown
        time.sleep(PG_DOWN_FOR)
        fleet_stack.postgres_start(stack)
        mark("postgres ready")

        at(LOAD_STOPS)
    finally:
        load.finish()
    mark("load stopped")

    # The reminders have a while to finish (claims left by the dead worker lapse after the
    # lease).
    def all_sent() -> bool:
        states = db(
            stack,
            "SELECT count(*) FROM tracker_reminder WHERE id = ANY(%s) AND state = 'sent'",
            (list(due),),
        )
        return states[0][0] == len(due) and set(due) <= set(reminders_received(stack))

    wait_until(all_sent, 90)
    mark("reminders settled")
    time.sleep(2 * fleet_stack.SWEEP_SECONDS)  # and nothing more arrives

    summary = summarise(stack, load, due, t, restart_grace=RESTART_GRACE)
    summary["workers"] = {
        "killed": dead,
        "killed_while_the_mail_server_held": int(held["reminder"]) if held else None,
        "cut_from_redis": survivor,
    }
    print("\n" + json.dumps(summary, indent=2, default=str))
    (fleet.workdir / "summary.json").write_text(json.dumps(summary, indent=2, default=str))

    assert not load.problems, load.problems
    assert summary["writes"]["acknowledged_missing"] == [], "an acknowledged write was lost"
    assert summary["reminders"]["not_sent"] == [], "a due reminder was never sent"
    assert summary["reminders"]["not_received"] == [], "a due reminder never reached the server"
    assert summary["reminders"]["repeats_with_different_message_id"] == []
    assert summary["requests"]["failed_otherwise"] == [], (
        "requests failed outside the PostgreSQL restart"
    )
    # A request web1 was answering when its power went gets no answer (HAProxy gives up
    # after its 30 s server timeout): no balancer can save it, and a POST may even have
    # been applied. At most one per person, each counted in the figures.
    assert len(summary["requests"]["failed_in_flight_on_web1"]) <= WRITERS
    assert summary["balancer"]["web1_status"].startswith("DOWN")
    assert summary["balancer"]["web2_status"] == "UP"
    assert summary["balancer"]["web1_down_logged"], "HAProxy's log shows web1 going DOWN"
    assert summary["balancer"]["readyz_503_took_a_host_out"], "a 503 from /readyz counts"
