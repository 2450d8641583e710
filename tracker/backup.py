"""Backing the tracker up, and restoring a backup into an empty database and empty folders.

A backup is a folder:

    manifest.json      what is in it: every file's path, size and SHA-256; the row count of
                       every table; the app's version, the time, the migrations applied
    manifest.sha256    the SHA-256 of manifest.json, so a damaged manifest is caught too
    database.dump      PostgreSQL: pg_dump's custom format (pg_restore reads it)
    database.sqlite3   SQLite: a copy made with SQLite's online backup API
    files/evidence/...        the evidence files (EVIDENCE_ROOT)
    files/report-imports/...  reports uploaded and waiting to be read (REPORT_IMPORT_ROOT)
    files/bulk-imports/...    spreadsheets waiting between preview and import (BULK_IMPORT_ROOT)

Published response documents are built from their versions (ResponseVersion.content, in the
database), so the database holds them.

Backing up (backup_create):
1. Refuse a folder that is not empty (a backup is never written over another).
2. PostgreSQL: open a read-only REPEATABLE READ transaction and export its snapshot; count
   every table in it and run pg_dump on the same snapshot, so the counts and the dump are one
   moment. SQLite: copy the database with the backup API, then count the copy.
3. Copy the folders (after the database: a file is written before its row commits, and files
   are never changed, so every file the dump names is there; a file newer than the dump is
   harmless).
4. Write the manifest last: a folder without one is an unfinished backup, and restore refuses
   it. On any failure, what was written is removed.

Restoring (backup_restore):
1. Read the manifest and check every file's size and SHA-256 (and the manifest's own) before
   anything is touched; a damaged or missing file is named.
2. Refuse unless the database has no tables and every folder is empty or missing.
3. Copy the files into temporary folders beside their destinations, checking each again.
4. Restore the database in one transaction (pg_restore --single-transaction; SQLite: into a
   temporary file, renamed into place). If it fails, the temporary folders are removed and
   nothing was changed.
5. Move the folders into place, then count every table and check it against the manifest.
"""

import datetime
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
# The folder in the backup of each folder setting.
FOLDERS = {
    "evidence": "EVIDENCE_ROOT",
    "report-imports": "REPORT_IMPORT_ROOT",
    "bulk-imports": "BULK_IMPORT_ROOT",
}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why, for the operator."""


@dataclass(frozen=True)
class Outcome:
    folder: Path
    vendor: str
    tables: int
    rows: int
    files: int
    bytes: int


# Files ---------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _copy(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file, fsynced, returning its size and the SHA-256 of what was read."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, target.open("xb") as dst:
        while block := src.read(CHUNK):
            digest.update(block)
            dst.write(block)
            size += len(block)
        dst.flush()
        os.fsync(dst.fileno())
    return size, digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise BackupError(f"{path} is a symbolic link: the folders should hold plain files.")
        if path.is_file():
            yield path


def _folder_roots() -> dict[str, Path]:
    return {name: Path(getattr(settings, setting)) for name, setting in FOLDERS.items()}


def _entry(folder: Path, path: Path, size: int, sha256: str) -> dict[str, Any]:
    return {"path": path.relative_to(folder).as_posix(), "size": size, "sha256": sha256}


# The database --------------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    """libpq's variables for the configured database (no password on a command line)."""
    s = connection.settings_dict
    env = {**os.environ, "PGDATABASE": s["NAME"], "PGHOST": s["HOST"] or "127.0.0.1"}
    env["PGPORT"] = str(s["PORT"] or 5432)
    if s["USER"]:
        env["PGUSER"] = s["USER"]
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    if s.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = s["OPTIONS"]["sslmode"]
    return env


def _pg_connect(**kwargs: Any) -> Any:
    import psycopg

    env = _pg_env()
    return psycopg.connect(
        dbname=env["PGDATABASE"],
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        sslmode=env.get("PGSSLMODE"),
        **kwargs,
    )


def _pg_tables(cur: Any) -> list[str]:
    cur.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false)) "
        "ORDER BY tablename"
    )
    return [row[0] for row in cur.fetchall()]


def _pg_counts(cur: Any) -> dict[str, int]:
    from psycopg import sql

    counts = {}
    for table in _pg_tables(cur):
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cur.fetchone()[0]
    return counts


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client) in the version of the server."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _pg_backup(folder: Path) -> tuple[dict[str, int], str]:
    from psycopg import IsolationLevel

    with _pg_connect() as conn:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = cur.fetchone()
            counts = _pg_counts(cur)
            # The transaction stays open while pg_dump reads the same snapshot.
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={folder / PG_DUMP}",
                ],
                _pg_env(),
                "pg_dump",
            )
        conn.rollback()
    return counts, f"PostgreSQL {server}"


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    return {
        name: conn.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0]  # noqa: S608 - a table of the database, quoted
        for name in names
    }


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError("The database is in memory: there is no file to back up or restore.")
    return Path(name)


