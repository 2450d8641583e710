"""Grace gives every item of a freshly imported report (no owner, no due date) an owner and
a due date in one bulk action, in a real browser, with axe on the choose and confirm pages."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organisation, User
from tests.browser.pages import check_accessibility, sign_in
from tests.factories import make_finding, make_item, make_report
from tracker.models import AuditEvent, TrackedItem

pytestmark = pytest.mark.browser


def test_grace_gives_a_new_reports_items_an_owner_and_a_due_date(page, live_server, demo):
    base = live_server.url
    wmp = Organisation.objects.get(code="west-midlands-police")
    report = make_report(forces=[wmp], title="Custody: a new thematic inspection")
    items = [
        make_item(make_finding(report, text=f"The force should improve custody record {n}."), wmp)
        for n in range(1, 16)
    ]
    priya = User.objects.get(email="priya.shah@wmp.example")
    due = timezone.localdate() + datetime.timedelta(days=120)

    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/items/?report={report.key}&sort=finding")
    expect(page.locator("main")).to_contain_text("15 items")
    page.get_by_label("Select all 15 items matching these filters").check()
    page.get_by_label("Action", exact=True).select_option(
        label="Choose the owner and accountable lead"
    )
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Choose the owner and accountable lead"
    )
    check_accessibility(page, "bulk-choose")
    page.get_by_label("Owner", exact=True).select_option(label="Priya Shah")
    page.get_by_label("Due date (optional)").fill(due.strftime("%d/%m/%Y"))
    page.get_by_label("Why is the due date").fill("Agreed at the custody board")
    page.get_by_role("button", name="Check the changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the changes")
    expect(page.locator("main")).to_contain_text("15 items will change")
    expect(page.locator("main")).to_contain_text(
        f"Owner nobody → Priya Shah and due date not set → {due:%-d %B %Y}"
    )
    check_accessibility(page, "bulk-confirm")
    page.get_by_role("button", name="Confirm: change 15 items").click()

    expect(page.locator("main")).to_contain_text("done for 15 items")
    changed = TrackedItem.objects.filter(pk__in=[i.pk for i in items])
    assert set(changed.values_list("owner_id", "due_date")) == {(priya.pk, due)}
    assert AuditEvent.objects.filter(object_id__in=[str(i.uuid) for i in items]).count() >= 45
    page.screenshot(path="test-artifacts/bulk-done.png", full_page=True)
