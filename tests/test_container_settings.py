"""Settings as a container gets them: from the environment or, for secrets, from files
(NAME_FILE, config/env.py); the one version number (pyproject.toml) in the footer, /healthz
and the image's label; and the container files keep their promises (non-root, read-only
root filesystem, one-off migrate first). scripts/container-smoke runs the image itself."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(settings.BASE_DIR)


# NAME_FILE ---------------------------------------------------------------------------------


def test_a_value_is_read_from_the_file_its_name_file_gives(tmp_path, monkeypatch):
    secret = tmp_path / "email_password"
    secret.write_text("s3cret with spaces  \n")
    monkeypatch.delenv("EMAIL_HOST_PASSWORD", raising=False)
    monkeypatch.setenv("EMAIL_HOST_PASSWORD_FILE", str(secret))
    # One trailing newline is taken off (as `echo` writes it); anything else is kept.
    assert env.env_str("EMAIL_HOST_PASSWORD") == "s3cret with spaces  "


def test_a_windows_line_ending_is_taken_off_too(tmp_path, monkeypatch):
    secret = tmp_path / "key"
    secret.write_bytes(b"abc\r\n")
    monkeypatch.setenv("SOME_KEY_FILE", str(secret))
    assert env.env_str("SOME_KEY") == "abc"


def test_numbers_switches_and_lists_can_come_from_files_too(tmp_path, monkeypatch):
    (tmp_path / "port").write_text("587\n")
    (tmp_path / "tls").write_text("yes\n")
    (tmp_path / "hosts").write_text("a.example, b.example\n")
    monkeypatch.setenv("SOME_PORT_FILE", str(tmp_path / "port"))
    monkeypatch.setenv("SOME_TLS_FILE", str(tmp_path / "tls"))
    monkeypatch.setenv("SOME_HOSTS_FILE", str(tmp_path / "hosts"))
    assert env.env_int("SOME_PORT", 25) == 587
    assert env.env_bool("SOME_TLS", False) is True
    assert env.env_list("SOME_HOSTS", []) == ["a.example", "b.example"]


def test_without_either_the_default_is_used(monkeypatch):
    monkeypatch.delenv("SOME_UNSET", raising=False)
    monkeypatch.delenv("SOME_UNSET_FILE", raising=False)
    assert env.env_str("SOME_UNSET", "default") == "default"
    assert env.env_int("SOME_UNSET", 7) == 7


def test_the_environment_value_is_used_when_there_is_no_file(monkeypatch):
    monkeypatch.setenv("SOME_VALUE", "direct")
    monkeypatch.delenv("SOME_VALUE_FILE", raising=False)
    assert env.env_str("SOME_VALUE") == "direct"


def test_both_a_value_and_its_file_are_refused(tmp_path, monkeypatch):
    (tmp_path / "key").write_text("from a file")
    monkeypatch.setenv("SECRET_KEY", "from the environment")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    with pytest.raises(ImproperlyConfigured, match="Both SECRET_KEY and SECRET_KEY_FILE are set"):
        env.env_str("SECRET_KEY")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "DATABASE_URL_FILE names {path}, which does not exist."),
        (lambda p: p, "DATABASE_URL_FILE names {path}, which is a folder."),
        (lambda p: _write(p / "empty", b"\n"), "DATABASE_URL_FILE names {path}, which is empty."),
        (
            lambda p: _write(p / "latin", b"caf\xe9"),
            "DATABASE_URL_FILE names {path}, which is not UTF-8 text.",
        ),
    ],
)
def test_a_file_that_cannot_be_used_is_named(tmp_path, monkeypatch, make, message):
    path = make(tmp_path)
    monkeypatch.setenv("DATABASE_URL_FILE", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ImproperlyConfigured) as caught:
        env.env_str("DATABASE_URL")
    assert str(caught.value) == message.format(path=path)


def test_an_empty_name_file_is_refused(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL_FILE", "")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL_FILE is set but empty"):
        env.env_str("DATABASE_URL")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# The real settings, in a process of their own ----------------------------------------------


def production_env(**extra: str) -> dict[str, str]:
    # The test run's own settings (DATABASE_URL on the PostgreSQL round) stay out of it.
    skip = (
        "DEBUG",
        "DEMO_MODE",
        "TESTING",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "SECRET_KEY",
        "DATABASE_URL",
    )
    environ = {k: v for k, v in os.environ.items() if k not in skip and not k.endswith("_FILE")}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", ALLOWED_HOSTS="tracker.example.org")
    environ.update(extra)
    return environ


def show_settings(environ: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings as s; " + "; ".join(
        f"print(repr(getattr(s, {name.split('[')[0]!r}){name[len(name.split('[')[0]) :]}))"
        for name in names
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_take_their_secrets_from_files(tmp_path):
    (tmp_path / "secret_key").write_text("from-a-file-" + "x" * 60 + "\n")
    (tmp_path / "database_url").write_text("postgres://tracker:pw@db.internal:5433/tracker\n")
    (tmp_path / "email_password").write_text("mail-password\n")
    result = show_settings(
        production_env(
            SECRET_KEY_FILE=str(tmp_path / "secret_key"),
            DATABASE_URL_FILE=str(tmp_path / "database_url"),
            EMAIL_HOST_PASSWORD_FILE=str(tmp_path / "email_password"),
        ),
        "SECRET_KEY",
        "DATABASES['default']['HOST']",
        "DATABASES['default']['PORT']",
        "EMAIL_HOST_PASSWORD",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        repr("from-a-file-" + "x" * 60),
        repr("db.internal"),
        repr(5433),
        repr("mail-password"),
    ]


def test_production_refuses_a_secret_key_file_it_cannot_read(tmp_path):
    result = show_settings(production_env(SECRET_KEY_FILE=str(tmp_path / "nope")), "SECRET_KEY")
    assert result.returncode != 0
    assert f"SECRET_KEY_FILE names {tmp_path / 'nope'}, which does not exist." in result.stderr


def test_a_malformed_database_url_is_named_without_its_password():
    result = show_settings(
        production_env(SECRET_KEY="k" * 60, DATABASE_URL="postgress://tracker:hunter2@db/x"),
        "DATABASES",
    )
    assert result.returncode != 0
    assert "DATABASE_URL is not a database URL dj-database-url understands" in result.stderr
    assert "hunter2" not in result.stderr


# One version --------------------------------------------------------------------------------


def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def test_the_version_is_pyprojects():
    assert pyproject_version() == settings.VERSION
    assert re.fullmatch(r"\d+\.\d+\.\d+", settings.VERSION)


def test_healthz_gives_the_version_as_json_when_asked(client):
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": pyproject_version()}
    assert client.get("/healthz?format=json").json()["version"] == pyproject_version()
    # Monitors that expect the plain answer still get it.
    assert client.get("/healthz").content == b"ok\n"


def test_the_footer_shows_the_version(client, db):
    page = client.get("/account/sign-in/").content.decode()
    assert f"Version {pyproject_version()}" in page


def test_a_page_with_its_own_version_still_shows_the_apps_in_the_footer(rf, db):
    # Pages about a published response's versions pass their own `version` to the template.
    from django.template.loader import render_to_string

    page = render_to_string("base.html", {"version": "v7 of a response"}, request=rf.get("/"))
    assert f"Version {pyproject_version()}" in page
    assert "Version v7" not in page


def test_the_changelog_has_this_version_and_an_unreleased_section():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## Unreleased" in changelog
    assert f"## {pyproject_version()} " in changelog


# The container files ------------------------------------------------------------------------


def test_the_image_runs_as_a_non_root_user_with_a_health_check_and_labels():
    containerfile = (ROOT / "Containerfile").read_text()
    assert "ARG BASE_IMAGE=python:3.11-slim-bookworm" in containerfile
    assert re.search(r"^USER 10001:10001$", containerfile, re.MULTILINE)
    assert "HEALTHCHECK" in containerfile
    for label in ("version", "source", "licenses"):
        assert f"org.opencontainers.image.{label}=" in containerfile
    assert "--no-index" in containerfile
    assert "--require-hashes" in containerfile
    assert "collectstatic" in containerfile
    # No secret is ever given to the build.
    assert not re.search(r"^(ARG|ENV) .*(SECRET|PASSWORD)", containerfile, re.MULTILINE)


def test_the_build_context_leaves_out_local_data_but_the_wheelhouse():
    ignore = (ROOT / ".containerignore").read_text()
    assert ignore == (ROOT / ".dockerignore").read_text()
    lines = ignore.splitlines()
    assert lines[lines.index("*") + 1 :].count("!var/wheelhouse/") == 1
    assert "!var/" not in lines
    assert "!.venv/" not in lines


def test_the_compose_stack_is_read_only_and_waits_for_migrate():
    compose = (ROOT / "compose.yaml").read_text()
    assert "  read_only: true\n  tmpfs:\n    - /tmp\n" in compose
    assert "migrate:\n      condition: service_completed_successfully" in compose
    for service in (
        "db",
        "redis",
        "migrate",
        "web1",
        "web2",
        "worker-tracker",
        "worker-documents",
        "beat",
        "proxy",
    ):
        assert f"\n  {service}:\n" in compose
    assert "SECRET_KEY_FILE: /run/secrets/secret_key" in compose
    assert "DATABASE_URL_FILE: /run/secrets/database_url" in compose


def test_every_setting_the_start_up_checks_require_is_in_the_documented_table():
    from config.startup import REQUIRED

    table = (ROOT / "docs" / "containers.md").read_text()
    for name in sorted({n for names in REQUIRED.values() for n in names}):
        assert f"| `{name}`" in table, name
