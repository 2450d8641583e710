"""A coordinator imports a report from its PDF in a real browser, with axe on every page:
upload, the duplicate warning (the demo already holds the seed report), corrections, create;
and a file that is not what its name says gets a plain message."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker.extraction.samples import text_to_pdf
from tracker.models import Report, TrackedItem

pytestmark = pytest.mark.browser

SEED = Path(settings.FIXTURES_DIR) / "sources" / "002_d8db408b9b4688bf.txt"


def test_the_coordinator_imports_a_report_from_its_pdf(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    pdf = text_to_pdf(
        SEED.read_text(encoding="utf-8"), header="PEEL: Police effectiveness 2015", footer="HMIC"
    )
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/reports/")
    page.get_by_role("link", name="Import a report from its document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a report")
    check_accessibility(page, "report-import-upload")

    page.get_by_role("button", name="Upload and read").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a file")

    page.get_by_label("Upload the report").set_input_files(
        {"name": "peel-2015.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_role("button", name="Upload and read").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what was found")
    # The demo already holds this report: the page offers to update it instead.
    expect(main).to_contain_text("Already in the tracker")
    expect(page.get_by_role("button", name="Update the existing report")).to_be_visible()
    expect(page.get_by_role("region", name="The document's text")).to_contain_text(
        "areas for improvement"
    )
    check_accessibility(page, "report-import-preview")

    # Corrections: a new title (so it is a separate report), leave the sixth finding out.
    page.get_by_label("Title").fill("PEEL 2015 imported again <b>test</b>")
    page.locator("#id_findings-5-include").uncheck()
    page.get_by_role("button", name="Save changes and check again").click()
    expect(main).to_contain_text("Your changes are saved")
    expect(main).not_to_contain_text("Already in the tracker")
    page.get_by_role("button", name="Create the report and its items").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("PEEL 2015 imported again")
    expect(main).to_contain_text("The report is created with 5 findings and 5 tracked items")
    check_accessibility(page, "report-import-created")
    report = Report.objects.get(title="PEEL 2015 imported again <b>test</b>")
    assert report.findings.count() == 5
    assert TrackedItem.objects.filter(finding__report=report).count() == 5


def test_a_file_that_only_claims_to_be_a_pdf_is_refused_plainly(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "daniel.hughes@pcc.example")
    page.goto(f"{base}/reports/import/")
    page.get_by_label("Upload the report").set_input_files(
        {"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 a program"}
    )
    page.get_by_role("button", name="Upload and read").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The file could not be read")
    expect(page.locator("main")).to_contain_text("is named as a PDF but is not one")
    expect(page.locator("main")).to_contain_text("Nothing was created")
    check_accessibility(page, "report-import-failed")
