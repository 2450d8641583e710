"""The load generator and the benchmarks work (their timings are reported, not tested)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from accounts.models import TwoFactorDevice, User
from tracker.management.commands.benchmark_pages import PAGES, counting_queries
from tracker.management.commands.generate_load_data import READER, sign_in_accounts
from tracker.models import (
    Deadline,
    ProgressUpdate,
    Reminder,
    Status,
    StatutoryResponse,
    TrackedItem,
)

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def run(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_generate_load_data_makes_open_and_closed_items_with_history(db):
    out = run("generate_load_data", "--items", "86", "--closed", "43", "--history", "430")

    assert "Generated 86 open and 43 closed items" in out
    load = TrackedItem.objects.filter(finding__key__startswith="load-")
    assert load.open().count() == 86
    assert load.filter(status=Status.CLOSED).count() == 43
    assert ProgressUpdate.objects.filter(item__in=load).count() == 129 * 2
    assert Deadline.objects.filter(item__in=load).count() == 86
    assert Reminder.objects.filter(state="pending").exists()
    assert StatutoryResponse.objects.filter(report__key__startswith="load-").exists()


def test_generate_load_data_gives_each_role_a_person_who_can_sign_in(db):
    run("generate_load_data", "--items", "43", "--history", "0")

    accounts = sign_in_accounts()
    assert set(accounts) == {"coordinator", "staff", "pcc", "national"}
    assert accounts["national"] == READER
    for email in accounts.values():
        assert User.objects.get(email=email).has_usable_password()
    # The PCC office signs in with an authenticator app, as the app requires of it.
    assert TwoFactorDevice.objects.filter(user__email=accounts["pcc"]).exists()


def test_a_second_generate_is_refused(db):
    run("generate_load_data", "--items", "43", "--history", "0")
    with pytest.raises(CommandError, match="already exists"):
        run("generate_load_data", "--items", "43")


def test_benchmark_reminders_sends_the_reminders_it_makes_due(db):
    run("generate_load_data", "--items", "200", "--history", "0")
    # The generator sent the reminders of responses already late, as a sweep would have.
    sent_before = Reminder.objects.filter(state="sent").count()
    out = run("benchmark_reminders", "--due", "20", "--runs", "2")

    assert out.count("20 sent") == 2
    assert Reminder.objects.filter(state="sent").count() == sent_before + 40
    assert "queries" in out


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["administrator", "pcc_office"])
def test_benchmark_pages_signs_in_every_role_and_renders_every_page(db):
    run("generate_load_data", "--items", "120", "--history", "0")
    out = run("benchmark_pages", "--runs", "2")

    for role in ("Force coordinator", "Force staff", "PCC office", "National reader"):
        assert f"Signed in as {role}" in out
    # The PCC office's sign-in used its authenticator code (two-factor), not a shortcut.
    assert TwoFactorDevice.objects.get(user__email=sign_in_accounts()["pcc"]).last_used_step
    rows = [line for line in out.splitlines() if line.startswith("| ") and "`/" in line]
    assert len(rows) == sum(len(pages) for pages in PAGES.values())
    assert "Slowest 95th percentile" in out


def test_benchmark_pages_runs_without_collectstatic(db, tmp_path):
    run("generate_load_data", "--items", "43", "--history", "0")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": MANIFEST},
    }
    # The production storage, and a static root collectstatic never filled.
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        out = run("benchmark_pages", "--runs", "1", "--roles", "national")

    assert "collectstatic not run" in out
    assert "Slowest 95th percentile" in out


def test_benchmark_pages_floor_prints_the_page_to_floor_ratio(db):
    run("generate_load_data", "--items", "43", "--history", "0")
    out = run("benchmark_pages", "--runs", "1", "--floor", "--roles", "coordinator,pcc")

    assert "| Floor ms | Page/floor |" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "`/" in line]
    assert len(rows) == len(PAGES["coordinator"]) + len(PAGES["pcc"])
    for row in rows:
        ratio = row.rstrip(" |").rsplit("|", 1)[1]
        assert float(ratio) > 0


def test_benchmark_pages_compares_with_a_saved_run(db, tmp_path):
    run("generate_load_data", "--items", "43", "--history", "0")
    saved = tmp_path / "small.json"
    run("benchmark_pages", "--runs", "1", "--roles", "staff", "--save", str(saved))
    out = run("benchmark_pages", "--runs", "1", "--roles", "staff", "--compare", str(saved))

    assert "p95 growth from" in out


def test_the_query_counter_does_not_stop_at_9000(db):
    with counting_queries() as counter, connection.cursor() as cursor:
        for _ in range(9_100):
            cursor.execute("SELECT 1")

    assert counter.count == 9_100


def test_benchmark_pages_needs_load_data(db):
    with pytest.raises(CommandError, match="generate_load_data first"):
        run("benchmark_pages", "--runs", "1")


@pytest.mark.django_db(transaction=True)
def test_benchmark_http_signs_in_and_loads_a_server(live_server):
    run("generate_load_data", "--items", "43", "--history", "0")
    out = run(
        "benchmark_http",
        "--url",
        live_server.url,
        "--concurrency",
        "1",
        "2",
        "--seconds",
        "0.5",
        "--warm-up",
        "0",
        "--proto",
        "http",  # the test server sees plain http
    )

    assert "Signed in as National reader" in out
    rows = [
        line for line in out.splitlines() if line.startswith("| 1 |") or line.startswith("| 2 |")
    ]
    assert len(rows) == 2
    assert all(line.endswith("| 0 |") for line in rows)  # no errors


def test_benchmark_bulk_create_makes_items_with_reminders_and_leaves_nothing(db):
    run("generate_load_data", "--items", "43", "--history", "0")
    items, reminders = TrackedItem.objects.count(), Reminder.objects.count()

    out = run("benchmark_bulk_create", "--items", "12", "--runs", "2")

    assert out.count("12 items with their deadlines and reminders in") == 4
    assert "Spreadsheet import: median" in out
    assert "Report import: median" in out
    # Every run is rolled back.
    assert (TrackedItem.objects.count(), Reminder.objects.count()) == (items, reminders)


def test_benchmark_bulk_create_needs_load_data(db):
    with pytest.raises(CommandError, match="generate_load_data first"):
        run("benchmark_bulk_create", "--items", "5")
