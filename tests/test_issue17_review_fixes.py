"""The review of the issue 17 import (notes/review-importer.md), one test or more per finding:
a national body's recommendation gets no item by any route (1), a register entry whose report
is there and a progress report are never made into a report (2, 3), the report chooser makes a
fixed number of queries (4), the export file refuses a statutory response for a fire and
rescue service (5), references are kept as published (6), a police inspection is not a
service's (7), the addressee fields only where they matter (8), statuses are added under the
items' lock (9), one status and its audit event together (10), month names in the page's
language (11), the new messages through gettext (12) and an update's message in plain words
(13)."""

import copy
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation, PolicingBodyTerm, Role
from tests.factories import make_finding, make_item, make_org, make_report, make_user
from tests.test_bulk_import import csv_bytes, problems
from tests.test_report_import_kinds import (
    page,
    post,
    progress_report,
    ready,
    register_entry,
    thematic,
)
from tracker import item_batches, services
from tracker.extraction.result import ExtractedFinding, Extraction
from tracker.models import (
    AuditEvent,
    Finding,
    InspectorateStatus,
    Report,
    StatutoryResponse,
    TrackedItem,
)
from tracker.report_import import create as report_import_create
from tracker.report_import.create import additions_message, import_create, import_update
from tracker.report_import.item_history import inspectorate_status_add
from tracker.statutory import services as statutory_services
from tracker.statutory.content import answered_findings
from tracker.statutory.services import response_for, response_save_draft
from tracker.transfer.export import export_tracker
from tracker.transfer.load import import_tracker
from tracker.transfer.rows import ImportRejected

pytestmark = pytest.mark.django_db

COLLEGE = "By 31 March 2025, the College of Policing should publish guidance on stalking."


def national_report(world):
    """A thematic report about West Midlands with one recommendation to chief constables and
    one to the College of Policing (no items)."""
    report = make_report(forces=[world.wmp], title="Stalking thematic", national=True)
    forces = make_finding(
        report,
        "Chief constables should review stalking reports.",
        reference="Recommendation 1",
        addressee="Chief constables",
        addressee_kind="forces",
        order=1,
    )
    college = make_finding(
        report,
        COLLEGE,
        reference="Recommendation 2",
        addressee="The College of Policing",
        addressee_kind="national_body",
        order=2,
    )
    return report, forces, college


# 1. A national body's recommendation gets no item ------------------------------------------


def test_item_create_refuses_a_national_bodys_recommendation(world):
    _, _, college = national_report(world)
    with pytest.raises(ValidationError, match="addressed to a national body"):
        services.item_create(finding=college, force=world.wmp, created_by=world.coordinator)
    with pytest.raises(ValidationError, match=r"\(The College of Policing\)"):
        item_batches.items_create(
            new=[item_batches.NewItem(finding=college, force=world.wmp)],
            created_by=world.coordinator,
        )
    assert not TrackedItem.objects.filter(finding=college).exists()


def test_the_s55_response_does_not_offer_a_national_bodys_recommendation(client, world):
    report, to_forces, college = national_report(world)
    assert answered_findings(report, world.wmp) == [to_forces]
    response = response_for(report=report, force=world.wmp)
    with pytest.raises(ValidationError, match="not part of this report's response"):
        response_save_draft(
            response=response, by=world.pcc, pcc_responses={college.pk: "We support this."}
        )
    assert not TrackedItem.objects.filter(finding=college).exists()
    client.force_login(world.pcc)
    url = reverse("tracker:response_edit", args=[report.key, world.wmp.code])
    html = client.get(url).content.decode()
    assert f"pcc_response_{to_forces.pk}" in html
    assert f"pcc_response_{college.pk}" not in html
    # answering the forces' recommendation still makes its item, as before
    response_save_draft(
        response=response, by=world.pcc, pcc_responses={to_forces.pk: "We will do it."}
    )
    assert TrackedItem.objects.filter(finding=to_forces, force=world.wmp).exists()


def test_the_spreadsheet_import_refuses_a_row_for_a_national_bodys_recommendation(world):
    report, _, college = national_report(world)
    row = [
        "West Midlands Police",
        report.title,
        report.published_on.strftime("%d/%m/%Y"),
        "Recommendation",
        "Recommendation 2",
        "Vulnerability",
        COLLEGE,
        "",
        "",
        "",
        "",
    ]
    found = problems(csv_bytes(row), world.coordinator)
    assert any(
        "addressed to a national body (The College of Policing): forces do not track it" in p
        for p in found
    ), found
    assert not TrackedItem.objects.filter(finding=college).exists()


