"""Per-person limits on expensive requests (tracker/throttle.py): PDFs, exports, uploads and
spreadsheet imports; the 429 page; the window; the number at once; a cache that cannot be
reached (issue 19, defect 10: four board-pack PDFs at once from one person slowed the service
for everyone)."""

import datetime
import threading
import uuid

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve, reverse

from tests.e2e import REDIS_URL
from tracker import throttle
from tracker.models import Evidence

# 20 seconds into a minute (UTC), today: a window of one minute ends 40 seconds later.
AT_20_SECONDS = datetime.datetime.now(tz=datetime.UTC).replace(
    hour=10, minute=0, second=20, microsecond=0
)


def board_pack_pdf(client):
    return client.get(reverse("tracker:board_pack_pdf"))


def export_csv(client, *, read=True):
    """The item export; read in full, as a browser would (which gives its place back),
    unless read=False."""
    response = client.get(reverse("tracker:item_export", kwargs={"fmt": "csv"}))
    if read and response.streaming:
        b"".join(response.streaming_content)
    return response


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


# The words and the arithmetic, without a request ------------------------------------------


def test_the_window_ends_at_the_next_whole_window():
    assert throttle.window_state(1_000_020.0, 60) == (16667, 60)  # 16667 * 60: a new window
    assert throttle.window_state(1_000_040.0, 60) == (16667, 40)
    assert throttle.window_state(1_000_040.5, 60) == (16667, 40)  # rounded up
    assert throttle.window_state(1_000_079.9, 60) == (16667, 1)
    assert throttle.window_state(1_000_080.0, 60) == (16668, 60)


def test_waits_are_said_in_seconds_then_minutes():
    assert throttle.wait_words(1) == "1 second"
    assert throttle.wait_words(40) == "40 seconds"
    assert throttle.wait_words(89) == "89 seconds"
    assert throttle.wait_words(90) == "2 minutes"
    assert throttle.wait_words(541) == "10 minutes"
    assert throttle.window_words(60) == "minute"
    assert throttle.window_words(600) == "10 minutes"
    assert throttle.window_words(3600) == "hour"


@override_settings(RATE_LIMIT_PDF=4, RATE_LIMIT_PDF_AT_ONCE=1, RATE_LIMIT_UPLOAD=1)
def test_the_refusal_says_what_happened_and_when_to_try_again():
    pdf = throttle.limits()["pdf"]
    over = throttle.Refusal(pdf, 40, busy=False)
    assert over.what_happened == "You have downloaded 4 PDFs in the last minute."
    assert over.when_to_try_again == "Try again in 40 seconds."
    busy = throttle.Refusal(pdf, 10, busy=True)
    assert busy.what_happened == (
        "You already have 1 download of PDFs under way, the most one person can have at "
        "once. Wait until it has finished."
    )
    upload = throttle.Refusal(throttle.limits()["upload"], 300, busy=False)
    assert upload.what_happened == "You have uploaded 1 file in the last 10 minutes."
    assert upload.when_to_try_again == "Try again in 5 minutes."


# Defect 10: one person's burst of board packs ---------------------------------------------


@override_settings(RATE_LIMIT_PDF=2, RATE_LIMIT_PDF_AT_ONCE=2)
def test_one_persons_burst_of_board_pack_pdfs_is_refused_beyond_the_limit(client, world):
    with time_machine.travel(AT_20_SECONDS, tick=False):
        client.force_login(world.coordinator)
        first, second = board_pack_pdf(client), board_pack_pdf(client)
        assert first.status_code == second.status_code == 200
        assert first["Content-Type"] == "application/pdf"

        third = board_pack_pdf(client)
        assert third.status_code == 429
        assert third["Retry-After"] == "40"
        assert third["Content-Type"].startswith("text/html")
        text = page_text(third)
        assert "Too many requests" in text
        assert "You have downloaded 2 PDFs in the last minute. Try again in 40 seconds." in text
        assert "%PDF" not in third.content.decode(errors="replace")

        # another person is not held back by the first
        client.force_login(world.pcc)
        assert board_pack_pdf(client).status_code == 200


@override_settings(RATE_LIMIT_EXPORT=2)
def test_the_limit_is_per_person_and_the_window_resets(client, world):
    with time_machine.travel(AT_20_SECONDS, tick=False) as clock:
        client.force_login(world.owner)
        assert [export_csv(client).status_code for _ in range(2)] == [200, 200]
        refused = export_csv(client)
        assert refused.status_code == 429
        assert "You have downloaded 2 exports and documents in the last minute." in page_text(
            refused
        )

        client.force_login(world.colleague)
        assert export_csv(client).status_code == 200

        client.force_login(world.owner)
        clock.move_to(AT_20_SECONDS + datetime.timedelta(seconds=39))
        late = export_csv(client)
        assert late.status_code == 429
        assert late["Retry-After"] == "1"
        assert "Try again in 1 second." in page_text(late)

        clock.move_to(AT_20_SECONDS + datetime.timedelta(seconds=40))
        assert export_csv(client).status_code == 200


