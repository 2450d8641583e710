"""The load generator and the sweep benchmark work (their timings are reported, not tested)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tracker.models import Deadline, ProgressUpdate, Reminder, Status, TrackedItem


def run(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_generate_load_data_makes_open_and_closed_items_with_history(db):
    out = run("generate_load_data", "--items", "86", "--closed", "43", "--history", "430")

    assert "Generated 86 open and 43 closed items." in out
    load = TrackedItem.objects.filter(finding__key__startswith="load-")
    assert load.open().count() == 86
    assert load.filter(status=Status.CLOSED).count() == 43
    assert ProgressUpdate.objects.filter(item__in=load).count() == 129 * 2
    assert Deadline.objects.filter(item__in=load).count() == 86
    assert Reminder.objects.filter(state="pending").exists()


def test_a_second_generate_is_refused(db):
    run("generate_load_data", "--items", "43", "--history", "0")
    with pytest.raises(CommandError, match="already exists"):
        run("generate_load_data", "--items", "43")


def test_benchmark_reminders_sends_the_reminders_it_makes_due(db):
    run("generate_load_data", "--items", "200", "--history", "0")
    out = run("benchmark_reminders", "--due", "20", "--runs", "2")

    assert out.count("20 sent") == 2
    assert Reminder.objects.filter(state="sent").count() == 40
    assert "queries" in out


def test_benchmark_pages_renders_every_page_for_each_role(db):
    run("generate_load_data", "--items", "120", "--history", "0")
    out = run("benchmark_pages", "--runs", "2")
    assert out.count(" queries ") == 14
    assert "Slowest 95th percentile" in out


def test_benchmark_pages_needs_load_data(db):
    with pytest.raises(CommandError, match="generate_load_data first"):
        run("benchmark_pages", "--runs", "1")
