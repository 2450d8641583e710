"""The public progress register (issue 18): the PCC office approves words and publishes its
force's progress on a report; the public page (no sign-in) shows the latest version, earlier
versions stay reachable and unchanged, and nothing internal (progress updates, closure
summaries) is ever shown. Refusals change nothing. Against the demo (tests/demo_pages.py),
where the West Midlands PCC office has published two versions on the 2017 PEEL report."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Organisation, User
from tracker import public_progress as services
from tracker.demo_public_progress import FIRST_WORDS, REPORT, SECOND_WORDS
from tracker.models import (
    AuditEvent,
    ProgressPublication,
    ProgressUpdate,
    PublicWording,
    Report,
    TrackedItem,
)
from tracker.models.base import AppendOnlyError

DANIEL = "daniel.hughes@pcc.example"
GRACE = "grace.okafor@wmp.example"
MEGAN = "megan.price@staffs.example"
RHIAN = "rhian.evans@dyfed-powys-pcc.example"
BODY = "west-midlands-pcc"
FORCE = "west-midlands-police"


@pytest.fixture
def demo(demo_world):
    return demo_world


def user(email: str) -> User:
    return User.objects.get(email=email)


def client_for(email: str | None) -> Client:
    client = Client()
    if email:
        client.force_login(user(email))
    return client


def office_url(key: str = REPORT, force: str = FORCE) -> str:
    return reverse("tracker:progress_publish", kwargs={"key": key, "force_code": force})


def public_url(number: int | None = None, lang: str = "") -> str:
    if number is None:
        url = reverse("tracker:public_progress", args=[BODY, REPORT])
    else:
        url = reverse("tracker:public_progress_version", args=[BODY, REPORT, number])
    return f"{url}?lang={lang}" if lang else url


def rec() -> TrackedItem:
    return TrackedItem.objects.get(finding__key=f"{REPORT}:rec-1", force__code=FORCE)


def publish_args(**kwargs):
    today = timezone.localdate()
    args = {
        "report": Report.objects.get(key=REPORT),
        "force": Organisation.objects.get(code=FORCE),
        "body": Organisation.objects.get(code=BODY),
        "by": user(DANIEL),
        "now": timezone.now(),
        "today": today,
    }
    args.update(kwargs)
    return args


def test_the_demo_has_two_versions_and_the_public_page_shows_the_latest(demo):
    versions = ProgressPublication.objects.filter(report__key=REPORT).order_by("number")
    assert [v.number for v in versions] == [1, 2]
    page = Client().get(public_url()).content.decode()
    assert escape(SECOND_WORDS) in page
    assert escape(FIRST_WORDS) not in page
    assert "Version 2," in page
    # The earlier version is linked, and shows its own words, marked as not the latest.
    assert public_url(1) in page
    first = Client().get(public_url(1)).content.decode()
    assert escape(FIRST_WORDS) in first
    assert escape(SECOND_WORDS) not in first
    assert "A later version has been published" in first


def test_the_body_page_links_to_the_published_progress(demo):
    page = Client().get(reverse("tracker:public_body", args=[BODY])).content.decode()
    assert "Progress on the recommendations" in page
    assert public_url() in page


def test_internal_updates_and_closure_summaries_never_reach_the_public_pages(demo):
    item = rec()
    updates = list(ProgressUpdate.objects.filter(item=item).values_list("text", flat=True))
    assert updates, "the demo's recommendation has progress updates"
    summaries = list(item.closure_proposals.values_list("summary", flat=True))
    pages = [
        Client().get(url).content.decode()
        for url in (
            public_url(),
            public_url(1),
            public_url(lang="cy"),
            reverse("tracker:public_body", args=[BODY]),
        )
    ]
    for page in pages:
        for text in updates + summaries:
            assert escape(text[:60]) not in page


def test_the_office_publishes_new_words_as_version_3_and_earlier_versions_stay(demo):
    first = ProgressPublication.objects.get(report__key=REPORT, number=1)
    frozen = first.content
    item = rec()
    response = client_for(DANIEL).post(
        office_url(), {"action": "publish", f"words_{item.pk}": "Checked again in 2026."}
    )
    assert response.status_code == 302
    latest = ProgressPublication.objects.filter(report__key=REPORT).order_by("-number").first()
    assert latest.number == 3
    assert latest.published_by == user(DANIEL)
    row = next(r for r in latest.content["rows"] if r["key"] == f"{REPORT}:rec-1")
    assert row["words"] == "Checked again in 2026."
    assert row["status"] == "closed"
    assert row["last_public_update"] == timezone.localdate().isoformat()
    assert "Checked again in 2026." in Client().get(public_url()).content.decode()
    assert ProgressPublication.objects.get(pk=first.pk).content == frozen
    assert PublicWording.objects.get(item=item).text == "Checked again in 2026."


def test_a_row_that_did_not_change_keeps_the_date_of_its_last_public_update(demo):
    """Version 3 changes only the recommendation's words: the cause of concern keeps
    version 2's date, the recommendation gets the day of version 3."""
    v1, v2 = ProgressPublication.objects.filter(report__key=REPORT).order_by("number")
    rows1 = {r["key"]: r for r in v1.content["rows"]}
    rows2 = {r["key"]: r for r in v2.content["rows"]}
    coc, recommendation = f"{REPORT}:coc-1", f"{REPORT}:rec-1"
    assert rows1[recommendation]["last_public_update"] == v1.published_on.isoformat()
    assert rows2[recommendation]["last_public_update"] == v2.published_on.isoformat()
    today = timezone.localdate()
    assert v2.published_on < today
    v3 = services.progress_save_and_publish(
        **publish_args(today=today), texts={rec().pk: "Reviewed again."}
    )
    rows3 = {r["key"]: r for r in v3.content["rows"]}
    assert rows3[recommendation]["last_public_update"] == today.isoformat()
    assert rows3[coc]["words"] == rows2[coc]["words"]
    assert rows3[coc]["last_public_update"] == rows2[coc]["last_public_update"]
    assert rows3[coc]["last_public_update"] != today.isoformat()


