"""Webhooks and the calendar address in a real browser (issue 15): Grace Okafor registers an
endpoint to a real receiver (a wrong address first), copies its secret, sees Priya's closure
proposal delivered in the log; Priya finds her calendar address. Each page checked with axe
(screenshots in test-artifacts/)."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tests.test_webhooks_receiver import Receiver, receiver_script

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS", "")


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def test_a_coordinator_registers_an_endpoint_and_sees_its_deliveries(
    page, live_server, demo, receiver, settings
):
    from accounts.models import User
    from tracker import services
    from tracker.models import Status, TrackedItem, WebhookEndpoint

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    base = live_server.url
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/webhooks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    check_accessibility(page, "webhooks-list")
    page.get_by_role("link", name="Add an endpoint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an endpoint")
    check_accessibility(page, "webhooks-add")

    page.get_by_label("Name").fill("Force performance hub")
    page.get_by_label("JSON (signed), for the organisation's own systems").check()
    page.get_by_role("textbox", name="Address").fill("http://10.0.0.1/hook")
    page.get_by_label("Closure of an item is proposed").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a public https address")
    check_accessibility(page, "webhooks-add-error")

    page.get_by_role("textbox", name="Address").fill(receiver.url)
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Force performance hub")
    secret = page.get_by_role("textbox", name="Secret", exact=True).input_value()
    assert secret.startswith("whsec_")
    check_accessibility(page, "webhooks-detail-secret")

    endpoint = WebhookEndpoint.objects.get(name="Force performance hub")
    assert endpoint.secret == secret
    priya = User.objects.get(email="priya.shah@wmp.example")
    item = TrackedItem.objects.filter(owner=priya, status=Status.IN_PROGRESS).first()
    services.closure_propose(item=item, by=priya, summary="Done: the new process is live.")

    page.reload()
    expect(page.get_by_role("textbox", name="Secret", exact=True)).to_have_count(
        0
    )  # shown once only
    expect(page.locator("table")).to_contain_text("Closure of an item is proposed")
    expect(page.locator("table")).to_contain_text("Delivered")
    check_accessibility(page, "webhooks-detail-log")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "webhook-endpoint.png"), full_page=True)
    ours = [r for r in receiver.requests if r.headers["X-Tracker-Event"] == "closure.proposed"]
    assert len(ours) == 1
    assert receiver_script().verify(secret, ours[0].headers["X-Tracker-Signature"], ours[0].body)

    page.get_by_role("button", name="Disable").click()
    expect(page.locator("body")).to_contain_text("This endpoint is disabled")
    check_accessibility(page, "webhooks-detail-disabled")
    page.get_by_role("link", name="Delete").click()
    check_accessibility(page, "webhooks-delete")
    page.get_by_role("button", name="Delete endpoint").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Endpoint “Force performance hub” deleted."
    )
    expect(page.locator("table")).not_to_contain_text("Force performance hub")
    expect(page.locator("table")).to_contain_text("Demo receiver")  # the demo's own stays


def test_a_person_finds_their_calendar_address_on_email_settings(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "priya.shah@wmp.example")
    page.goto(f"{base}/account/email-settings/")
    expect(page.get_by_role("heading", name="Deadlines in your calendar")).to_be_visible()
    address = page.get_by_label("Your calendar address").input_value()
    assert "/calendar/" in address
    assert address.endswith(".ics")
    check_accessibility(page, "calendar-address")
    response = page.request.get(address.replace("http://127.0.0.1:8000", base))
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    page.get_by_role("button", name="Get a new calendar address").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "the old one no longer works"
    )
    assert page.get_by_label("Your calendar address").input_value() != address
    assert page.request.get(address.replace("http://127.0.0.1:8000", base)).status == 404
