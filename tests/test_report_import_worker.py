"""End to end: an uploaded report is read by a real Celery worker through the real Redis
broker, in a separate process, and its progress and result reach the web pages."""

from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.e2e import wait_for
from tests.factories import World
from tracker import background
from tracker.models import ReportImport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEED = Path(settings.FIXTURES_DIR) / "sources" / "004_1e28ba5a3fe99e5f.excerpt.txt"


def test_a_real_worker_reads_the_upload_and_the_page_follows_it(
    client,
    settings,
    monkeypatch,
    tmp_path,
    broker,
    start_worker,
):
    root = tmp_path / "report-imports"
    settings.REPORT_IMPORT_ROOT = root
    monkeypatch.setenv("REPORT_IMPORT_ROOT", str(root))  # the worker's own settings
    worker = start_worker("reader")
    sender = Celery("sender", broker=broker, set_as_current=False)  # never the process's app
    # The upload starts its task by name (tracker.background): send it to this worker's queue.
    monkeypatch.setattr(
        background,
        "send",
        lambda task_name, *args: sender.send_task(
            task_name, args=list(args), queue=start_worker.queue
        ),
    )
    world = World.build()
    client.force_login(world.coordinator)
    response = client.post(
        reverse("tracker:report_import"),
        {"file": SimpleUploadedFile("baseline-2006.txt", SEED.read_bytes())},
    )
    found = ReportImport.objects.get()
    status_url = reverse("tracker:report_import_status", args=[found.uuid])
    assert response["Location"] == reverse("tracker:report_import_detail", args=[found.uuid])
    wait_for(
        lambda: client.get(status_url).json()["state"] == "ready",
        timeout=90,
        what="the worker to read the upload",
    )
    assert worker.poll() is None  # the worker is still running: it did the work
    found.refresh_from_db()
    assert found.progress == 100
    assert len(found.draft["findings"]) == 14
    assert len(found.draft["judgements"]) == 23
    assert not any(root.iterdir())  # the worker deleted the upload once read
    page = client.get(response["Location"]).content.decode()
    assert "Check what was found" in page
    assert "Baseline Assessment" in page
