"""Dashboard figures computed once and kept fresh (issue 16): a cache refreshed on change.

Every national reader's dashboard shows the same figures, and every person of a force (or of
a PCC office) the same as the others of it. `cached` keeps what a dashboard counts in the
cache (Redis, shared by every gunicorn and Celery process; the database's cache table while
Redis is down; each process's memory where there is no Redis) under a key made of:

- the figure generation: a number the database moves on itself whenever a row the figures
  are counted from changes (migration 0019: a sequence advanced by triggers on PostgreSQL, a
  counter on SQLite). Every write path moves it (the services, QuerySet.update, imports, the
  admin's deletions, raw SQL), so the first dashboard after a change counts afresh;
- today's date, since overdue, the due and age bands and "this quarter" depend on it: the
  first dashboard after midnight counts afresh;
- what is counted (the dashboard's kind, the forces in scope, the force chosen, the grouping).

Entries also expire after MAX_AGE seconds. That bounds the one staleness the marker cannot
rule out: PostgreSQL advances the sequence as the writing transaction commits, and a reader
that reads the new generation in the moment before the commit becomes visible counts the
figures without it; the entry it keeps is then at most a minute old.

Figures are not cached inside a transaction (connection.in_atomic_block): what it reads may
include its own writes, which may yet be rolled back.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import DatabaseError, connection

MARKER = "tracker_figure_generation"  # migration 0019's sequence (PostgreSQL) or table (SQLite)
MAX_AGE = 60  # seconds: the figures are never staler than this
KEY_PREFIX = "figures"

T = TypeVar("T")


def generation() -> int | None:
    """The figure generation now, or None where there is none (the figures are then counted
    every time)."""
    if connection.vendor == "postgresql":
        sql = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM tracker_figure_generation"
    elif connection.vendor == "sqlite":
        sql = "SELECT n FROM tracker_figure_generation"
    else:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
    except DatabaseError:  # migration 0019 not applied (a test database without migrations)
        return None
    return int(row[0]) if row else None


def key(parts: tuple, marker: int) -> str:
    digest = hashlib.sha256(repr((marker, *parts)).encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{digest}"


def cached(parts: tuple | Callable[[], tuple], compute: Callable[[], T]) -> T:
    """What `compute` returns for `parts` (everything the figures depend on besides the
    data: today, the scope, the grouping), from the cache when the data has not changed
    since it was counted. `parts` must have a stable repr (numbers, strings, dates, tuples);
    a function giving them is called only when the cache is used."""
    if connection.in_atomic_block:
        return compute()
    marker = generation()  # before counting: a change committed meanwhile moves it on
    if marker is None:
        return compute()
    name = key(parts() if callable(parts) else parts, marker)
    hit = cache.get(name)
    if hit is not None:
        return hit[0]
    value = compute()
    cache.set(name, (value,), MAX_AGE)
    return value
