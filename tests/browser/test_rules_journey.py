"""The Deadline rules page in a real browser (issue 22): reached from the navigation and from a
deadline, checked with axe, and looked at in a screenshot."""

import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker import deadlines

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS", "")


def test_the_pcc_office_reads_the_rule_behind_its_deadline(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "daniel.hughes@pcc.example")
    page.get_by_role("link", name="Deadline rules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deadline rules")
    today = timezone.localdate()
    expect(page.locator("#s55-pcc-comments")).to_contain_text(
        f"A report published today, {deadlines.format_day(today)}, would be due on"
    )
    expect(page.locator("#iopc-recommendation")).to_contain_text(
        "only following an application received before the end of the period"
    )
    check_accessibility(page, "deadline-rules")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "rules.png"), full_page=True)

    page.goto(f"{base}/reports/peel-effectiveness-2017-west-midlands/")
    page.get_by_role("link", name="How this rule works").first.click()
    expect(page).to_have_url(f"{base}/rules/#s55-pcc-comments")
    expect(page.locator("#s55-pcc-comments")).to_contain_text("s55(5A) Police Act 1996")


def test_the_coordinator_records_the_iopc_response_and_reads_its_rule(page, live_server, demo):
    import datetime

    from accounts.models import User
    from tests.factories import make_finding, make_item, make_report
    from tracker.models import ReportType

    base = live_server.url
    wmp = User.objects.get(email="grace.okafor@wmp.example").organisation
    made = timezone.localdate() - datetime.timedelta(days=10)
    report = make_report(forces=[wmp], published_on=made)
    report.report_type = ReportType.IOPC_RECOMMENDATIONS
    report.save()
    item = make_item(
        make_finding(report, text="The force should review its custody handover checks."),
        wmp,
        owner=User.objects.get(email="tom.ellis@wmp.example"),
    )
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/items/{item.uuid}/")
    page.get_by_role(
        "link", name="Record the response or its publication Response to an IOPC recommendation"
    ).click()
    expect(page.locator("main")).to_contain_text("can extend this deadline only on an application")
    page.get_by_label("The response was provided").check()
    page.get_by_label("Date", exact=True).fill(timezone.localdate().strftime("%d/%m/%Y"))
    check_accessibility(page, "deadline-step-form")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "deadline-form.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("The step has been recorded")
    due = deadlines.publication_due(timezone.localdate(), 21)
    expect(page.locator("main")).to_contain_text(
        f"The Director General must publish it by {deadlines.format_day(due)}"
    )
    check_accessibility(page, "item-with-response-step")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "item-steps.png"), full_page=True)
    link = page.locator('a[href="/rules/#iopc-recommendation"]')
    expect(link).to_have_accessible_name(
        re.compile(r"^How this rule works\s+for “Response to an IOPC recommendation”\s*$")
    )
    link.click()
    expect(page).to_have_url(f"{base}/rules/#iopc-recommendation")
