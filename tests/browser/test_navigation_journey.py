"""Navigation that fits the role, in a real browser with axe: the PCC office signs in (with
its code) and lands on its statutory responses, without "My items"; the reports published
before the statutory period are apart, and "Respond anyway" starts one's response."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tests.demo_pages import PERSONAS

pytestmark = pytest.mark.browser


def test_the_pcc_office_lands_on_its_statutory_responses(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, PERSONAS["pcc"])
    page.wait_for_url(f"{base}/responses/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statutory responses")
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Statutory responses")).to_have_attribute(
        "aria-current", "page"
    )
    expect(nav.get_by_role("link", name="My items")).to_have_count(0)
    expect(nav.get_by_role("link", name="Admin site")).to_have_count(0)

    apart = page.locator("details#no-statutory-period")
    expect(apart).to_contain_text("Published before the statutory period applied (2 May 2017)")
    apart.locator("summary").click()
    expect(apart.get_by_role("button", name="Respond anyway").first).to_be_visible()
    check_accessibility(page, "navigation-pcc-responses")

    apart.get_by_role("button", name="Respond anyway to PEEL: Police effectiveness 2015").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You have started the response"
    )
    check_accessibility(page, "navigation-pcc-response-started")
