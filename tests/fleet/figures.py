"""The fleet run's figures: requests and their failures (when, and which window they fell in),
writes acknowledged and found, reminders due, sent, received and repeated (with their
Message-IDs), how late they went out, and what the balancer saw."""

import json
import statistics
from collections import Counter, defaultdict

from tests.fleet import stack as fleet_stack


def db(stack, sql: str, params=None) -> list[tuple]:
    """A query on the fleet's own PostgreSQL (the db host), from the root namespace."""
    import psycopg

    with psycopg.connect(stack.database_url, connect_timeout=5, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def messages(stack) -> list[dict]:
    text = stack.mail_log.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def reminders_received(stack) -> dict[int, list[dict]]:
    received = defaultdict(list)
    for message in messages(stack):
        if message["reminder"]:
            received[int(message["reminder"])].append(message)
    return received


def summarise(stack, load, due: dict[int, float], t: dict[str, float], *, restart_grace) -> dict:
    """Everything the lead's note needs, as JSON-ready values (times in seconds after T,
    when the load started)."""
    start = t["load started"]

    def rel(when: float | None) -> float | None:
        return None if when is None else round(when - start, 2)

    def describe(a) -> dict:
        return {
            "at": rel(a.started),
            "took": round(a.ended - a.started, 2),
            "request": f"{a.method} {a.path}",
            "status": a.status,
            "error": a.error[:120],
            "location": a.location,
        }

    # Requests, and the window each failure fell in.
    pg_from, pg_to = t["postgres stopped"], t["postgres ready"]
    web1_died = t["web1 killed"]
    failed = [a for a in load.log if a.failed]
    in_restart = [a for a in failed if a.ended >= pg_from and a.started <= pg_to + restart_grace]
    in_flight = [
        a for a in failed if a not in in_restart and a.started <= web1_died <= a.ended + 0.5
    ]
    otherwise = [a for a in failed if a not in in_restart and a not in in_flight]
    posts = [a for a in load.log if a.token]

    # Writes.
    written = {
        text
        for (text,) in db(
            stack, "SELECT text FROM tracker_progressupdate WHERE text LIKE 'Fleet write %%'"
        )
    }
    acknowledged = [a for a in posts if a.acknowledged]
    unacknowledged = [a for a in posts if not a.acknowledged]

    # Reminders.
    received = reminders_received(stack)
    states = {
        pk: (state, attempts, note)
        for pk, state, attempts, note in db(
            stack,
            "SELECT id, state, attempts, note FROM tracker_reminder WHERE id = ANY(%s)",
            (list(due),),
        )
    }
    repeats = {pk: msgs for pk, msgs in received.items() if len(msgs) > 1}
    delays = sorted(
        min(m["at"] for m in received[pk]) - when for pk, when in due.items() if pk in received
    )
    sweeps = db(
        stack,
        "SELECT count(*), count(*) FILTER (WHERE error <> ''), coalesce(sum(sent), 0) "
        "FROM tracker_sweeprun",
    )[0]
    all_messages = messages(stack)
    cut_ended = t["worker reconnected to redis"]
    after_cut = [m["at"] for m in all_messages if m["at"] >= cut_ended]

    # The balancer.
    servers = fleet_stack.haproxy_servers(stack)
    haproxy_log = fleet_stack.log_tail(stack.started["haproxy"], 10**8)
    state_lines = [
        line
        for line in haproxy_log.splitlines()
        if ("is DOWN" in line or "is UP" in line) and not line.startswith("[")
    ]
    check_lines = [
        line
        for line in haproxy_log.splitlines()
        if line.startswith("Health check for server") and "failed" in line
    ]
    return {
        "timeline_seconds": {
            what: rel(when) for what, when in sorted(t.items(), key=lambda i: i[1])
        },
        "requests": {
            "total": len(load.log),
            "gets": sum(a.method == "GET" for a in load.log),
            "posts": sum(a.method == "POST" for a in load.log),
            "failed": len(failed),
            "restart_window": [rel(pg_from), rel(pg_to), f"+{restart_grace}s grace"],
            "failed_during_restart": {
                "count": len(in_restart),
                "first_at": rel(min((a.started for a in in_restart), default=None)),
                "last_at": rel(max((a.ended for a in in_restart), default=None)),
                "by_status": dict(Counter(str(a.status or a.error[:40]) for a in in_restart)),
            },
            "failed_in_flight_on_web1": [describe(a) for a in in_flight],
            "failed_otherwise": [describe(a) for a in otherwise],
        },
        "writes": {
            "acknowledged": len(acknowledged),
            "acknowledged_found": sum(a.token in written for a in acknowledged),
            "acknowledged_missing": [a.token for a in acknowledged if a.token not in written],
            "not_acknowledged": len(unacknowledged),
            "not_acknowledged_but_written": sum(a.token in written for a in unacknowledged),
            "rows_in_database": len(written),
        },
        "reminders": {
            "due": len(due),
            "due_from_to": [rel(min(due.values())), rel(max(due.values()))],
            "sent": sum(s[0] == "sent" for s in states.values()),
            "received": sum(pk in received for pk in due),
            "messages_received": sum(len(received[pk]) for pk in due),
            "not_sent": sorted(
                [pk, *states.get(pk, ("missing", 0, ""))]
                for pk in due
                if states.get(pk, ("",))[0] != "sent"
            ),
            "not_received": sorted(pk for pk in due if pk not in received),
            "repeated": {
                pk: [m["message_id"] for m in msgs] for pk, msgs in sorted(repeats.items())
            },
            "repeats_with_different_message_id": sorted(
                pk for pk, msgs in repeats.items() if len({m["message_id"] for m in msgs}) > 1
            ),
            "received_but_not_due": sorted(pk for pk in received if pk not in due),
            "other_messages": sum(1 for m in all_messages if not m["reminder"]),
            "seconds_late": {
                "median": round(statistics.median(delays), 1) if delays else None,
                "max": round(max(delays), 1) if delays else None,
                "over_10s": sum(d > 10 for d in delays),
            },
            "first_message_after_the_cut_healed": rel(min(after_cut, default=None)),
            "sweeps": {"runs": sweeps[0], "with_error": sweeps[1], "sent": sweeps[2]},
        },
        "balancer": {
            "web1_status": servers["web1"]["status"],
            "web1_check": servers["web1"]["check_status"],
            "web2_status": servers["web2"]["status"],
            "web1_down_logged": any("web/web1 is DOWN" in line for line in state_lines),
            "web1_failed_checks": sorted(
                {
                    line.split("reason: ", 1)[1].split(",")[0]
                    for line in check_lines
                    if "web/web1 failed" in line
                }
            ),
            # /readyz itself said 503 (the database restart), and the balancer acted on it.
            "readyz_503_took_a_host_out": any(
                "wrong status, code: 503" in line and "0/2 DOWN" in line for line in check_lines
            ),
            "state_changes": state_lines[:20],
        },
    }
