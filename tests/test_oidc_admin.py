"""An organisation's identity provider set up in the admin (issue 15): the client secret is
write-only (stored encrypted, never shown again, its change audited without it), roles that do
not go with the organisation are refused, and the demo configures West Midlands Police's."""

import pytest

from accounts import oidc_secrets
from accounts.models import IdentityProvider, Role
from tests.factories import make_org
from tracker.models import AuditEvent

ADD = "/admin/accounts/identityprovider/add/"
SECRET = "a-very-secret-value-from-entra"  # noqa: S105 - a test value


def form(organisation, **extra):
    data = {
        "organisation": organisation.pk,
        "name": "Kent Police account",
        "issuer": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "11111111-2222-3333-4444-555555555555",
        "client_secret_env": "",
        "client_secret": SECRET,
        "role_claims": "groups roles",
        "email_claim": "email",
        "mfa_acr_values": "",
        "password_sign_in_allowed": "on",
        "enabled": "on",
        "domains-TOTAL_FORMS": "1",
        "domains-INITIAL_FORMS": "0",
        "domains-0-domain": "kent.example",
        "role_mappings-TOTAL_FORMS": "1",
        "role_mappings-INITIAL_FORMS": "0",
        "role_mappings-0-claim_value": "group-object-id-1",
        "role_mappings-0-role": Role.FORCE_STAFF,
    }
    data.update(extra)
    return data


@pytest.fixture
def kent(db):
    return make_org("Kent Police", code="kent")


def test_the_secret_is_stored_encrypted_and_never_shown_again(admin_client, kent):
    response = admin_client.post(ADD, form(kent))
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = IdentityProvider.objects.get()
    assert SECRET not in provider.client_secret_encrypted
    assert oidc_secrets.decrypt(provider.client_secret_encrypted) == SECRET
    page = admin_client.get(f"/admin/accounts/identityprovider/{provider.pk}/change/")
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert provider.client_secret_encrypted not in page.content.decode()
    assert "Saved (encrypted; not shown)" in page.content.decode()
    audit = AuditEvent.objects.filter(object_type="accounts.IdentityProvider")
    notes = sorted(e.note for e in audit)
    assert notes == [
        "Client secret replaced",
        "Edited in the admin; identity provider domains added: 1; identity provider roles added: 1",
    ]
    assert all(SECRET not in str(e.changes) for e in audit)


def test_a_provider_needs_a_secret_or_the_name_of_its_variable(admin_client, kent):
    response = admin_client.post(ADD, form(kent, client_secret=""))
    assert response.status_code == 200
    assert "Give the client secret" in response.content.decode()
    assert not IdentityProvider.objects.exists()
    response = admin_client.post(
        ADD, form(kent, client_secret="", client_secret_env="OIDC_CLIENT_SECRET_KENT")
    )
    assert response.status_code == 302


def test_a_role_that_does_not_go_with_the_organisation_is_refused(admin_client, kent):
    response = admin_client.post(ADD, form(kent, **{"role_mappings-0-role": Role.PCC_OFFICE}))
    assert response.status_code == 200
    assert "The PCC office role is for people of a local policing body." in (
        response.content.decode()
    )
    assert not IdentityProvider.objects.exists()


def test_an_issuer_must_be_https(admin_client, kent):
    response = admin_client.post(ADD, form(kent, issuer="http://idp.example/"))
    assert response.status_code == 200
    assert "The issuer must be an https address." in response.content.decode()


def test_a_secret_from_a_variable_that_is_not_set_is_a_clear_page(client, kent, monkeypatch):
    monkeypatch.delenv("OIDC_CLIENT_SECRET_KENT", raising=False)
    provider = IdentityProvider.objects.create(
        organisation=kent,
        name="Kent Police account",
        issuer="https://login.example/kent",
        client_id="x",
        client_secret_env="OIDC_CLIENT_SECRET_KENT",
    )
    response = client.get(f"/account/oidc/start/{provider.pk}/")
    assert response.status_code == 503
    assert "not completely set up" in response.content.decode()


def test_a_changed_key_makes_a_stored_secret_unreadable_not_wrong(settings):
    token = oidc_secrets.encrypt("s")
    settings.OIDC_SECRET_KEY = "another key"
    with pytest.raises(oidc_secrets.SecretUnavailable):
        oidc_secrets.decrypt(token)


@pytest.mark.parametrize("name", ["DATABASE_URL", "SECRET_KEY", "OIDC_CLIENT_SECRET_"])
def test_the_admin_accepts_only_an_oidc_client_secret_variable(admin_client, kent, name):
    response = admin_client.post(ADD, form(kent, client_secret="", client_secret_env=name))
    assert response.status_code == 200
    assert "must start OIDC_CLIENT_SECRET_" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_the_admin_does_not_offer_the_administrator_role(admin_client, kent):
    response = admin_client.post(ADD, form(kent, **{"role_mappings-0-role": Role.ADMINISTRATOR}))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_a_secret_from_another_variable_is_refused_when_it_is_used(client, kent, monkeypatch):
    """A provider saved before the rule (or written to the database directly): the variable is
    never read, so nothing of it reaches the provider."""
    monkeypatch.setenv("DATABASE_URL", "postgres://user:password@db/tracker")
    with pytest.raises(oidc_secrets.SecretUnavailable, match="not a name"):
        oidc_secrets.client_secret(env_name="DATABASE_URL", encrypted="")
    monkeypatch.setenv("OIDC_CLIENT_SECRET_KENT", "s")
    assert oidc_secrets.client_secret(env_name="OIDC_CLIENT_SECRET_KENT", encrypted="") == "s"
    provider = IdentityProvider.objects.create(
        organisation=kent,
        name="Kent Police account",
        issuer="https://login.example/kent",
        client_id="x",
        client_secret_env="DATABASE_URL",
    )
    response = client.get(f"/account/oidc/start/{provider.pk}/")
    assert response.status_code == 503
    assert "not completely set up" in response.content.decode()


def test_the_admin_refuses_an_issuer_on_a_link_local_address(admin_client, kent):
    response = admin_client.post(ADD, form(kent, issuer="https://169.254.169.254/tenant/v2.0"))
    assert response.status_code == 200
    assert "cannot be on a private, loopback, link-local or reserved address" in (
        response.content.decode()
    )
    assert not IdentityProvider.objects.exists()