@override_settings(RATE_LIMIT_EXPORT=100, RATE_LIMIT_EXPORT_AT_ONCE=1)
def test_a_streamed_export_holds_its_place_until_it_has_been_sent(client, world):
    client.force_login(world.owner)
    streaming = export_csv(client, read=False)
    assert streaming.status_code == 200
    assert streaming.streaming

    busy = export_csv(client)
    assert busy.status_code == 429
    assert busy["Retry-After"] == "10"
    assert "You already have 1 download of exports and documents under way" in page_text(busy)

    client.force_login(world.colleague)
    assert export_csv(client).status_code == 200  # someone else's place

    client.force_login(world.owner)
    body = b"".join(streaming.streaming_content)  # sent in full: the place is given back
    assert body.startswith(b"Force,")  # the CSV, from its header
    assert export_csv(client).status_code == 200


@override_settings(RATE_LIMIT_PDF=100, RATE_LIMIT_PDF_AT_ONCE=2)
def test_at_most_two_pdfs_are_made_at_once_for_one_person(world):
    """Three requests from one person while two are still being made: the third is refused;
    once one has finished, the next goes through."""
    started = threading.Semaphore(0)
    finish = threading.Event()

    @throttle.limited("pdf", methods=("GET",))
    def slow_pdf(request):
        started.release()
        finish.wait(10)
        return HttpResponse(b"%PDF-", content_type="application/pdf")

    def request():
        made = RequestFactory().get("/board-pack.pdf")
        made.user = world.coordinator
        return made

    results: list[int] = []

    def run():
        response = slow_pdf(request())
        response.close()  # as the WSGI server does once it has sent the response
        results.append(response.status_code)

    running = [threading.Thread(target=run) for _ in range(2)]
    for thread in running:
        thread.start()
    assert started.acquire(timeout=10)
    assert started.acquire(timeout=10)

    third = slow_pdf(request())
    assert third.status_code == 429
    assert "You already have 2 downloads of PDFs under way" in page_text(third)

    finish.set()
    for thread in running:
        thread.join(10)
    assert results == [200, 200]
    fourth = slow_pdf(request())
    assert fourth.status_code == 200


@override_settings(RATE_LIMIT_PDF=100, RATE_LIMIT_PDF_AT_ONCE=1)
def test_a_view_that_fails_gives_its_place_back(world):
    @throttle.limited("pdf", methods=("GET",))
    def broken(request):
        raise RuntimeError("rendering failed")

    made = RequestFactory().get("/board-pack.pdf")
    made.user = world.coordinator
    for _ in range(3):
        with pytest.raises(RuntimeError):
            broken(made)


# Uploads and imports ---------------------------------------------------------------------


@override_settings(RATE_LIMIT_UPLOAD=2)
def test_evidence_uploads_are_limited_and_the_form_page_is_not(client, world):
    client.force_login(world.owner)
    address = reverse("tracker:item_add_evidence", kwargs={"uuid": world.item.uuid})
    for _ in range(5):
        assert client.get(address).status_code == 200

    def upload(n):
        return client.post(
            address, {"file": SimpleUploadedFile(f"notes-{n}.txt", b"minutes\n"), "description": ""}
        )

    assert [upload(n).status_code for n in range(2)] == [302, 302]
    refused = upload(3)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 600
    text = page_text(refused)
    assert "You have uploaded 2 files in the last 10 minutes." in text
    assert "The file you sent was not saved." in text
    assert Evidence.objects.count() == 2


@override_settings(RATE_LIMIT_UPLOAD=1)
def test_spreadsheet_and_report_uploads_share_the_upload_limit(client, world):
    client.force_login(world.coordinator)
    csv = SimpleUploadedFile("items.csv", b"Force,Report\n")
    assert client.post(reverse("tracker:item_import"), {"file": csv}).status_code == 400
    refused = client.post(
        reverse("tracker:report_import"), {"file": SimpleUploadedFile("r.txt", b"text")}
    )
    assert refused.status_code == 429


# The cache cannot be reached ---------------------------------------------------------------


@override_settings(RATE_LIMIT_EXPORT=1, RATE_LIMIT_EXPORT_AT_ONCE=1)
def test_requests_go_through_when_the_cache_cannot_be_reached(client, world, caplog):
    """Redis down (nothing listens on this port): the limits are not applied, and nothing
    gives a 500."""
    client.force_login(world.owner)
    dead_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6399/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=dead_redis):
        for _ in range(3):
            response = export_csv(client, read=False)
            assert response.status_code == 200
            assert b"".join(response.streaming_content)
    assert "Rate limits are not applied: the cache cannot be reached" in caplog.text


