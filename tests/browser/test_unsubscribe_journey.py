"""The one-click unsubscribe link of an email, opened in a real browser by someone who is not
signed in: the page asks first (a GET changes nothing), the button switches the kind off; a
changed link says it does not work. With axe on each page."""

import os

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.pages import check_accessibility
from tracker.models import AuditEvent
from tracker.reminders.unsubscribe import EACH, unsubscribe_path

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS")  # a folder to keep screenshots in, when set


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_person_unsubscribes_from_reminder_emails_with_the_button(page, live_server, demo):
    priya = User.objects.get(email="priya.shah@wmp.example")
    url = live_server.url + unsubscribe_path(priya.pk, EACH)

    page.goto(url)
    expect(page.locator("h1")).to_have_text("Unsubscribe")
    expect(page.locator("main")).to_contain_text(
        "Stop sending an email for each reminder and notice to priya.shah@wmp.example?"
    )
    check_accessibility(page, "unsubscribe")
    shot(page, "unsubscribe-ask")
    priya.refresh_from_db()
    assert priya.reminder_delivery == "each", "opening the link changes nothing"

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("Unsubscribed")
    expect(page.locator("main")).to_contain_text("one email a week, on Monday morning")
    check_accessibility(page, "unsubscribed")
    shot(page, "unsubscribe-done")
    priya.refresh_from_db()
    assert priya.reminder_delivery == "weekly"
    assert AuditEvent.objects.filter(
        note="Switched off from the unsubscribe link in an email"
    ).exists()


def test_a_changed_link_says_it_does_not_work(page, live_server, demo):
    priya = User.objects.get(email="priya.shah@wmp.example")
    url = live_server.url + unsubscribe_path(priya.pk, EACH).replace(".each:", ".overdue:")

    page.goto(url)
    expect(page.locator("h1")).to_have_text("This unsubscribe link does not work")
    expect(page.locator("main")).to_contain_text("Nothing has been switched off.")
    check_accessibility(page, "unsubscribe-invalid")
    shot(page, "unsubscribe-invalid")
    priya.refresh_from_db()
    assert priya.reminder_delivery == "each"
