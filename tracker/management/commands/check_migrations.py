from argparse import ArgumentParser
from importlib import resources
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.migrations import Migration
from django.db.migrations.loader import MigrationLoader

from tracker import migration_safety

# The apps whose migrations are ours to check (Django's and third-party apps' arrive with a
# pinned upgrade).
APPS = ("accounts", "tracker")
# Tables big enough in a force's database (issue 16: 240,000 items, 2,000,000 history rows)
# that building an index on them blocks writes for long enough to warn about.
BIG_TABLES = (
    "tracker_trackeditem",
    "tracker_statuschange",
    "tracker_duedaterevision",
    "tracker_progressupdate",
    "tracker_auditevent",
    "tracker_deadline",
    "tracker_deadlinechange",
    "tracker_reminder",
    "tracker_notification",
    "tracker_outboxmessage",
)


def default_record() -> Path:
    return Path(str(resources.files("config").joinpath("released_migrations.txt")))


def migration_plan() -> list[Migration]:
    """Every migration on disk, in the order `migrate` applies them (no database needed)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    plan: list[Migration] = []
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(graph.leaf_nodes()):
        for key in graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                plan.append(graph.nodes[key])
    return plan


class Command(BaseCommand):
    help = (
        "Fail when a migration not yet released would break the version still running during "
        "a rolling upgrade (migrate first, then restart one process at a time): a column or "
        "table dropped or renamed while the running version uses it, a NOT NULL column added "
        "without a db_default, a type narrowed, RunSQL or RunPython without a reason given in "
        "`safe_for_rolling_upgrade`. Released migrations are listed in "
        "config/released_migrations.txt; --mark-released VERSION adds the new ones when a "
        "version ships. The rules and the upgrade procedure: docs/upgrades.md."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--released",
            type=Path,
            default=None,
            help="The record of released migrations (default: config/released_migrations.txt).",
        )
        parser.add_argument(
            "--mark-released",
            metavar="VERSION",
            help=(
                "After a passing check, add every migration not yet in the record to it under "
                "this version (do it when the version is released, and commit the record)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        record: Path = options["released"] or default_record()
        try:
            released = migration_safety.parse_released(record.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read the released record {record}: {error}") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        plan = migration_plan()
        on_disk = {(m.app_label, m.name) for m in plan}
        missing = sorted(key for key in released if key not in on_disk)
        if missing:
            names = ", ".join(f"{app}.{name}" for app, name in missing)
            raise CommandError(
                f"{record} lists migrations that do not exist: {names}. A released migration "
                "is never deleted or renamed."
            )
        findings = migration_safety.check(plan, released, apps=APPS, big_tables=BIG_TABLES)
        for finding in findings:
            self.stdout.write(str(finding))
        failing = [finding for finding in findings if finding.fails]
        new = migration_safety.unreleased(plan, released, APPS)
        if failing:
            raise CommandError(
                f"{len(failing)} migration operation(s) would break the version still running "
                "during a rolling upgrade (above; the fixes are in docs/upgrades.md)."
            )
        self.stdout.write(
            f"Migrations safe for a rolling upgrade: {len(new)} not yet released "
            f"({', '.join(f'{app}.{name}' for app, name in new) or 'none'})."
        )
        version = options["mark_released"]
        if version and new:
            with record.open("a", encoding="utf-8") as stream:
                stream.write("\n" + migration_safety.format_release(version, new))
            self.stdout.write(f"Added {len(new)} migration(s) to {record} under [{version}].")
