from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tracker.demo import create_demo, load_reference_data, seed_report_keys
from tracker.models import DeadlineRule
from tracker.reminders.sync import deadlines_sync_all
from tracker.rule_presets import presets_install
from tracker.statutory.services import versions_record_published


class Command(BaseCommand):
    help = (
        "Load the 43 forces, their local policing bodies and the seed reports, and (with "
        "--demo) the demo accounts and items. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also create the demo accounts and items (demo mode only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"] and not settings.DEMO_MODE:
            raise CommandError(
                "--demo creates accounts with a shared, published password (including an "
                "administrator), so it only runs with DEMO_MODE=1. Nothing was loaded."
            )
        self.stdout.write(load_reference_data())
        added = presets_install(DeadlineRule)
        if added:
            self.stdout.write(f"Deadline rules: {added} preset rules added.")
        counts = deadlines_sync_all()
        self.stdout.write(
            f"Deadlines up to date: {counts['responses_created']} statutory responses started."
        )
        recorded = versions_record_published(report_keys=seed_report_keys())
        if recorded:
            self.stdout.write(f"Published responses: {recorded} kept as version 1.")
        if options["demo"]:
            created = create_demo(password=settings.DEMO_PASSWORD, today=timezone.localdate())
            self.stdout.write(
                "Demo accounts and items created."
                if created
                else "Demo accounts already exist; left as they are."
            )
