from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from tracker import policy
from tracker.bulk_import.apply import items_import
from tracker.bulk_import.plan import ImportRejected, plan_import
from tracker.bulk_import.table import FileRejected, read_table


class Command(BaseCommand):
    help = (
        "Import findings and items from a CSV file or Excel workbook in the item export's "
        "columns, as the person given with --as (a force coordinator, for their own force, or "
        "an administrator). Everything is checked first; a file with any problem is refused "
        "and nothing is saved. --dry-run shows what would happen without saving."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .csv or .xlsx file.")
        parser.add_argument(
            "--as", dest="email", required=True, help="The email address of the importer."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"Nobody has the email address {options['email']}.")
        if not policy.can_bulk_import(user):
            raise CommandError(
                f"{user.email} cannot import items: only force coordinators and administrators can."
            )
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"There is no file called {path}.") from None
        except OSError as exc:
            raise CommandError(f"Could not read {path}: {exc.strerror}.") from None
        try:
            if options["dry_run"]:
                table = read_table(data, path.name)
                plan = plan_import(table=table, user=user, today=timezone.localdate())
                if plan.problems:
                    raise ImportRejected(plan)
            else:
                plan = items_import(user=user, data=data, name=path.name)
        except FileRejected as exc:
            raise CommandError(f"{path.name}: {exc} Nothing was imported.") from None
        except ImportRejected as exc:
            raise CommandError(str(exc)) from None
        for row in plan.changes:
            self.stdout.write(f"Row {row.row}: {'; '.join(row.describe())}")
        counts = plan.counts
        self.stdout.write(
            f"{counts['unchanged']} row{'s' if counts['unchanged'] != 1 else ''} already as "
            "the file says."
        )
        if options["dry_run"]:
            self.stdout.write(f"Dry run, nothing saved. Would be: {plan.summary()}.")
        else:
            self.stdout.write(f"Imported: {plan.summary()}.")