# 2 and 3. The server refuses what the preview does not offer ---------------------------------


def test_a_register_entry_whose_report_is_there_is_not_made_a_second_report(client, world):
    client.force_login(world.pcc)
    found = ready(world.pcc, register_entry(world))
    shown = page(client, found)
    assert shown.context["target"] == world.report
    refused = post(client, found, shown.context, action="create")  # a stale tab, by hand
    assert refused.status_code == 400
    assert any(
        "This register entry's report is already in the tracker" in p
        for p in refused.context["problems"]
    )
    assert Report.objects.count() == 1
    assert not InspectorateStatus.objects.exists()
    with pytest.raises(ValidationError, match="add it to that report"):
        import_create(report_import=found, by=world.pcc)


def test_a_progress_report_is_never_made_into_a_report(client, world):
    client.force_login(world.coordinator)
    found = ready(world.coordinator, progress_report(world))
    shown = page(client, found)
    refused = post(client, found, shown.context, action="create")
    assert refused.status_code == 400
    assert any(
        "import the report first, then add this paper to it" in p
        for p in refused.context["problems"]
    )
    assert Report.objects.count() == 1
    with pytest.raises(ValidationError, match="progress report or committee paper"):
        import_create(report_import=found, by=world.coordinator)


def test_a_target_report_the_person_cannot_add_to_is_ignored(client, world):
    staffs_report = make_report(forces=[world.staffs], title="Staffordshire only")
    client.force_login(world.coordinator)
    found = ready(world.coordinator, progress_report(world))
    shown = page(client, found)
    assert staffs_report not in shown.context["report_choices"]
    refused = post(client, found, shown.context, action="update", target_report=staffs_report.key)
    assert refused.status_code == 400
    assert "Choose the report this document is about" in refused.content.decode()
    found.refresh_from_db()
    assert found.draft.get("target_report", "") == ""


# 4. The report chooser's queries do not grow with the reports --------------------------------


def _add_reports(world, first: int, count: int) -> None:
    for n in range(first, first + count):
        other = make_report(
            forces=[world.wmp],
            title=f"Report {n}",
            published_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
        )
        make_finding(other, f"The force should do thing {n}.")


def _preview_queries(client, world, *, expected_choices: int) -> int:
    found = ready(world.pcc, register_entry(world))
    with CaptureQueriesContext(connection) as queries:
        shown = page(client, found)
    assert shown.status_code == 200
    assert len(shown.context["report_choices"]) == expected_choices
    return len(queries.captured_queries)


def test_the_report_chooser_makes_a_fixed_number_of_queries(client, world):
    client.force_login(world.pcc)
    page(client, ready(world.pcc, register_entry(world)))  # the session's first page
    _add_reports(world, 0, 3)
    few = _preview_queries(client, world, expected_choices=4)
    _add_reports(world, 3, 37)
    many = _preview_queries(client, world, expected_choices=41)
    assert many == few
    assert many <= 40  # was about two a report: 31 for 5 reports, 141 for 60


# 5. The export file: no statutory response for a fire and rescue service ---------------------


def test_the_export_file_refuses_a_statutory_response_for_a_fire_and_rescue_service(world):
    commissioner = make_org(
        "Staffordshire Commissioner", kind=Organisation.Kind.LOCAL_POLICING_BODY, code="staffs-c"
    )
    service = make_org(
        "Staffordshire Fire and Rescue Service", kind=Organisation.Kind.FIRE_AND_RESCUE
    )
    PolicingBodyTerm.objects.create(
        force=service, body=commissioner, starts_on=datetime.date(2018, 8, 1)
    )
    fire_report = make_report(forces=[service], title="Fire inspection")
    make_item(make_finding(fire_report, "The service should act."), service)
    response_for(report=world.report, force=world.wmp)
    doc = export_tracker()
    template = next(r for r in doc["reports"] if r["statutory_responses"])
    row = copy.deepcopy(template["statutory_responses"][0])
    row.pop("uuid", None)
    row.update({"body": "staffs-c", "force": service.code})
    fire = next(r for r in doc["reports"] if r["title"] == "Fire inspection")
    fire["statutory_responses"] = [row]
    with pytest.raises(ImportRejected) as refused:
        import_tracker(doc)
    said = " ".join(refused.value.problems)
    assert "is a fire and rescue service, not a police force" in said
    assert "no statutory response" in said
    assert not StatutoryResponse.objects.filter(report=fire_report).exists()


