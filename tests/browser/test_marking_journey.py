"""Protective marking (issue 21) in a real browser: the item page shows the marking at the
top; the force coordinator changes it; a colleague sees it but has no way to change it; axe on
every page."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in
from tracker.models import AuditEvent, TrackedItem

pytestmark = pytest.mark.browser

COORDINATOR = "grace.okafor@wmp.example"
COLLEAGUE = "tom.ellis@wmp.example"
PCC = "daniel.hughes@pcc.example"
# The demo's OFFICIAL-SENSITIVE item (tracker/demo.py): the overdue area for improvement 2.
SENSITIVE_ITEM = "peel-effectiveness-2015-west-midlands:afi-2"
# Where to keep extra screenshots (besides test-artifacts/), if asked.
SHOTS = os.environ.get("MARKING_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_coordinator_sees_and_changes_an_items_marking(page, live_server, demo):
    base = live_server.url
    item = TrackedItem.objects.get(finding__key=SENSITIVE_ITEM)
    marking = page.locator("#protective-marking")

    sign_in(page, base, COORDINATOR)
    page.goto(f"{base}/items/{item.uuid}/")
    expect(marking).to_contain_text("OFFICIAL-SENSITIVE")
    check_accessibility(page, "marking-item-page")
    shot(page, "item-page-sensitive")

    follow(page, "Change the protective marking")
    expect(page.locator("h1")).to_have_text("Protective marking of this item")
    expect(page.get_by_label(re.compile(r"^OFFICIAL-SENSITIVE"))).to_be_checked()
    check_accessibility(page, "marking-form")
    shot(page, "marking-form")

    page.get_by_label(re.compile(r"^OFFICIAL(:|$)")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The protective marking has been saved"
    )
    expect(marking).to_contain_text("OFFICIAL")
    expect(marking).not_to_contain_text("SENSITIVE")
    check_accessibility(page, "marking-item-page-changed")
    shot(page, "item-page-changed")
    event = AuditEvent.objects.filter(object_id=str(item.uuid), note="Protective marking").latest(
        "id"
    )
    assert event.changes["marking"] == ["OFFICIAL-SENSITIVE", "OFFICIAL"]
    assert event.actor.email == COORDINATOR

    # Back to inheriting: the force's default (OFFICIAL) still shows.
    follow(page, "Change the protective marking")
    page.get_by_label("No marking of its own", exact=False).check()
    page.get_by_role("button", name="Save").click()
    expect(marking).to_contain_text("OFFICIAL")
    assert TrackedItem.objects.get(pk=item.pk).marking_id is None
    page.get_by_role("button", name="Sign out").click()

    # A colleague in the force sees the marking, with no link to change it.
    sign_in(page, base, COLLEAGUE)
    page.goto(f"{base}/items/{item.uuid}/")
    expect(marking).to_contain_text("OFFICIAL")
    expect(page.get_by_role("link", name="Change the protective marking")).to_have_count(0)
    check_accessibility(page, "marking-item-page-colleague")
    shot(page, "item-page-colleague")


def test_the_pcc_office_marks_a_report_and_a_response(page, live_server, demo):
    """The 2017 report (West Midlands alone) and its published 2018 response: both inherit
    the force's OFFICIAL; the office marks the report OFFICIAL-SENSITIVE, which the response's
    drafts then inherit, and gives the response a marking of its own."""
    base = live_server.url
    marking = page.locator("#protective-marking")
    report = "peel-effectiveness-2017-west-midlands"

    sign_in(page, base, PCC)
    page.goto(f"{base}/reports/{report}/")
    expect(marking).to_contain_text("OFFICIAL")
    follow(page, "Change the protective marking")
    expect(page.locator("h1")).to_have_text("Protective marking of this report")
    check_accessibility(page, "marking-report-form")
    shot(page, "report-form")
    page.get_by_label(re.compile(r"^OFFICIAL-SENSITIVE")).check()
    page.get_by_role("button", name="Save").click()
    expect(marking).to_contain_text("OFFICIAL-SENSITIVE")
    check_accessibility(page, "marking-report-page")
    shot(page, "report-page")

    page.goto(f"{base}/responses/{report}/west-midlands-police/")
    expect(marking).to_contain_text("OFFICIAL-SENSITIVE")  # inherited from the report
    follow(page, "Change the protective marking")
    expect(page.locator("main")).to_contain_text("This marks the drafts")
    check_accessibility(page, "marking-response-form")
    shot(page, "response-form")
    page.get_by_label(re.compile(r"^OFFICIAL(:|$)")).check()
    page.get_by_role("button", name="Save").click()
    expect(marking).to_contain_text("OFFICIAL")
    expect(marking).not_to_contain_text("SENSITIVE")
    check_accessibility(page, "marking-response-page")
    shot(page, "response-page")
