"""The container's start-up checks (config/startup.py): a missing or malformed setting, a
folder the role cannot write, a database that does not answer and migrations not yet applied
each stop the start with one line naming the problem. No containers needed: the checks are
functions over an environment, a clock and a connector; a few run as the entrypoint does,
`python -m config.startup ROLE`, in a subprocess."""

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config import startup

KEY = "k3Y-" + "abcdefghij" * 6  # 64 characters, not plain

GOOD = {
    "SECRET_KEY": KEY,
    "DATABASE_URL": "postgres://tracker:pw@db.internal:5432/tracker",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "tracker.example.org",
    "SITE_URL": "https://tracker.example.org",
}


# Configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["web", "worker", "beat", "migrate", "manage"])
def test_a_complete_environment_has_no_problems(role):
    assert startup.configuration_problems(GOOD, role) == []


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_a_missing_setting_is_named(missing):
    environ = {k: v for k, v in GOOD.items() if k != missing}
    problems = startup.configuration_problems(environ, "web")
    assert problems == [
        f"{missing} must be set (or {missing}_FILE, the path of a file holding it)."
    ]


def test_only_what_the_role_needs_is_required():
    environ = {"SECRET_KEY": KEY, "DATABASE_URL": GOOD["DATABASE_URL"]}
    assert startup.configuration_problems(environ, "migrate") == []
    assert "REDIS_URL must be set" in " ".join(startup.configuration_problems(environ, "beat"))


def test_a_setting_given_as_a_file_counts(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(KEY + "\n")
    environ = {k: v for k, v in GOOD.items() if k != "SECRET_KEY"}
    environ["SECRET_KEY_FILE"] = str(key_file)
    assert startup.configuration_problems(environ, "web") == []


def test_both_a_setting_and_its_file_are_refused(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(KEY)
    environ = {**GOOD, "SECRET_KEY_FILE": str(key_file)}
    assert startup.configuration_problems(environ, "web") == [
        "Both SECRET_KEY and SECRET_KEY_FILE are set: set only one."
    ]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SECRET_KEY", "changeme", "SECRET_KEY is too short or too plain (8 characters)"),
        ("SECRET_KEY", "a" * 60, "SECRET_KEY is too short or too plain (60 characters)"),
        (
            "DATABASE_URL",
            "mysql://u:p@h/db",
            "DATABASE_URL must start with pgsql:// or postgres://",
        ),
        ("DATABASE_URL", "db.internal:5432", "DATABASE_URL must start with"),
        ("DATABASE_URL", "postgres://u:p@h:port/db", "DATABASE_URL is not a valid URL"),
        ("DATABASE_URL", "postgres:///tracker", "DATABASE_URL names no host"),
        ("REDIS_URL", "http://redis:6379", "REDIS_URL must start with redis:// or rediss://"),
        ("SITE_URL", "tracker.example.org", "SITE_URL must start with http:// or https://"),
        ("ALLOWED_HOSTS", "https://tracker.example.org", "ALLOWED_HOSTS holds host names only"),
        ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS names no host"),
    ],
)
def test_a_malformed_setting_is_named(name, value, expected):
    problems = startup.configuration_problems({**GOOD, name: value}, "web")
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_a_url_problem_never_shows_the_password():
    problems = startup.configuration_problems(
        {**GOOD, "DATABASE_URL": "mysql://tracker:hunter2-secret@h/db"}, "web"
    )
    assert "hunter2" not in " ".join(problems)


def test_an_unknown_role_is_refused():
    assert startup.configuration_problems(GOOD, "webserver") == [
        "Unknown role 'webserver': use one of web, worker, beat, migrate, manage."
    ]


def test_check_configuration_stops_with_status_78_listing_every_problem():
    with pytest.raises(startup.StartupError) as caught:
        startup.check_configuration({"SECRET_KEY": "short"}, "web")
    assert caught.value.status == startup.EXIT_CONFIG == 78
    message = str(caught.value)
    for name in (
        "SECRET_KEY is too short",
        "DATABASE_URL",
        "REDIS_URL",
        "ALLOWED_HOSTS",
        "SITE_URL",
    ):
        assert name in message
    assert "docs/containers.md" in message


