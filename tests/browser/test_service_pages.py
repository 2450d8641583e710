"""The pages issue 19 added, in a real browser with axe: the page that says someone else
changed an item since yours was loaded (409, keeping what you chose), and the page that
says you have asked for too many PDFs (429)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in
from tracker.models import TrackedItem

pytestmark = pytest.mark.browser


def test_a_change_from_a_stale_page_is_refused_saying_who_changed_what(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "grace.okafor@wmp.example")
    item = TrackedItem.objects.get(finding__key="peel-effectiveness-2015-west-midlands:afi-5")
    page.goto(f"{base}/items/{item.uuid}/")
    follow(page, "Change owner")
    # The same page in a second tab, loaded before the first tab saves.
    stale = page.context.new_page()
    stale.goto(page.url)

    owner = page.get_by_label("Owner")
    current = owner.locator("option:checked").inner_text()
    names = [n for n in owner.locator("option").all_inner_texts() if n not in (current, "No owner")]
    new_owner = names[0]
    owner.select_option(label=new_owner)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".moj-timeline")).to_contain_text(f"Owner: {new_owner}")

    lead = stale.get_by_label("Accountable lead")
    lead_before = lead.locator("option:checked").inner_text()
    leads = [
        n for n in lead.locator("option").all_inner_texts() if n not in (lead_before, "No lead")
    ]
    new_lead = leads[0]
    lead.select_option(label=new_lead)
    stale.get_by_role("button", name="Save").click()
    summary = stale.locator(".govuk-error-summary")
    expect(summary).to_contain_text(re.compile(r"You changed this item at \d"))
    expect(summary).to_contain_text(new_owner)
    expect(summary).to_contain_text("Your changes have not been saved")
    # What was chosen is kept; what was left alone shows the item as it is now.
    assert lead.locator("option:checked").inner_text() == new_lead
    assert stale.get_by_label("Owner").locator("option:checked").inner_text() == new_owner
    check_accessibility(stale, "item-conflict")
    item.refresh_from_db()
    assert item.owner.full_name == new_owner
    assert (item.lead.full_name if item.lead else "No lead") == lead_before  # not saved


def test_too_many_pdfs_at_once_get_a_plain_page(page, live_server, demo, settings):
    settings.RATE_LIMIT_PDF = 1
    base = live_server.url
    sign_in(page, base, "grace.okafor@wmp.example")
    first = page.request.get(f"{base}/board-pack.pdf")
    assert first.status == 200
    assert first.headers["content-type"] == "application/pdf"
    # The limit counts in fixed one-minute windows: if the first PDF was the last of one
    # window, the second is the first of the next, and the third is refused.
    refused = page.request.get(f"{base}/board-pack.pdf")
    if refused.status == 200:
        refused = page.request.get(f"{base}/board-pack.pdf")
    assert refused.status == 429
    response = page.goto(f"{base}/board-pack.pdf")  # the same window: the page, not a PDF
    assert response.status == 429
    assert int(response.headers["retry-after"]) > 0
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Try again in")
    check_accessibility(page, "too-many-requests")
