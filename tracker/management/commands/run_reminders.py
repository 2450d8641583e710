import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tracker.reminders.mail import MailServerDown
from tracker.reminders.sweeps import sweep


def parse_now(raw: str) -> datetime.datetime:
    try:
        value = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(
            f"--now must be a date and time such as 2026-11-22T09:00 (London time) or "
            f"2026-11-22T09:00+00:00; got “{raw}”."
        ) from None
    if not 2000 <= value.year <= 2200:
        raise CommandError(f"--now must be a year between 2000 and 2200; got {value.year}.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class Command(BaseCommand):
    help = (
        "Run one reminder sweep now, through the same code as the Celery task: send every "
        "reminder and digest that is due, and print what was sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Run as if it were this time (ISO 8601; London time when no offset is given).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options["now"] else timezone.now()
        try:
            result = sweep(now=now, via="command")
        except MailServerDown as exc:
            raise CommandError(
                f"The mail server could not be reached ({exc}). Nothing was lost: the "
                "reminders stay due and the next sweep sends them."
            ) from None
        for line in result.lines:
            self.stdout.write(f"Sent {line}")
        self.stdout.write(
            f"Sweep at {timezone.localtime(now):%Y-%m-%d %H:%M %Z}: {result.sent} sent "
            f"({result.late} late), {result.digests} digests, {result.cancelled} cancelled, "
            f"{result.retried} to retry, {result.failed} failed."
        )
