"""The demo's West Midlands Police provider (issue 15): the demo configures it (and loads
without node), and Jordan Reid, whose group at the provider maps to force staff, signs in
through the same node provider scripts/demo-identity-provider runs and lands as force staff;
Grace Okafor's existing account is linked, not duplicated."""

import pytest

from accounts.models import IdentityProvider, OIDCIdentity, Role, User
from tests.oidc_provider import harness
from tracker import demo_oidc

SITE = "http://testserver"
CALLBACK = SITE + "/account/oidc/callback/"
USERS = {
    "jordan": {
        "email": "jordan.reid@wmp.example",
        "name": "Jordan Reid",
        "groups": ["WMP-Inspection-Tracker-Staff"],
        "amr": ["pwd", "mfa"],
    },
    "grace": {
        "email": "grace.okafor@wmp.example",
        "name": "Grace Okafor",
        "groups": ["WMP-Inspection-Tracker-Coordinators"],
        "amr": ["pwd", "mfa"],
    },
}


@pytest.fixture
def demo_provider(demo_world, settings):
    """The demo's provider configuration, with its client id and secret, pointed at a
    provider on the port this test got (the script's is 8901)."""
    settings.SITE_URL = SITE
    idp = harness.Provider(
        users=USERS,
        redirect_uris=[CALLBACK],
        client_id=demo_oidc.CLIENT_ID,
        client_secret=demo_oidc.CLIENT_SECRET,
    )
    provider = IdentityProvider.objects.get(organisation__code="west-midlands-police")
    provider.issuer = idp.issuer
    provider.save()
    yield provider
    idp.stop()


def sign_in(client, provider, login):
    start = client.get(f"/account/oidc/start/{provider.pk}/")
    url = harness.sign_in_at_provider(start["Location"], login, stop_at=CALLBACK)
    return client.get(url.removeprefix(SITE))


def test_the_demo_configures_west_midlands_polices_provider(demo_world):
    provider = IdentityProvider.objects.get(organisation__code="west-midlands-police")
    assert provider.issuer == "http://127.0.0.1:8901"
    assert provider.password_sign_in_allowed
    assert list(provider.domains.values_list("domain", flat=True)) == ["wmp.example"]
    assert dict(provider.role_mappings.values_list("claim_value", "role")) == {
        "WMP-Inspection-Tracker-Staff": Role.FORCE_STAFF,
        "WMP-Inspection-Tracker-Coordinators": Role.FORCE_COORDINATOR,
    }


def test_jordan_signs_in_through_the_provider_and_lands_as_force_staff(client, demo_provider):
    provider = demo_provider
    response = sign_in(client, provider, "jordan")
    assert response.status_code == 302
    jordan = User.objects.get(email="jordan.reid@wmp.example")
    assert jordan.roles == {Role.FORCE_STAFF}
    assert jordan.organisation.code == "west-midlands-police"
    assert client.get(response["Location"], follow=True).status_code == 200


def test_grace_is_linked_to_her_demo_account(client, demo_provider):
    provider = demo_provider
    grace = User.objects.get(email="grace.okafor@wmp.example")
    assert sign_in(client, provider, "grace").status_code == 302
    assert OIDCIdentity.objects.get(provider=provider).user == grace
    assert User.objects.filter(email="grace.okafor@wmp.example").count() == 1


def test_the_demos_password_sign_in_still_works_without_the_provider(client, demo_world):
    response = client.post(
        "/account/sign-in/", {"username": "priya.shah@wmp.example", "password": "x" * 16}
    )
    assert response.status_code == 302


def test_without_the_demos_provider_running_the_button_says_it_cannot_be_reached(
    client, demo_world
):
    provider = IdentityProvider.objects.get(organisation__code="west-midlands-police")
    provider.issuer = f"http://127.0.0.1:{harness.free_port()}"
    provider.save()
    response = client.get(f"/account/oidc/start/{provider.pk}/")
    assert response.status_code == 503
    assert "We could not reach West Midlands Police account (demo)" in response.content.decode()
    assert client.post(f"/account/oidc/start/{provider.pk}/").status_code == 405
    assert client.get("/account/oidc/callback/").status_code == 403
    assert client.post("/account/oidc/callback/").status_code == 405
