import contextlib
import copy
import gc
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.e2e import BLOCK_AT, REDIS_URL, MailServer, database_url, free_port, kill_group


def pytest_configure(config):
    """The SQLite test database is a file (config/settings_test.py): make its folder."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if name:
        from pathlib import Path

        Path(name).parent.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Every test stores evidence in its own temporary folder."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture(autouse=True)
def bulk_import_root(settings, tmp_path):
    """Every test keeps the spreadsheets it imports in its own temporary folder."""
    settings.BULK_IMPORT_ROOT = tmp_path / "imports"
    return settings.BULK_IMPORT_ROOT


@pytest.fixture(autouse=True)
def report_import_root(settings, tmp_path):
    """Every test keeps the reports it uploads in its own temporary folder."""
    settings.REPORT_IMPORT_ROOT = tmp_path / "report-imports"
    return settings.REPORT_IMPORT_ROOT


@contextlib.contextmanager
def data_kept_for(django_db_blocker):
    """Build data once for many tests: the block's writes stay in a transaction that is rolled
    back when it ends (as Django's setUpTestData does for a class). Tests inside it run in
    savepoints of their own (pytest-django's `db`), so each starts from the same data."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield django_db_blocker.unblock
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="session")
def build_once(django_db_setup, django_db_blocker):
    """For module-scoped fixtures: `with build_once() as unblocked:` keeps what is built
    until the module ends; `with unblocked():` opens the database while building. Tests that
    read such data must also ask for `db`: pytest-django then runs them before the
    transactional tests, which empty every table (the preset rules included)."""
    return lambda: data_kept_for(django_db_blocker)


@pytest.fixture(scope="module")
def world_once(build_once):
    """The personas and their report, built once per test module."""
    from tests.factories import World  # imported here so Django-free tests run without Django

    with build_once() as unblocked:
        with unblocked():
            world = World.build()
        yield world


@pytest.fixture(scope="module")
def demo_once(build_once, tmp_path_factory):
    """The demo (seed reports, people and items at every stage), built once per test module,
    with its evidence files in a folder of their own; tests/demo_pages.py says what is in it."""
    from django.test import override_settings

    from tests.demo_pages import build_demo_world

    with (
        build_once() as unblocked,
        override_settings(EVIDENCE_ROOT=tmp_path_factory.mktemp("demo-evidence")),
    ):
        with unblocked():
            world = build_demo_world()
        yield world


@pytest.fixture
def demo_world(demo_once, db):
    """The module's demo; each test's changes to it are rolled back after the test."""
    return demo_once


@pytest.fixture
def world(world_once, db):
    """A fresh copy of the module's world for each test: each test runs in its own savepoint,
    so what it changes in the database is undone, and the copy keeps its objects apart."""
    return copy.deepcopy(world_once)


@pytest.fixture
def person(db):
    """Priya Shah, force staff in a world of her own; she signs in with tests.factories.PASSWORD."""
    from tests.factories import World  # imported here so Django-free tests run without Django

    return World.build().owner


@pytest.fixture
def admin_client(client, world):
    """A client signed in as Alex Admin, a superuser (in place of pytest-django's fixture)."""
    from accounts.models import User  # imported here so Django-free tests run without Django

    admin = User.objects.create_superuser("alex@example.org", "x" * 16, full_name="Alex Admin")
    client.force_login(admin)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (password-reset throttling lives there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# End-to-end tests (a real Redis broker, SMTP server and Celery worker) -----------------


@pytest.fixture
def broker():
    """A real Redis broker, emptied: this test process's own database (tests/e2e.py
    `e2e_redis_url`: 14 for the first, 15 for the second...; E2E_REDIS_URL to choose)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
        problem = None
    except redis.ConnectionError as exc:
        problem = str(exc)
    if problem:
        pytest.fail(
            f"The end-to-end tests need Redis at {REDIS_URL} and could not reach it ({problem}). "
            "Start it (redis-server --daemonize yes --port 6379; .ci/run does this) or set "
            "E2E_REDIS_URL, or leave these tests out with -m 'not e2e'.",
            pytrace=False,
        )
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def mail_server():
    """A real SMTP server on loopback that holds the BLOCK_AT-th message until released."""
    from aiosmtpd.controller import Controller

    handler = MailServer(block_at=BLOCK_AT)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    handler.released = True
    controller.stop()


@pytest.fixture
def start_worker(broker, mail_server, tmp_path):
    """Start `celery -A config worker --beat` as a separate process, as in production."""
    from django.conf import settings as django_settings

    workers = []
    queue = f"e2e-{uuid.uuid4().hex[:8]}"

    def start(name: str) -> subprocess.Popen:
        # A cursor an earlier test in this process left half read (a streamed response the test
        # client never closed, freed only by the garbage collector) holds SQLite's read lock, and
        # the worker, another process, could not write until it went: close them first.
        from django.db import connections

        gc.collect()
        connections.close_all()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "TESTING": "1",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_QUEUE": queue,
            "CELERY_DOCUMENTS_QUEUE": f"{queue}-documents",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / f"beat-{name}"),
            "REMINDER_SWEEP_SECONDS": "2",
            "REMINDER_CLAIM_SECONDS": "3",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail_server[1]),
        }
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--pool=solo",
                "-Q",
                f"{queue},{queue}-documents",  # both of the app's queues
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the embedded beat goes with it
        )
        workers.append((process, log))
        return process

    def log_tail(lines: int = 15) -> str:
        """For a failure message: each worker's lines about anything but the routine sweeps
        (tasks received, errors and their tracebacks), then its last lines."""
        routine = ("sweep_reminders", "Sending due task", "send_outbox", "send_webhooks")
        parts = []
        for _, log in workers:
            logged = Path(log.name).read_text(errors="replace").splitlines()
            notable = [line for line in logged if not any(word in line for word in routine)]
            parts.append(
                f"--- {Path(log.name).name}, all but the routine sweeps:\n"
                + "\n".join(notable[-60:])
                + "\n--- its last lines:\n"
                + "\n".join(logged[-lines:])
            )
        return "\n".join(parts)

    start.log_tail = log_tail
    start.queue = queue  # for tests that send their own tasks to this worker
    start.documents_queue = f"{queue}-documents"
    yield start
    for process, log in workers:
        kill_group(process)
        log.close()
        sys.stdout.write(Path(log.name).read_text(errors="replace")[-3000:])
