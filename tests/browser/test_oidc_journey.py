"""Signing in with the organisation's own provider (issue 15), in Chromium against a real
OpenID Connect provider process on loopback (tests/oidc_provider): the email address first,
the offer of the provider, its sign-in page, and back to the tracker with an account made
with the mapped role. The tracker's pages on the way are checked with axe (WCAG 2.2 AA)."""

import pytest
from playwright.sync_api import expect

from accounts import oidc_secrets
from accounts.models import (
    IdentityProvider,
    IdentityProviderDomain,
    IdentityProviderRole,
    OIDCIdentity,
    Role,
    RoleAssignment,
    User,
)
from tests.browser.pages import PASSWORD, check_accessibility, sign_in
from tests.factories import make_org
from tests.oidc_provider import harness

pytestmark = pytest.mark.browser

USERS = {
    "pat": {"email": "pat.jones@wmp.example", "name": "Pat Jones", "groups": ["g-staff"]},
    "nobody": {"email": "no.body@wmp.example", "name": "No Body", "groups": ["g-canteen"]},
    "alex": {"email": "alex@wmp.example", "name": "Alex Admin", "groups": ["g-staff"]},
}


@pytest.fixture
def wmp(live_server, settings):
    settings.SITE_URL = live_server.url
    idp = harness.Provider(
        users=USERS,
        redirect_uris=[f"{live_server.url}/account/oidc/callback/"],
        name="West Midlands Police sign-in",
    )
    force = make_org("West Midlands Police", code="west-midlands")
    provider = IdentityProvider.objects.create(
        organisation=force,
        name="West Midlands Police account",
        issuer=idp.issuer,
        client_id=harness.CLIENT_ID,
        client_secret_encrypted=oidc_secrets.encrypt(harness.CLIENT_SECRET),
    )
    IdentityProviderDomain.objects.create(provider=provider, domain="wmp.example")
    IdentityProviderRole.objects.create(
        provider=provider, claim_value="g-staff", role=Role.FORCE_STAFF
    )
    yield provider
    idp.stop()


def offer(page, base, email):
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("button", name="Sign in with West Midlands Police account")
    ).to_be_visible()


def at_the_provider(page, login):
    page.get_by_role("button", name="Sign in with West Midlands Police account").click()
    page.wait_for_url("http://127.0.0.1:*/interaction/*")
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(harness.USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_west_midlands_officer_signs_in_with_the_forces_provider(page, live_server, wmp):
    base = live_server.url
    offer(page, base, "pat.jones@wmp.example")
    check_accessibility(page, "oidc-sign-in-offer")
    at_the_provider(page, "pat")
    page.wait_for_url(f"{base}/**")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    pat = User.objects.get(email="pat.jones@wmp.example")
    assert pat.roles == {Role.FORCE_STAFF}
    assert pat.organisation == wmp.organisation
    assert OIDCIdentity.objects.filter(user=pat, provider=wmp).exists()
    check_accessibility(page, "oidc-signed-in")


def test_a_person_whose_groups_give_no_role_is_told_why(page, live_server, wmp):
    base = live_server.url
    offer(page, base, "no.body@wmp.example")
    at_the_provider(page, "nobody")
    page.wait_for_url(f"{base}/account/oidc/callback/**")
    expect(page.locator("h1")).to_have_text("You could not be signed in")
    expect(page.locator("main")).to_contain_text("none of your groups or roles there")
    assert not User.objects.filter(email="no.body@wmp.example").exists()
    check_accessibility(page, "oidc-refused")


def test_an_administrators_account_is_not_taken_over_through_the_provider(page, live_server, wmp):
    """Someone at the provider with an administrator's address is refused, and told to ask an
    administrator; the account is not linked and keeps its roles."""
    base = live_server.url
    alex = User.objects.create_user(
        "alex@wmp.example", PASSWORD, full_name="Alex Admin", organisation=wmp.organisation
    )
    RoleAssignment.objects.create(user=alex, role=Role.ADMINISTRATOR)
    offer(page, base, "alex@wmp.example")
    at_the_provider(page, "alex")
    page.wait_for_url(f"{base}/account/oidc/callback/**")
    expect(page.locator("h1")).to_have_text("You could not be signed in")
    expect(page.locator("main")).to_contain_text("Ask an administrator")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert not OIDCIdentity.objects.exists()
    assert User.objects.get(pk=alex.pk).roles == {Role.ADMINISTRATOR}
    check_accessibility(page, "oidc-refused-administrator")


def test_a_provider_that_is_down_says_so_and_offers_the_password(page, live_server, wmp):
    base = live_server.url
    port = harness.free_port()
    IdentityProvider.objects.filter(pk=wmp.pk).update(issuer=f"http://127.0.0.1:{port}")
    offer(page, base, "pat.jones@wmp.example")
    page.get_by_role("button", name="Sign in with West Midlands Police account").click()
    expect(page.locator("h1")).to_have_text("We could not reach West Midlands Police account")
    expect(page.get_by_role("link", name="sign in with your password")).to_be_visible()
    check_accessibility(page, "oidc-unreachable")


def test_an_administrator_sets_up_a_provider_on_the_trackers_own_pages(page, live_server, wmp):
    base = live_server.url
    User.objects.create_superuser("alex@admin.example", PASSWORD, full_name="Alex Admin")
    sign_in(page, base, "alex@admin.example")
    page.goto(f"{base}/account/oidc/providers/")
    expect(page.get_by_role("link", name="West Midlands Police account")).to_be_visible()
    check_accessibility(page, "oidc-providers")
    page.get_by_role("link", name="West Midlands Police account").click()
    expect(page.locator("h1")).to_have_text("Change West Midlands Police account")
    check_accessibility(page, "oidc-provider-change")
    page.goto(f"{base}/account/oidc/providers/add/")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page, "oidc-provider-add-errors")