# Storage ------------------------------------------------------------------------------------


def test_a_writable_folder_passes_and_is_left_empty(tmp_path):
    folder = tmp_path / "evidence"
    assert startup.folder_problem("EVIDENCE_ROOT", folder) is None
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


def test_a_read_only_volume_is_named_with_its_setting(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(startup.tempfile, "NamedTemporaryFile", read_only)
    with pytest.raises(startup.StartupError) as caught:
        startup.check_storage({"EVIDENCE_ROOT": tmp_path, "BULK_IMPORT_ROOT": tmp_path})
    assert caught.value.status == startup.EXIT_STORAGE == 73
    message = str(caught.value)
    assert f"EVIDENCE_ROOT ({tmp_path}) is not writable by user id {os.getuid()}" in message
    assert "Read-only file system" in message
    assert "BULK_IMPORT_ROOT" in message
    assert "Mount a writable volume there" in message


def test_a_folder_that_cannot_be_made_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    problem = startup.folder_problem("REPORT_IMPORT_ROOT", blocker / "imports")
    assert problem is not None
    assert problem.startswith(f"REPORT_IMPORT_ROOT ({blocker / 'imports'}) is not writable")


@pytest.mark.skipif(os.getuid() == 0, reason="root writes into read-only folders")
def test_a_folder_without_write_permission_is_named(tmp_path):
    folder = tmp_path / "evidence"
    folder.mkdir(mode=0o555)
    problem = startup.folder_problem("EVIDENCE_ROOT", folder)
    assert problem is not None
    assert "Permission denied" in problem


# Waiting for the database -------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


TARGET = startup.Target("db.internal", 5432, "tracker")


def test_the_database_is_waited_for_with_a_line_each_attempt():
    time, lines, calls = FakeTime(), [], []

    def connect():
        calls.append(time.now)
        if len(calls) < 3:
            raise ConnectionRefusedError("connection refused\nIs the server running?")

    waited = startup.wait_for_database(
        connect, target=TARGET, timeout=60, log=lines.append, clock=time.clock, sleep=time.sleep
    )
    assert waited == 4
    assert lines == [
        "Waiting for the database at db.internal:5432/tracker (0 s of 60 s): connection refused",
        "Waiting for the database at db.internal:5432/tracker (2 s of 60 s): connection refused",
        "Done waiting for the database at db.internal:5432/tracker after 4 s.",
    ]


def test_a_database_that_never_answers_stops_the_start_with_status_69():
    time, lines = FakeTime(), []

    def connect():
        raise TimeoutError()

    with pytest.raises(startup.StartupError) as caught:
        startup.wait_for_database(
            connect, target=TARGET, timeout=10, log=lines.append, clock=time.clock, sleep=time.sleep
        )
    assert caught.value.status == startup.EXIT_DATABASE == 69
    assert str(caught.value).startswith(
        "Gave up waiting for the database at db.internal:5432/tracker after 10 s "
        "(6 attempts; last: TimeoutError)."
    )
    assert "DATABASE_WAIT_SECONDS" in str(caught.value)
    assert len(lines) == 5
    assert time.now <= 10


def test_a_database_that_answers_at_once_logs_nothing():
    lines = []
    waited = startup.wait_for_database(lambda: None, target=TARGET, timeout=60, log=lines.append)
    assert waited < 1
    assert lines == []


# Waiting for migrations ---------------------------------------------------------------------


def test_pending_migrations_are_waited_for_then_refused_with_status_75():
    time, lines = FakeTime(), []
    pending = ["tracker.0021_a", "tracker.0022_b", "tracker.0023_c", "accounts.0009_d"]
    with pytest.raises(startup.StartupError) as caught:
        startup.wait_for(
            startup.require_no_pending(lambda: pending),
            what="the migrations",
            timeout=4,
            log=lines.append,
            status=startup.EXIT_MIGRATIONS,
            advice="Run migrate.",
            clock=time.clock,
            sleep=time.sleep,
        )
    assert caught.value.status == 75
    assert lines[0] == (
        "Waiting for the migrations (0 s of 4 s): 4 not applied yet "
        "(tracker.0021_a, tracker.0022_b, tracker.0023_c and 1 more)"
    )


def test_no_pending_migrations_pass(db):
    # The test database is migrated: nothing this version knows is missing.
    assert startup.pending_migrations() == []
    startup.require_no_pending(startup.pending_migrations)()


def test_the_seconds_settings_are_checked():
    assert startup.seconds_setting({}, "DATABASE_WAIT_SECONDS", 60) == 60
    assert startup.seconds_setting({"DATABASE_WAIT_SECONDS": "5"}, "DATABASE_WAIT_SECONDS", 60) == 5
    with pytest.raises(startup.StartupError, match="DATABASE_WAIT_SECONDS must be a number"):
        startup.seconds_setting({"DATABASE_WAIT_SECONDS": "a minute"}, "DATABASE_WAIT_SECONDS", 60)


# As the entrypoint runs them ----------------------------------------------------------------


def run_checks(role: str, **environ: str) -> subprocess.CompletedProcess:
    keep = ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-m", "config.startup", role],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_entrypoint_check_names_a_missing_setting_and_exits_78():
    result = run_checks("web", **{k: v for k, v in GOOD.items() if k != "SECRET_KEY"})
    assert result.returncode == 78
    assert "[startup] The container cannot start: SECRET_KEY must be set" in result.stderr


def test_the_entrypoint_check_names_a_malformed_number_from_the_settings():
    result = run_checks("web", **GOOD, EMAIL_PORT="twenty-five")
    assert result.returncode == 78
    assert "EMAIL_PORT must be a whole number; got 'twenty-five'" in result.stderr


def test_the_entrypoint_check_names_an_unreadable_secret_file(tmp_path):
    environ = {k: v for k, v in GOOD.items() if k != "DATABASE_URL"}
    result = run_checks("migrate", **environ, DATABASE_URL_FILE=str(tmp_path / "missing"))
    assert result.returncode == 78
    assert f"DATABASE_URL_FILE names {tmp_path / 'missing'}, which does not exist." in result.stderr


def test_the_entrypoint_check_waits_for_an_unreachable_database_then_exits_69(tmp_path):
    result = run_checks(
        "worker",
        **{**GOOD, "DATABASE_URL": "postgres://tracker:pw@127.0.0.1:1/tracker"},
        DATABASE_WAIT_SECONDS="3",
        EVIDENCE_ROOT=str(tmp_path / "e"),
        REPORT_IMPORT_ROOT=str(tmp_path / "r"),
        BULK_IMPORT_ROOT=str(tmp_path / "b"),
        EXPORT_ROOT=str(tmp_path / "x"),
    )
    assert result.returncode == 69, result.stderr
    assert "[startup] Waiting for the database at 127.0.0.1:1/tracker (0 s of 3 s)" in result.stderr
    assert "Gave up waiting for the database at 127.0.0.1:1/tracker" in result.stderr
    assert "pw@" not in result.stderr


def test_the_entrypoint_check_refuses_a_folder_it_cannot_write(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_checks(
        "web",
        **GOOD,
        EVIDENCE_ROOT=str(blocker / "evidence"),
        REPORT_IMPORT_ROOT=str(tmp_path / "r"),
        BULK_IMPORT_ROOT=str(tmp_path / "b"),
        EXPORT_ROOT=str(tmp_path / "x"),
    )
    assert result.returncode == 73
    assert f"EVIDENCE_ROOT ({blocker / 'evidence'}) is not writable" in result.stderr


def test_the_entrypoint_script_runs_the_checks_before_each_role():
    script = (Path(settings.BASE_DIR) / "containers" / "entrypoint.sh").read_text()
    for role in ("web", "worker", "beat", "migrate", "manage"):
        assert f"  {role})\n    checks {role}\n" in script