@pytest.mark.e2e
@override_settings(RATE_LIMIT_EXPORT=3, RATE_LIMIT_EXPORT_AT_ONCE=1)
def test_the_limits_hold_on_a_real_redis_shared_by_every_process(client, world):
    """The production cache: counts and places are Redis keys that expire on their own."""
    import redis

    url = REDIS_URL.rsplit("/", 1)[0] + "/12"  # not the end-to-end tests' database (emptied)
    prefix = f"throttle-test-{uuid.uuid4().hex}"
    real_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(url)
    try:
        server.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"This test needs Redis at {url}: {exc}", pytrace=False)
    try:
        with override_settings(CACHES=real_redis), time_machine.travel(AT_20_SECONDS, tick=False):
            client.force_login(world.owner)
            streaming = export_csv(client, read=False)
            assert streaming.status_code == 200
            assert export_csv(client).status_code == 429  # one at a time
            places = server.keys(f"{prefix}:*throttle-running*")
            assert len(places) == 1
            assert 0 < server.ttl(places[0]) <= throttle.HELD_AT_MOST
            b"".join(streaming.streaming_content)
            assert server.keys(f"{prefix}:*throttle-running*") == []

            assert export_csv(client).status_code == 200
            refused = export_csv(client)  # the fourth this minute (the busy one counted)
            assert refused.status_code == 429
            assert "in the last minute" in page_text(refused)
            (count,) = server.keys(f"{prefix}:*throttle:export*")
            assert 0 < server.ttl(count) <= 61
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


@override_settings(RATE_LIMIT_PDF=1, RATE_LIMIT_PDF_AT_ONCE=1)
def test_a_cache_that_fails_part_way_still_lets_the_request_through(world, monkeypatch):
    @throttle.limited("pdf", methods=("GET",))
    def pdf(request):
        return HttpResponse(b"%PDF-")

    made = RequestFactory().get("/board-pack.pdf")
    made.user = world.coordinator

    def broken(*args, **kwargs):
        raise ConnectionError("the cache went away")

    monkeypatch.setattr(throttle.cache, "delete", broken)
    response = pdf(made)
    response.close()  # giving the place back fails quietly; it frees itself later
    assert response.status_code == 200
    monkeypatch.setattr(throttle.cache, "add", broken)
    assert pdf(made).status_code == 200


# Who is counted, and which addresses ------------------------------------------------------


@override_settings(RATE_LIMIT_PDF=1, RATE_LIMIT_PDF_AT_ONCE=0)
def test_visitors_who_are_not_signed_in_are_counted_by_address(db):
    @throttle.limited("pdf", methods=("GET",))
    def public_pdf(request):
        return HttpResponse(b"%PDF-")

    def from_address(address):
        made = RequestFactory().get("/public/x.pdf", REMOTE_ADDR=address)
        made.user = AnonymousUser()
        return public_pdf(made).status_code

    assert [from_address("192.0.2.1"), from_address("192.0.2.1")] == [200, 429]
    assert from_address("192.0.2.2") == 200


EXAMPLE_UUID = "4c1f3e0e-0c6b-4b8e-9f3e-2b7d2f0a9a11"
LIMITED = {
    ("tracker:board_pack_pdf", ()): "pdf",
    ("tracker:item_export", ("csv",)): "export",
    ("tracker:response_export", ("xlsx",)): "export",
    ("tracker:national_export", ("demo-sample-national-report:rec-1", "csv")): "export",
    ("tracker:lineage_export", ()): "export",
    ("tracker:export_start", ()): "export",
    ("tracker:export_job_download", (EXAMPLE_UUID,)): "export",
    ("tracker:response_document", ("report", "force", "pdf")): "pdf",
    ("tracker:response_document", ("report", "force", "docx")): "export",
    ("tracker:public_document", ("body", "4c1f3e0e-0c6b-4b8e-9f3e-2b7d2f0a9a11", 1, "pdf")): "pdf",
    ("tracker:public_document", ("body", "4c1f3e0e-0c6b-4b8e-9f3e-2b7d2f0a9a11", 1, "docx")): (
        "export"
    ),
    ("tracker:item_add_evidence", ("4c1f3e0e-0c6b-4b8e-9f3e-2b7d2f0a9a11",)): "upload",
    ("tracker:item_import", ()): "upload",
    ("tracker:report_import", ()): "upload",
    ("tracker:item_import_preview", ("t" * 43,)): "import",
    ("tracker:evidence_preview", (EXAMPLE_UUID, EXAMPLE_UUID)): "export",
    ("tracker:evidence_image", (EXAMPLE_UUID, EXAMPLE_UUID)): "export",
}


@pytest.mark.parametrize(("name", "args"), list(LIMITED))
def test_every_heavy_address_is_limited(name, args):
    match = resolve(reverse(name, args=args))
    kind = match.func.limited_as
    if callable(kind):
        kind = kind(**match.kwargs)
    assert kind == LIMITED[(name, args)]