def test_publishing_again_with_nothing_changed_is_refused_and_says_so(demo):
    before = ProgressPublication.objects.count()
    with pytest.raises(ValidationError, match="Nothing has changed since version 2"):
        services.progress_publish(**publish_args())
    assert ProgressPublication.objects.count() == before
    response = client_for(DANIEL).post(office_url(), {"action": "publish"})
    assert response.status_code == 400
    assert "Nothing has changed since version 2" in response.content.decode()
    assert ProgressPublication.objects.count() == before


def test_a_refused_publication_keeps_the_words_typed_unsaved(demo):
    """ "Publish progress" approves and publishes in one transaction: when publishing is
    refused, the words are not approved either."""
    item = rec()
    PublicWording.objects.filter(item=item).update(text="Something else")
    # The words typed are the published ones: so nothing changed, and nothing is saved.
    response = client_for(DANIEL).post(
        office_url(), {"action": "publish", f"words_{item.pk}": SECOND_WORDS}
    )
    assert response.status_code == 400
    assert PublicWording.objects.get(item=item).text == "Something else"


def test_a_report_with_no_recommendations_for_the_force_is_refused(demo):
    before = ProgressPublication.objects.count()
    report = Report.objects.get(key="peel-effectiveness-2015-west-midlands")
    with pytest.raises(ValidationError, match="no recommendations or causes of concern"):
        services.progress_publish(**publish_args(report=report))
    assert ProgressPublication.objects.count() == before
    page = client_for(DANIEL).get(office_url(key=report.key))
    assert page.status_code == 200
    assert "there is no progress to publish" in page.content.decode()


