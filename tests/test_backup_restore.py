"""The backup and restore drill, as an operator runs it: `manage.py backup` of a tracker with
the demo's data and files, `manage.py restore` into a new empty database and empty folders,
then every table's row count and every file's checksum compared with the original (read here,
not taken from the manifest), and the restored tracker served by gunicorn: a person signs in
and downloads a piece of evidence. On PostgreSQL (two new databases on 127.0.0.1:5432, dropped
after) and on SQLite. A damaged backup, a non-empty database or folder, and a folder that is
not a backup are refused with a message naming the problem, and nothing is touched.

Every command runs as a separate process with its own DATABASE_URL and folders, as on a
server; the test database is not used."""

import contextlib
import hashlib
import http.cookiejar
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.urls import reverse

from tests.e2e import free_port

pytestmark = pytest.mark.e2e

PRIYA = "priya.shah@wmp.example"  # force staff of West Midlands Police in the demo
DEMO_PASSWORD = "backup-drill-demo-password"
FOLDERS = ("EVIDENCE_ROOT", "REPORT_IMPORT_ROOT", "BULK_IMPORT_ROOT")


# Running the tracker's commands as separate processes ----------------------------------------


class Site:
    """One installation: a database and its three folders."""

    def __init__(self, root: Path, database_url: str):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.database_url = database_url
        self.folders = {name: root / name.lower().replace("_root", "") for name in FOLDERS}

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",  # static files without a manifest
            "TESTING": "1",
            "DEMO_MODE": "1",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "DATABASE_URL": self.database_url,
            **{name: str(path) for name, path in self.folders.items()},
        }

    def manage(self, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def manage_ok(self, *args: str) -> str:
        done = self.manage(*args)
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def build_demo(self) -> None:
        """The demo's data (with its evidence files), and a file waiting in each import folder."""
        self.manage_ok("migrate", "--noinput", "-v0")
        self.manage_ok("load_seed_data", "--demo")
        waiting = self.folders["REPORT_IMPORT_ROOT"] / "3f2a9c.pdf"
        waiting.parent.mkdir(parents=True, exist_ok=True)
        waiting.write_bytes(b"%PDF-1.4\n% a report waiting to be read\n%%EOF\n")
        sheet = self.folders["BULK_IMPORT_ROOT"] / "pending" / "b81d.csv"
        sheet.parent.mkdir(parents=True, exist_ok=True)
        sheet.write_text("reference,owner\nAFI 1,priya.shah@wmp.example\n")

    def files(self) -> dict[str, dict[str, str]]:
        """Every file of each folder: its path in the folder and its SHA-256."""
        return {
            name: {
                p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*"))
                if p.is_file()
            }
            for name, root in self.folders.items()
            if root.exists()
        }

    def counts(self) -> dict[str, int]:
        """Every table's row count, read straight from the database."""
        if self.database_url.startswith("sqlite"):
            path = self.database_url.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(path)) as db:
                names = [
                    r[0]
                    for r in db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608
        with psycopg.connect(self.database_url) as db:
            names = [
                r[0]
                for r in db.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            ]
            return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608

    def query(self, sql: str) -> list[tuple]:
        if self.database_url.startswith("sqlite"):
            with contextlib.closing(sqlite3.connect(self.database_url[len("sqlite:///") :])) as db:
                return db.execute(sql).fetchall()
        with psycopg.connect(self.database_url) as db:
            return db.execute(sql).fetchall()


def _sqlite_site(root: Path) -> Site:
    return Site(root, f"sqlite:///{root / 'db.sqlite3'}")


# PostgreSQL databases of the test's own ---------------------------------------------------------


def _server_url() -> str:
    """The PostgreSQL server the test suite uses (DATABASE_URL), or the project's usual one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url


@contextlib.contextmanager
def _new_database(label: str):
    """A new, empty database with a name of its own; dropped afterwards."""
    parts = urllib.parse.urlsplit(_server_url())
    name = f"tracker_{label}_{uuid.uuid4().hex[:10]}"
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        admin = psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"The backup drill needs PostgreSQL at {parts.hostname}:{parts.port or 5432} and "
            f"could not reach it ({exc}). Start it, or leave these tests out with -m 'not e2e'.",
            pytrace=False,
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Serving the restored tracker ---------------------------------------------------------------


@contextlib.contextmanager
def _served(site: Site):
    """The tracker on gunicorn, on a free port, against the site's database and folders."""
    port = free_port()
    log = open(site.root / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(  # noqa: S603 - our own app
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=settings.BASE_DIR,
        env=site.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + reverse("accounts:sign_in"), timeout=5)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, (site.root / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _sign_in_and_download(base: str, evidence_url: str) -> tuple[int, str, bytes]:
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(base + reverse("accounts:sign_in"))
    status = page.status
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert token, "no CSRF token on the sign-in page"
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": PRIYA, "password": DEMO_PASSWORD}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        base + reverse("accounts:sign_in"), data=form, headers={"Referer": base + "/"}
    )
    home = browser.open(request).read().decode()
    return status, home, browser.open(base + evidence_url).read()


def _one_evidence_of_priya(site: Site) -> tuple[str, str]:
    [(item_uuid, evidence_uuid, stored_name)] = site.query(
        "SELECT i.uuid, e.uuid, e.stored_name FROM tracker_evidence e "
        "JOIN tracker_trackeditem i ON i.id = e.item_id "
        "JOIN accounts_user u ON u.id = i.owner_id "
        "WHERE u.email = 'priya.shah@wmp.example' ORDER BY e.id LIMIT 1"
    )
    url = reverse(
        "tracker:evidence_download",
        kwargs={"uuid": uuid.UUID(str(item_uuid)), "evidence_uuid": uuid.UUID(str(evidence_uuid))},
    )
    return url, stored_name


# The drill -----------------------------------------------------------------------------------


def _drill(source: Site, target: Site, backup: Path) -> None:
    source.build_demo()
    before_counts, before_files = source.counts(), source.files()
    assert before_counts["tracker_evidence"] > 0
    assert before_files["EVIDENCE_ROOT"], "the demo stored no evidence file"

    out = source.manage_ok("backup", str(backup))
    assert "Backed up the" in out

    out = target.manage_ok("restore", str(backup))
    assert "Restored the" in out

    assert target.counts() == before_counts
    assert target.files() == before_files
    if not target.database_url.startswith("sqlite"):
        # History stays append-only in the restored database (migration 0014's triggers).
        triggers = "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        triggers += "WHERE t.tgname = 'tracker_append_only' ORDER BY 1"
        assert len(target.query(triggers)) >= 10
        assert target.query(triggers) == source.query(triggers)
    target.manage_ok("check")
    target.manage_ok("migrate", "--check")  # the same migrations, nothing left to apply

    evidence_url, stored_name = _one_evidence_of_priya(target)
    with _served(target) as base:
        status, home, download = _sign_in_and_download(base, evidence_url)
    assert status == 200
    assert "Priya Shah" in home  # signed in, from the restored people
    original = source.folders["EVIDENCE_ROOT"] / stored_name
    assert download == original.read_bytes()


def test_a_postgresql_backup_restores_into_an_empty_database_and_is_served(tmp_path):
    with _new_database("backup_src") as source_url, _new_database("backup_dst") as target_url:
        _drill(
            Site(tmp_path / "source", source_url),
            Site(tmp_path / "restored", target_url),
            tmp_path / "backup",
        )


def test_an_sqlite_backup_restores_into_a_new_file_and_is_served(tmp_path):
    _drill(_sqlite_site(tmp_path / "source"), _sqlite_site(tmp_path / "restored"), tmp_path / "b")


# Refusals ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    """A SQLite tracker with the demo, and a backup of it, made once for the refusals."""
    root = tmp_path_factory.mktemp("backed-up")
    source = _sqlite_site(root / "source")
    source.build_demo()
    source.manage_ok("backup", str(root / "backup"))
    return source, root / "backup"


def _untouched(target: Site) -> None:
    assert not Path(target.database_url.removeprefix("sqlite:///")).exists()
    for path in target.folders.values():
        assert not path.exists() or not any(path.iterdir()), path
    assert not list(target.root.glob(".*restoring*")) if target.root.exists() else True


def test_a_backup_with_one_byte_changed_is_refused_naming_the_file(sqlite_backup, tmp_path):
    _, backup = sqlite_backup
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    evidence = sorted((damaged / "files" / "evidence").rglob("*.*"))[0]
    data = bytearray(evidence.read_bytes())
    data[len(data) // 2] ^= 0x01
    evidence.write_bytes(bytes(data))
    target = _sqlite_site(tmp_path / "restored")

    done = target.manage("restore", str(damaged))

    assert done.returncode != 0
    name = evidence.relative_to(damaged).as_posix()
    assert f"{name} does not match its checksum in the manifest" in done.stderr
    assert "Nothing was restored." in done.stderr
    _untouched(target)


def test_checking_alone_names_the_damaged_file_too(sqlite_backup, tmp_path):
    _, backup = sqlite_backup
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    (damaged / "database.sqlite3").write_bytes(b"not a database")
    done = _sqlite_site(tmp_path / "x").manage("restore", "--check", str(damaged))
    assert done.returncode != 0
    assert "database.sqlite3 is 14 bytes, not the" in done.stderr
    ok = _sqlite_site(tmp_path / "x").manage("restore", "--check", str(backup))
    assert ok.returncode == 0, ok.stderr
    assert "is intact" in ok.stdout


def test_a_folder_without_a_manifest_is_not_a_backup(sqlite_backup, tmp_path):
    _, backup = sqlite_backup
    unfinished = tmp_path / "unfinished"
    shutil.copytree(backup, unfinished)
    (unfinished / "manifest.json").unlink()
    target = _sqlite_site(tmp_path / "restored")
    done = target.manage("restore", str(unfinished))
    assert done.returncode != 0
    assert "has no manifest.json" in done.stderr
    _untouched(target)
    missing = target.manage("restore", str(tmp_path / "nowhere"))
    assert "There is no backup at" in missing.stderr


def test_a_damaged_manifest_is_refused(sqlite_backup, tmp_path):
    _, backup = sqlite_backup
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    manifest = damaged / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"size": ', '"size": 1', 1))
    done = _sqlite_site(tmp_path / "restored").manage("restore", str(damaged))
    assert done.returncode != 0
    assert "manifest.json does not match manifest.sha256" in done.stderr


def test_a_database_with_tables_is_refused(sqlite_backup, tmp_path):
    _, backup = sqlite_backup
    target = _sqlite_site(tmp_path / "restored")
    target.manage_ok("migrate", "--noinput", "-v0")
    before = target.counts()
    done = target.manage("restore", str(backup))
    assert done.returncode != 0
    assert "restore only into an empty database" in done.stderr
    assert target.counts() == before
    for path in target.folders.values():
        assert not path.exists() or not any(path.iterdir())


def test_a_folder_that_is_not_empty_is_refused(sqlite_backup, tmp_path):
    _, backup = sqlite_backup
    target = _sqlite_site(tmp_path / "restored")
    target.folders["EVIDENCE_ROOT"].mkdir(parents=True)
    (target.folders["EVIDENCE_ROOT"] / "someone-elses.pdf").write_bytes(b"%PDF")
    done = target.manage("restore", str(backup))
    assert done.returncode != 0
    assert "The evidence folder" in done.stderr
    assert "is not empty: restore only into empty folders" in done.stderr
    assert not Path(target.database_url.removeprefix("sqlite:///")).exists()
    assert [p.name for p in target.folders["EVIDENCE_ROOT"].iterdir()] == ["someone-elses.pdf"]


def test_a_backup_is_never_written_over_another(sqlite_backup):
    source, backup = sqlite_backup
    manifest = (backup / "manifest.json").read_bytes()
    done = source.manage("backup", str(backup))
    assert done.returncode != 0
    assert "is not empty: back up into a new folder" in done.stderr
    assert (backup / "manifest.json").read_bytes() == manifest


def test_the_manifest_lists_every_file_table_and_the_version(sqlite_backup):
    import json

    source, backup = sqlite_backup
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["app_version"]
    assert manifest["created_at"]
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["tables"] == source.counts()
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    for name, files in source.files().items():
        folder = {"EVIDENCE_ROOT": "evidence", "REPORT_IMPORT_ROOT": "report-imports"}.get(
            name, "bulk-imports"
        )
        for path, digest in files.items():
            assert listed[f"files/{folder}/{path}"] == digest
