"""The Sign-in providers pages (issue 15): an administrator sets up an organisation's provider
with the secret write-only, the domains and the mapping of groups to roles in one save,
audited; others are refused; bad input gets a message and saves nothing."""

import pytest
from django.core.exceptions import ValidationError

from accounts import oidc_providers, oidc_secrets
from accounts.models import IdentityProvider, Role, User
from tests.factories import make_org, make_user
from tracker.models import AuditEvent

LIST = "/account/oidc/providers/"
ADD = "/account/oidc/providers/add/"
SECRET = "entra-secret-value-abc"  # noqa: S105 - a test value


@pytest.fixture
def kent(db):
    return make_org("Kent Police", code="kent")


@pytest.fixture
def admin(db):
    return User.objects.create_superuser("alex@example.org", "x" * 16, full_name="Alex Admin")


def form(**extra):
    data = {
        "name": "Kent Police account",
        "issuer": "https://login.microsoftonline.com/tenant/v2.0",
        "client_id": "client-1",
        "client_secret_env": "",
        "client_secret": SECRET,
        "domains": "kent.example\n@Kent-Staff.example",
        "role_claims": "groups roles",
        "email_claim": "email",
        "mfa_acr_values": "",
        "password_sign_in_allowed": "no",
        "enabled": "yes",
        "role_force_staff": "group-1\ngroup-2",
        "role_force_coordinator": "Tracker.Coordinator",
    }
    data.update(extra)
    return data


def test_an_administrator_sets_up_a_provider(client, admin, kent):
    client.force_login(admin)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, form(organisation=kent.pk))
    assert response.status_code == 302
    assert response["Location"] == LIST
    provider = IdentityProvider.objects.get()
    assert provider.organisation == kent
    assert not provider.password_sign_in_allowed
    assert oidc_secrets.decrypt(provider.client_secret_encrypted) == SECRET
    assert sorted(provider.domains.values_list("domain", flat=True)) == [
        "kent-staff.example",
        "kent.example",
    ]
    assert sorted(provider.role_mappings.values_list("claim_value", "role")) == [
        ("Tracker.Coordinator", Role.FORCE_COORDINATOR),
        ("group-1", Role.FORCE_STAFF),
        ("group-2", Role.FORCE_STAFF),
    ]
    event = AuditEvent.objects.get(object_type="accounts.IdentityProvider")
    assert event.action == "create"
    assert event.changes["client_secret"] == ["(hidden)", "(replaced)"]
    assert SECRET not in str(event.changes)
    assert "Kent Police account" in client.get(LIST).content.decode()


