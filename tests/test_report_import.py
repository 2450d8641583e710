"""Importing a report from its document in the web app: upload, reading in the background,
the preview with corrections (kinds, texts, merge, split, forces), create, the duplicate
check that offers to update instead, the bad files, and who may do it."""

import io
from pathlib import Path

import pypdf
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tracker.models import AuditEvent, Finding, Report, ReportImport, TrackedItem
from tracker.report_import.create import duplicate_of, import_update
from tracker.report_import.reading import STALLED_AFTER

SOURCES = Path(settings.FIXTURES_DIR) / "sources"
PEEL_2015 = (SOURCES / "002_d8db408b9b4688bf.txt").read_bytes()
PCC_RESPONSE_2018 = (SOURCES / "003_2e524c8537ccaab0.txt").read_bytes()

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str, django_capture_on_commit_callbacks):
    """Upload as a person would; the background task runs when the upload commits."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tracker:report_import"), {"file": SimpleUploadedFile(name, data)}
        )
    return response


def preview_data(page_context, **overrides) -> dict:
    """The preview form as the browser would send it back, with changes."""
    data = {"version": page_context["version"]}
    for form in (page_context["details"],):
        for field in form:
            value = field.value()
            if isinstance(value, list):
                data[field.html_name] = [str(v) for v in value]
            elif value is not None:
                data[field.html_name] = value
    for formset in (page_context["findings"], page_context["judgements"]):
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset:
            for field in form:
                value = field.value()
                if isinstance(value, bool):
                    if value:
                        data[field.html_name] = "on"
                elif value is not None:
                    data[field.html_name] = value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_coordinator_imports_a_peel_report_and_creates_it_with_its_items(
    client, world, report_import_root, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    response = upload(client, PEEL_2015, "peel-2015.txt", django_capture_on_commit_callbacks)
    found = ReportImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:report_import_detail", args=[found.uuid])
    assert found.state == "ready"
    assert found.progress == 100
    assert not any(report_import_root.iterdir())  # the upload is deleted once read

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Check what was found" in html
    assert "The document's text" in html
    assert len(page.context["findings"].forms) == 6
    assert page.context["details"]["forces"].value() == [world.wmp.id]

    data = preview_data(page.context, action="create", **{"report-title": "PEEL 2015 test"})
    created = client.post(response["Location"], data)
    report = Report.objects.get(title="PEEL 2015 test")
    assert created.status_code == 302
    assert created["Location"] == reverse("tracker:report_detail", args=[report.key])
    assert report.findings.count() == 6
    assert set(report.findings.values_list("kind", flat=True)) == {"area_for_improvement"}
    assert report.judgements.count() >= 2
    assert TrackedItem.objects.filter(finding__report=report, force=world.wmp).count() == 6
    assert AuditEvent.objects.filter(object_type="tracker.Report", object_id=report.key).exists()
    assert AuditEvent.objects.filter(object_type="tracker.Finding").count() == 6
    found.refresh_from_db()
    assert found.state == "created"
    assert found.report == report
    # the import's page now leads to the report
    assert client.get(response["Location"])["Location"] == reverse(
        "tracker:report_detail", args=[report.key]
    )


def test_corrections_merge_split_leave_out_and_change_kinds(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    response = upload(client, PEEL_2015, "peel.txt", django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    texts = [f["text"] for f in ReportImport.objects.get().draft["findings"]]
    data = preview_data(page.context, action="apply")
    data.pop("findings-5-include")  # leave the last one out
    data["findings-1-join_previous"] = "on"  # merge the second into the first
    data["findings-2-kind"] = "recommendation"
    data["findings-3-text"] = "First half of it.\n---\nSecond half of it."
    applied = client.post(response["Location"], data)
    assert applied.status_code == 302
    draft = ReportImport.objects.get().draft["findings"]
    assert len(draft) == 5  # 6 - 1 left out - 1 merged + 1 split
    assert draft[0]["text"].startswith(texts[0].strip()[:40])
    assert texts[1].strip()[:40] in draft[0]["text"]
    assert draft[1]["kind"] == "recommendation"
    assert [d["text"] for d in draft[2:4]] == ["First half of it.", "Second half of it."]

    page = client.get(response["Location"])
    client.post(response["Location"], preview_data(page.context, action="create"))
    report = Report.objects.exclude(pk=world.report.pk).get()
    assert report.findings.count() == 5
    assert report.findings.filter(kind="recommendation").count() == 1


def test_a_second_import_of_the_same_report_offers_to_update_it(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    first = upload(client, PEEL_2015, "peel.txt", django_capture_on_commit_callbacks)
    page = client.get(first["Location"])
    client.post(first["Location"], preview_data(page.context, action="create"))
    report = Report.objects.exclude(pk=world.report.pk).get()
    items_before = TrackedItem.objects.count()

    second = upload(client, PEEL_2015, "peel again.txt", django_capture_on_commit_callbacks)
    page = client.get(second["Location"])
    html = page.content.decode()
    assert "Already in the tracker" in html
    assert "Update the existing report" in html
    assert page.context["duplicate"] == report
    updated = client.post(second["Location"], preview_data(page.context, action="update"))
    assert updated["Location"] == reverse("tracker:report_detail", args=[report.key])
    assert Report.objects.count() == 2  # the world's report and this one: no duplicate
    assert report.findings.count() == 6
    assert TrackedItem.objects.count() == items_before


def test_the_same_title_and_month_is_a_duplicate_even_from_another_file(world):
    found = ReportImport(
        uploaded_by=world.coordinator,
        uploaded_at=timezone.now(),
        size=1,
        sha256="x",
        draft={
            "title": world.report.title.upper() + "  ",
            "published_on": world.report.published_on.replace(day=28).isoformat(),
        },
    )
    found.draft["forces"] = [world.wmp.id]
    assert duplicate_of(found, user=world.coordinator)[0] == world.report
    # Staffordshire's coordinator is not offered West Midlands' own report
    found.draft["forces"] = [world.staffs.id]
    assert duplicate_of(found, user=world.outsider) == (None, "")


def test_a_pcc_response_document_brings_the_responses_onto_the_item(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.pcc)
    response = upload(client, PCC_RESPONSE_2018, "response.txt", django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    client.post(
        response["Location"],
        preview_data(page.context, action="create", **{"report-title": "PEEL 2017 import"}),
    )
    report = Report.objects.get(title="PEEL 2017 import")
    recommendation = report.findings.get(kind="recommendation")
    assert recommendation.parent.kind == "cause_of_concern"
    item = TrackedItem.objects.get(finding=recommendation, force=world.wmp)
    assert item.force_response
    assert item.pcc_response
    # the cause of concern is answered by its recommendation: no item of its own
    assert not TrackedItem.objects.filter(finding=recommendation.parent).exists()


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 this is not really a PDF", "report.pdf", "PDF"),
        (encrypted_pdf(), "locked.pdf", "password"),
        (b"\x00\x01\x02\x03" * 500, "report.txt", ""),
    ],
)
def test_a_file_that_cannot_be_read_says_why_and_creates_nothing(
    client, world, django_capture_on_commit_callbacks, data, name, message
):
    client.force_login(world.coordinator)
    response = upload(client, data, name, django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "The file could not be read" in html
    assert "Nothing was created" in html
    assert message in ReportImport.objects.get().message
    assert Report.objects.count() == 1
    assert Finding.objects.count() == 1


def test_an_empty_or_too_large_file_is_refused_at_once(client, world, settings):
    client.force_login(world.coordinator)
    url = reverse("tracker:report_import")
    empty = client.post(url, {"file": SimpleUploadedFile("empty.pdf", b"")})
    assert empty.status_code == 400
    assert "The selected file is empty" in empty.content.decode()
    settings.REPORT_IMPORT_MAX_BYTES = 1000
    big = client.post(url, {"file": SimpleUploadedFile("big.txt", b"a" * 5000)})
    assert big.status_code == 400
    assert "MB" in big.content.decode()
    assert not ReportImport.objects.exists()


def test_a_document_with_no_findings_is_an_honest_empty_preview(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    text = b"Minutes of the joint audit committee.\n\nThe committee noted the accounts.\n"
    response = upload(client, text, "minutes.txt", django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "No findings were found" in page.content.decode()


def test_a_slow_worker_is_pointed_out(client, world, report_import_root):
    client.force_login(world.coordinator)
    found = ReportImport.objects.create(
        uploaded_by=world.coordinator,
        uploaded_at=timezone.now() - STALLED_AFTER * 2,
        original_name="waiting.pdf",
        size=10,
        sha256="x",
    )
    page = client.get(reverse("tracker:report_import_detail", args=[found.uuid])).content.decode()
    assert "Reading the report" in page
    assert "background worker may not be running" in page
    status = client.get(reverse("tracker:report_import_status", args=[found.uuid])).json()
    assert status == {"state": "queued", "progress": 0, "stage": "", "working": True}


def test_only_importers_may_import_and_only_the_uploader_sees_an_import(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    response = upload(client, PEEL_2015, "peel.txt", django_capture_on_commit_callbacks)
    url = response["Location"]
    for person, status in ((world.owner, 403), (world.reader, 403), (world.outsider, 404)):
        client.force_login(person)
        assert client.get(url).status_code == status, person
        assert client.post(url, {"action": "create"}).status_code == status, person
    assert client.get(reverse("tracker:report_import")).status_code == 200  # Megan coordinates
    client.force_login(world.owner)
    assert client.get(reverse("tracker:report_import")).status_code == 403


def test_a_coordinator_cannot_import_for_another_force(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    response = upload(client, PEEL_2015, "peel.txt", django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    forged = preview_data(
        page.context, action="create", **{"report-forces": [str(world.staffs.id)]}
    )
    result = client.post(response["Location"], forged)
    assert result.status_code == 400
    assert "Select a valid choice" in result.content.decode()
    assert Report.objects.count() == 1


def test_a_preview_from_an_older_draft_is_refused_and_changes_nothing(
    client, world, django_capture_on_commit_callbacks
):
    """Two tabs: one splits a finding and saves; the other, still showing the old draft,
    must not pair its rows with the new findings."""
    client.force_login(world.pcc)
    response = upload(client, PCC_RESPONSE_2018, "response.txt", django_capture_on_commit_callbacks)
    old_tab = client.get(response["Location"]).context
    new_tab = client.get(response["Location"]).context
    split = preview_data(new_tab, action="apply")
    split["findings-0-text"] += "\n---\nA second cause of concern."
    client.post(response["Location"], split)
    stale = client.post(
        response["Location"],
        preview_data(old_tab, action="create", **{"report-title": "Stale tab"}),
    )
    assert stale.status_code == 400
    assert "This page was out of date" in stale.content.decode()
    assert not Report.objects.filter(title="Stale tab").exists()
    assert len(ReportImport.objects.get().draft["findings"]) == 3


def test_row_errors_are_listed_at_the_top_and_an_unknown_action_is_refused(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.coordinator)
    response = upload(client, PEEL_2015, "peel.txt", django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).context
    blank = client.post(
        response["Location"], preview_data(page, action="create", **{"judgements-0-grade": ""})
    )
    assert blank.status_code == 400
    assert "Judgement 1, grade: This field is required." in blank.content.decode()
    odd = client.post(response["Location"], preview_data(page, action="publish"))
    assert odd.status_code == 400
    assert "Choose one of the buttons" in odd.content.decode()
    assert Report.objects.count() == 1


def test_a_force_sent_twice_counts_once(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.coordinator)
    response = upload(client, PEEL_2015, "peel.txt", django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).context
    twice = {"report-forces": [str(world.wmp.id), str(world.wmp.id)], "report-title": "Once"}
    client.post(response["Location"], preview_data(page, action="create", **twice))
    report = Report.objects.get(title="Once")
    assert not report.national
    assert list(report.forces.all()) == [world.wmp]


def test_an_update_adds_without_changing_grades_and_keeps_parents(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.pcc)
    first = upload(client, PCC_RESPONSE_2018, "response.txt", django_capture_on_commit_callbacks)
    client.post(
        first["Location"], preview_data(client.get(first["Location"]).context, action="create")
    )
    report = Report.objects.exclude(pk=world.report.pk).get()
    grades = dict(report.judgements.values_list("area", "grade"))
    cause = report.findings.get(kind="cause_of_concern")

    second = upload(client, PCC_RESPONSE_2018, "again.txt", django_capture_on_commit_callbacks)
    page = client.get(second["Location"]).context
    data = preview_data(page, action="update")
    data["judgements-3-grade"] = "Outstanding"  # an existing grade: not changed by an update
    data["findings-1-text"] += " (as revised)"  # a new wording: a new recommendation
    client.post(second["Location"], data)
    assert dict(report.judgements.values_list("area", "grade")) == grades
    revised = report.findings.get(text__endswith="(as revised)")
    assert revised.parent == cause  # tied to the cause of concern already there


def test_an_update_never_takes_over_another_forces_report(world):
    found = ReportImport.objects.create(
        uploaded_by=world.outsider,
        uploaded_at=timezone.now(),
        original_name="x.txt",
        size=1,
        sha256="y",
        state="ready",
        draft={
            "title": world.report.title,
            "published_on": world.report.published_on.isoformat(),
            "forces": [world.staffs.id],
            "findings": [],
            "judgements": [],
        },
    )
    with pytest.raises(ValidationError, match="force you do not import for"):
        import_update(report_import=found, report=world.report, by=world.outsider)
    assert list(world.report.forces.all()) == [world.wmp]