def _sqlite_backup(folder: Path) -> tuple[dict[str, int], str]:
    source = _sqlite_path()
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    target = folder / SQLITE_COPY
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    with closing(sqlite3.connect(target)) as copy:
        counts = _sqlite_tables(copy)
    return counts, f"SQLite {sqlite3.sqlite_version}"


def _migrations() -> dict[str, str]:
    """The last migration applied of each app, as recorded in the database."""
    with connection.cursor() as cur:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        latest: dict[str, str] = {}
        for app, name in cur.fetchall():
            latest[app] = name
        return latest


def _app_version() -> str:
    try:
        return importlib.metadata.version("inspection-tracker")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# Backing up ----------------------------------------------------------------------------------


def backup_create(*, folder: Path, now: datetime.datetime | None = None) -> Outcome:
    """Back up the database and the folders into `folder` (new, or empty)."""
    now = now or timezone.now()
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(
            f"{folder} is not empty: back up into a new folder (a backup is never written "
            "over another)."
        )
    created = not folder.exists()
    # It holds personal data and password hashes: for its owner only.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        return _backup_into(folder, now)
    except BaseException:
        # Leave nothing that could pass for a backup.
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for child in folder.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _backup_into(folder: Path, now: datetime.datetime) -> Outcome:
    vendor = connection.vendor
    if vendor == "postgresql":
        counts, server = _pg_backup(folder)
        database_file = folder / PG_DUMP
    elif vendor == "sqlite":
        counts, server = _sqlite_backup(folder)
        database_file = folder / SQLITE_COPY
    else:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    with database_file.open("rb") as handle:
        os.fsync(handle.fileno())
    entries = [_entry(folder, database_file, database_file.stat().st_size, _sha256(database_file))]
    folders = {}
    for name, root in _folder_roots().items():
        folders[name] = str(root)
        for path in _files_under(root):
            target = folder / "files" / name / path.relative_to(root)
            try:
                size, digest = _copy(path, target)
            except FileNotFoundError:
                # Removed while the backup ran (a report once read, a finished import, a
                # temporary file renamed): nothing in the dump needs it.
                target.unlink(missing_ok=True)
                continue
            entries.append(_entry(folder, target, size, digest))
    manifest = {
        "format": FORMAT,
        "app": "inspection-tracker",
        "app_version": _app_version(),
        "created_at": now.isoformat(),
        "database": {
            "vendor": vendor,
            "server": server,
            "file": database_file.name,
            "migrations": _migrations(),
        },
        "tables": counts,
        "folders": folders,
        "files": entries,
    }
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")
    (folder / MANIFEST_SUM).write_text(
        f"{hashlib.sha256(text.encode()).hexdigest()}  {MANIFEST}\n", encoding="utf-8"
    )
    for name in (MANIFEST, MANIFEST_SUM):
        with (folder / name).open("rb") as handle:
            os.fsync(handle.fileno())
    return Outcome(
        folder=folder,
        vendor=vendor,
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(entries) - 1,
        bytes=sum(e["size"] for e in entries),
    )


# Checking a backup ---------------------------------------------------------------------------


