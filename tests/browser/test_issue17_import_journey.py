"""Issue 17 in a real browser, with axe on every page: a coordinator imports the demo's scanned
PDF (read by OCR, and the preview says so), then the inspectorate's register entry for the
demo's 2017 recommendation (its dated statuses land on the item, no new finding), and a
register page with no recommendation gets a plain message and no button."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker.models import Finding, InspectorateStatus, Report, TrackedItem

pytestmark = pytest.mark.browser

SAMPLES = Path(settings.FIXTURES_DIR) / "samples"
NO_RESULTS = (
    Path(__file__).resolve().parents[1]
    / "extraction_samples"
    / "register"
    / "search_no_results.html"
)


def upload(page, base, path: Path):
    page.goto(f"{base}/reports/import/")
    page.get_by_label("Upload the report").set_input_files(str(path))
    page.get_by_role("button", name="Upload and read").click()


def test_a_scanned_report_is_read_by_ocr_and_created(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    sign_in(page, base, "grace.okafor@wmp.example")
    upload(page, base, SAMPLES / "west-midlands-peel-2023-scan.pdf")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check what was found", timeout=90_000
    )
    expect(main).to_contain_text("read by text recognition (OCR)")
    expect(main).to_contain_text("pages 1–2")
    check_accessibility(page, "issue17-scan-preview")

    page.get_by_role("button", name="Create the report and its items").click()
    expect(main).to_contain_text("The report is created with")
    check_accessibility(page, "issue17-scan-created")
    # OCR may read the title's en dashes as hyphens: "PEEL 2023-25 – An inspection of ...".
    report = Report.objects.get(
        title__startswith="PEEL 2023", title__endswith="An inspection of West Midlands Police"
    )
    assert report.report_type == "peel"
    kinds = sorted(report.findings.values_list("kind", flat=True))
    assert kinds == [
        "area_for_improvement",
        "area_for_improvement",
        "cause_of_concern",
        "recommendation",
        "recommendation",
    ]


def test_a_register_entry_brings_its_statuses_onto_the_item(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    report = Report.objects.get(key="peel-effectiveness-2017-west-midlands")
    findings_before = Finding.objects.filter(report=report).count()
    sign_in(page, base, "grace.okafor@wmp.example")
    upload(page, base, SAMPLES / "west-midlands-register-entry.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what was found")
    expect(main).to_contain_text("Awaiting review")
    expect(main).to_contain_text("Being progressed")
    check_accessibility(page, "issue17-register-preview")

    page.get_by_role("button", name="Add it to the report chosen").click()
    expect(main).to_contain_text("3 dated statuses from the inspectorate's register")
    assert Finding.objects.filter(report=report).count() == findings_before
    item = TrackedItem.objects.get(finding__report=report, finding__kind="recommendation")
    statuses = list(
        InspectorateStatus.objects.filter(item=item)
        .order_by("stated_on")
        .values_list("status", flat=True)
    )
    assert statuses == ["awaiting_review", "being_progressed", "complete"]

    page.goto(f"{base}/items/{item.uuid}/")
    section = page.locator("#inspectorate-status").locator("xpath=..")
    expect(section).to_contain_text("Complete")
    expect(section).to_contain_text("4 February 2019")
    check_accessibility(page, "issue17-item-inspectorate-status")

    # The same page again adds nothing.
    upload(page, base, SAMPLES / "west-midlands-register-entry.html")
    page.get_by_role("button", name="Add it to the report chosen").click()
    assert InspectorateStatus.objects.filter(item=item).count() == 3


def test_a_register_page_with_no_recommendation_is_refused_plainly(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    reports_before = Report.objects.count()
    sign_in(page, base, "daniel.hughes@pcc.example")
    upload(page, base, NO_RESULTS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what was found")
    expect(main).to_contain_text("no recommendation in it, so there is nothing to import")
    expect(page.get_by_role("button", name="Add it to the report chosen")).to_have_count(0)
    expect(page.get_by_role("button", name="Create the report and its items")).to_have_count(0)
    check_accessibility(page, "issue17-register-empty")
    assert Report.objects.count() == reports_before