def test_the_secret_is_never_shown_and_blank_keeps_it(client, admin, kent):
    client.force_login(admin)
    client.post(ADD, form(organisation=kent.pk))
    provider = IdentityProvider.objects.get()
    page = client.get(f"{LIST}{provider.pk}/").content.decode()
    assert SECRET not in page
    assert provider.client_secret_encrypted not in page
    assert "A secret is saved (encrypted; it is not shown)." in page
    response = client.post(f"{LIST}{provider.pk}/", form(client_secret="", name="Kent sign-in"))
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Kent sign-in"
    assert oidc_secrets.decrypt(provider.client_secret_encrypted) == SECRET
    change = AuditEvent.objects.filter(action="update").get()
    assert change.changes == {"name": ["Kent Police account", "Kent sign-in"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issuer": "http://idp.example/"}, "Enter the issuer as an https address"),
        ({"client_secret": ""}, "Enter the client secret, or the name of the environment"),
        ({"domains": ""}, "Enter at least one email domain"),
        ({"role_force_staff": "", "role_force_coordinator": ""}, "Enter at least one group"),
        ({"role_pcc_office": "g"}, "The PCC office role is for people of a local policing body."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, admin, kent, change, message):
    client.force_login(admin)
    response = client.post(ADD, form(organisation=kent.pk, **change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IdentityProvider.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_domain_of_another_provider_is_refused(client, admin, kent):
    client.force_login(admin)
    client.post(ADD, form(organisation=kent.pk))
    essex = make_org("Essex Police", code="essex")
    response = client.post(ADD, form(organisation=essex.pk, name="Essex account"))
    assert response.status_code == 400
    assert "kent.example already signs in with Kent Police account" in response.content.decode()
    assert IdentityProvider.objects.count() == 1


def test_people_who_are_not_administrators_are_refused(client, kent):
    staff = make_user("Kim Staff", kent, Role.FORCE_STAFF, Role.FORCE_COORDINATOR)
    client.force_login(staff)
    assert client.get(LIST).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form(organisation=kent.pk)).status_code == 403
    assert not IdentityProvider.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    assert client.get(LIST)["Location"].startswith("/account/sign-in/")


@pytest.mark.parametrize("name", ["DATABASE_URL", "SECRET_KEY", "oidc_client_secret_kent", "X"])
def test_only_an_oidc_client_secret_variable_can_be_named(client, admin, kent, name):
    """Any other variable's value would be sent to the issuer the administrator chose."""
    client.force_login(admin)
    response = client.post(
        ADD, form(organisation=kent.pk, client_secret="", client_secret_env=name)
    )
    assert response.status_code == 400
    assert "must start OIDC_CLIENT_SECRET_" in response.content.decode()
    assert not IdentityProvider.objects.exists()
    response = client.post(
        ADD,
        form(organisation=kent.pk, client_secret="", client_secret_env="OIDC_CLIENT_SECRET_KENT"),
    )
    assert response.status_code == 302


def test_the_service_refuses_another_variable_too(admin, kent):
    values = oidc_providers.ProviderSettings(
        name="Kent", issuer="https://login.example/kent", client_id="c", client_secret_env="PATH"
    )
    with pytest.raises(ValidationError) as refused:
        oidc_providers.provider_save(
            by=admin,
            provider=None,
            organisation=kent,
            values=values,
            domains=["kent.example"],
            mapping={Role.FORCE_STAFF: ["g"]},
        )
    assert "must start OIDC_CLIENT_SECRET_" in str(refused.value.message_dict["client_secret_env"])
    assert not IdentityProvider.objects.exists()


def test_only_roles_of_an_organisations_own_people_can_be_mapped(client, admin, kent):
    client.force_login(admin)
    page = client.get(ADD).content.decode()
    assert 'name="role_force_staff"' in page
    assert 'name="role_administrator"' not in page
    response = client.post(ADD, form(organisation=kent.pk, role_administrator="g-admins"))
    assert response.status_code == 302
    assert set(IdentityProvider.objects.get().role_mappings.values_list("role", flat=True)) == {
        Role.FORCE_STAFF,
        Role.FORCE_COORDINATOR,
    }
    values = oidc_providers.ProviderSettings(
        name="Kent", issuer="https://login.example/kent", client_id="c"
    )
    with pytest.raises(ValidationError, match="cannot give the Administrator role"):
        oidc_providers.provider_save(
            by=admin,
            provider=IdentityProvider.objects.get(),
            organisation=kent,
            values=values,
            domains=["kent.example"],
            mapping={Role.FORCE_STAFF: ["g"], Role.ADMINISTRATOR: ["g-admins"]},
        )


def test_the_email_claim_is_trusted_only_when_the_administrator_says_so(client, admin, kent):
    client.force_login(admin)
    assert client.post(ADD, form(organisation=kent.pk)).status_code == 302
    provider = IdentityProvider.objects.get()
    assert provider.trust_email_claim is False
    response = client.post(f"{LIST}{provider.pk}/", form(client_secret="", trust_email_claim="yes"))
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.trust_email_claim is True
    change = AuditEvent.objects.filter(action="update").get()
    assert change.changes == {"trust_email_claim": [False, True]}


@pytest.mark.parametrize(
    "issuer", ["https://169.254.169.254/v2.0", "https://10.1.2.3/", "https://[fd00::1]/"]
)
def test_an_issuer_on_a_private_address_is_refused(client, admin, kent, issuer):
    client.force_login(admin)
    response = client.post(ADD, form(organisation=kent.pk, issuer=issuer))
    assert response.status_code == 400
    assert "cannot be on a private, loopback, link-local or reserved address" in (
        response.content.decode()
    )
    assert not IdentityProvider.objects.exists()
