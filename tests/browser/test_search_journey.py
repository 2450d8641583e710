"""Search from the header box and saving a view of a list, in a real browser with axe."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker.models import SavedView

pytestmark = pytest.mark.browser


def test_grace_searches_for_priya_and_saves_a_shared_view(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "grace.okafor@wmp.example")

    # The header's search box, labelled "Search", sends a plain GET form.
    page.get_by_role("search", name="Search the tracker").get_by_label("Search").fill("Priya")
    page.get_by_role("search", name="Search the tracker").get_by_role(
        "button", name="Search"
    ).click()
    page.wait_for_url(re.compile(r"/search/\?q=Priya"))
    expect(page.get_by_role("heading", name=re.compile(r"^Items"))).to_be_visible()
    expect(page.locator("mark").first).to_have_text(re.compile("Priya", re.IGNORECASE))
    check_accessibility(page, "search-results")

    # An empty search says what to do.
    page.locator("#search-page-q").fill("")
    page.locator("main").get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a word or two")
    check_accessibility(page, "search-empty")

    # Save a view of All items (the list's "Save this view" link leads here).
    query = quote("status=in_progress&sort=-due", safe="")
    page.goto(f"{base}/saved-views/new/?list=item_list&query={query}")
    check_accessibility(page, "save-view")
    page.get_by_label("Name this view").fill("In progress, latest due first")
    page.get_by_label("Share this view with my colleagues").check()
    page.get_by_role("button", name="Save view").click()
    page.wait_for_url(re.compile(r"/items/\?status=in_progress&sort=-due"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You saved the view"
    )
    view = SavedView.objects.get(name="In progress, latest due first")
    assert view.shared

    page.goto(f"{base}/saved-views/")
    expect(page.get_by_role("link", name="In progress, latest due first")).to_be_visible()
    check_accessibility(page, "saved-views")