def test_another_bodys_office_cannot_publish_west_midlands_progress(demo):
    before = ProgressPublication.objects.count()
    rhian = user(RHIAN)
    with pytest.raises(ValidationError, match="Only the PCC office that answers for"):
        services.progress_publish(
            **publish_args(by=rhian, body=Organisation.objects.get(pk=rhian.organisation_id))
        )
    # Its own body's page with the West Midlands force: refused too.
    with pytest.raises(ValidationError):
        services.progress_publish(**publish_args(by=rhian))
    # Nor publish West Midlands progress on another body's page.
    with pytest.raises(ValidationError, match="only on the public page of"):
        services.progress_publish(
            **publish_args(body=Organisation.objects.get(pk=rhian.organisation_id))
        )
    assert ProgressPublication.objects.count() == before
    # Its pages: another force's report is not found.
    assert client_for(RHIAN).get(office_url()).status_code == 404
    assert client_for(RHIAN).post(office_url(), {"action": "publish"}).status_code == 404
    assert ProgressPublication.objects.count() == before


def test_another_forces_coordinator_gets_404_and_the_forces_own_people_403(demo):
    before = (ProgressPublication.objects.count(), PublicWording.objects.count())
    item = rec()
    data = {"action": "publish", f"words_{item.pk}": "Not theirs to say."}
    assert client_for(MEGAN).get(office_url()).status_code == 404
    assert client_for(MEGAN).post(office_url(), data).status_code == 404
    for email in (GRACE, "priya.shah@wmp.example", "sam.patel@hmicfrs.example"):
        assert client_for(email).get(office_url()).status_code == 403
        assert client_for(email).post(office_url(), data).status_code == 403
    assert (ProgressPublication.objects.count(), PublicWording.objects.count()) == before
    # Anonymous: sent to sign in.
    response = Client().get(office_url())
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_words_for_an_item_not_on_the_report_are_refused_and_nothing_saved(demo):
    other = TrackedItem.objects.filter(force__code=FORCE).exclude(finding__report__key=REPORT)
    other = other.first()
    with pytest.raises(ValidationError, match="not on this report"):
        services.wordings_approve(
            report=Report.objects.get(key=REPORT),
            force=Organisation.objects.get(code=FORCE),
            texts={rec().pk: "Fine", other.pk: "Not this report"},
            by=user(DANIEL),
            now=timezone.now(),
            today=timezone.localdate(),
        )
    assert PublicWording.objects.get(item=rec()).text == SECOND_WORDS
    assert not PublicWording.objects.filter(item=other).exists()


def test_saving_wording_is_audited_on_the_item_and_empty_words_withdraw_it(demo):
    item = rec()
    office = client_for(DANIEL)
    response = office.post(office_url(), {"action": "save", f"words_{item.pk}": "New words."})
    assert response.status_code == 302
    assert PublicWording.objects.get(item=item).text == "New words."
    event = AuditEvent.objects.filter(object_id=str(item.uuid)).order_by("-id").first()
    assert event.changes["public_wording"] == [SECOND_WORDS, "New words."]
    assert event.actor == user(DANIEL)
    # Nothing published by saving: the public page still shows version 2's words.
    assert escape(SECOND_WORDS) in Client().get(public_url()).content.decode()
    office.post(office_url(), {"action": "save", f"words_{item.pk}": "  "})
    assert not PublicWording.objects.filter(item=item).exists()
    # A form that leaves a box out withdraws nothing.
    office.post(office_url(), {"action": "save", f"words_{item.pk}": "Back."})
    office.post(office_url(), {"action": "save"})
    assert PublicWording.objects.get(item=item).text == "Back."


def test_published_without_words_a_row_says_no_public_update_yet(demo):
    items = TrackedItem.objects.filter(finding__report__key=REPORT, force__code=FORCE)
    blank = {f"words_{item.pk}": "" for item in items}
    client_for(DANIEL).post(office_url(), {"action": "publish", **blank})
    latest = ProgressPublication.objects.filter(report__key=REPORT).order_by("-number").first()
    assert latest.number == 3
    page = Client().get(public_url()).content.decode()
    assert "No public update yet." in page
    assert escape(SECOND_WORDS) not in page


