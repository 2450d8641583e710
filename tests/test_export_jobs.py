"""Large exports made in the background (issue 16): a page that offers to make the file, the
job's file equal to the export the page sends at once for the same filters, its progress page,
the download for the person who asked only, a day's keeping, and the clean-up that deletes it.
One test runs a real Celery worker that makes the file, which the client then downloads."""

import datetime
import io
import os
import tracemalloc

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from tests.factories import make_finding, make_item, make_report
from tracker import export_jobs, exports, xlsx
from tracker.models.export_jobs import ExportJob

pytestmark = pytest.mark.django_db

ITEMS_XLSX = reverse("tracker:item_export", args=["xlsx"])
ITEMS_CSV = reverse("tracker:item_export", args=["csv"])
RESPONSES_XLSX = reverse("tracker:response_export", args=["xlsx"])


@pytest.fixture
def many(world, settings, tmp_path):
    """West Midlands with six items (one overdue), Staffordshire with one; exports of more
    than two rows are made in the background, into a folder of the test's own."""
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_SYNC_MAX_ROWS = 2
    today = timezone.localdate()
    for n in range(4):
        make_item(make_finding(world.report, f"Finding {n} & <more>"), world.wmp, owner=world.owner)
    make_item(
        make_finding(world.report, "=1+1 looks like a formula"),
        world.wmp,
        owner=world.colleague,
        due=today - datetime.timedelta(days=3),
    )
    theirs = make_report(forces=[world.staffs], title="Staffordshire report")
    make_item(make_finding(theirs, "Staffordshire's finding"), world.staffs)
    return world


def body_of(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def sent_at_once(client, settings, url) -> bytes:
    """The export as the page sends it when it is small enough."""
    limit = settings.EXPORT_SYNC_MAX_ROWS
    settings.EXPORT_SYNC_MAX_ROWS = 10_000
    try:
        return body_of(client.get(url))
    finally:
        settings.EXPORT_SYNC_MAX_ROWS = limit


def made_in_background(client, url, capture) -> tuple[ExportJob, bytes]:
    """Ask for the export, follow the offer's button; the job runs when it commits."""
    offer = client.get(url)
    assert offer.status_code == 200
    assert "Prepare your export" in offer.content.decode()
    form = offer.context
    with capture(execute=True):
        started = client.post(
            reverse("tracker:export_start"),
            {"kind": form["kind"], "format": form["fmt"], "query": form["query"]},
        )
    job = ExportJob.objects.get(uuid=started["Location"].split("/")[-2])
    assert started["Location"] == reverse("tracker:export_job", args=[job.uuid])
    job.refresh_from_db()
    download = client.get(reverse("tracker:export_job_download", args=[job.uuid]))
    return job, body_of(download)


# ------------------------------------------------------------------ the same file either way


@pytest.mark.parametrize("query", ["", "?overdue=true", "?q=Finding&sort=due_date", "?mine=1"])
def test_the_jobs_excel_file_equals_the_one_sent_at_once_for_the_same_filters(
    many, client, settings, django_capture_on_commit_callbacks, query
):
    settings.EXPORT_SYNC_MAX_ROWS = 0  # even one row goes to the background here
    client.force_login(many.coordinator if "mine" not in query else many.owner)
    # The "About this file" sheet says when the file was made: the same moment for both.
    with time_machine.travel(timezone.now(), tick=False):
        at_once = sent_at_once(client, settings, ITEMS_XLSX + query)
        job, made = made_in_background(
            client, ITEMS_XLSX + query, django_capture_on_commit_callbacks
        )
    assert made == at_once  # byte for byte
    workbook = openpyxl.load_workbook(io.BytesIO(made))
    sheet = workbook.active
    assert job.state == ExportJob.State.READY
    assert job.marking_label == "OFFICIAL"
    assert sheet["A1"].value == "OFFICIAL"
    assert job.rows_total == job.rows_written == sheet.max_row - 2  # the marking, the header
    assert sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[2]] == exports.COLUMNS
    assert workbook.sheetnames == ["Items", "About this file"]


def test_the_jobs_csv_file_equals_the_one_sent_at_once(many, client, settings):
    client.force_login(many.coordinator)
    at_once = sent_at_once(client, settings, ITEMS_CSV + "?overdue=true")
    job = export_jobs.export_job_start(
        user=many.coordinator,
        kind="items",
        fmt="csv",
        filters=_query("overdue=true"),
        today=timezone.localdate(),
    )
    assert export_jobs.export_job_run(job_id=job.pk) == ExportJob.State.READY
    job.refresh_from_db()
    assert body_of(client.get(reverse("tracker:export_job_download", args=[job.uuid]))) == at_once
    assert "'=1+1" in at_once.decode("utf-8")  # still safe against formula injection
    assert job.file_name.endswith("-overdue-" + timezone.localdate().isoformat() + ".csv")


