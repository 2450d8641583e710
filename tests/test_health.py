"""/healthz and /readyz, for a load balancer: up, and ready (database, broker, cache, storage,
the sweep's age), answering quickly even when a server takes connections and never answers."""

import contextlib
import datetime
import socket
import threading
import time

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role
from tests.e2e import REDIS_URL
from tests.factories import make_user
from tracker import health
from tracker.models import SweepRun

# /readyz waits READYZ_TIMEOUT_MS (1.5 s); a generous bound that still proves it returned
# without waiting for a TCP timeout (minutes).
ANSWERS_WITHIN = 6.0


@contextlib.contextmanager
def blackhole():
    """A port that takes connections (the kernel completes the handshake) and never answers:
    a listening socket nobody accept()s on. Closing it resets whatever is still waiting."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def closed_port() -> int:
    """A port nothing listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def readyz(client):
    started = time.monotonic()
    response = client.get("/readyz")
    return response, time.monotonic() - started


@pytest.fixture
def recent_sweep(transactional_db):
    now = timezone.now()
    return SweepRun.objects.create(started_at=now, finished_at=now, clock=now, via="test")


@pytest.fixture
def filesystem_broker(settings, tmp_path):
    folder = tmp_path / "broker"
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
    }
    return folder


# /healthz --------------------------------------------------------------------------------


