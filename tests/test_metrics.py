"""/metrics: django-prometheus's request metrics and the tracker's own, read from the database
at scrape time, for the monitoring server only."""

import datetime
import uuid

import pytest
import redis
from django.urls import reverse
from django.utils import timezone
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e import REDIS_URL
from tests.test_health import closed_port
from tracker import metrics
from tracker.models import Reminder, ReminderState, ReportImport, SweepRun

pytestmark = pytest.mark.django_db


def scrape(client, **extra) -> dict[str, dict[tuple, float]]:
    """{sample name: {sorted label pairs: value}}."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def one(samples, name, **labels) -> float:
    return samples[name][tuple(sorted(labels.items()))]


# Who may read them -----------------------------------------------------------------------


def test_the_monitoring_server_on_loopback_reads_them(client):
    samples = scrape(client, REMOTE_ADDR="127.0.0.1")
    assert "django_http_requests_total_by_method_total" in samples
    assert one(samples, "tracker_metrics_up", part="reminders") == 1


def test_anyone_else_is_refused(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert b"tracker_" not in response.content
    assert b"only available to the monitoring server" in response.content


def test_a_network_can_be_allowed(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.3.4").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_the_bearer_token_lets_a_scraper_in_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    far = {"REMOTE_ADDR": "203.0.113.9"}
    right = {"HTTP_AUTHORIZATION": "Bearer s3cret-scrape-token"}
    assert client.get("/metrics", **far, **right).status_code == 200
    assert client.get("/metrics", **far, HTTP_AUTHORIZATION="Bearer nope").status_code == 403
    assert client.get("/metrics", **far).status_code == 403


def test_without_a_token_set_no_bearer_token_is_accepted(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403


# The tracker's own -----------------------------------------------------------------------


def test_reminders_are_counted_by_state_and_due(client, world):
    reminders = list(Reminder.objects.order_by("id"))
    assert len(reminders) >= 4, "the world plans reminders for its item"
    past = timezone.now() - datetime.timedelta(hours=1)
    Reminder.objects.filter(pk=reminders[0].pk).update(state=ReminderState.SENT)
    Reminder.objects.filter(pk=reminders[1].pk).update(state=ReminderState.FAILED)
    Reminder.objects.filter(pk__in=[r.pk for r in reminders[2:4]]).update(next_attempt_at=past)

    samples = scrape(client)

    for state in ReminderState.values:
        expected = Reminder.objects.filter(state=state).count()
        assert one(samples, "tracker_reminders", state=state) == expected, state
    assert one(samples, "tracker_reminders", state="sent") == 1
    assert one(samples, "tracker_reminders", state="failed") == 1
    assert one(samples, "tracker_reminders_due") == 2


def test_the_last_sweep_gives_its_age_and_duration(client):
    now = timezone.now()
    done = now - datetime.timedelta(minutes=10)
    SweepRun.objects.create(
        started_at=done,
        finished_at=done + datetime.timedelta(seconds=42),
        clock=done,
        via="beat",
        sent=7,
        error="The mail server could not be reached: refused",
    )
    # One still running: the age is its, the duration the last finished one's.
    SweepRun.objects.create(started_at=now - datetime.timedelta(seconds=30), clock=now, via="beat")

    samples = scrape(client)

    assert 29 <= one(samples, "tracker_sweep_age_seconds") < 90
    assert one(samples, "tracker_sweep_last_duration_seconds") == pytest.approx(42)
    assert one(samples, "tracker_sweep_last_failed") == 1
    assert one(samples, "tracker_sweep_last_sent") == 7
    started = one(samples, "tracker_sweep_last_started_timestamp_seconds")
    assert started == pytest.approx((now - datetime.timedelta(seconds=30)).timestamp(), abs=1)


def test_no_sweep_yet_gives_no_sweep_figures(client):
    samples = scrape(client)
    assert "tracker_sweep_age_seconds" not in samples
    assert one(samples, "tracker_metrics_up", part="sweeps") == 1


def make_import(person, state, took_seconds=None, waited_seconds=0):
    uploaded = timezone.now() - datetime.timedelta(seconds=waited_seconds or 4000)
    return ReportImport.objects.create(
        uploaded_by=person,
        uploaded_at=uploaded,
        original_name="report.pdf",
        size=1,
        sha256=uuid.uuid4().hex,
        state=state,
        finished_at=(
            uploaded + datetime.timedelta(seconds=took_seconds)
            if took_seconds is not None
            else None
        ),
    )


def test_import_reading_times_make_a_histogram(client, world):
    make_import(world.owner, ReportImport.State.READY, took_seconds=3)
    make_import(world.owner, ReportImport.State.READY, took_seconds=40)
    make_import(world.owner, ReportImport.State.FAILED, took_seconds=700)
    # Created: its finished time is when the report was created, not when reading ended.
    make_import(world.owner, ReportImport.State.CREATED, took_seconds=86400)
    make_import(world.owner, ReportImport.State.QUEUED, waited_seconds=300)
    make_import(world.owner, ReportImport.State.QUEUED, waited_seconds=30)

    samples = scrape(client)

    def bucket(le):
        return one(samples, "tracker_report_import_read_seconds_bucket", le=le)

    assert bucket("2") == 0
    assert bucket("5") == 1
    assert bucket("60") == 2
    assert bucket("600") == 2
    assert bucket("1800") == 3
    assert bucket("+Inf") == 3
    assert one(samples, "tracker_report_import_read_seconds_gcount") == 3
    assert one(samples, "tracker_report_import_read_seconds_gsum") == pytest.approx(743)
    assert one(samples, "tracker_report_imports", state="queued") == 2
    assert one(samples, "tracker_report_imports", state="created") == 1
    assert 299 <= one(samples, "tracker_report_import_oldest_waiting_seconds") < 360


def test_exports_are_counted_by_django_prometheus_per_view(client, world):
    name = "django_http_responses_total_by_status_view_method_total"
    labels = {"status": "200", "view": "tracker:item_export", "method": "GET"}
    before = scrape(client).get(name, {}).get(tuple(sorted(labels.items())), 0)
    client.force_login(world.owner)
    response = client.get(reverse("tracker:item_export", args=["csv"]))
    b"".join(response.streaming_content)
    client.logout()
    assert one(scrape(client), name, **labels) == before + 1


def test_a_part_that_cannot_be_read_is_marked_down_and_the_rest_still_come(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    samples = scrape(client)
    assert one(samples, "tracker_metrics_up", part="queues") == 0
    assert one(samples, "tracker_metrics_up", part="reminders") == 1
    assert "tracker_celery_queue_length" not in samples
    assert "tracker_reminders" in samples


def test_no_queue_lengths_without_a_redis_broker(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    samples = scrape(client)
    assert "tracker_celery_queue_length" not in samples
    assert one(samples, "tracker_metrics_up", part="queues") == 1


def test_queue_names_come_from_the_settings(settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = "tracker"
    settings.CELERY_TASK_ROUTES = {"tracker.tasks.read_report": {"queue": "documents"}}
    settings.METRICS_QUEUES = ["extra"]
    assert metrics.queue_names() == ["documents", "extra", "tracker"]


@pytest.mark.e2e
def test_queue_lengths_count_every_priority_of_each_queue(client, settings):
    """Real Redis, real kombu messages (the transport's own key names for priorities)."""
    url = REDIS_URL.rsplit("/", 1)[0] + "/13"  # a database the end-to-end tests do not empty
    reads, sweeps = f"m-{uuid.uuid4().hex[:8]}", f"m-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_DEFAULT_QUEUE = sweeps
    settings.METRICS_QUEUES = [reads]
    try:
        with Connection(url) as connection:
            queue = connection.SimpleQueue(reads)
            queue.put({"n": 1})
            queue.put({"n": 2}, priority=6)
            queue.put({"n": 3}, priority=9)
            queue.close()
        samples = scrape(client)
    finally:
        client_ = redis.Redis.from_url(url)
        for name in (reads, sweeps):
            client_.delete(*metrics.priority_keys(name), f"_kombu.binding.{name}")
    assert one(samples, "tracker_celery_queue_length", queue=reads) == 3
    assert one(samples, "tracker_celery_queue_length", queue=sweeps) == 0


# Several gunicorn workers -----------------------------------------------------------------


def get(url: str) -> int:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        response.read()
        return response.status


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_with_two_workers_metrics_add_up_over_the_workers(tmp_path):
    """PROMETHEUS_MULTIPROC_DIR and config/gunicorn_conf.py: whichever worker is scraped, the
    request counts are every worker's."""
    import concurrent.futures
    import os
    import subprocess
    import sys
    import time

    from django.conf import settings as django_settings

    from tests.e2e import database_url, free_port, kill_group, wait_for

    folder = tmp_path / "prometheus"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TESTING": "1",
        "DATABASE_URL": database_url(),
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn_conf", "config.wsgi"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    sent = 0
    try:

        def up():
            try:
                return get(f"{base}/healthz") == 200
            except OSError:
                return False

        wait_for(up, timeout=60, what="gunicorn to answer")
        sent = 1

        def pids():
            return {p.stem.rsplit("_", 1)[-1] for p in folder.glob("counter_*.db")}

        # Requests at once, until both workers have answered some.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            deadline = time.monotonic() + 60
            while len(pids()) < 2 and time.monotonic() < deadline:
                statuses = list(pool.map(lambda _: get(f"{base}/healthz"), range(16)))
                assert set(statuses) == {200}
                sent += len(statuses)
        assert len(pids()) >= 2, "both workers should have answered"

        import urllib.request

        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:  # noqa: S310
            text = response.read().decode()
    finally:
        kill_group(server)
        log.close()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    healthz = (
        "django_http_responses_total_by_status_view_method_total",
        (("method", "GET"), ("status", "200"), ("view", "healthz")),
    )
    assert samples[healthz] == sent
    assert ("tracker_metrics_up", (("part", "reminders"),)) in samples
