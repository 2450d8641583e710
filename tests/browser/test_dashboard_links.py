"""Dashboards that lead somewhere (issue 14), in a real browser with axe: the national reader's
dashboard (forces without items folded away, the table sorted by a column), one force's
dashboard reached from its row, and a figure followed to its list."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in

pytestmark = pytest.mark.browser


def test_the_national_reader_goes_from_all_forces_to_one_and_to_its_items(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    sign_in(page, base, "sam.patel@hmicfrs.example")
    page.goto(f"{base}/dashboard/")
    expect(main).to_contain_text("Forces side by side")
    expect(main).to_contain_text("have no items tracked yet")
    check_accessibility(page, "dashboard-links-national")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"national dashboard height: {height} px")
    # 4,566 px before the forces without items were folded away; 3,050 px with the chart labels
    # on their own lines above the bars (issue 21: room for wider text spacing); 5,861 px with
    # issue 18's sample national recommendation (a dozen forces with items, so every per-force
    # table and chart has four times the rows) and its sections (the national recommendations
    # with the least progress, the inspectorate's latest status).
    assert height < 6200

    page.get_by_text("have no items tracked yet").click()  # the folded forces open
    expect(main.locator("details[open] li").first).to_be_visible()
    check_accessibility(page, "dashboard-links-national-folded-open")

    # The heading sorts the forces, largest first.
    follow(page, "Overdue (sort the forces by this column)", exact=True)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Overdue")
    check_accessibility(page, "dashboard-links-national-sorted")

    follow(page, "West Midlands Police dashboard", exact=True)
    expect(page.locator("h1")).to_have_text("West Midlands Police")
    check_accessibility(page, "dashboard-links-force")

    figure = main.locator(".app-figures a").first  # the open items, linked
    shown = figure.evaluate("a => a.firstChild.textContent.trim()")
    figure.click()
    page.wait_for_url("**/items/?**")
    expect(main).to_contain_text(f"{shown} item")
    check_accessibility(page, "dashboard-links-force-open-items")
