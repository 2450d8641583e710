"""A real Celery worker makes a large export, which the person then downloads (issue 16).

Alone in its module: the test is transactional, and the other export tests share a world
built once per module, which a transactional test in the same module would meet."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import make_finding, make_item
from tests.test_export_jobs import ITEMS_XLSX, body_of
from tracker import export_jobs
from tracker.models.export_jobs import ExportJob


def workbook_values(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cells, but the minute the file was made ("About this file": "Made on")."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {
        sheet.title: [row for row in sheet.iter_rows(values_only=True) if row[0] != "Made on"]
        for sheet in book.worksheets
    }


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_file_and_the_person_downloads_it(
    client, settings, monkeypatch, broker, start_worker
):
    from celery import Celery

    from tests.e2e import wait_for
    from tests.factories import World
    from tracker import background

    # The worker is a process of its own, with the settings it reads from the environment:
    # the files go where its EXPORT_ROOT (or the default) says, and this test reads them there.
    settings.EXPORT_SYNC_MAX_ROWS = 0
    worker = start_worker("exports")
    sender = Celery("sender", broker=broker, set_as_current=False)  # never the process's app
    published = []

    def send(task_name, *args):
        published.append(sender.send_task(task_name, args=list(args), queue=start_worker.queue))

    monkeypatch.setattr(background, "send", send)
    world = World.build()
    for n in range(30):
        make_item(make_finding(world.report, f"Finding {n}"), world.wmp, owner=world.owner)
    client.force_login(world.coordinator)
    at_once_limit = settings.EXPORT_SYNC_MAX_ROWS
    settings.EXPORT_SYNC_MAX_ROWS = 10_000
    at_once = body_of(client.get(ITEMS_XLSX))
    settings.EXPORT_SYNC_MAX_ROWS = at_once_limit

    offer = client.get(ITEMS_XLSX)
    started = client.post(
        reverse("tracker:export_start"), {"kind": "items", "format": "xlsx", "query": ""}
    )
    assert "Prepare your export" in offer.content.decode()
    job = ExportJob.objects.get()
    status_url = reverse("tracker:export_job_status", args=[job.uuid])
    seen = {}

    def outbox_rows() -> str:
        import redis
        from django.db import connection

        from tracker.models import OutboxMessage

        rows = list(OutboxMessage.objects.values("task_name", "state", "note", "claimed_until"))
        held = redis.Redis.from_url(broker)
        queues = {
            key.decode(): held.llen(key) for key in held.scan_iter() if held.type(key) == b"list"
        }
        bindings = {key.decode(): held.smembers(key) for key in held.scan_iter("_kombu.binding.*")}
        return (
            f"in an atomic block: {connection.in_atomic_block}; outbox: {rows}; "
            f"published: {published}; queues: {queues}; bindings: {bindings}"
        )

    def finished() -> bool:
        seen.update(client.get(status_url).json())
        return seen["state"] in ("ready", "failed")

    wait_for(
        finished,
        timeout=120,
        what="the worker to make the export",
        explain=lambda: f"the export is {seen}; {outbox_rows()}\n{start_worker.log_tail()}",
    )
    assert seen["state"] == "ready", f"the export is {seen}\n{start_worker.log_tail()}"
    assert worker.poll() is None  # the worker is still running: it did the work
    page = client.get(started["Location"]).content.decode()
    assert "Your export is ready" in page
    job.refresh_from_db()
    try:
        made = body_of(client.get(reverse("tracker:export_job_download", args=[job.uuid])))
        assert workbook_values(made) == workbook_values(at_once)
        assert job.rows_written == 31
    finally:
        export_jobs.export_job_path(job).unlink(missing_ok=True)
