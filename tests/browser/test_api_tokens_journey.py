"""API tokens and the API reference in a real browser (issue 15): Priya makes a token (a
mistake first), sees it once, uses it with the API, revokes it; the reference page (Swagger
UI from the app's own files, no CDN) loads under the Content Security Policy and lists the
endpoints. Each token page is checked with axe."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in

pytestmark = pytest.mark.browser


def get_items(base: str, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the live server, on loopback
        f"{base}/api/v1/items/?mine=true", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_person_makes_uses_and_revokes_a_token(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "priya.shah@wmp.example")
    page.goto(f"{base}/account/api-tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    check_accessibility(page, "api-tokens-empty")
    page.get_by_role("link", name="Create a token").click()
    check_accessibility(page, "api-token-form")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    check_accessibility(page, "api-token-form-errors")
    page.get_by_label("Name").fill("Power BI <pack>")
    page.get_by_label("Read and write").check()
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your token is ready")
    check_accessibility(page, "api-token-created")
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("itk_")
    assert get_items(base, token) == 200
    page.get_by_role("link", name="I have copied my token: continue").click()
    expect(page.locator("table")).to_contain_text("Power BI <pack>")
    assert token not in page.content()
    check_accessibility(page, "api-tokens-list")
    page.get_by_role("link", name="Revoke Power BI <pack>").click()
    check_accessibility(page, "api-token-revoke")
    page.get_by_role("button", name="Revoke token").click()
    expect(page.locator("table")).to_contain_text("Revoked")
    assert get_items(base, token) == 401


def test_the_reference_page_loads_from_the_app_under_the_policy(page, live_server, demo):
    requests_made = []
    page.on("request", lambda r: requests_made.append(r.url))
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Inspection tracker API")
    expect(page.get_by_text("/api/v1/items/{uuid}/updates/").first).to_be_visible()
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests_made)
