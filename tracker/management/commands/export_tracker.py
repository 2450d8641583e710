import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.transfer.export import export_tracker


class Command(BaseCommand):
    help = (
        "Write the whole tracker (organisations, people, reports, judgements, findings, "
        "items with their history, responses, audit trail) as one JSON document. "
        "The format is described in docs/export-format.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", default="json", choices=["json"], help="Output format (only json for now)."
        )
        parser.add_argument(
            "--output",
            "-o",
            default="-",
            help="File to write; '-' (the default) writes to standard output.",
        )
        parser.add_argument(
            "--no-files",
            action="store_true",
            help="Leave evidence file contents out (metadata is still written).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        doc = export_tracker(include_files=not options["no_files"])
        text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False)
        if options["output"] == "-":
            sys.stdout.write(text + "\n")
            return
        try:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            raise CommandError(f"Could not write {options['output']}: {exc.strerror}") from None
        self.stderr.write(
            f"Wrote {len(doc['reports'])} reports and {len(doc['items'])} items "
            f"to {options['output']}."
        )
