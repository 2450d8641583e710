from typing import Any

from django.core.management.base import BaseCommand

from tracker.reminders.sync import deadlines_sync_all


class Command(BaseCommand):
    help = (
        "Work out every deadline again from the rules and plan its reminders (after editing "
        "rules outside the admin, or on a new installation). Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = deadlines_sync_all()
        self.stdout.write(
            f"Deadlines brought up to date for {counts['reports']} reports "
            f"({counts['responses_created']} statutory responses started) and "
            f"{counts['items']} items."
        )
