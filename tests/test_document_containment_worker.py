"""End to end: a real Celery worker, consuming the app's two queues as in production, refuses
a PDF bomb routed to the documents queue with a plain message, and is still there to read
the next upload. (Separate from test_document_containment.py, whose module-wide data does not
mix with a test that commits.)"""

import re

import pytest
import redis
from django.conf import settings as django_settings

from tests.e2e import wait_for
from tests.factories import World
from tests.test_document_containment import GB, bomb_pdf
from tracker import background
from tracker.extraction.samples import text_to_pdf
from tracker.models import OutboxMessage, ReportImport
from tracker.report_import.reading import import_start

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEED_TEXT = "Report\n\n" + "The force should review how it records crime. " * 400


def test_a_real_worker_refuses_a_bomb_on_the_documents_queue_and_reads_the_next_upload(
    settings, monkeypatch, tmp_path, broker, start_worker
):
    root = tmp_path / "report-imports"
    settings.REPORT_IMPORT_ROOT = root
    monkeypatch.setenv("REPORT_IMPORT_ROOT", str(root))  # the worker's own settings
    worker = start_worker("documents")
    # In this process Celery runs tasks inline, so the upload's task must not be sent from
    # here: the broker is "down" for this process, the outbox keeps the task, and the
    # worker's own outbox sweep (at the start of each reminder sweep, every 2 s) sends it
    # where the app routes it: the documents queue this worker consumes.
    assert django_settings.CELERY_TASK_ROUTES[background.READ_REPORT_IMPORT] == {
        "queue": django_settings.CELERY_DOCUMENTS_QUEUE
    }

    def broker_down(task_name, *args):
        raise ConnectionError("the broker is out of reach of the test process")

    monkeypatch.setattr(background, "send", broker_down)
    coordinator = World.build().coordinator

    def upload(data: bytes) -> ReportImport:
        found = import_start(user=coordinator, name="report.pdf", size=len(data), chunks=[data])
        try:
            wait_for(
                lambda: ReportImport.objects.get(pk=found.pk).state in ("failed", "ready"),
                timeout=90,
                what="the worker to read the upload",
            )
        except AssertionError as exc:  # say where it stopped: the import, and its outbox row
            now = ReportImport.objects.get(pk=found.pk)
            rows = list(OutboxMessage.objects.values("task_name", "state", "claimed_until", "note"))
            log = (tmp_path / "documents.log").read_text(errors="replace").splitlines()
            seen = [
                line
                for line in log
                if re.search(r"read_report_import|ERROR|ready\.|Traceback", line)
            ]
            waiting = redis.Redis.from_url(broker).llen(start_worker.documents_queue)
            raise AssertionError(
                f"{exc}: {now.state}, {now.stage!r}, outbox {rows}, {waiting} message(s) waiting "
                f"on {start_worker.documents_queue}; the worker's log: {seen[-15:]}"
            ) from None
        found.refresh_from_db()
        return found

    bomb = upload(bomb_pdf(GB))
    assert bomb.state == ReportImport.State.FAILED
    assert bomb.message.startswith("This file expands to more than 200 MB when read")
    assert worker.poll() is None  # the worker is still running
    report = upload(text_to_pdf(SEED_TEXT))
    assert report.state == ReportImport.State.READY
    assert report.pages > 1
