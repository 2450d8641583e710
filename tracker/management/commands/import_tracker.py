import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.reminders.sync import deadlines_sync_all
from tracker.transfer.load import import_tracker
from tracker.transfer.rows import ImportRejected


class Command(BaseCommand):
    help = (
        "Load a JSON document written by export_tracker. Everything is checked first; a "
        "file with any problem is refused and nothing is saved. Importing the same file "
        "twice changes nothing the second time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON file to load ('-' reads standard input).")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as handle:
                    text = handle.read()
        except FileNotFoundError:
            raise CommandError(f"There is no file called {name}.") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{name} is not a text file in UTF-8, so it cannot be an export."
            ) from None
        except OSError as exc:
            raise CommandError(f"Could not read {name}: {exc.strerror}.") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{name} is not valid JSON (line {exc.lineno}, column "
                f"{exc.colno}: {exc.msg}). Nothing was imported."
            ) from None
        try:
            result = import_tracker(doc)
        except ImportRejected as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())
        if result.changed:
            deadlines_sync_all()
            self.stdout.write("Deadlines and reminders brought up to date.")
