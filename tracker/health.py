"""Is this process ready to serve? The checks behind /readyz, for a load balancer.

Each check is a small function that takes a time limit in seconds and returns a `Finding`
(or raises, which counts as failing). `readiness` runs them side by side, each in a thread,
and stops waiting for all of them after the time limit, so /readyz answers in about that long
even when a server accepts connections and then never answers (a blackholed Redis).

1. database: a fresh connection (with a connect timeout on PostgreSQL) runs SELECT 1.
2. broker: Redis answers PING (socket timeouts of the limit); on the demo's filesystem
   broker, its folder takes a file; any other broker, a kombu connection is made.
3. cache: a value set in the cache comes back; "degraded" while config.cache falls back to
   the database. Not critical by default: its users (password-reset throttling, rate
   limits) carry on through the database fallback, so the host can still serve.
4. storage: each folder the app writes (evidence, report imports, bulk imports) takes a
   file, written, synced and removed.
5. sweep: how long ago the last reminder sweep started. Only ever a warning: a stale sweep
   is the workers' problem, and taking web hosts out of the balancer would not help it.

A check left running from an earlier request (a hung connection) is not started again until
it ends: the answer says it is still waiting, so hung threads cannot pile up.
"""

import concurrent.futures
import contextlib
import copy
import datetime
import logging
import math
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.utils import timezone

from tracker.models import SweepRun

log = logging.getLogger(__name__)

OK = "ok"
FAILING = "failing"
WARNING = "warning"
DEGRADED = "degraded"

# The alias a check's own database connection has in its thread (never in settings).
CHECK_ALIAS = "readiness-check"


@dataclass(frozen=True)
class Finding:
    """What one check found: ok, failing or warning, in words, with figures if any."""

    status: str = OK
    detail: str = ""
    figures: dict[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    name: str
    finding: Finding
    critical: bool
    seconds: float

    def as_json(self) -> dict:
        body: dict = {"status": self.finding.status, "critical": self.critical}
        if self.finding.detail:
            body["detail"] = self.finding.detail
        body.update(self.finding.figures)
        body["ms"] = round(self.seconds * 1000)
        return body


Check = Callable[[float], Finding]


# The checks -------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_connection(timeout: float) -> Iterator[str]:
    """A new connection to the default database, for this thread only, that gives up
    connecting after `timeout` (PostgreSQL rounds up to 2 s, its shortest) and on any one
    statement after `timeout`. Yields the alias to query it by; closed afterwards."""
    params = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    options = params.setdefault("OPTIONS", {})
    if "postgresql" in params["ENGINE"]:
        options["connect_timeout"] = max(2, math.ceil(timeout))
        options["options"] = (
            f"{options.get('options', '')} -c statement_timeout={int(timeout * 1000)}".strip()
        )
    elif "sqlite3" in params["ENGINE"]:
        options["timeout"] = timeout
    params["CONN_MAX_AGE"] = 0
    wrapper = load_backend(params["ENGINE"]).DatabaseWrapper(params, CHECK_ALIAS)
    connections[CHECK_ALIAS] = wrapper
    try:
        yield CHECK_ALIAS
    finally:
        try:
            wrapper.close()
        finally:
            del connections[CHECK_ALIAS]


def database_check(timeout: float) -> Finding:
    with fresh_connection(timeout) as alias, connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Finding()


def redis_ping(url: str, timeout: float) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def folder_writable(folder: Path) -> None:
    """Create (as the app does on first use), write, sync and remove a small file."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".readyz-", dir=folder)
    try:
        os.write(fd, b"ready\n")
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(name)


def broker_check(timeout: float) -> Finding:
    url = settings.CELERY_BROKER_URL
    scheme = url.split("://", 1)[0].lower()
    if scheme in {"redis", "rediss"}:
        redis_ping(url, timeout)
        return Finding(figures={"broker": "redis"})
    if scheme == "filesystem":
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
        folder = options.get("data_folder_in")
        if folder:
            folder_writable(Path(folder))
        return Finding(figures={"broker": "filesystem"})
    if scheme == "memory":
        return Finding(figures={"broker": "memory"})
    from kombu import Connection

    with Connection(url, connect_timeout=timeout) as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout)
    return Finding(figures={"broker": scheme})


def cache_check(timeout: float) -> Finding:
    """Set, get and delete a value. With config.cache.RedisOrDatabaseCache, a value that went
    to the database because Redis could not be reached (its `down_until` is ahead) is
    reported as degraded: the app still serves, more slowly and not shared through Redis."""
    cache = caches["default"]
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ready", timeout=30)
    try:
        if cache.get(key) != "ready":
            return Finding(FAILING, "A value set in the cache did not come back.")
    finally:
        cache.delete(key)
    if getattr(cache, "down_until", 0) > time.monotonic():
        return Finding(
            DEGRADED, "Redis cannot be reached: the cache is using the database meanwhile."
        )
    return Finding()


def storage_folders() -> dict[str, Path]:
    return {
        "evidence": Path(settings.EVIDENCE_ROOT),
        "report imports": Path(settings.REPORT_IMPORT_ROOT),
        "bulk imports": Path(settings.BULK_IMPORT_ROOT),
    }


def storage_check(timeout: float) -> Finding:
    problems = []
    for what, folder in storage_folders().items():
        try:
            folder_writable(folder)
        except OSError as exc:
            log.warning("Readiness: cannot write to the %s folder %s: %s", what, folder, exc)
            problems.append(f"cannot write to the {what} folder ({exc.strerror or 'error'})")
    if problems:
        return Finding(FAILING, "; ".join(problems).capitalize() + ".")
    return Finding()


def sweep_age(
    last_started: datetime.datetime | None, *, now: datetime.datetime, stale_after: int
) -> Finding:
    """Pure: a warning when no sweep has run, or the last began over stale_after s ago."""
    if last_started is None:
        return Finding(WARNING, "No reminder sweep has run yet.")
    age = (now - last_started).total_seconds()
    figures: dict[str, float | int | str] = {"age_seconds": round(age)}
    if age > stale_after:
        return Finding(
            WARNING,
            f"The last reminder sweep started {round(age / 60)} minutes ago "
            f"(more than {stale_after // 60}); check the workers and beat.",
            figures,
        )
    return Finding(OK, "", figures)


def sweep_check(timeout: float) -> Finding:
    with fresh_connection(timeout) as alias:
        last = (
            SweepRun.objects.using(alias)
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
    return sweep_age(last, now=timezone.now(), stale_after=settings.REMINDER_STALE_AFTER)


CHECKS: dict[str, Check] = {
    "database": database_check,
    "broker": broker_check,
    "cache": cache_check,
    "storage": storage_check,
    "sweep": sweep_check,
}


# Running them -----------------------------------------------------------------------------

_lock = threading.Lock()
_running: dict[str, tuple[concurrent.futures.Future, float]] = {}
_pool: concurrent.futures.ThreadPoolExecutor | None = None


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    """Made on first use, in the process that uses it (after gunicorn forks)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=2 * len(CHECKS), thread_name_prefix="readyz"
            )
        return _pool


