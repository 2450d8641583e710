"""The preview of the demo's planned 2028 hand-over of the West Midlands PCC's functions
(issue 22) in a real browser: reached from the transfers list, checked with axe, and looked at
in a screenshot; the form's refusal of a transfer to itself, checked too."""

import datetime
import os
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker import function_transfers
from tracker.models import FunctionTransfer

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS", "")


def test_the_administrator_previews_the_2028_hand_over(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "alex.morgan@admin.example")
    page.goto(f"{base}/transfers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfers of functions")
    check_accessibility(page, "function-transfer-list")
    page.get_by_role("link", name="West Midlands Police and Crime Commissioner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "West Midlands Police and Crime Commissioner to Mayor of the West Midlands"
    )
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "8 May 2028 is a placeholder: the law has not fixed the day yet"
    )
    expect(page.get_by_text("Daniel Hughes", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Carry out now")).to_have_count(0)
    check_accessibility(page, "function-transfer-preview")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "function-transfer-preview.png"), full_page=True)

    page.goto(f"{base}/transfers/new/")
    page.get_by_label("From (the body whose functions pass on)").select_option(
        label="Staffordshire Commissioner for Police, Fire and Rescue and Crime"
    )
    page.get_by_label("To (the successor)").select_option(
        label="Staffordshire Commissioner for Police, Fire and Rescue and Crime"
    )
    page.get_by_label("Day the functions pass").fill("8/5/2028")
    page.get_by_label("No, it is a placeholder until the law fixes the day").check()
    page.get_by_label("Legal basis", exact=True).fill("Subject to legislation.")
    page.get_by_role("button", name="Record the transfer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "A body's functions cannot pass to itself: choose its successor."
    )
    check_accessibility(page, "function-transfer-form-error")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "function-transfer-form.png"), full_page=True)


def test_once_carried_out_the_page_says_what_moved(page, live_server, demo):
    transfer = FunctionTransfer.objects.get()
    on_the_day = datetime.datetime(2028, 5, 8, 0, 15, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    function_transfers.transfer_carry_out(transfer=transfer, by=None, now=on_the_day)
    base = live_server.url
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/transfers/{transfer.uuid}/")
    expect(page.get_by_role("heading", name="What moved")).to_be_visible()
    # The demo's sample report's and issue 18's sample national report's.
    expect(page.get_by_text("2 open statutory responses passed to the successor")).to_be_visible()
    expect(page.get_by_role("button")).not_to_contain_text(["Carry out now"])
    check_accessibility(page, "function-transfer-carried-out")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "function-transfer-done.png"), full_page=True)


def test_the_old_bodys_public_page_points_to_the_successor(page, live_server, demo):
    transfer = FunctionTransfer.objects.get()
    on_the_day = datetime.datetime(2028, 5, 8, 9, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    function_transfers.transfer_carry_out(transfer=transfer, by=None, now=on_the_day)
    with time_machine.travel(on_the_day, tick=True):
        page.goto(f"{live_server.url}/public/west-midlands-pcc/")
        expect(page.locator(".govuk-inset-text")).to_contain_text(
            "The functions of West Midlands Police and Crime Commissioner passed to Mayor of "
            "the West Midlands on 8 May 2028."
        )
        check_accessibility(page, "function-transfer-public-note")
        if SHOTS:
            shot = os.path.join(SHOTS, "function-transfer-public.png")
            page.screenshot(path=shot, full_page=True)
        page.get_by_role("link", name="Responses of Mayor of the West Midlands").click()
        expect(page.locator("h1")).to_have_text("HMICFRS reports and responses")
        expect(page.locator(".govuk-caption-l")).to_have_text("Mayor of the West Midlands")
