"""Checks a container runs before it starts serving (containers/entrypoint.sh).

    python -m config.startup ROLE        # web, worker, beat, migrate or manage

Each bad start stops here with one clear line naming what is wrong, and an exit status a
supervisor can tell apart, instead of a traceback on the first request or upload:

1. configuration (exit 78): a required setting missing, or one that makes no sense, named
   (the settings' own checks run too: a malformed number or switch, a `*_FILE` that cannot
   be read);
2. storage (exit 73): a folder the role writes (EVIDENCE_ROOT, REPORT_IMPORT_ROOT,
   BULK_IMPORT_ROOT, EXPORT_ROOT) missing or read-only, such as a volume mounted read-only;
3. database (exit 69): PostgreSQL not answering; the check waits up to DATABASE_WAIT_SECONDS
   (60), saying so every few seconds, since in a compose stack the database often starts
   after the app;
4. migrations (exit 75; web, worker and beat only): this version's migrations not all
   applied; waits up to MIGRATIONS_WAIT_SECONDS (300) for the one-off migrate to apply them,
   so a new version never serves an older schema whatever runs the containers.

The checks are pure functions over an environment mapping, a clock and a connector, so the
tests run them without containers (tests/test_startup_checks.py).
"""

import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import FILE_SUFFIX

EXIT_CONFIG = 78  # EX_CONFIG
EXIT_STORAGE = 73  # EX_CANTCREAT
EXIT_DATABASE = 69  # EX_UNAVAILABLE
EXIT_MIGRATIONS = 75  # EX_TEMPFAIL

ROLES = ("web", "worker", "beat", "migrate", "manage")
# What each role needs set. Beat only sends messages to the broker; migrate and manage
# (backup, restore, one-off commands) only need the database.
REQUIRED: dict[str, tuple[str, ...]] = {
    "web": ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SITE_URL"),
    "worker": ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL"),
    "beat": ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"),
    "migrate": ("SECRET_KEY", "DATABASE_URL"),
    "manage": ("SECRET_KEY", "DATABASE_URL"),
}
# The folders each role writes to, by setting.
WRITES: dict[str, tuple[str, ...]] = {
    "web": ("EVIDENCE_ROOT", "REPORT_IMPORT_ROOT", "BULK_IMPORT_ROOT", "EXPORT_ROOT"),
    "worker": ("EVIDENCE_ROOT", "REPORT_IMPORT_ROOT", "BULK_IMPORT_ROOT", "EXPORT_ROOT"),
    "beat": (),
    "migrate": (),
    "manage": (),
}
# The roles that must not run a version whose migrations are not applied yet.
WAITS_FOR_MIGRATIONS = ("web", "worker", "beat")
DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql"}
REDIS_SCHEMES = {"redis", "rediss"}
MIN_SECRET_KEY_LENGTH = 50


class StartupError(Exception):
    """A reason not to start, and the exit status that says which kind."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def is_set(environ: Mapping[str, str], name: str) -> bool:
    """Given directly or as NAME_FILE (whose file the settings then read and check)."""
    return bool(environ.get(name, "").strip()) or bool(environ.get(name + FILE_SUFFIX))


def value_of(environ: Mapping[str, str], name: str) -> str:
    """The value, read from NAME_FILE when that is how it is given ("" when unreadable: the
    settings report that, naming the variable)."""
    path = environ.get(name + FILE_SUFFIX)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""
        return text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
    return environ.get(name, "")


def url_problem(name: str, value: str, schemes: set[str], example: str) -> str | None:
    """Why VALUE is not a usable URL of one of SCHEMES, in words naming NAME (never the
    value itself, which holds a password)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return f"{name} is not a valid URL (its port must be a number). Expected {example}."
    if parts.scheme not in schemes:
        given = f"'{parts.scheme}://'" if parts.scheme else "no scheme"
        allowed = " or ".join(sorted(scheme + "://" for scheme in schemes))
        return f"{name} must start with {allowed} (it has {given}). Expected {example}."
    if not parts.hostname and not (parts.scheme in REDIS_SCHEMES and port):
        return f"{name} names no host. Expected {example}."
    return None


