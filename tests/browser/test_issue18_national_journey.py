"""Issue 18 in a real browser, with axe on every page: the national reader (Sam Patel) opens
the demo's national recommendation from the dashboard's "least progress" list and sees every
force's progress: the figures, the chart with its table, each force's row with the
inspectorate's view; West Midlands' coordinator sees the same figures and only her force's row,
and records the inspectorate's status by hand."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker.demo_national import NATIONAL_FINDING
from tracker.models import InspectorateStatus, TrackedItem

pytestmark = pytest.mark.browser


def test_the_national_reader_sees_every_forces_progress(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    sign_in(page, base, "sam.patel@hmicfrs.example")
    page.goto(f"{base}/dashboard/")
    least = page.locator("#national-least-progress")
    expect(least).to_be_visible()
    check_accessibility(page, "issue18-national-dashboard")
    main.get_by_role("link", name="Sample recommendation").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "National recommendation: every force's progress"
    )
    tracked = TrackedItem.objects.filter(finding__key=NATIONAL_FINDING)
    closed = tracked.filter(status="closed").count()
    expect(main).to_contain_text(f"{closed} of {tracked.count()}")
    rows = page.locator("#forces ~ .app-table-wrapper tbody tr")
    expect(rows).to_have_count(tracked.count())
    for name in ("West Midlands Police", "Greater Manchester Police", "Kent Police"):
        expect(main).to_contain_text(name)
    expect(main).to_contain_text("Differs from the force's status")
    check_accessibility(page, "issue18-national-detail")


def test_a_coordinator_sees_the_counts_and_her_own_row_and_records_a_status(
    page, live_server, demo
):
    base = live_server.url
    main = page.locator("main")
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/national/{NATIONAL_FINDING}/")
    rows = page.locator("#forces ~ .app-table-wrapper tbody tr")
    expect(rows).to_have_count(1)
    expect(main).to_contain_text("West Midlands Police")
    expect(main).not_to_contain_text("Greater Manchester Police")
    check_accessibility(page, "issue18-national-detail-force")
    rows.get_by_role("link", name="West Midlands Police").click()
    main.get_by_role("link", name="Record the inspectorate's status").click()
    check_accessibility(page, "issue18-inspectorate-form")
    page.get_by_role("button", name="Record the status").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the status the inspectorate gave"
    )
    check_accessibility(page, "issue18-inspectorate-form-errors")
    page.get_by_label("Complete").check()
    page.get_by_label("Date the inspectorate gave it").fill("yesterday")
    page.get_by_label("Where it was stated").fill("HMICFRS letter to the chief constable")
    page.get_by_role("button", name="Record the status").click()
    expect(main).to_contain_text("The inspectorate's status has been recorded")
    expect(main).to_contain_text("HMICFRS letter to the chief constable")
    assert InspectorateStatus.objects.filter(
        item__finding__key=NATIONAL_FINDING,
        item__force__code="west-midlands-police",
        status="complete",
    ).exists()
