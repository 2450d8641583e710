"""The owner filter's type-ahead in a real browser (issue 16): suggestions as you type, a
choice that filters the list, and people's names shown as text, never as markup."""

import pytest
from playwright.sync_api import expect

from accounts.models import Organisation, Role, RoleAssignment, User
from tests.browser.pages import check_accessibility, sign_in

pytestmark = pytest.mark.browser

MARKUP_NAME = '<a href="https://evil.example/">Reset your password</a> Priyanka'


def test_the_coordinator_types_part_of_a_name_and_picks_the_owner(page, live_server, demo):
    wmp = Organisation.objects.get(code="west-midlands-police")
    odd = User.objects.create_user("odd@wmp.example", "x" * 20, full_name=MARKUP_NAME)
    odd.organisation = wmp
    odd.save()
    RoleAssignment.objects.create(user=odd, role=Role.FORCE_STAFF)
    base = live_server.url
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/items/")
    page.get_by_text("More filters").click()
    owner = page.get_by_label("Owner", exact=True)
    owner.fill("")
    owner.press_sequentially("pri", delay=50)
    options = page.get_by_role("option")
    expect(options.filter(has_text="Priya Shah")).to_have_count(1)
    # The name with markup is a suggestion like any other, shown as its text.
    expect(options.filter(has_text="Reset your password")).to_have_count(1)
    assert page.locator('[role="listbox"] a').count() == 0
    assert "<a href" in options.filter(has_text="Reset your password").inner_text()
    check_accessibility(page, "owner-typeahead")

    options.filter(has_text="Priya Shah").click()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("load")
    rows = page.locator("table tbody tr")
    assert rows.count() > 0
    for n in range(rows.count()):
        assert "Priya Shah" in rows.nth(n).inner_text()
