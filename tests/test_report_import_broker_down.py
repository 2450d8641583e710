"""Defect 3 of issue 19: a report uploaded while Redis is down gave a 500, its import row was
left "queued", its file deleted, and nothing ever queued it again. Now the upload is accepted,
the file kept, the reading waits in the outbox (tracker/outbox.py), and it is read once the
broker is back: by the outbox sweep here, and by a real worker's beat in the end-to-end test.

Both tests run outside a test transaction, so the upload commits and the enqueue happens at
commit, as in production."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.e2e import database_url, kill_group, wait_for
from tests.factories import World
from tests.own_redis import OwnRedis
from tracker import background, outbox
from tracker.models import OutboxMessage, ReportImport

PEEL_2015 = (Path(settings.FIXTURES_DIR) / "sources" / "002_d8db408b9b4688bf.txt").read_bytes()


def upload(client, data: bytes = PEEL_2015, name: str = "peel.txt"):
    return client.post(reverse("tracker:report_import"), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db(transaction=True)
def test_an_upload_while_the_broker_is_down_is_accepted_kept_and_read_when_it_is_back(
    client, report_import_root, monkeypatch
):
    """Not inside a test transaction: the upload commits, and the enqueue happens then, as
    in production."""
    world = World.build()
    client.force_login(world.coordinator)
    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    with monkeypatch.context() as patch:
        patch.setattr(background, "current_app", down)
        response = upload(client)
    assert response.status_code == 302  # not a 500
    found = ReportImport.objects.get()
    assert response["Location"] == reverse("tracker:report_import_detail", args=[found.uuid])
    assert found.state == "queued"
    stored = report_import_root / found.stored_name
    assert stored.read_bytes() == PEEL_2015  # the file is kept
    assert outbox.is_waiting(background.READ_REPORT_IMPORT, found.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Your file is saved and waiting to be read" in page
    assert "Waiting to be read" in page

    assert outbox.outbox_sweep()["sent"] == 1  # the broker is back: the sweep sends it
    found.refresh_from_db()
    assert found.state == "ready"
    assert len(found.draft["findings"]) > 0
    assert not stored.exists()  # deleted once read, as always


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "redis")
    yield server
    server.stop()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_upload_while_redis_is_down_is_read_by_a_real_worker_once_redis_is_back(
    client, own_redis, tmp_path, monkeypatch, report_import_root
):
    """Redis of our own, down at upload; then started, with a real worker and its beat:
    beat's outbox sweep sends the import, and the worker reads it."""
    root = report_import_root
    queue = f"outbox-{uuid.uuid4().hex[:8]}"
    web = Celery("web", broker=own_redis.url, set_as_current=False)
    web.conf.task_default_queue = queue
    monkeypatch.setattr(background, "current_app", web)
    world = World.build()
    client.force_login(world.coordinator)

    response = upload(client)  # Redis is not running

    assert response.status_code == 302
    found = ReportImport.objects.get()
    assert found.state == "queued"
    assert (root / found.stored_name).exists()
    message = OutboxMessage.objects.get()
    assert message.state == "waiting"
    assert message.attempts == 1

    own_redis.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TESTING": "1",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": own_redis.url,
        "CELERY_QUEUE": queue,
        "CELERY_DOCUMENTS_QUEUE": queue,  # this one worker reads documents too
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat"),
        "OUTBOX_SWEEP_SECONDS": "1",
        "REPORT_IMPORT_ROOT": str(root),
    }
    env.pop("REDIS_URL", None)
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--pool=solo"]
        + ["-Q", queue, "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(
            lambda: ReportImport.objects.get().state == "ready",
            timeout=90,
            what="beat's outbox sweep to send the import and the worker to read it",
        )
        assert worker.poll() is None
    finally:
        kill_group(worker)
        log.close()
        sys.stdout.write((tmp_path / "worker.log").read_text(errors="replace")[-3000:])
    message.refresh_from_db()
    assert message.state == "sent"
    assert message.attempts == 2  # once at upload (refused), once by the sweep
    assert not (root / found.stored_name).exists()