def test_healthz_answers_ok_without_touching_the_database(client):
    # No database fixture: pytest-django refuses any query, so one would fail this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_is_not_sent_to_two_factor_set_up(client, db, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["administrator"]
    admin = make_user("Alex Morgan", None, Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get("/").status_code == 302  # every page goes to set-up...
    for path in ("/healthz", "/readyz", "/metrics"):
        response = client.get(path)
        assert response.status_code in {200, 503}, path  # ...but not these


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301  # pages are


def test_healthz_refuses_posts(client):
    assert client.post("/healthz").status_code == 405


# /readyz ---------------------------------------------------------------------------------


def test_readyz_lists_every_check_when_ready(client, recent_sweep, filesystem_broker):
    response, _ = readyz(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "broker", "cache", "storage", "sweep"}
    assert {c["status"] for c in body["checks"].values()} == {"ok"}
    assert body["checks"]["broker"]["broker"] == "filesystem"
    assert "failing" not in body
    assert filesystem_broker.is_dir()
    assert list(filesystem_broker.iterdir()) == []  # its test file removed


def test_readyz_is_503_quickly_when_the_broker_takes_connections_and_never_answers(
    client, recent_sweep, settings
):
    with blackhole() as port:
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        response, took = readyz(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["status"] == "failing"
    assert body["checks"]["database"]["status"] == "ok"
    assert took < ANSWERS_WITHIN


@pytest.mark.e2e
def test_readyz_is_ready_with_the_real_redis_broker(client, recent_sweep, settings):
    settings.CELERY_BROKER_URL = REDIS_URL
    response, _ = readyz(client)
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {
        "status": "ok",
        "critical": True,
        "broker": "redis",
        "ms": response.json()["checks"]["broker"]["ms"],
    }


def test_readyz_is_503_when_the_broker_refuses_connections(client, recent_sweep, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response, _ = readyz(client)
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert "ConnectionError" in response.json()["checks"]["broker"]["detail"]


def test_readyz_is_503_when_the_filesystem_broker_cannot_be_written(
    client, recent_sweep, filesystem_broker
):
    filesystem_broker.parent.mkdir(parents=True, exist_ok=True)
    filesystem_broker.write_text("a file where the folder should be")
    response, _ = readyz(client)
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def database_at(monkeypatch, port: int) -> None:
    """The database settings the checks read, pointed at a PostgreSQL server on `port`."""
    unreachable = dict(
        connections.settings["default"],
        ENGINE="django.db.backends.postgresql",
        NAME="tracker",
        USER="tracker",
        PASSWORD="",
        HOST="127.0.0.1",
        PORT=str(port),
        OPTIONS={},
    )
    monkeypatch.setitem(connections.settings, "default", unreachable)


def test_readyz_is_503_quickly_when_the_database_takes_connections_and_never_answers(
    client, db, monkeypatch
):
    with blackhole() as port:
        database_at(monkeypatch, port)
        response, took = readyz(client)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["sweep"]["status"] == "failing"  # cannot be read, not critical
    assert took < ANSWERS_WITHIN


def test_readyz_is_503_when_the_database_refuses_connections(client, db, monkeypatch):
    database_at(monkeypatch, closed_port())
    response, _ = readyz(client)
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert "OperationalError" in response.json()["checks"]["database"]["detail"]


def test_readyz_stays_ready_when_the_cache_cannot_be_reached(client, recent_sweep):
    redis_down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    # Not the settings fixture: the cache must be back before conftest empties it.
    with override_settings(CACHES=redis_down):
        response, _ = readyz(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["cache"] == {
        "status": "failing",
        "critical": False,
        "detail": "It could not be reached (ConnectionError).",
        "ms": body["checks"]["cache"]["ms"],
    }
    assert body["warnings"] == ["cache"]


def test_readyz_says_the_cache_is_degraded_while_it_falls_back_to_the_database(
    client, recent_sweep
):
    fallback = {
        "default": {
            "BACKEND": "config.cache.RedisOrDatabaseCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    with override_settings(CACHES=fallback):
        response, _ = readyz(client)
    assert response.status_code == 200
    cache = response.json()["checks"]["cache"]
    assert cache["status"] == "degraded"
    assert cache["detail"] == "Redis cannot be reached: the cache is using the database meanwhile."


def test_readyz_is_503_when_a_storage_folder_cannot_be_written(
    client, recent_sweep, settings, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the evidence folder's parent should be")
    settings.EVIDENCE_ROOT = blocker / "evidence"
    response, _ = readyz(client)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["storage"]
    assert "evidence folder" in body["checks"]["storage"]["detail"]
    assert "report imports" not in body["checks"]["storage"]["detail"]


def test_readyz_writes_and_removes_a_file_in_each_storage_folder(client, recent_sweep, settings):
    response, _ = readyz(client)
    assert response.status_code == 200
    for folder in (settings.EVIDENCE_ROOT, settings.REPORT_IMPORT_ROOT, settings.BULK_IMPORT_ROOT):
        assert folder.is_dir()
        assert list(folder.iterdir()) == []


def test_a_stale_sweep_is_a_warning_and_keeps_the_host_in(client, transactional_db, settings):
    settings.REMINDER_STALE_AFTER = 3600
    long_ago = timezone.now() - datetime.timedelta(hours=3)
    SweepRun.objects.create(started_at=long_ago, finished_at=long_ago, clock=long_ago, via="t")
    response, _ = readyz(client)
    assert response.status_code == 200
    sweep = response.json()["checks"]["sweep"]
    assert sweep["status"] == "warning"
    assert "180 minutes ago" in sweep["detail"]
    assert 3 * 3600 - 60 < sweep["age_seconds"] < 3 * 3600 + 60
    assert response.json()["warnings"] == ["sweep"]


def test_no_sweep_yet_is_a_warning(client, transactional_db):
    response, _ = readyz(client)
    assert response.status_code == 200
    assert response.json()["checks"]["sweep"]["detail"] == "No reminder sweep has run yet."


def test_which_checks_take_the_host_out_is_a_setting(client, recent_sweep, settings):
    settings.READYZ_CRITICAL_CHECKS = ["database", "storage"]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response, _ = readyz(client)
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["status"] == "failing"


# Running the checks ----------------------------------------------------------------------


def test_a_hung_check_is_not_started_again_until_it_ends():
    release = threading.Event()
    calls = []

    def hangs(timeout: float) -> health.Finding:
        calls.append(1)
        release.wait(10)
        return health.Finding()

    checks = {"hangs-for-test": hangs}
    try:
        first = health.run_checks(checks, timeout=0.2, critical={"hangs-for-test"})
        second = health.run_checks(checks, timeout=0.2, critical={"hangs-for-test"})
    finally:
        release.set()
    time.sleep(0.1)
    third = health.run_checks(checks, timeout=2, critical={"hangs-for-test"})

    assert first[0].finding.detail == "It did not answer within 0.2 s."
    assert second[0].finding.detail.startswith("Still waiting for the check started")
    assert third[0].finding.status == "ok"
    assert len(calls) == 2  # the second run did not start another


def result(name, status, critical):
    return health.Result(name, health.Finding(status), critical, 0.01)


def test_only_a_failing_critical_check_makes_it_not_ready():
    assert health.is_ready([result("database", "ok", True), result("cache", "failing", False)])
    assert health.is_ready([result("sweep", "warning", False)])
    assert not health.is_ready([result("database", "failing", True)])


def test_the_body_names_failing_checks_and_warnings():
    body = health.readiness_body(
        [
            result("database", "failing", True),
            result("cache", "failing", False),
            result("sweep", "warning", False),
        ]
    )
    assert body["status"] == "not ready"
    assert body["failing"] == ["database"]
    assert body["warnings"] == ["cache", "sweep"]


def test_sweep_age_warns_only_past_the_threshold():
    now = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    fresh = health.sweep_age(now - datetime.timedelta(minutes=59), now=now, stale_after=3600)
    stale = health.sweep_age(now - datetime.timedelta(minutes=61), now=now, stale_after=3600)
    assert fresh.status == "ok"
    assert fresh.figures["age_seconds"] == 59 * 60
    assert stale.status == "warning"
    assert "61 minutes ago (more than 60)" in stale.detail
