"""Welsh editions of reports: attached to the English report as its translation, shown on
the report page and linked from the public response, never imported as a second report."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.welsh_world import build_wales
from tracker.models import AuditEvent, Report, ReportEdition, ReportImport
from tracker.report_import.create import import_create
from tracker.report_import.draft import Draft, DraftDetails
from tracker.report_import.editions import edition_attach, looks_welsh

# The opening of a Welsh edition (made up for the test, in the manner of HMICFRS's).
WELSH = (
    "Arolygiad PEEL 2025: Heddlu Dyfed-Powys. Mae’r adroddiad hwn yn nodi canfyddiadau ein "
    "harolygiad o effeithiolrwydd, effeithlonrwydd a chyfreithlondeb yr heddlu. Rydym wedi "
    "canfod bod yr heddlu yn gwneud gwaith da mewn sawl maes, ond mae meysydd i’w gwella. "
    "Achos pryder: nid yw’r heddlu yn ateb galwadau brys yn ddigon cyflym. Argymhelliad 1: "
    "o fewn chwe mis, dylai’r heddlu sicrhau bod galwadau yn cael eu hateb yn brydlon. "
    "Argymhelliad 2: dylai’r heddlu adolygu sut y mae’n cofnodi galwadau gan bobl sy’n agored "
    "i niwed. Mae’r heddlu wedi gwneud cynnydd ers ein harolygiad diwethaf, ac rydym yn "
    "croesawu’r gwaith sydd ar y gweill gyda phartneriaid. Hefyd, mae’r heddlu yn defnyddio ei "
    "adnoddau yn dda ac mae ganddo gynlluniau ar gyfer y dyfodol. Ond mae’n rhaid i’r heddlu "
    "wella’r ffordd y mae’n rheoli ei berfformiad, ac yn yr adroddiad hwn rydym yn nodi sut. "
    "Mae’r arolygiaeth yn disgwyl gweld cynnydd yn y meysydd hyn erbyn yr arolygiad nesaf, a "
    "bydd yn parhau i fonitro’r heddlu. Mae’r adroddiad ar gael yn Saesneg hefyd."
)


@pytest.fixture
def wales(world):
    return build_wales(world)


def test_a_welsh_text_reads_as_welsh_and_the_english_seed_reports_do_not():
    assert looks_welsh(WELSH)
    sources = sorted(Path(settings.FIXTURES_DIR, "sources").glob("*.txt"))
    assert sources
    for source in sources:
        assert not looks_welsh(source.read_text(encoding="utf-8")), source.name
    assert not looks_welsh("Heddlu Dyfed-Powys " * 3)  # a few Welsh names are not enough


def welsh_import(w, by):
    draft = Draft(details=DraftDetails(title="Arolygiad PEEL 2025", forces=[w.force.pk]))
    return ReportImport.objects.create(
        uploaded_by=by,
        uploaded_at=timezone.now(),
        original_name="peel-2025-dyfed-powys-cy.pdf",
        size=len(WELSH),
        sha256="0" * 64,
        state=ReportImport.State.READY,
        source_text=WELSH,
        draft=draft.to_json(),
    )


def detail(found):
    return reverse("tracker:report_import_detail", args=[found.uuid])


def attach(found):
    return reverse("tracker:report_import_edition", args=[found.uuid])


def test_the_preview_of_a_welsh_document_offers_to_attach_it_to_the_english_report(wales, client):
    found = welsh_import(wales, wales.pcc)
    client.force_login(wales.pcc)
    page = client.get(detail(found)).content.decode()
    assert "This is a Welsh edition of a report" in page
    assert "PEEL 2025: Dyfed-Powys" in page  # the matching English report, to choose
    assert "Create the report" not in page


def test_attaching_it_records_the_edition_and_creates_no_report(wales, client):
    found = welsh_import(wales, wales.pcc)
    reports_before = Report.objects.count()
    client.force_login(wales.pcc)
    answer = client.post(
        attach(found),
        {
            "report": wales.report.key,
            "title": "Arolygiad PEEL 2025: Heddlu Dyfed-Powys",
            "url": "https://example.org/cy/peel-2025",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("tracker:report_detail", args=[wales.report.key])
    assert Report.objects.count() == reports_before
    edition = ReportEdition.objects.get(report=wales.report)
    assert edition.title == "Arolygiad PEEL 2025: Heddlu Dyfed-Powys"
    assert edition.language == "cy"
    found.refresh_from_db()
    assert found.state == ReportImport.State.CREATED
    assert found.report == wales.report
    assert AuditEvent.objects.filter(note="Welsh edition attached").exists()
    # The report page shows it, marked as Welsh.
    page = client.get(answer["Location"]).content.decode()
    assert (
        '<a class="govuk-link" href="https://example.org/cy/peel-2025" hreflang="cy" lang="cy">'
        "Arolygiad PEEL 2025: Heddlu Dyfed-Powys</a>" in page
    )


def test_attaching_without_choosing_a_report_or_with_a_bad_address_saves_nothing(wales, client):
    found = welsh_import(wales, wales.pcc)
    client.force_login(wales.pcc)
    answer = client.post(attach(found), {"title": "Teitl", "url": "https://example.org/cy"})
    assert answer.status_code == 400
    assert "Choose the English report" in answer.content.decode()
    answer = client.post(
        attach(found), {"report": wales.report.key, "title": "Teitl", "url": "javascript:alert(1)"}
    )
    assert answer.status_code == 400
    assert "Enter the web address of the Welsh edition" in answer.content.decode()
    assert not ReportEdition.objects.exists()
    found.refresh_from_db()
    assert found.state == ReportImport.State.READY


def test_a_welsh_document_can_never_be_created_as_a_report(wales):
    found = welsh_import(wales, wales.pcc)
    with pytest.raises(ValidationError) as refused:
        import_create(report_import=found, by=wales.pcc)
    assert "Welsh edition" in refused.value.messages[0]
    assert not Report.objects.filter(title="Arolygiad PEEL 2025").exists()


def test_another_persons_import_is_404(wales, client):
    found = welsh_import(wales, wales.pcc)
    client.force_login(wales.coordinator)
    assert client.get(detail(found)).status_code == 404
    assert client.post(attach(found), {"report": wales.report.key}).status_code == 404


def test_only_reports_the_person_could_update_are_offered(wales, client):
    """West Midlands' PCC office imports a Welsh document: Dyfed-Powys' report is not
    offered, and naming it by hand is refused."""
    found = welsh_import(wales, wales.english.pcc)
    client.force_login(wales.english.pcc)
    page = client.get(detail(found)).content.decode()
    assert "PEEL 2025: Dyfed-Powys" not in page
    answer = client.post(
        attach(found),
        {"report": wales.report.key, "title": "Teitl", "url": "https://example.org/cy"},
    )
    assert answer.status_code == 400
    assert not ReportEdition.objects.exists()


# The report page's own form ------------------------------------------------------------------


def edition_url(w):
    return reverse("tracker:report_edition", args=[w.report.key])


def test_the_coordinator_attaches_and_changes_the_welsh_edition(wales, client):
    client.force_login(wales.coordinator)
    assert client.get(edition_url(wales)).status_code == 200
    posted = client.post(
        edition_url(wales), {"title": "Adroddiad", "url": "https://example.org/cy/1"}
    )
    assert posted.status_code == 302
    posted = client.post(
        edition_url(wales), {"title": "Adroddiad newydd", "url": "https://example.org/cy/2"}
    )
    assert posted.status_code == 302
    edition = ReportEdition.objects.get(report=wales.report)  # one edition, changed
    assert (edition.title, edition.url) == ("Adroddiad newydd", "https://example.org/cy/2")
    assert AuditEvent.objects.filter(note="Welsh edition changed").exists()


def test_the_english_reports_own_address_is_refused(wales):
    wales.report.url = "https://example.org/en/peel-2025"
    wales.report.save()
    with pytest.raises(ValidationError) as refused:
        edition_attach(
            report=wales.report, by=wales.pcc, title="Teitl", url="https://example.org/en/peel-2025"
        )
    assert "English report's own address" in refused.value.messages[0]


def test_another_forces_coordinator_gets_404_and_force_staff_403(wales, client):
    client.force_login(wales.english.outsider)
    assert client.get(edition_url(wales)).status_code == 404
    assert client.post(edition_url(wales), {"title": "x", "url": "https://x.org"}).status_code == (
        404
    )
    client.force_login(wales.english.owner)  # West Midlands staff, West Midlands report
    url = reverse("tracker:report_edition", args=[wales.english.report.key])
    assert client.get(url).status_code == 403
    assert not ReportEdition.objects.exists()


def test_the_report_page_offers_the_form_only_to_those_who_may(wales, client):
    client.force_login(wales.coordinator)
    page = client.get(reverse("tracker:report_detail", args=[wales.report.key])).content.decode()
    assert edition_url(wales) in page
    client.force_login(wales.english.reader)
    page = client.get(reverse("tracker:report_detail", args=[wales.report.key])).content.decode()
    assert "Welsh edition" not in page  # nothing attached, and not theirs to attach


def test_the_new_pages_read_a_fixed_number_of_queries(wales, client, django_assert_max_num_queries):
    found = welsh_import(wales, wales.pcc)
    client.force_login(wales.pcc)
    client.get(edition_url(wales))  # the session and the person, read once
    with django_assert_max_num_queries(12):
        assert client.get(edition_url(wales)).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(detail(found)).status_code == 200


def test_an_uploaded_welsh_document_is_read_and_offered_as_a_welsh_edition(
    wales, client, report_import_root, django_capture_on_commit_callbacks
):
    """The whole path, as a person takes it: the upload, the reading in the background,
    then the preview, which says it is a Welsh edition and offers the English report."""
    client.force_login(wales.pcc)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("tracker:report_import"),
            {"file": SimpleUploadedFile("peel-2025-cy.txt", WELSH.encode())},
        )
    assert answer.status_code == 302
    found = ReportImport.objects.get(uploaded_by=wales.pcc)
    assert found.state == ReportImport.State.READY
    page = client.get(answer["Location"]).content.decode()
    assert "This is a Welsh edition of a report" in page
    assert "PEEL 2025: Dyfed-Powys" in page