def test_words_too_long_are_refused_on_the_form(demo):
    item = rec()
    response = client_for(DANIEL).post(
        office_url(), {"action": "save", f"words_{item.pk}": "x" * (services.MAX_WORDS + 1)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_words_{item.pk}"' in page
    assert PublicWording.objects.get(item=item).text == SECOND_WORDS


def test_user_text_is_escaped_on_every_page(demo):
    item = rec()
    script = "<script>alert('x')</script> & <b>bold</b>"
    client_for(DANIEL).post(office_url(), {"action": "publish", f"words_{item.pk}": script})
    for page in (
        Client().get(public_url()).content.decode(),
        Client().get(public_url(lang="cy")).content.decode(),
        client_for(DANIEL).get(office_url()).content.decode(),
    ):
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page


def test_published_versions_are_append_only(demo):
    version = ProgressPublication.objects.get(report__key=REPORT, number=1)
    version.content = {"rows": []}
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        version.delete()
    with pytest.raises(AppendOnlyError):
        ProgressPublication.objects.filter(pk=version.pk).update(number=9)
    assert ProgressPublication.objects.get(pk=version.pk).content["rows"]


def test_the_public_pages_in_welsh(demo):
    page = Client().get(public_url(lang="cy"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="cy"' in html
    # The English page is its alternate; the finding text is marked as English.
    assert f'hreflang="en-GB" href="http://testserver{public_url()}"' in html
    assert 'lang="en">The force should immediately take steps to:' in html
    assert Client().get(public_url(1, lang="cy")).status_code == 200
    assert Client().get(public_url(lang="fr")).status_code == 404
    body = Client().get(reverse("tracker:public_body", args=[BODY]) + "?lang=cy").content
    assert f"{public_url()}?lang=cy".encode() in body


def test_pages_that_are_not_there_are_404(demo):
    assert Client().get(public_url(9)).status_code == 404
    other = reverse("tracker:public_progress", args=[BODY, "peel-effectiveness-2015-west-midlands"])
    assert Client().get(other).status_code == 404
    # A force's code is not a body's.
    assert Client().get(reverse("tracker:public_progress", args=[FORCE, REPORT])).status_code == 404
    assert Client().post(public_url()).status_code == 405


def test_the_pages_read_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    anonymous = Client()
    # The version, the list of versions, the report's Welsh edition.
    with django_assert_max_num_queries(3):
        assert anonymous.get(public_url()).status_code == 200
    with django_assert_max_num_queries(3):
        assert anonymous.get(public_url(1)).status_code == 200
    office = client_for(DANIEL)
    office.get(office_url())  # the session and the person's roles, read once
    # Sign-in and scope (9), the findings, items, words and versions (4), the navigation (2).
    with django_assert_max_num_queries(15):
        assert office.get(office_url()).status_code == 200


def test_the_body_page_reads_one_query_more_for_its_progress(demo, django_assert_max_num_queries):
    anonymous = Client()
    url = reverse("tracker:public_body", args=[BODY])
    anonymous.get(url)
    with django_assert_max_num_queries(8):
        assert anonymous.get(url).status_code == 200


def test_the_office_page_lists_each_row_with_its_status_and_words(demo):
    page = client_for(DANIEL).get(office_url()).content.decode()
    assert "Publish progress on your public page" in page
    assert "Cause of concern" in page
    assert "Recommendation" in page
    assert escape(SECOND_WORDS) in page
    assert "Closed" in page
    assert "Nothing has changed since it was published." in page
    assert reverse("tracker:public_progress_version", args=[BODY, REPORT, 1]) in page


def test_the_first_publication_is_version_1_dated_today(demo):
    """Publishing on a report never published before starts at version 1, each row dated
    the day of publication."""
    today = timezone.localdate()
    report = Report.objects.get(key=REPORT)
    # A fresh report of the same force: the 2017 report's findings copied under a new key.
    fresh = Report.objects.create(
        key="progress-fresh",
        inspectorate=report.inspectorate,
        inspectorate_label=report.inspectorate_label,
        title="A fresh report",
        report_type=report.report_type,
        published_on=today - datetime.timedelta(days=30),
        grading_scale=report.grading_scale,
    )
    force = Organisation.objects.get(code=FORCE)
    fresh.forces.add(force)
    finding = report.findings.get(key=f"{REPORT}:coc-1")
    finding.pk, finding.key, finding.report = None, "progress-fresh:coc-1", fresh
    finding.save()
    version = services.progress_publish(**publish_args(report=fresh, today=today))
    assert version.number == 1
    assert version.published_on == today
    assert [r["last_public_update"] for r in version.content["rows"]] == [today.isoformat()]
    assert version.content["rows"][0]["status"] == ""


def test_more_rows_read_no_more_queries(demo):
    """Eight more recommendations, each with an item and words, published: the office's page
    and the public page read as many queries as with two."""
    from tracker import services as item_services

    report = Report.objects.get(key=REPORT)
    force = Organisation.objects.get(code=FORCE)
    daniel, grace = user(DANIEL), user(GRACE)
    office, anonymous = client_for(DANIEL), Client()

    def counts() -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        office.get(office_url())
        anonymous.get(public_url())
        with CaptureQueriesContext(connection) as a:
            office.get(office_url())
        with CaptureQueriesContext(connection) as b:
            anonymous.get(public_url())
        return len(a.captured_queries), len(b.captured_queries)

    before = counts()
    now, today = timezone.now(), timezone.localdate()
    texts = {}
    for n in range(2, 10):
        finding = report.findings.create(
            key=f"{REPORT}:extra-{n}", kind="recommendation", text=f"Extra {n}", order=10 + n
        )
        item = item_services.item_create(
            finding=finding, force=force, created_by=grace, owner=None, lead=grace, now=now
        )
        texts[item.pk] = f"Words for extra {n}"
    services.progress_save_and_publish(**publish_args(texts=texts, by=daniel, today=today))
    assert "Words for extra 9" in anonymous.get(public_url()).content.decode()
    assert counts() == before


def test_the_report_pages_part_links_the_pcc_office_to_its_progress(demo, rf):
    """templates/tracker/_report_progress.html (included in the report page): the office
    gets its page and the latest version; the force's own people get nothing."""
    from django.template.loader import render_to_string

    report = Report.objects.get(key=REPORT)

    def part(email: str) -> str:
        request = rf.get("/")
        request.user = user(email)
        return render_to_string("tracker/_report_progress.html", {"report": report}, request)

    office = part(DANIEL)
    assert office_url() in office
    assert public_url() in office
    assert "Version 2 on the public page" in office
    for email in (GRACE, MEGAN, RHIAN, "sam.patel@hmicfrs.example"):
        assert "Public progress" not in part(email)


def test_a_box_left_as_shown_does_not_undo_someone_elses_change(demo):
    """Two people on the page at once: the second saves only the box they changed, so the
    first's new words for the other row stay."""
    coc = TrackedItem.objects.get(finding__key=f"{REPORT}:coc-1", force__code=FORCE)
    item = rec()
    page = client_for(DANIEL).get(office_url()).content.decode()
    shown = {
        i.pk: PublicWording.objects.get(item=i).text for i in (coc, item)
    }  # what the page showed
    assert f'name="initial-words_{coc.pk}"' in page
    services.wording_approve(
        item=coc,
        text="Someone else's words.",
        by=user(DANIEL),
        now=timezone.now(),
        today=timezone.localdate(),
    )
    response = client_for(DANIEL).post(
        office_url(),
        {
            "action": "save",
            f"words_{coc.pk}": shown[coc.pk],
            f"initial-words_{coc.pk}": shown[coc.pk],
            f"words_{item.pk}": "Mine.",
            f"initial-words_{item.pk}": shown[item.pk],
        },
    )
    assert response.status_code == 302
    assert PublicWording.objects.get(item=coc).text == "Someone else's words."
    assert PublicWording.objects.get(item=item).text == "Mine."


def test_a_version_keeps_the_report_title_it_was_published_under(client, db, demo_world):
    """A title corrected after publication does not change what a version said."""
    from tracker.models import ProgressPublication, Report

    publication = ProgressPublication.objects.order_by("number").first()
    published_title = publication.content["report_title"]
    Report.objects.filter(pk=publication.report_id).update(title="Corrected title")
    url = reverse(
        "tracker:public_progress_version",
        kwargs={
            "body_code": publication.body.code,
            "report_key": publication.report.key,
            "number": publication.number,
        },
    )
    page = client.get(url).content.decode()
    assert published_title in page
    assert "Corrected title" not in page