def test_the_export_file_still_takes_a_services_report_and_items(world):
    service = make_org(
        "Essex County Fire and Rescue Service", kind=Organisation.Kind.FIRE_AND_RESCUE
    )
    fire_report = make_report(forces=[service], title="Fire inspection")
    item = make_item(make_finding(fire_report, "The service should act."), service)
    doc = export_tracker()
    import_tracker(doc)  # the same file back: accepted, nothing new
    assert TrackedItem.objects.get(pk=item.pk).force == service


# 6. References as published ----------------------------------------------------------------

LONG_REFERENCES = [
    "Recommendation 12(a)(ii)",
    "Cause of concern 2, recommendation 3",
    "HMICFRS register entry 6989",
    "Area for improvement 12",
]


def test_references_are_kept_as_published_from_draft_to_finding(client, world):
    extraction = Extraction(
        title="Long references 2024",
        forces=["West Midlands Police"],
        published="2024-02-08",
        findings=[
            ExtractedFinding(
                kind="recommendation", area="", text=f"The force should do {n}.", reference=ref
            )
            for n, ref in enumerate(LONG_REFERENCES)
        ],
    )
    client.force_login(world.coordinator)
    found = ready(world.coordinator, extraction)
    assert [f["reference"] for f in found.draft["findings"]] == LONG_REFERENCES
    shown = page(client, found)
    created = post(client, found, shown.context, action="create")
    assert created.status_code == 302, created.content.decode()[:2000]
    report = Report.objects.get(title="Long references 2024")
    assert list(report.findings.order_by("order").values_list("reference", flat=True)) == (
        LONG_REFERENCES
    )
    item = TrackedItem.objects.get(finding__reference="Cause of concern 2, recommendation 3")
    html = client.get(reverse("tracker:item_detail", args=[item.uuid])).content.decode()
    assert "Cause of concern 2, recommendation 3" in html


def test_a_long_reference_goes_through_the_export_file_and_a_spreadsheet(world):
    report = make_report(forces=[world.wmp], title="Long reference report")
    finding = make_finding(report, "The force should act.", reference=LONG_REFERENCES[1])
    finding.full_clean()
    doc = export_tracker()
    Finding.objects.filter(pk=finding.pk).update(reference="")
    import_tracker(doc)
    assert Finding.objects.get(pk=finding.pk).reference == LONG_REFERENCES[1]
    from tracker.bulk_import.apply import items_import

    row = [
        "West Midlands Police",
        "Another long reference report",
        "15/01/2026",
        "Recommendation",
        "Recommendation 12(a)(ii) of 2026",
        "",
        "The force should do something else.",
        "",
        "",
        "",
        "",
    ]
    items_import(user=world.coordinator, data=csv_bytes(row), name="long.csv")
    assert Finding.objects.filter(reference="Recommendation 12(a)(ii) of 2026").exists()


# 7. A police inspection is not a fire and rescue service's ----------------------------------


def test_a_police_inspection_cannot_be_created_for_a_fire_and_rescue_service(client, world):
    pfcc = make_org("Essex PFCC", kind=Organisation.Kind.LOCAL_POLICING_BODY)
    service = make_org(
        "Essex County Fire and Rescue Service", kind=Organisation.Kind.FIRE_AND_RESCUE
    )
    PolicingBodyTerm.objects.create(force=service, body=pfcc, starts_on=datetime.date(2017, 10, 1))
    office = make_user("Essex Office", pfcc, Role.PCC_OFFICE)
    client.force_login(office)
    extraction = Extraction(
        title="PEEL 2023",
        forces=[],
        published="2024-02-08",
        document_type="peel_2021",
        findings=[ExtractedFinding(kind="area_for_improvement", area="", text="Do better.")],
    )
    found = ready(office, extraction)
    shown = page(client, found)
    refused = post(
        client, found, shown.context, action="create", **{"report-forces": [str(service.id)]}
    )
    assert refused.status_code == 400
    assert "This is a police inspection: choose the police force it is about" in (
        refused.content.decode()
    )
    assert not Report.objects.filter(title="PEEL 2023").exists()


# 8. The addressee fields only where they matter ---------------------------------------------