def test_the_responses_export_goes_to_the_background_too(
    many, client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    client.force_login(many.pcc)
    with time_machine.travel(timezone.now(), tick=False):
        at_once = sent_at_once(client, settings, RESPONSES_XLSX)
        job, made = made_in_background(client, RESPONSES_XLSX, django_capture_on_commit_callbacks)
    assert made == at_once
    assert job.kind == "responses"


def test_csv_streams_at_once_at_any_size(many, client):
    client.force_login(many.coordinator)
    response = client.get(ITEMS_CSV)
    assert response.streaming
    assert body_of(response).decode("utf-8-sig").count("\n") == 7  # the header and six items


def test_a_small_excel_export_is_sent_at_once(many, client, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 100
    client.force_login(many.coordinator)
    response = client.get(ITEMS_XLSX)
    assert response["Content-Disposition"].startswith('attachment; filename="west-midlands')
    assert not ExportJob.objects.exists()


# ------------------------------------------------------------------ scope and who may see it


def test_the_job_is_scoped_like_the_list_and_ignores_another_forces_filter(
    many, client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    client.force_login(many.outsider)  # Staffordshire, asking for West Midlands' items
    _, made = made_in_background(
        client, ITEMS_XLSX + f"?force={many.wmp.pk}", django_capture_on_commit_callbacks
    )
    sheet = openpyxl.load_workbook(io.BytesIO(made)).active
    assert [sheet.cell(r, 1).value for r in range(3, sheet.max_row + 1)] == [many.staffs.name]


def test_only_the_person_who_asked_sees_the_job_or_downloads_it(
    many, client, django_capture_on_commit_callbacks
):
    client.force_login(many.coordinator)
    job, _ = made_in_background(client, ITEMS_XLSX, django_capture_on_commit_callbacks)
    for other in (many.owner, many.reader, many.outsider):
        client.force_login(other)
        for name in ("export_job", "export_job_status", "export_job_download"):
            assert client.get(reverse(f"tracker:{name}", args=[job.uuid])).status_code == 404
    client.logout()
    page = client.get(reverse("tracker:export_job_download", args=[job.uuid]))
    assert page.status_code == 302
    assert "/account/sign-in/" in page["Location"]


def test_a_file_made_for_a_wider_scope_is_deleted_once_the_persons_access_narrows(many, client):
    """A national reader's all-forces file, made before their role was taken away, is not
    theirs to download afterwards; asking again makes a new file in the new scope."""
    reader = many.reader
    client.force_login(reader)
    job = export_jobs.export_job_start(
        user=reader, kind="items", fmt="xlsx", filters=_query(""), today=_today()
    )
    export_jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ExportJob.State.READY
    assert job.scope == "all"
    path = export_jobs.export_job_path(job)
    assert path.is_file()

    RoleAssignment.objects.filter(user=reader).update(role=Role.FORCE_STAFF)
    User.objects.filter(pk=reader.pk).update(organisation=many.wmp)
    client.force_login(User.objects.get(pk=reader.pk))

    gone = client.get(reverse("tracker:export_job_download", args=[job.uuid]))
    assert gone.status_code == 410
    assert "Your access has changed since this export was made" in gone.content.decode()
    assert not path.exists()
    job.refresh_from_db()
    assert job.state == ExportJob.State.EXPIRED
    page = client.get(reverse("tracker:export_job", args=[job.uuid])).content.decode()
    assert "Your access has changed" in page

    again = export_jobs.export_job_start(
        user=User.objects.get(pk=reader.pk),
        kind="items",
        fmt="xlsx",
        filters=_query(""),
        today=_today(),
    )
    assert again.pk != job.pk


def test_asking_again_after_access_narrowed_withdraws_the_old_file(many):
    reader = many.reader
    job = export_jobs.export_job_start(
        user=reader, kind="items", fmt="xlsx", filters=_query(""), today=_today()
    )
    export_jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    path = export_jobs.export_job_path(job)
    RoleAssignment.objects.filter(user=reader).update(role=Role.FORCE_STAFF)
    User.objects.filter(pk=reader.pk).update(organisation=many.wmp)

    again = export_jobs.export_job_start(
        user=User.objects.get(pk=reader.pk),
        kind="items",
        fmt="xlsx",
        filters=_query(""),
        today=_today(),
    )
    assert again.pk != job.pk
    assert not path.exists()
    job.refresh_from_db()
    assert job.state == ExportJob.State.EXPIRED


def test_asking_twice_for_the_same_export_is_the_same_job(many, client):
    client.force_login(many.coordinator)
    data = {"kind": "items", "format": "xlsx", "query": "overdue=true"}
    first = client.post(reverse("tracker:export_start"), data)
    second = client.post(reverse("tracker:export_start"), data)
    assert first["Location"] == second["Location"]
    other = client.post(reverse("tracker:export_start"), {**data, "query": "overdue=false"})
    assert other["Location"] != first["Location"]
    assert ExportJob.objects.count() == 2


def test_an_unknown_export_is_refused_and_nothing_is_recorded(many, client):
    client.force_login(many.coordinator)
    for data in ({"kind": "people", "format": "xlsx"}, {"kind": "items", "format": "pdf"}):
        assert client.post(reverse("tracker:export_start"), data).status_code == 400
    too_long = {"kind": "items", "format": "xlsx", "query": "q=" + "x" * 5000}
    assert client.post(reverse("tracker:export_start"), too_long).status_code == 400
    assert not ExportJob.objects.exists()
    assert client.get(reverse("tracker:item_export", args=["pdf"])).status_code == 404


# ------------------------------------------------------------------ progress in plain English


def test_the_progress_page_says_what_is_happening_and_then_offers_the_download(many, client):
    client.force_login(many.coordinator)
    started = client.post(
        reverse("tracker:export_start"), {"kind": "items", "format": "xlsx", "query": ""}
    )
    job = ExportJob.objects.get()
    page = client.get(started["Location"]).content.decode()
    assert "Preparing your export" in page
    assert "Waiting to start" in page
    assert "Check again" in page  # works without JavaScript
    status = client.get(reverse("tracker:export_job_status", args=[job.uuid])).json()
    assert status == {
        "state": "queued",
        "progress": 0,
        "stage": "Waiting to start",
        "working": True,
    }
    ExportJob.objects.filter(pk=job.pk).update(state="running", rows_total=6, rows_written=3)
    status = client.get(reverse("tracker:export_job_status", args=[job.uuid])).json()
    assert status["progress"] == 50
    assert status["stage"] == "3 of 6 rows written"
    ExportJob.objects.filter(pk=job.pk).update(state="queued")
    export_jobs.export_job_run(job_id=job.pk)
    page = client.get(started["Location"]).content.decode()
    assert "Your export is ready" in page
    assert reverse("tracker:export_job_download", args=[job.uuid]) in page
    assert "Only you can download it" in page
    assert (
        client.get(reverse("tracker:export_job_status", args=[job.uuid])).json()["working"] is False
    )


def test_the_progress_is_saved_as_the_rows_are_written(many, monkeypatch):
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 2)
    seen = []
    real = export_jobs.export_write

    def watching(job, table, path, now=None):
        def rows():
            for row in table:
                seen.append(ExportJob.objects.get(pk=job.pk).rows_written)
                yield row

        return real(job, rows(), path, now)

    monkeypatch.setattr(export_jobs, "export_write", watching)
    job = export_jobs.export_job_start(
        user=many.coordinator, kind="items", fmt="csv", filters=_query(""), today=_today()
    )
    export_jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.rows_total == 6
    assert seen == [0, 0, 0, 2, 2, 4, 4]  # the header, then saved after every 2nd row
    assert job.rows_written == 6


def test_a_job_that_fails_says_so_and_keeps_nothing(many, client, monkeypatch, settings):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports, "export_table", broken)
    job = export_jobs.export_job_start(
        user=many.coordinator, kind="items", fmt="xlsx", filters=_query(""), today=_today()
    )
    with pytest.raises(RuntimeError):
        export_jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED
    client.force_login(many.coordinator)
    page = client.get(reverse("tracker:export_job", args=[job.uuid])).content.decode()
    assert "Your export could not be made" in page
    assert "Try again" in page
    assert not any(settings.EXPORT_ROOT.iterdir()) if settings.EXPORT_ROOT.exists() else True


def test_a_full_disk_is_said_plainly(many, monkeypatch):
    from tracker.files import StorageFull

    def full(path, data):
        raise StorageFull(path)

    monkeypatch.setattr(export_jobs, "write_atomic", full)
    job = export_jobs.export_job_start(
        user=many.coordinator, kind="items", fmt="csv", filters=_query(""), today=_today()
    )
    assert export_jobs.export_job_run(job_id=job.pk) == ExportJob.State.FAILED
    job.refresh_from_db()
    assert "run out of space" in job.message


def test_running_a_job_twice_makes_it_once(many):
    job = export_jobs.export_job_start(
        user=many.coordinator, kind="items", fmt="csv", filters=_query(""), today=_today()
    )
    assert export_jobs.export_job_run(job_id=job.pk) == ExportJob.State.READY
    assert export_jobs.export_job_run(job_id=job.pk) is None
    assert export_jobs.export_job_run(job_id=job.pk + 1000) is None


# ------------------------------------------------------------------ kept a day, then deleted


def test_after_a_day_the_file_is_deleted_and_the_link_says_so(many, client, settings):
    client.force_login(many.coordinator)
    job = export_jobs.export_job_start(
        user=many.coordinator, kind="items", fmt="xlsx", filters=_query(""), today=_today()
    )
    export_jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    path = export_jobs.export_job_path(job)
    assert path.is_file()
    assert job.expires_at - job.created_at == datetime.timedelta(hours=24)

    later = job.expires_at + datetime.timedelta(minutes=1)
    # Past its expiry but before the clean-up has run: already gone for the person.
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    gone = client.get(reverse("tracker:export_job_download", args=[job.uuid]))
    assert gone.status_code == 410
    assert "Your export has been deleted" in gone.content.decode()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=job.expires_at)

    assert (
        export_jobs.export_jobs_clean(now=job.expires_at - datetime.timedelta(minutes=1))["expired"]
        == 0
    )
    assert path.is_file()
    counts = export_jobs.export_jobs_clean(now=later)
    assert counts["expired"] == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.state == ExportJob.State.EXPIRED
    assert client.get(reverse("tracker:export_job_download", args=[job.uuid])).status_code == 410
    page = client.get(reverse("tracker:export_job", args=[job.uuid])).content.decode()
    assert "Your export has been deleted" in page
    # A month on, the job itself is forgotten.
    assert export_jobs.export_jobs_clean(now=later + datetime.timedelta(days=31))["forgotten"] == 1
    assert not ExportJob.objects.exists()