def backup_verify(*, folder: Path) -> dict[str, Any]:
    """The manifest of the backup in `folder`, once every file in it has been checked.
    Raises BackupError naming the first missing or damaged file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"There is no backup at {folder}: the folder does not exist.")
    manifest_path, sum_path = folder / MANIFEST, folder / MANIFEST_SUM
    if not manifest_path.is_file() or not sum_path.is_file():
        raise BackupError(
            f"{folder} has no {MANIFEST if not manifest_path.is_file() else MANIFEST_SUM}: it "
            "is not a backup made by `manage.py backup`, or the backup did not finish."
        )
    raw = manifest_path.read_bytes()
    recorded = sum_path.read_text(encoding="utf-8").split()
    expected = recorded[0] if recorded else ""
    if hashlib.sha256(raw).hexdigest() != expected:
        raise BackupError(f"{MANIFEST} does not match {MANIFEST_SUM}: the manifest is damaged.")
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BackupError(f"{MANIFEST} is not valid JSON: the manifest is damaged.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"This backup is in format {manifest.get('format')!r}; this version of the tracker "
            f"reads format {FORMAT}."
        )
    root = folder.resolve()
    for entry in manifest["files"]:
        path = (folder / entry["path"]).resolve()
        if root not in path.parents:
            raise BackupError(
                f"{entry['path']} points outside the backup: the manifest is damaged."
            )
        if not path.is_file():
            raise BackupError(f"{entry['path']} is missing from the backup.")
        if path.stat().st_size != entry["size"]:
            raise BackupError(
                f"{entry['path']} is {path.stat().st_size} bytes, not the {entry['size']} the "
                "manifest records: the backup is damaged."
            )
        if _sha256(path) != entry["sha256"]:
            raise BackupError(
                f"{entry['path']} does not match its checksum in the manifest: the backup is "
                "damaged."
            )
    return manifest


# Restoring -----------------------------------------------------------------------------------


def _database_tables() -> list[str]:
    if connection.vendor == "postgresql":
        with _pg_connect(autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT schemaname || '.' || tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            )
            return [row[0] for row in cur.fetchall()]
    path = _sqlite_path()
    if not path.exists():
        return []
    with closing(sqlite3.connect(path)) as conn:
        return list(_sqlite_tables(conn))


def _check_empty_target(manifest: dict[str, Any]) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"This is a backup of a {vendor} database; DATABASE_URL points at a "
            f"{connection.vendor} one. Restore it into a {vendor} database."
        )
    tables = _database_tables()
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} already has {len(tables)} "
            f"table{'s' if len(tables) != 1 else ''} ({', '.join(tables[:3])}"
            f"{', …' if len(tables) > 3 else ''}): restore only into an empty database. "
            "Create a new one and point DATABASE_URL at it (do not run migrate first)."
        )
    for name, root in _folder_roots().items():
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise BackupError(
                f"The {name} folder {root} is not empty: restore only into empty folders "
                f"(set {FOLDERS[name]} to a new one)."
            )


def _stage_files(folder: Path, manifest: dict[str, Any]) -> dict[str, Path]:
    """Copy each folder's files into a temporary folder beside its destination, checked.
    On failure the temporary folders are removed."""
    staged: dict[str, Path] = {}
    try:
        _stage_into(folder, manifest, staged)
    except BaseException:
        for path in staged.values():
            shutil.rmtree(path, ignore_errors=True)
        raise
    return staged


def _stage_into(folder: Path, manifest: dict[str, Any], staged: dict[str, Path]) -> None:
    for name, root in _folder_roots().items():
        root.parent.mkdir(parents=True, exist_ok=True)
        # Beside the destination (so it can be renamed into place), with the usual mode.
        staged[name] = root.parent / f".{root.name}.restoring-{uuid.uuid4().hex[:12]}"
        staged[name].mkdir()
    prefix = "files/"
    for entry in manifest["files"]:
        if not entry["path"].startswith(prefix):
            continue
        name, _, relative = entry["path"][len(prefix) :].partition("/")
        if name not in staged:
            raise BackupError(f"{entry['path']} belongs to no folder this version knows.")
        size, digest = _copy(folder / entry["path"], staged[name] / relative)
        if (size, digest) != (entry["size"], entry["sha256"]):
            raise BackupError(f"{entry['path']} changed while it was being restored.")


def _restore_database(folder: Path, manifest: dict[str, Any]) -> None:
    file = folder / manifest["database"]["file"]
    if connection.vendor == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={_pg_env()['PGDATABASE']}",
                str(file),
            ],
            _pg_env(),
            "pg_restore",
        )
        return
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.restoring")
    staging.unlink(missing_ok=True)
    with closing(sqlite3.connect(file)) as src, closing(sqlite3.connect(staging)) as dst:
        src.backup(dst)
    os.replace(staging, target)


def _counts_now() -> dict[str, int]:
    if connection.vendor == "postgresql":
        with _pg_connect(autocommit=True) as conn, conn.cursor() as cur:
            return _pg_counts(cur)
    with closing(sqlite3.connect(_sqlite_path())) as conn:
        return _sqlite_tables(conn)


def backup_restore(*, folder: Path) -> Outcome:
    """Restore the backup in `folder` into the configured (empty) database and (empty)
    folders. Raises BackupError, having changed nothing, when the backup does not verify or
    the database or a folder is not empty."""
    folder = Path(folder)
    try:
        manifest = backup_verify(folder=folder)
        _check_empty_target(manifest)
    except BackupError as exc:
        raise BackupError(f"{exc} Nothing was restored.") from None
    connection.close()  # the restore writes through pg_restore or sqlite3, not Django
    staged: dict[str, Path] = {}
    try:
        staged = _stage_files(folder, manifest)
        _restore_database(folder, manifest)
    except BaseException as exc:
        for path in staged.values():
            shutil.rmtree(path, ignore_errors=True)
        if isinstance(exc, BackupError):
            raise BackupError(f"{exc} Nothing was restored.") from None
        raise
    for name, root in _folder_roots().items():
        if root.exists():
            root.rmdir()  # checked empty above
        os.replace(staged[name], root)
    counts = _counts_now()
    if counts != manifest["tables"]:
        differ = sorted(
            t
            for t in set(counts) | set(manifest["tables"])
            if counts.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(
            "The restored database does not hold what the backup recorded (tables "
            f"{', '.join(differ[:5])}): drop it, empty the folders and restore again."
        )
    for entry in manifest["files"]:
        if entry["path"].startswith("files/"):
            name, _, relative = entry["path"][len("files/") :].partition("/")
            if _sha256(_folder_roots()[name] / relative) != entry["sha256"]:
                raise BackupError(f"{entry['path']} was not restored intact.")
    return Outcome(
        folder=folder,
        vendor=manifest["database"]["vendor"],
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(manifest["files"]) - 1,
        bytes=sum(e["size"] for e in manifest["files"]),
    )
