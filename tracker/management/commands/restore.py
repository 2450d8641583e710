from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database (DATABASE_URL) and "
        "empty folders (EVIDENCE_ROOT, REPORT_IMPORT_ROOT, BULK_IMPORT_ROOT). Every file's "
        "checksum is verified before anything is touched, and again once it is in place. "
        "With --check, only verify the backup."
    )
    # The database may be empty: nothing here may need its tables.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="The backup's folder.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only verify the backup's files against its manifest; restore nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["folder"]
        try:
            if options["check"]:
                manifest = backup_verify(folder=folder)
                self.stdout.write(
                    f"The backup in {folder} is intact: {len(manifest['files'])} files match "
                    f"their checksums (made {manifest['created_at']})."
                )
                return
            done = backup_restore(folder=folder)
        except BackupError as exc:
            raise CommandError(
                f"The backup does not verify: {exc}" if options["check"] else str(exc)
            ) from None
        self.stdout.write(
            f"Restored the {done.vendor} database ({done.tables} tables, {done.rows} rows, each "
            f"table's count as recorded) and {done.files} file{'s' if done.files != 1 else ''} "
            f"(checksums verified) from {done.folder}."
        )