def test_the_clean_up_task_fails_a_job_whose_worker_was_lost_and_removes_stray_files(
    many, settings
):
    from tracker.tasks import clean_exports

    job = export_jobs.export_job_start(
        user=many.coordinator, kind="items", fmt="xlsx", filters=_query(""), today=_today()
    )
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    ExportJob.objects.filter(pk=job.pk).update(state="running", started_at=long_ago)
    root = export_jobs.export_root()
    root.mkdir(parents=True, exist_ok=True)
    stray = root / ".0123.xlsx.partial"
    stray.write_bytes(b"half a file")
    recent = root / ("ab" * 16 + ".xlsx")
    recent.write_bytes(b"just written")
    old = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(stray, (old, old))
    counts = clean_exports()
    assert counts["stalled"] == 1
    assert counts["strays"] == 1
    assert not stray.exists()
    assert recent.exists()  # may be a job that is being recorded right now
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED


# ------------------------------------------------------------------ constant memory


def test_writing_excel_takes_the_same_memory_for_four_times_the_rows():
    def table(count):
        yield exports.COLUMNS
        day = datetime.date(2026, 1, 5)
        for n in range(count):
            yield [
                exports.clean(v)
                for v in [
                    "West Midlands Police",
                    f"Report {n}",
                    exports.Month(day),
                    "Recommendation",
                    f"R{n}",
                    "Leadership",
                    f"Finding number {n} " * 10,
                    "In progress",
                    "Priya Shah",
                    "",
                    day,
                    n % 40 or "",
                    day,
                    day,
                    f"Update {n}",
                    exports.Link(f"https://tracker.example/items/{n}/"),
                ]
            ]

    def peak(count):
        tracemalloc.start()
        try:
            with exports.xlsx_file(table(count)):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    old = xlsx.HYPERLINK_ROWS
    xlsx.HYPERLINK_ROWS = 100  # hyperlinks are kept until the end: keep them out of this
    try:
        small, large = peak(1000), peak(4000)
    finally:
        xlsx.HYPERLINK_ROWS = old
    assert large < small * 1.3, (small, large)


def _query(text):
    from django.http import QueryDict

    return QueryDict(text)


def _today():
    return timezone.localdate()


# ------------------------------------------------------------------ a real worker


def test_a_person_may_have_three_exports_under_way_at_once(many, client):
    client.force_login(many.coordinator)
    for n in range(3):
        data = {"kind": "items", "format": "xlsx", "query": f"q=Finding+{n}"}
        assert client.post(reverse("tracker:export_start"), data).status_code == 302
    refused = client.post(
        reverse("tracker:export_start"), {"kind": "items", "format": "xlsx", "query": "q=x"}
    )
    assert refused.status_code == 400
    assert "You already have 3 exports being made" in refused.content.decode()
    assert ExportJob.objects.count() == 3
    client.force_login(many.owner)  # someone else's are their own
    ok = client.post(reverse("tracker:export_start"), {"kind": "items", "format": "xlsx"})
    assert ok.status_code == 302
