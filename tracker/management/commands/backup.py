from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back the tracker up into a new folder: the database (pg_dump on PostgreSQL, SQLite's "
        "backup API on SQLite), the evidence files and the import folders, with a manifest of "
        "every file's size and SHA-256 and every table's row count. Restore it with "
        "`manage.py restore`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="A new (or empty) folder for the backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup_create(folder=options["folder"])
        except BackupError as exc:
            raise CommandError(f"No backup was made: {exc}") from None
        self.stdout.write(
            f"Backed up the {done.vendor} database ({done.tables} tables, {done.rows} rows) and "
            f"{done.files} file{'s' if done.files != 1 else ''} ({done.bytes:,} bytes in all) "
            f"to {done.folder}."
        )
