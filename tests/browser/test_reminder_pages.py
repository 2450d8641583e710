"""Deadlines, notifications, email settings and reminder health in a real browser, with axe."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.pages import check_accessibility, follow, sign_in
from tests.factories import make_finding, make_item, make_report
from tracker.models import Deadline, ReportType

pytestmark = pytest.mark.browser


def test_the_pcc_office_sees_its_deadline_and_its_reminder(page, live_server, demo):
    base = live_server.url
    call_command("run_reminders")
    sign_in(page, base, "daniel.hughes@pcc.example")
    expect(page.locator(".app-account-bar")).to_contain_text("Notifications")
    page.get_by_role("link", name="Notifications").click()
    expect(page.locator("main")).to_contain_text("PCC's comments on the report: due in 5 days")
    check_accessibility(page, "notifications")

    page.get_by_role("link", name="PCC's comments on the report: due in 5 days").click()
    expect(page.locator("main")).to_contain_text("5 days left")
    expect(page.locator("main")).to_contain_text(
        "56 days beginning with the day the report is published"
    )
    check_accessibility(page, "statutory-deadline")

    page.goto(f"{base}/reports/peel-effectiveness-2017-west-midlands/")
    expect(page.locator("main")).to_contain_text("16 May 2018")
    expect(page.locator("main")).to_contain_text("Published 1 day late")
    page.goto(f"{base}/reports/peel-effectiveness-2015-west-midlands/")
    expect(page.locator("main")).to_contain_text("No statutory deadline")
    check_accessibility(page, "no-statutory-deadline")

    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("main")).to_contain_text("marked as read")


def test_a_person_switches_to_a_weekly_digest_with_the_keyboard(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "priya.shah@wmp.example")
    follow(page, "Email settings")
    check_accessibility(page, "email-settings")
    page.get_by_label("One email a week with all my reminders").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save email settings").press("Enter")
    expect(page.locator("main")).to_contain_text("Your email settings have been saved")
    assert User.objects.get(email="priya.shah@wmp.example").reminder_delivery == "weekly"


def test_the_coordinator_extends_an_iopc_deadline(page, live_server, demo):
    base = live_server.url
    wmp = User.objects.get(email="grace.okafor@wmp.example").organisation
    report = make_report(
        forces=[wmp], published_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    report.report_type = ReportType.IOPC_RECOMMENDATIONS
    report.save()
    item = make_item(
        make_finding(report, text="The force should review its custody handover checks."),
        wmp,
        owner=User.objects.get(email="tom.ellis@wmp.example"),
    )
    deadline = Deadline.objects.get(item=item, rule__key="iopc-recommendation")
    new_date = deadline.due_on + datetime.timedelta(days=21)

    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/items/{item.uuid}/")
    page.get_by_role("link", name="Extend or pause Response to an IOPC recommendation").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what you want to record")
    check_accessibility(page, "deadline-change-errors")
    page.get_by_label("An extension").check()
    page.get_by_label("Date", exact=True).fill(new_date.strftime("%d/%m/%Y"))
    page.get_by_label("Reason").fill("Applied for before expiry: awaiting the hearing.")
    page.get_by_label("Who granted it (the Director General)").fill("IOPC casework manager")
    page.get_by_label("When did the Director General receive the application?").fill(
        timezone.localdate().strftime("%d/%m/%Y")
    )
    page.get_by_label("When was it granted? (extensions only)").fill(
        timezone.localdate().strftime("%d/%m/%Y")
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Original deadline")
    expect(page.locator("main")).to_contain_text(new_date.strftime("%-d %B %Y"))
    check_accessibility(page, "item-with-extended-deadline")


def test_the_administrator_sees_reminder_health(page, live_server, demo):
    base = live_server.url
    call_command("run_reminders")
    sign_in(page, base, "alex.morgan@admin.example")
    page.get_by_role("link", name="Reminder health").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminder health")
    expect(page.locator("main")).not_to_contain_text("has not run")
    check_accessibility(page, "reminder-health")
