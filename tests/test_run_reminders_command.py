"""run_reminders: one sweep, through the same code as the Celery task."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Role
from tests.factories import make_force_with_body, make_report, make_user
from tracker.models import Reminder
from tracker.reminders.sync import responses_ensure


def run(*args):
    out = StringIO()
    call_command("run_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def recent(db):
    """A report published 50 days ago: its s55 deadline is in five days."""
    force, body = make_force_with_body("West Midlands")
    pcc = make_user("Daniel Hughes", body, Role.PCC_OFFICE)
    report = make_report(
        forces=[force], published_on=timezone.localdate() - datetime.timedelta(days=50)
    )
    responses_ensure(report=report)
    return pcc, report


def test_a_report_published_50_days_ago_gets_its_7_day_reminder_once(recent):
    pcc, report = recent
    first = run()
    second = run()
    third = run("--now", (timezone.localtime() + datetime.timedelta(minutes=30)).isoformat())

    assert first.count("before-7 to daniel.hughes@example.org") == 1
    assert "before-7" not in second
    assert "before-7" not in third
    sevens = [m for m in mail.outbox if "due in 5 days" in m.subject and m.to == [pcc.email]]
    assert len(sevens) == 1
    assert "PCC's comments on the report" in sevens[0].subject
    assert "s55(5A) Police Act 1996" in sevens[0].body
    assert Reminder.objects.filter(step="before-7", state="sent").count() == 1


def test_it_prints_a_summary_of_the_sweep(recent):
    assert "1 sent" in run("--now", timezone.localtime().isoformat())


def test_a_bad_now_is_refused_with_a_clear_message(db):
    with pytest.raises(CommandError, match="--now must be a date and time"):
        run("--now", "next tuesday")