def configuration_problems(environ: Mapping[str, str], role: str) -> list[str]:
    """Every missing or malformed setting ROLE needs, each named; empty when all is well."""
    if role not in REQUIRED:
        return [f"Unknown role {role!r}: use one of {', '.join(ROLES)}."]
    problems = [
        f"{name} must be set (or {name}{FILE_SUFFIX}, the path of a file holding it)."
        for name in REQUIRED[role]
        if not is_set(environ, name)
    ]
    missing = {name for name in REQUIRED[role] if not is_set(environ, name)}
    for name in REQUIRED[role]:
        if name in environ and name + FILE_SUFFIX in environ:
            problems.append(f"Both {name} and {name}{FILE_SUFFIX} are set: set only one.")
    if "SECRET_KEY" not in missing:
        key = value_of(environ, "SECRET_KEY")
        if key and (len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5):
            problems.append(
                f"SECRET_KEY is too short or too plain ({len(key)} characters): use at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters, e.g. from "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
            )
    checks = [
        ("DATABASE_URL", DATABASE_SCHEMES, "postgres://USER:PASSWORD@HOST:5432/NAME"),
        ("REDIS_URL", REDIS_SCHEMES, "redis://HOST:6379/0"),
        ("SITE_URL", {"http", "https"}, "https://tracker.example.org"),
    ]
    for name, schemes, example in checks:
        if name in missing or not is_set(environ, name):
            continue
        value = value_of(environ, name)
        if not value:
            continue  # an unreadable NAME_FILE: the settings name it
        problem = url_problem(name, value, schemes, example)
        if problem:
            problems.append(problem)
    if "ALLOWED_HOSTS" not in missing and is_set(environ, "ALLOWED_HOSTS"):
        hosts = [h.strip() for h in value_of(environ, "ALLOWED_HOSTS").split(",") if h.strip()]
        if not hosts:
            problems.append(
                "ALLOWED_HOSTS names no host: give the site's name, e.g. tracker.example.org."
            )
        elif any(h.startswith(("http://", "https://")) or "/" in h for h in hosts):
            problems.append("ALLOWED_HOSTS holds host names only (tracker.example.org), not URLs.")
    return problems


def check_configuration(environ: Mapping[str, str], role: str) -> None:
    problems = configuration_problems(environ, role)
    if problems:
        raise StartupError(
            "The container cannot start: "
            + " ".join(problems)
            + " (docs/containers.md lists every setting.)",
            EXIT_CONFIG,
        )


def load_settings() -> None:
    """Import the settings, which check every value they read (numbers, switches, files)."""
    import django

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise StartupError(f"The container cannot start: {exc}", EXIT_CONFIG) from None


