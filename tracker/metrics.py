"""The tracker's own Prometheus metrics, read from the database (and Redis) at scrape time.

A collector rather than counters in the code: the sweeps and imports run in Celery workers,
which serve no /metrics, and every web process reads the same rows, so the figures agree
whichever process is scraped (and need nothing from prometheus' multiprocess mode).

- tracker_reminders{state}: reminders by state (pending, sending, sent, cancelled, failed).
- tracker_reminders_due: reminders due now (waiting and due, or a lapsed claim).
- tracker_digests{state}: digests by state.
- tracker_sweep_last_started_timestamp_seconds, tracker_sweep_age_seconds,
  tracker_sweep_last_duration_seconds, tracker_sweep_last_failed (1 when the last finished
  sweep recorded an error), tracker_sweep_last_sent.
- tracker_celery_queue_length{queue}: messages waiting in each Celery queue (Redis LLEN over
  kombu's priority lists); only when the broker is Redis.
- tracker_report_imports{state}: report imports by state, and
  tracker_report_import_oldest_waiting_seconds: how long the oldest import still waiting to
  be read has waited (0 when none waits).
- tracker_report_import_read_seconds: a gauge histogram of the time from upload to the end of
  reading, over imports that were read (ready to check) or refused (failed). Once a report is
  created from an import its finished time becomes the creation time, so created imports
  leave it.
- tracker_metrics_up{part}: 1 when that part of the collection worked, 0 when it failed (the
  error is logged; that part's figures are missing from the scrape).
"""

import datetime
import logging
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from tracker.models import Digest, Reminder, ReminderState, ReportImport, SweepRun
from tracker.reminders.mail import rows_due

log = logging.getLogger(__name__)

# Seconds from upload to the end of reading.
IMPORT_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
# kombu's Redis transport keeps a queue's messages in one list per priority step.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


def queue_names() -> list[str]:
    """Every Celery queue the settings name: the default queue, declared queues, the queues
    of task routes, and METRICS_QUEUES."""
    names: list[object] = [settings.CELERY_TASK_DEFAULT_QUEUE]
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or []:
        names.append(getattr(queue, "name", queue))
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    for route in routes.values() if isinstance(routes, dict) else []:
        if isinstance(route, dict) and route.get("queue"):
            names.append(getattr(route["queue"], "name", route["queue"]))
    names += getattr(settings, "METRICS_QUEUES", [])
    return sorted({str(name) for name in names if name})


def priority_keys(queue: str) -> list[str]:
    """The Redis lists kombu keeps one queue in (the plain name holds priority 0)."""
    return [queue] + [f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS if step]


def queue_lengths(url: str, queues: Iterable[str], *, timeout: float = 1.0) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        pipe = client.pipeline(transaction=False)
        names = list(queues)
        for queue in names:
            for key in priority_keys(queue):
                pipe.llen(key)
        sizes = pipe.execute()
    finally:
        client.close()
    steps = len(PRIORITY_STEPS)
    return {q: sum(sizes[i * steps : (i + 1) * steps]) for i, q in enumerate(names)}


def cumulative_buckets(counts_le: dict[float, int], total: int) -> list[tuple[str, float]]:
    """Pure: Prometheus buckets (upper bound as text, cumulative count), +Inf last."""
    buckets = [(f"{bound:g}", float(counts_le[bound])) for bound in sorted(counts_le)]
    return [*buckets, ("+Inf", float(total))]


