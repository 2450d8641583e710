"""Importing the kinds of document issue 17 adds, from the extraction to the database and the
pages: register entries (the inspectorate's status history onto the item, never twice),
recommendations to national bodies (recorded, no items), reference matching on an update,
progress reports and minutes (labelled progress updates), fire and rescue inspections (the
service's items, seen by its PFCC office and nobody else), and the documents that make
nothing (a Welsh document that is not an edition, a register page with no recommendation, a
kind of document the rules do not know, whose guesses are not included).

Extractions are built here directly (tracker.extraction.result), so these tests do not depend
on the extraction rules of other documents."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, PolicingBodyTerm, Role
from tests.factories import make_finding, make_org, make_report, make_user
from tests.test_report_import import preview_data
from tracker.extraction.result import (
    ExtractedFinding,
    ExtractedResponse,
    ExtractedStatus,
    Extraction,
)
from tracker.models import (
    AuditEvent,
    Deadline,
    Finding,
    InspectorateStatus,
    ProgressUpdate,
    Report,
    ReportImport,
    StatutoryResponse,
    TrackedItem,
)
from tracker.report_import.create import additions_message, import_create, import_update
from tracker.report_import.draft import initial_draft

pytestmark = pytest.mark.django_db

BACKLOG = "The force should immediately take steps to review its backlog."


def ready(user, extraction: Extraction, *, text: str = "The document's text.") -> ReportImport:
    """An import read and waiting to be checked, as the background reading leaves it."""
    return ReportImport.objects.create(
        uploaded_by=user,
        uploaded_at=timezone.now(),
        original_name="document.html",
        size=len(text),
        sha256=uuid.uuid4().hex,
        state=ReportImport.State.READY,
        stage="Ready to check",
        source_text=text,
        extraction=extraction.to_dict(),
        draft=initial_draft(extraction, user=user).to_json(),
    )


def page(client, found: ReportImport):
    return client.get(reverse("tracker:report_import_detail", args=[found.uuid]))


def post(client, found: ReportImport, context, **changes):
    return client.post(
        reverse("tracker:report_import_detail", args=[found.uuid]),
        preview_data(context, **changes),
    )


# Register entries -------------------------------------------------------------------------


def register_entry(world, *, title=None, findings=None) -> Extraction:
    history = [
        ExtractedStatus(
            "awaiting_review", "2018-04-03", "HMICFRS recommendation register, entry 6989"
        ),
        ExtractedStatus(
            "being_progressed", "2018-09", "HMICFRS recommendation register, entry 6989"
        ),
        ExtractedStatus(
            "complete",
            "2019-05-14",
            "HMICFRS recommendation register, entry 6989",
            note="Revisit found the backlog cleared.",
        ),
    ]
    return Extraction(
        title=title or world.report.title,
        inspectorate="HMICFRS",
        forces=["West Midlands Police"],
        published="2018-03",
        document_type="register",
        findings=findings
        if findings is not None
        else [
            ExtractedFinding(
                kind="recommendation",
                area="",
                text=BACKLOG,
                reference="6989",
                status_history=history,
            )
        ],
    )


def test_a_register_entry_brings_its_status_history_onto_the_item(client, world):
    client.force_login(world.pcc)
    found = ready(world.pcc, register_entry(world))
    shown = page(client, found)
    html = shown.content.decode()
    assert shown.status_code == 200
    assert "entry of the inspectorate's recommendation register" in html
    assert "The inspectorate's status history" in html
    assert "14 May 2019" in html
    assert "September 2018" in html
    assert shown.context["target"] == world.report  # same title, same month
    assert "Create the report with this recommendation" not in html

    added = post(
        client,
        found,
        shown.context,
        action="update",
        target_report=world.report.key,
    )
    assert added.status_code == 302
    assert added["Location"] == reverse("tracker:report_detail", args=[world.report.key])
    statuses = list(InspectorateStatus.objects.filter(item=world.item).order_by("stated_on"))
    assert [s.status for s in statuses] == ["awaiting_review", "being_progressed", "complete"]
    assert statuses[1].stated_on == datetime.date(2018, 9, 1)
    assert statuses[1].stated_display == "September 2018"
    assert statuses[2].source == "HMICFRS recommendation register, entry 6989"
    assert statuses[2].note == "Revisit found the backlog cleared."
    assert statuses[0].report_import == found
    assert statuses[0].recorded_by == world.pcc
    # no new finding, the force's own status and the finding's reference are as they were
    world.item.refresh_from_db()
    assert world.item.status == "not_started"
    assert world.report.findings.count() == 1
    assert world.finding.reference == Finding.objects.get(pk=world.finding.pk).reference
    assert AuditEvent.objects.filter(object_type="tracker.InspectorateStatus").count() == 3

    item_page = client.get(reverse("tracker:item_detail", args=[world.item.uuid])).content
    item_html = item_page.decode()
    assert "The inspectorate's status" in item_html
    assert "No further action needed" not in item_html
    assert "Being progressed" in item_html
    assert "14 May 2019" in item_html
    assert "HMICFRS recommendation register, entry 6989" in item_html


def test_importing_the_same_register_page_twice_adds_nothing(client, world):
    client.force_login(world.pcc)
    for n in range(2):
        found = ready(world.pcc, register_entry(world))
        added = import_update(report_import=found, report=world.report, by=world.pcc)
        assert added.statuses == (3 if n == 0 else 0)
        assert added.findings == 0
    assert InspectorateStatus.objects.filter(item=world.item).count() == 3
    assert additions_message(added) == (
        "Everything this document says was already recorded on the report's items, so "
        "nothing was added."
    )


def test_a_register_entry_for_a_report_not_in_the_tracker_offers_to_create_it(client, world):
    client.force_login(world.coordinator)
    found = ready(world.coordinator, register_entry(world, title="Crime data integrity 2019"))
    shown = page(client, found)
    html = shown.content.decode()
    assert "was not found in the tracker" in html
    assert "Create the report with this recommendation" in html
    # the coordinator's own report is among those offered, but nothing matches by title
    assert shown.context["target"] is None
    created = post(client, found, shown.context, action="create")
    report = Report.objects.get(title="Crime data integrity 2019")
    assert created["Location"] == reverse("tracker:report_detail", args=[report.key])
    item = TrackedItem.objects.get(finding__report=report, force=world.wmp)
    assert item.finding.reference == "6989"
    assert InspectorateStatus.objects.filter(item=item).count() == 3


def test_a_register_page_with_no_recommendation_creates_nothing(client, world):
    client.force_login(world.coordinator)
    found = ready(world.coordinator, register_entry(world, findings=[]))
    shown = page(client, found)
    html = shown.content.decode()
    assert "This register page has no recommendation in it" in html
    assert "Nothing has been created" in html
    assert 'value="create"' not in html
    assert 'value="update"' not in html
    refused = post(client, found, shown.context, action="create")
    assert refused.status_code == 400
    assert "no recommendation" in refused.content.decode()
    with pytest.raises(ValidationError, match="no recommendation"):
        import_update(report_import=found, report=world.report, by=world.coordinator)
    assert Report.objects.count() == 1
    assert not InspectorateStatus.objects.exists()
    found.refresh_from_db()
    assert found.state == ReportImport.State.READY


# Recommendations to national bodies -----------------------------------------------------------


def thematic(forces) -> Extraction:
    return Extraction(
        title="An inspection of how forces respond to stalking",
        inspectorate="HMICFRS",
        forces=forces,
        report_type="thematic",
        published="2024-02-08",
        document_type="thematic",
        findings=[
            ExtractedFinding(
                kind="recommendation",
                area="",
                text="By 31 October 2024, chief constables should make sure that every "
                "stalking report is reviewed by a trained supervisor.",
                reference="Recommendation 1",
                addressee="Chief constables",
                addressee_kind="forces",
                target_date="2024-10-31",
            ),
            ExtractedFinding(
                kind="recommendation",
                area="",
                text="By 31 March 2025, the College of Policing should publish guidance on "
                "stalking protection orders.",
                reference="Recommendation 2",
                addressee="The College of Policing",
                addressee_kind="national_body",
            ),
        ],
    )


def test_a_recommendation_to_a_national_body_gets_no_items_and_national_readers_see_it(
    client, world
):
    client.force_login(world.pcc)
    found = ready(world.pcc, thematic(["West Midlands Police"]))
    shown = page(client, found)
    html = shown.content.decode()
    assert "The College of Policing" in html
    assert "A national body: recorded on the report" in html
    post(client, found, shown.context, action="create")
    report = Report.objects.get(title__startswith="An inspection of how forces respond")
    assert report.national  # thematic, addressed beyond one force
    to_forces, to_college = report.findings.order_by("order")
    assert (to_forces.addressee, to_forces.addressee_kind) == ("Chief constables", "forces")
    assert to_college.addressee_kind == "national_body"
    assert to_forces.force is None
    assert to_college.force is None
    assert TrackedItem.objects.filter(finding=to_forces, force=world.wmp).exists()
    assert not TrackedItem.objects.filter(finding=to_college).exists()

    url = reverse("tracker:report_detail", args=[report.key])
    for reader in (world.reader, world.pcc, world.coordinator):
        client.force_login(reader)
        html = client.get(url).content.decode()
        assert "Recommendations to national bodies" in html, reader
        assert "the College of Policing should publish guidance" in html, reader
        assert "Addressed to: The College of Policing" in html, reader

    # Staffordshire adds itself: an item for the forces' recommendation, none for the College's
    client.force_login(world.outsider)
    second = ready(world.outsider, thematic(["Staffordshire Police"]))
    added = import_update(report_import=second, report=report, by=world.outsider)
    assert added.findings == 0
    assert added.items == 1
    assert TrackedItem.objects.filter(finding=to_forces, force=world.staffs).exists()
    assert not TrackedItem.objects.filter(finding=to_college).exists()


# Reference matching ---------------------------------------------------------------------------


def test_an_update_matches_by_reference_and_keeps_the_inspectorates_reference(world):
    report = make_report(forces=[world.wmp], title="Vetting and counter-corruption 2022")
    records = make_finding(
        report, "The force should improve how it records crime.", reference="Recommendation 1"
    )
    vetting = make_finding(
        report, "The force should review its vetting backlog.", reference="Recommendation 2"
    )
    extraction = Extraction(
        title=report.title,
        forces=["West Midlands Police"],
        published="2018-03-22",
        document_type="peel",
        findings=[
            # renumbered onto another's number, in the same words: the words win
            ExtractedFinding(
                kind="recommendation",
                area="",
                text="The force should improve how it records crime.",
                reference="Rec 2",
            ),
            # re-worded, under its own number ("Recommendation 2" written "2")
            ExtractedFinding(
                kind="recommendation",
                area="",
                text="The force should review its vetting backlog and report on it.",
                reference="2",
            ),
            # an area for improvement numbered 1 is not recommendation 1
            ExtractedFinding(
                kind="area_for_improvement",
                area="",
                text="The force should publish its vetting figures.",
                reference="1",
            ),
        ],
    )
    found = ready(world.coordinator, extraction)
    added = import_update(report_import=found, report=report, by=world.coordinator)
    assert added.findings == 1  # only the area for improvement is new
    records.refresh_from_db()
    vetting.refresh_from_db()
    assert records.reference == "Recommendation 1"  # never overwritten
    assert vetting.reference == "Recommendation 2"
    assert vetting.text == "The force should review its vetting backlog."
    assert report.findings.filter(kind="recommendation").count() == 2
    assert TrackedItem.objects.filter(finding=records, force=world.wmp).exists()
    assert TrackedItem.objects.filter(finding=vetting, force=world.wmp).exists()


# Progress reports and minutes -----------------------------------------------------------------


def progress_report(world, *, status="Complete") -> Extraction:
    return Extraction(
        title="Joint Audit Committee: HMICFRS recommendations update",
        forces=["West Midlands Police"],
        published="2024-03-14",
        document_type="progress_report",
        findings=[
            ExtractedFinding(
                kind="recommendation",
                area="",
                text="The force should immediately review its backlog.",
                reference="Rec 1",
            )
        ],
        responses=[
            ExtractedResponse(
                to=0,
                party="force",
                text="The backlog review is finished and the new triage process is live.",
                source="Joint Audit Committee, 14 March 2024",
                status=status,
            )
        ],
    )


def test_progress_report_responses_land_as_labelled_updates(client, world):
    client.force_login(world.coordinator)
    found = ready(world.coordinator, progress_report(world))
    shown = page(client, found)
    html = shown.content.decode()
    assert "progress report or committee paper" in html
    assert "Joint Audit Committee, 14 March 2024" in html
    assert shown.context["target"] is None  # another title: the person chooses
    assert world.report in shown.context["report_choices"]
    done = post(client, found, shown.context, action="update", target_report=world.report.key)
    assert done.status_code == 302
    update = ProgressUpdate.objects.get(item=world.item)
    assert update.text.startswith("From Joint Audit Committee, 14 March 2024:")
    assert "new triage process is live" in update.text
    assert "Status given there: Complete (the item's own status is unchanged)." in update.text
    assert update.author == world.coordinator
    world.item.refresh_from_db()
    assert world.item.status == "not_started"  # never changed by a document
    assert world.item.force_response == ""  # not the statutory response
    assert world.report.findings.count() == 1

    again = ready(world.coordinator, progress_report(world))
    added = import_update(report_import=again, report=world.report, by=world.coordinator)
    assert added.updates == 0
    assert ProgressUpdate.objects.filter(item=world.item).count() == 1


def test_a_progress_report_naming_nothing_on_the_report_is_refused(world):
    extraction = progress_report(world)
    extraction.findings[0].text = "The force should buy more horses for the mounted unit."
    extraction.findings[0].reference = "Rec 14"
    found = ready(world.coordinator, extraction)
    with pytest.raises(ValidationError, match="None of the findings in this document"):
        import_update(report_import=found, report=world.report, by=world.coordinator)
    assert not ProgressUpdate.objects.exists()


# Fire and rescue ------------------------------------------------------------------------------


@pytest.fixture
def essex(world):
    """Essex: its police and its fire and rescue service, both under the PFCC."""
    pfcc = make_org(
        "Essex Police, Fire and Crime Commissioner", kind=Organisation.Kind.LOCAL_POLICING_BODY
    )
    police = make_org("Essex Police")
    service = make_org(
        "Essex County Fire and Rescue Service", kind=Organisation.Kind.FIRE_AND_RESCUE
    )
    for organisation in (police, service):
        PolicingBodyTerm.objects.create(
            force=organisation, body=pfcc, starts_on=datetime.date(2017, 10, 1)
        )
    office = make_user("Priya Patel", pfcc, Role.PCC_OFFICE)
    return {"pfcc": pfcc, "police": police, "service": service, "office": office}


def fire_inspection(service="Essex County Fire & Rescue Service") -> Extraction:
    return Extraction(
        title="Fire and rescue service inspection 2023/24: Essex",
        inspectorate="HMICFRS",
        published="2024-01-18",
        document_type="fire_and_rescue",
        organisation_kind="fire_and_rescue",
        services=[service],
        findings=[
            ExtractedFinding(
                kind="area_for_improvement",
                area="Preventing fires and other risks",
                text="The service should make sure it targets its prevention work at the "
                "people most at risk.",
                reference="AFI 1",
            ),
            ExtractedFinding(
                kind="area_for_improvement",
                area="Protecting the public through fire regulation",
                text="The service should make sure its risk-based inspection programme "
                "covers the highest-risk buildings.",
                reference="Area for improvement 12",
            ),
        ],
    )


def test_a_fire_and_rescue_report_is_the_services_and_its_pfcc_office_sees_it(client, world, essex):
    office = essex["office"]
    client.force_login(office)
    found = ready(office, fire_inspection())
    shown = page(client, found)
    html = shown.content.decode()
    assert "This is a fire and rescue service inspection" in html
    assert shown.context["details"]["forces"].value() == [essex["service"].id]
    # kept as published (review finding 6: no longer shortened to "AFI 12")
    assert found.draft["findings"][1]["reference"] == "Area for improvement 12"
    created = post(client, found, shown.context, action="create")
    assert created.status_code == 302, created.content.decode()[:2000]
    report = Report.objects.get(title__startswith="Fire and rescue service inspection")
    assert list(report.forces.all()) == [essex["service"]]
    items = TrackedItem.objects.filter(finding__report=report)
    assert items.count() == 2
    assert {i.force for i in items} == {essex["service"]}
    # no s55 response and no statutory deadline: the statute is about police forces
    assert not StatutoryResponse.objects.filter(report=report).exists()
    assert not Deadline.objects.filter(response__report=report).exists()

    # nor can the office start one by hand ("Respond anyway")
    start = client.post(reverse("tracker:response_start", args=[report.key, essex["service"].code]))
    assert start.status_code in (302, 404)
    assert not StatutoryResponse.objects.filter(report=report).exists()

    item = items.first()
    item_url = reverse("tracker:item_detail", args=[item.uuid])
    report_url = reverse("tracker:report_detail", args=[report.key])
    assert client.get(item_url).status_code == 200
    report_html = client.get(report_url).content.decode()
    assert "No statutory response." in report_html
    assert "action plan" in report_html
    for other in (world.outsider, world.pcc, world.coordinator):
        client.force_login(other)
        assert client.get(item_url).status_code == 404, other
        assert client.get(report_url).status_code == 404, other
    client.force_login(world.reader)
    assert client.get(item_url).status_code == 200


def test_a_fire_and_rescue_report_for_a_service_not_set_up_says_so(client, world):
    client.force_login(world.coordinator)
    found = ready(world.coordinator, fire_inspection("Cumbria Fire and Rescue Service"))
    shown = page(client, found)
    html = shown.content.decode()
    assert "Not set up in the tracker: Cumbria Fire and Rescue Service" in html
    assert shown.context["details"]["forces"].value() == []
    # choosing the police force instead is refused with the reason
    refused = post(
        client, found, shown.context, action="create", **{"report-forces": [str(world.wmp.id)]}
    )
    assert refused.status_code == 400
    assert "This is a fire and rescue inspection" in refused.content.decode()
    assert Report.objects.count() == 1


# Documents that make nothing ------------------------------------------------------------------


WELSH_TEXT = (
    "Pwyllgor Archwilio ar y Cyd. Mae'r heddlu wedi gwneud cynnydd ar yr argymhellion. " * 20
)


def test_a_welsh_document_that_is_not_an_edition_says_so_and_creates_nothing(client, world):
    client.force_login(world.coordinator)
    extraction = progress_report(world)
    extraction.language = "cy"
    found = ready(world.coordinator, extraction, text=WELSH_TEXT)
    html = page(client, found).content.decode()
    assert "If it is not the Welsh edition of a report" in html
    assert "cannot be imported yet" in html
    assert "Nothing has been created from this document" in html
    # the preview's buttons are not offered, and the services refuse
    refused = client.post(
        reverse("tracker:report_import_detail", args=[found.uuid]), {"action": "create"}
    )
    assert "Nothing has been created" in refused.content.decode()
    with pytest.raises(ValidationError, match="in Welsh"):
        import_create(report_import=found, by=world.coordinator)
    with pytest.raises(ValidationError, match="in Welsh"):
        import_update(report_import=found, report=world.report, by=world.coordinator)
    assert Report.objects.count() == 1
    assert not ProgressUpdate.objects.exists()


def test_a_document_of_an_unknown_kind_includes_nothing_until_ticked(client, world):
    client.force_login(world.coordinator)
    extraction = Extraction(
        title="Neighbourhood policing review",
        forces=["West Midlands Police"],
        published="2024-05-02",
        kind_known=False,
        findings=[
            ExtractedFinding(kind="finding", area="", text="Response times should improve."),
            ExtractedFinding(
                kind="recommendation",
                area="",
                text="Consider a new neighbourhood model.",
                unsure="a heading that might be a finding",
            ),
        ],
    )
    found = ready(world.coordinator, extraction)
    assert [f["include"] for f in found.draft["findings"]] == [False, False]
    shown = page(client, found)
    html = shown.content.decode()
    assert "This is a kind of document the tool does not know" in html
    assert "Check this one: a heading that might be a finding" in html
    assert 'class="govuk-warning-text' in html
    post(client, found, shown.context, action="create")
    report = Report.objects.get(title="Neighbourhood policing review")
    assert not report.findings.exists()
    assert not TrackedItem.objects.filter(finding__report=report).exists()


def test_the_preview_says_which_pages_were_read_by_ocr(client, world):
    client.force_login(world.coordinator)
    extraction = Extraction(
        title="A scanned letter",
        forces=["West Midlands Police"],
        published="2016-09-01",
        ocr_pages=[1, 2, 3, 5],
        findings=[ExtractedFinding(kind="finding", area="", text="The force should act.")],
    )
    html = page(client, ready(world.coordinator, extraction)).content.decode()
    assert "The text of pages 1–3, 5 was read by text recognition (OCR): check the wording." in html


def test_document_text_is_escaped_everywhere_on_the_preview(client, world):
    client.force_login(world.pcc)
    entry = register_entry(world)
    entry.findings[0].addressee = "<script>alert(1)</script>"
    entry.findings[0].unsure = "<b>bold</b>"
    entry.findings[0].status_history[0].source = "<img src=x onerror=alert(2)>"
    html = page(client, ready(world.pcc, entry)).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
