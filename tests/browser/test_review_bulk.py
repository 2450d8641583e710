"""Daniel (the PCC office) ticks two items on the progress review and asks their owners for
an update in one action, in a real browser, with axe on the review (sorted by a column) and
on the confirmation page; "Back" and the end of the action return to the filtered review."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker.models import ProgressReview, TrackedItem

pytestmark = pytest.mark.browser

PCC = "daniel.hughes@pcc.example"


def test_daniel_asks_for_updates_on_two_items_from_the_review(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    sign_in(page, base, PCC)
    page.goto(f"{base}/review/?status=open&sort=-activity")
    header = page.locator('th[aria-sort="descending"]')
    expect(header).to_have_count(1)
    expect(header).to_contain_text("Last update")
    expect(main).to_contain_text("Tracker’s assessment")
    expect(main).to_contain_text("Your office’s rating")
    check_accessibility(page, "review-bulk-list")

    boxes = page.locator('input[name="item"]')
    chosen = [boxes.nth(i).get_attribute("value") for i in (0, 1)]
    for i in (0, 1):
        boxes.nth(i).check()
    page.get_by_label("Action", exact=True).select_option(label="Ask for an update")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for an update")
    expect(main).to_contain_text("2 items selected")
    page.get_by_label("Message to the owners (optional)").fill("Where are these by Friday?")
    page.get_by_role("button", name="Check the changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the changes")
    expect(main).to_contain_text("2 items will change")
    expect(main).to_contain_text("asked for an update")
    back = page.get_by_role("link", name="Back to the list")
    assert back.get_attribute("href") == "/review/?status=open&sort=-activity"
    check_accessibility(page, "review-bulk-confirm")
    page.get_by_role("button", name="Confirm: change 2 items").click()

    expect(main).to_contain_text("Ask for an update: done for 2 items.")
    assert page.url == f"{base}/review/?status=open&sort=-activity"
    items = TrackedItem.objects.filter(uuid__in=chosen)
    requests = ProgressReview.objects.filter(item__in=items, kind="update_request")
    assert requests.filter(text="Where are these by Friday?").count() == 2
    page.screenshot(path="test-artifacts/review-bulk-done.png", full_page=True)
