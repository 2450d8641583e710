"""The force staff journey in a real browser, with accessibility checks on every page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.pages import check_accessibility, follow, sign_in
from tracker.models import ClosureProposal, ProgressUpdate, Status, TrackedItem

pytestmark = pytest.mark.browser


def test_force_staff_update_an_item_and_propose_closure(page, live_server, demo):
    base = live_server.url
    page.goto(f"{base}/account/sign-in/")
    check_accessibility(page, "sign-in")

    # a wrong password gets the error summary, which is itself accessible
    page.get_by_label("Email address").fill("priya.shah@wmp.example")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    check_accessibility(page, "sign-in-error")

    sign_in(page, base, "priya.shah@wmp.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("My items")
    expect(page.locator("tbody tr")).to_have_count(5)
    expect(page.locator("tbody")).to_contain_text("Overdue")
    check_accessibility(page, "my-items")

    page.get_by_role("link", name=re.compile("The force should use evidence of")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The force should use evidence")
    check_accessibility(page, "item")

    # an empty update is refused with a message linked to the field
    page.get_by_role("link", name="Add an update").click()
    page.get_by_role("button", name="Add update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter what has happened since the last update"
    )
    check_accessibility(page, "update-error")
    page.locator(".govuk-error-summary a").first.click()
    expect(page.locator("#id_text")).to_be_focused()

    # keyboard only: type the update and submit with Enter on the focused button
    page.keyboard.type("Evaluation of two tactics started with the university.")
    page.get_by_role("button", name="Add update").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your update has been added"
    )
    expect(page.locator(".moj-timeline")).to_contain_text("Evaluation of two tactics started")

    follow(page, "Propose closure")
    check_accessibility(page, "propose-closure")
    page.get_by_label("What was done, and why can this item close?").fill(
        "Evaluation complete; tactics adopted force-wide."
    )
    page.get_by_label("No evidence is needed").check()
    page.get_by_label("Why is no evidence needed?").fill(
        "The evaluation report is on the intranet."
    )
    page.get_by_role("button", name="Propose closure").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Closure has been proposed"
    )
    expect(page.locator(".govuk-inset-text")).to_contain_text("someone else")
    check_accessibility(page, "item-proposed")

    item = TrackedItem.objects.get(finding__key="peel-effectiveness-2015-west-midlands:afi-1")
    assert item.status == Status.PROPOSED_FOR_CLOSURE
    assert ProgressUpdate.objects.filter(item=item, text__startswith="Evaluation of two").exists()
    priya = User.objects.get(email="priya.shah@wmp.example")
    assert ClosureProposal.objects.get(item=item, decision__isnull=True).proposed_by == priya


def test_another_force_sees_none_of_it(page, live_server, demo):
    base = live_server.url
    item = TrackedItem.objects.get(finding__key="peel-effectiveness-2015-west-midlands:afi-1")
    sign_in(page, base, "megan.price@staffs.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("All items")
    # Staffordshire's own items only (issue 18's demo gives Megan a few): none of West
    # Midlands'.
    main = page.locator("main")
    expect(main).not_to_contain_text("West Midlands")
    expect(main).not_to_contain_text("The force should use evidence")
    page.goto(f"{base}/items/mine/")
    expect(main).not_to_contain_text("West Midlands")
    check_accessibility(page, "outsider-items")
    response = page.goto(f"{base}/items/{item.uuid}/")
    assert response.status == 404
    assert "The force should use evidence" not in page.content()
    page.goto(f"{base}/reports/")
    expect(page.locator("main")).not_to_contain_text("PEEL: police effectiveness 2017")


def test_the_coordinator_assigns_and_approves(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "grace.okafor@wmp.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("All items")
    page.get_by_role("link", name=re.compile("closure proposal waiting")).click()
    expect(page.locator("tbody tr")).to_have_count(1)
    check_accessibility(page, "coordinator-waiting")
    page.locator("tbody a").first.click()
    follow(page, "Approve or return")
    check_accessibility(page, "decision")
    page.get_by_label("Approve closure").check()
    page.get_by_label("Comments").fill("Profile seen at the partnership board.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your decision has been recorded"
    )
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Closed")

    page.goto(f"{base}/items/")
    page.get_by_role("link", name=re.compile("The force should improve the awareness")).click()
    follow(page, "Change owner")
    check_accessibility(page, "assign")
    page.get_by_label("Owner").select_option(label="Tom Ellis")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".moj-timeline")).to_contain_text("Owner: Tom Ellis")

    page.goto(f"{base}/reports/peel-effectiveness-2017-west-midlands/")
    check_accessibility(page, "report")


def test_pages_fit_a_phone_screen(page, live_server, demo):
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, base, "grace.okafor@wmp.example")
    item = TrackedItem.objects.get(finding__key="peel-effectiveness-2015-west-midlands:afi-5")
    for path in (
        "/items/",
        "/items/mine/",
        f"/items/{item.uuid}/",
        "/reports/",
        "/reports/baseline-2006-west-midlands/",
    ):
        page.goto(base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    check_accessibility(page, "report-phone")
    # the deadline is in view on a phone without scrolling the table sideways
    page.goto(base + "/items/")
    box = page.get_by_role("columnheader", name="Due").bounding_box()
    assert box["x"] + box["width"] <= 390
    check_accessibility(page, "items-phone")