def folder_problem(setting: str, folder: Path) -> str | None:
    """Why the app could not write files into FOLDER, or None when it can (a file is
    created, synced and removed, as the uploads will)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".startup-check-") as probe:
            probe.write(b"ok")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return (
            f"{setting} ({folder}) is not writable by user id {os.getuid()}: {reason}. "
            "Mount a writable volume there (not read-only), owned by or writable for that user."
        )
    return None


def check_storage(folders: Mapping[str, Path]) -> None:
    problems = [p for setting, path in folders.items() if (p := folder_problem(setting, path))]
    if problems:
        raise StartupError("The container cannot start: " + " ".join(problems), EXIT_STORAGE)


@dataclass(frozen=True)
class Target:
    """Where the database is, for log lines (never the password)."""

    host: str
    port: int
    name: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.name}"


def wait_for(
    attempt: Callable[[], None],
    *,
    what: str,
    timeout: float,
    log: Callable[[str], None],
    status: int,
    advice: str,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    every: float = 2.0,
) -> float:
    """Call ATTEMPT until it returns, for at most TIMEOUT seconds, logging each failure as
    "Waiting for WHAT". Returns the seconds waited; raises StartupError(STATUS) when time runs
    out, with the last reason and ADVICE."""
    started = clock()
    tries = 0
    while True:
        tries += 1
        try:
            attempt()
        except Exception as exc:  # noqa: BLE001 - any failure is a reason to wait
            waited = clock() - started
            text = str(exc).strip()
            reason = text.splitlines()[0] if text else type(exc).__name__
            if waited >= timeout:
                raise StartupError(
                    f"Gave up waiting for {what} after {waited:.0f} s ({tries} attempts; "
                    f"last: {reason}). {advice}",
                    status,
                ) from None
            log(f"Waiting for {what} ({waited:.0f} s of {timeout:g} s): {reason}")
            sleep(max(0.0, min(every, timeout - waited)))
        else:
            waited = clock() - started
            if tries > 1:
                log(f"Done waiting for {what} after {waited:.0f} s.")
            return waited


def wait_for_database(
    connect: Callable[[], None],
    *,
    target: Target,
    timeout: float,
    log: Callable[[str], None],
    **kwargs,
) -> float:
    """Wait until CONNECT succeeds: exit 69 when the database does not answer in time."""
    return wait_for(
        connect,
        what=f"the database at {target}",
        timeout=timeout,
        log=log,
        status=EXIT_DATABASE,
        advice="Check DATABASE_URL and that PostgreSQL is running; raise "
        "DATABASE_WAIT_SECONDS to wait longer.",
        **kwargs,
    )


class MigrationsPending(Exception):
    pass


def require_no_pending(pending: Callable[[], list[str]]) -> Callable[[], None]:
    """An attempt for wait_for: fails while PENDING names migrations not yet applied."""

    def attempt() -> None:
        names = pending()
        if names:
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            raise MigrationsPending(f"{len(names)} not applied yet ({shown})")

    return attempt


def pending_migrations() -> list[str]:
    """Migrations this version has that the database has not applied."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def connect_to_database() -> None:
    """One fresh connection to the default database, with a short connect timeout."""
    from django.db import connections

    connection = connections.create_connection("default")
    try:
        connection.settings_dict.setdefault("OPTIONS", {})
        if connection.vendor == "postgresql":
            connection.settings_dict["OPTIONS"]["connect_timeout"] = 3
        connection.ensure_connection()
    finally:
        connection.close()


def log_line(message: str) -> None:
    print(f"[startup] {message}", file=sys.stderr, flush=True)


def seconds_setting(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise StartupError(
            f"The container cannot start: {name} must be a number of seconds; got {raw!r}",
            EXIT_CONFIG,
        )
    return value


def run(role: str, environ: Mapping[str, str]) -> None:
    """Every check ROLE needs, in order; raises StartupError at the first that fails."""
    check_configuration(environ, role)
    load_settings()
    from django.conf import settings

    check_storage({name: Path(getattr(settings, name)) for name in WRITES[role]})
    timeout = seconds_setting(environ, "DATABASE_WAIT_SECONDS", 60)
    db = settings.DATABASES["default"]
    target = Target(
        str(db.get("HOST") or "localhost"), int(db.get("PORT") or 5432), str(db.get("NAME"))
    )
    wait_for_database(connect_to_database, target=target, timeout=timeout, log=log_line)
    if role in WAITS_FOR_MIGRATIONS:
        # A new version's processes start only once its migrations are in (the one-off
        # migrate runs them); the old version keeps serving meanwhile (docs/upgrades.md).
        wait_for(
            require_no_pending(pending_migrations),
            what="the migrations (the migrate service applies them)",
            timeout=seconds_setting(environ, "MIGRATIONS_WAIT_SECONDS", 300),
            log=log_line,
            status=EXIT_MIGRATIONS,
            advice="Run the one-off migrate service (or manage.py migrate) first.",
        )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        log_line(f"Usage: python -m config.startup {{{','.join(ROLES)}}}")
        return 64
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        run(argv[0], os.environ)
    except StartupError as exc:
        log_line(str(exc))
        return exc.status
    log_line(f"Checks passed for the {argv[0]} role.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