def test_the_addressee_fields_are_shown_only_where_they_matter(client, world):
    client.force_login(world.coordinator)
    peel = Extraction(
        title="PEEL 2023",
        forces=["West Midlands Police"],
        published="2024-02-08",
        document_type="peel_2021",
        findings=[
            ExtractedFinding(kind="area_for_improvement", area="", text=f"Do better {n}.")
            for n in range(3)
        ],
    )
    html = page(client, ready(world.coordinator, peel)).content.decode()
    assert "findings-0-addressee" not in html
    assert "Who acts on it" not in html

    client.force_login(world.pcc)
    html = page(client, ready(world.pcc, thematic(["West Midlands Police"]))).content.decode()
    assert 'name="findings-0-addressee_kind"' in html
    assert 'name="findings-1-addressee"' in html
    assert html.count("Addressed to") == 2  # each finding's field, not also a summary row


# 9 and 10. Statuses under the items' lock; one status with its audit event ------------------


def test_statuses_are_added_under_the_items_lock(world, monkeypatch):
    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    found = ready(world.pcc, register_entry(world))
    added = import_update(report_import=found, report=world.report, by=world.pcc)
    assert added.statuses == 3
    assert TrackedItem in locked


def test_one_status_and_its_audit_event_are_saved_together_or_not_at_all(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        inspectorate_status_add(
            item=world.item,
            status="complete",
            stated_on=datetime.date(2019, 5, 14),
            source="HMICFRS register",
            by=world.pcc,
            now=timezone.now(),
        )
    assert not InspectorateStatus.objects.exists()


# 11. Month names in the page's language ------------------------------------------------------


def test_stated_dates_are_written_in_the_pages_language(world):
    status = inspectorate_status_add(
        item=world.item,
        status="being_progressed",
        stated_on=datetime.date(2018, 3, 1),
        source="HMICFRS register",
        by=world.pcc,
        now=timezone.now(),
        precision="month",
    )
    assert status.stated_display == "March 2018"
    with translation.override("cy"):
        assert status.stated_display == "Mawrth 2018"
    found = ready(world.pcc, register_entry(world))
    from tracker.report_import.draft import Draft

    with translation.override("cy"):
        rows = Draft.from_json(found.draft).findings[0].status_rows
    assert rows[1]["dated"] == "Medi 2018"
    assert rows[2]["dated"] == "14 Mai 2019"


# 12. The new messages go through gettext -----------------------------------------------------


def _marked(text):
    return f"[[{text}]]"


def test_the_new_messages_are_translated(world, monkeypatch):
    monkeypatch.setattr(services, "gettext", _marked)
    with pytest.raises(ValidationError, match=r"\[\[.*is not a police force or a fire"):
        services.item_create(finding=world.finding, force=world.wm_pcc)
    with pytest.raises(ValidationError, match=r"\[\[.*is not a police force or a fire"):
        item_batches.items_create(
            new=[item_batches.NewItem(finding=world.finding, force=world.wm_pcc)]
        )
    monkeypatch.setattr(statutory_services, "gettext", _marked)
    service = make_org("Some Fire and Rescue Service", kind=Organisation.Kind.FIRE_AND_RESCUE)
    fire_report = make_report(forces=[service], title="Fire")
    with pytest.raises(ValidationError, match=r"\[\[.*is a fire and rescue service: it has no"):
        response_for(report=fire_report, force=service)
    monkeypatch.setattr(report_import_create, "gettext", _marked)
    extraction = register_entry(world, title="Nothing chosen")
    extraction.forces = []
    found = ready(world.coordinator, extraction)
    with pytest.raises(ValidationError) as refused:
        import_create(report_import=found, by=world.coordinator)
    assert (
        "[[Choose at least one police force or fire and rescue service the report applies to.]]"
        in refused.value.messages
    )


# 13. An update's message in plain words ------------------------------------------------------


def test_a_register_entrys_message_says_what_was_added_in_plain_words(client, world):
    found = ready(world.pcc, register_entry(world))
    added = import_update(report_import=found, report=world.report, by=world.pcc)
    message = additions_message(added)
    assert message == (
        "3 dated statuses from the inspectorate's register were added to the items. "
        "Nothing already there was changed."
    )
    assert "0 new" not in message

    client.force_login(world.coordinator)
    other = ready(world.coordinator, register_entry(world, title="Crime data integrity 2019"))
    shown = page(client, other)
    created = post(client, other, shown.context, action="create")
    assert created.status_code == 302
    said = [str(m) for m in created.wsgi_request._messages]
    assert any(
        "3 dated statuses from the inspectorate's register were added to the items." in m
        for m in said
    ), said