class TrackerCollector(Collector):
    """Collected at each scrape; each part is read on its own, so one failing leaves the
    others."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        up = GaugeMetricFamily(
            "tracker_metrics_up",
            "1 when this part of the tracker's metrics was read.",
            labels=["part"],
        )
        for part, read in (
            ("reminders", self.reminders),
            ("sweeps", self.sweeps),
            ("queues", self.queues),
            ("imports", self.imports),
        ):
            try:
                metrics = list(read(now))
            except Exception:  # noqa: BLE001 - a scrape reports what it can
                log.exception("Could not read the %s metrics", part)
                up.add_metric([part], 0)
                continue
            up.add_metric([part], 1)
            yield from metrics
        yield up

    def reminders(self, now: datetime.datetime) -> Iterator[Metric]:
        by_state = dict(
            Reminder.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
        )
        family = GaugeMetricFamily("tracker_reminders", "Reminders by state.", labels=["state"])
        for state in ReminderState.values:
            family.add_metric([state], by_state.get(state, 0))
        yield family
        yield GaugeMetricFamily(
            "tracker_reminders_due",
            "Reminders due now (waiting and due, or claimed by a sweep whose claim lapsed).",
            value=rows_due(Reminder, now=now).count(),
        )
        digests = dict(
            Digest.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
        )
        family = GaugeMetricFamily("tracker_digests", "Digests by state.", labels=["state"])
        for state in ReminderState.values:
            family.add_metric([state], digests.get(state, 0))
        yield family

    def sweeps(self, now: datetime.datetime) -> Iterator[Metric]:
        last = SweepRun.objects.order_by("-started_at").first()
        if last is None:
            return
        yield GaugeMetricFamily(
            "tracker_sweep_last_started_timestamp_seconds",
            "When the last reminder sweep started (Unix time).",
            value=last.started_at.timestamp(),
        )
        yield GaugeMetricFamily(
            "tracker_sweep_age_seconds",
            "Seconds since the last reminder sweep started.",
            value=(now - last.started_at).total_seconds(),
        )
        finished = SweepRun.objects.filter(finished_at__isnull=False).order_by("-started_at")
        done = finished.first()
        if done is not None and done.finished_at is not None:
            yield GaugeMetricFamily(
                "tracker_sweep_last_duration_seconds",
                "How long the last finished reminder sweep took.",
                value=(done.finished_at - done.started_at).total_seconds(),
            )
            yield GaugeMetricFamily(
                "tracker_sweep_last_failed",
                "1 when the last finished reminder sweep recorded an error.",
                value=1 if done.error else 0,
            )
            yield GaugeMetricFamily(
                "tracker_sweep_last_sent",
                "Reminders and notices the last finished sweep sent.",
                value=done.sent,
            )

    def queues(self, now: datetime.datetime) -> Iterator[Metric]:
        url = settings.CELERY_BROKER_URL
        if url.split("://", 1)[0].lower() not in {"redis", "rediss"}:
            return
        family = GaugeMetricFamily(
            "tracker_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        for queue, length in queue_lengths(url, queue_names()).items():
            family.add_metric([queue], length)
        yield family

    def imports(self, now: datetime.datetime) -> Iterator[Metric]:
        by_state = dict(
            ReportImport.objects.values_list("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        family = GaugeMetricFamily(
            "tracker_report_imports", "Report imports by state.", labels=["state"]
        )
        for state in ReportImport.State.values:
            family.add_metric([state], by_state.get(state, 0))
        yield family
        oldest = ReportImport.objects.filter(state=ReportImport.State.QUEUED).aggregate(
            at=Min("uploaded_at")
        )["at"]
        yield GaugeMetricFamily(
            "tracker_report_import_oldest_waiting_seconds",
            "How long the oldest report import still waiting to be read has waited.",
            value=(now - oldest).total_seconds() if oldest else 0,
        )
        took = ExpressionWrapper(F("finished_at") - F("uploaded_at"), output_field=DurationField())
        read = ReportImport.objects.filter(
            state__in=[ReportImport.State.READY, ReportImport.State.FAILED],
            finished_at__isnull=False,
        ).annotate(took=took)
        figures = read.aggregate(
            total=Count("id"),
            seconds=Sum("took"),
            **{
                f"le_{n}": Count("id", filter=Q(took__lte=datetime.timedelta(seconds=bound)))
                for n, bound in enumerate(IMPORT_BUCKETS)
            },
        )
        seconds = figures["seconds"]
        yield GaugeHistogramMetricFamily(
            "tracker_report_import_read_seconds",
            "Seconds from upload to the end of reading, for imports read or refused.",
            buckets=cumulative_buckets(
                {bound: figures[f"le_{n}"] for n, bound in enumerate(IMPORT_BUCKETS)},
                figures["total"],
            ),
            gsum_value=seconds.total_seconds() if seconds else 0.0,
        )