def _guarded(check: Check, timeout: float) -> Finding:
    try:
        return check(timeout)
    finally:
        connections.close_all()


def _describe(exc: BaseException) -> str:
    """A plain description without the server's address or credentials (the body is public;
    the log has the whole error)."""
    if isinstance(exc, TimeoutError):
        return "It did not answer in time."
    return f"It could not be reached ({type(exc).__name__})."


def run_checks(checks: dict[str, Check], *, timeout: float, critical: set[str]) -> list[Result]:
    """Run every check at once and wait at most `timeout` seconds for them all."""
    started = time.monotonic()
    futures: dict[str, concurrent.futures.Future] = {}
    stuck: dict[str, float] = {}
    pool = _executor()
    with _lock:
        for name, check in checks.items():
            previous = _running.get(name)
            if previous is not None and not previous[0].done():
                stuck[name] = started - previous[1]
                continue
            future = pool.submit(_guarded, check, timeout)
            _running[name] = (future, started)
            futures[name] = future
    concurrent.futures.wait(futures.values(), timeout=timeout)
    results = []
    for name in checks:
        seconds = time.monotonic() - started
        if name in stuck:
            finding = Finding(
                FAILING,
                f"Still waiting for the check started {stuck[name]:.0f} s ago to answer.",
            )
        elif not futures[name].done():
            finding = Finding(FAILING, f"It did not answer within {timeout:g} s.")
            log.warning("Readiness: the %s check did not answer within %gs", name, timeout)
        elif (exc := futures[name].exception()) is not None:
            finding = Finding(FAILING, _describe(exc))
            log.warning("Readiness: the %s check failed: %r", name, exc)
        else:
            finding = futures[name].result()
        results.append(Result(name, finding, name in critical, seconds))
    return results


def is_ready(results: list[Result]) -> bool:
    """Pure: ready unless a critical check is failing (warnings never take a host out)."""
    return not any(r.critical and r.finding.status == FAILING for r in results)


def readiness_body(results: list[Result]) -> dict:
    """Pure: the JSON answer, every check listed, the failing critical ones named."""
    ready = is_ready(results)
    body: dict = {
        "status": "ready" if ready else "not ready",
        "checks": {r.name: r.as_json() for r in results},
    }
    failing = [r.name for r in results if r.critical and r.finding.status == FAILING]
    if failing:
        body["failing"] = failing
    warnings = [r.name for r in results if r.finding.status != OK and r.name not in failing]
    if warnings:
        body["warnings"] = warnings
    return body


def readiness() -> tuple[bool, dict]:
    """Run the checks with the configured time limit; (ready?, the JSON answer)."""
    results = run_checks(
        CHECKS,
        timeout=settings.READYZ_TIMEOUT_MS / 1000,
        critical=set(settings.READYZ_CRITICAL_CHECKS),
    )
    return is_ready(results), readiness_body(results)
