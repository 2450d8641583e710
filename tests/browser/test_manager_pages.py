"""Managers' pages in a real browser, with axe: the dashboard with its charts, the overdue
report and its exports, the board pack, and the national reader's all-forces view."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in

pytestmark = pytest.mark.browser


def test_the_coordinator_sees_the_overdue_report_and_dashboard_and_exports(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    sign_in(page, base, "grace.okafor@wmp.example")
    page.get_by_role("link", name="Dashboard").click()
    expect(main).to_contain_text("Your force")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    check_accessibility(page, "dashboard-coordinator")

    page.get_by_role("link", name="The overdue report").click()
    expect(main).to_contain_text("overdue item")
    check_accessibility(page, "overdue")
    follow(page, "Report", exact=True)
    check_accessibility(page, "overdue-by-report")

    with page.expect_download() as got:
        page.get_by_role("link", name="Download as CSV", exact=True).click()
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Force"
    assert len(rows) >= 2
    assert {r[0] for r in rows[1:]} == {"West Midlands Police"}
    with page.expect_download() as got:
        page.get_by_role("link", name="Download as Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
    assert sheet.max_row == len(rows) + 1  # the protective marking's row above the header

    page.goto(f"{base}/board-pack/")
    expect(main).to_contain_text("The overdue report")
    check_accessibility(page, "board-pack")


def test_the_national_reader_sees_all_forces_side_by_side(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "sam.patel@hmicfrs.example")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator("main")).to_contain_text("All forces")
    expect(page.locator("main")).to_contain_text("Overdue items by force")
    check_accessibility(page, "dashboard-national")
    page.goto(f"{base}/items/?force=999999&due_after=31%2F02%2F2027")
    expect(page.locator("main")).to_contain_text("was ignored")
    check_accessibility(page, "items-bad-filters")
