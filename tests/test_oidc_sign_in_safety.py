"""What an organisation's provider may not do at sign-in (issue 15, the review's fixes), against
the real provider process on loopback (tests/oidc_provider): take over an account by its email
address (a second `sub` with the address of a linked account, an address the provider does not
say is verified, another claim than the configured one), touch an account holding a role the
mapping cannot give, give an administrator's role, or crash on an address that is not valid;
and the tracker's requests to it ignore the environment's proxy and follow no redirect."""

import http.server
import threading

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import oidc_client, oidc_secrets, services
from accounts.models import (
    IdentityProvider,
    IdentityProviderDomain,
    IdentityProviderRole,
    OIDCIdentity,
    Role,
    RoleAssignment,
    User,
)
from tests.factories import make_org
from tests.oidc_provider import harness
from tests.test_oidc_sign_in import callback_for, come_back, sign_in
from tracker.models import AuditEvent

SITE = "http://testserver"
CALLBACK = SITE + "/account/oidc/callback/"
DOMAIN = "wmp.example"
PAT = f"pat.jones@{DOMAIN}"
USERS = {
    "pat": {"email": PAT, "name": "Pat Jones", "groups": ["g-staff"]},
    # Another person at the provider who has been given (or gave themselves) Pat's address.
    "mallory": {"email": PAT, "name": "Mallory", "groups": ["g-staff"]},
    "unverified": {"email": PAT, "name": "Pat", "groups": ["g-staff"], "email_verified": False},
    # Entra ID's tokens have no email_verified claim at all.
    "entra": {"email": PAT, "name": "Pat Jones", "groups": ["g-staff"], "email_verified": None},
    "spaced": {"email": f"pat jones@{DOMAIN}", "name": "Pat Jones", "groups": ["g-staff"]},
    "cora": {"email": f"cora.lee@{DOMAIN}", "name": "Cora Lee", "groups": ["g-coordinators"]},
    "boss": {"email": f"boss@{DOMAIN}", "name": "Boss", "groups": ["g-admins"]},
}


@pytest.fixture(scope="module")
def idp():
    provider = harness.Provider(users=USERS, redirect_uris=[CALLBACK], name="WMP accounts")
    yield provider
    provider.stop()


@pytest.fixture
def wmp(db, idp, settings):
    settings.SITE_URL = SITE
    cache.clear()
    force = make_org("West Midlands Police", code="west-midlands")
    provider = IdentityProvider.objects.create(
        organisation=force,
        name="West Midlands Police account",
        issuer=idp.issuer,
        client_id=harness.CLIENT_ID,
        client_secret_encrypted=oidc_secrets.encrypt(harness.CLIENT_SECRET),
    )
    IdentityProviderDomain.objects.create(provider=provider, domain=DOMAIN)
    IdentityProviderRole.objects.create(
        provider=provider, claim_value="g-staff", role=Role.FORCE_STAFF
    )
    IdentityProviderRole.objects.create(
        provider=provider, claim_value="g-coordinators", role=Role.FORCE_COORDINATOR
    )
    return provider


def refused(response, *says):
    assert response.status_code == 403, response.content[:500]
    page = response.content.decode().replace("&#x27;", "'")
    for text in says:
        assert text in page
    assert "Nothing has been changed" in page
    return page


def signed_out(client):
    assert "_auth_user_id" not in client.session


# 1. Linking by email -------------------------------------------------------------------------


def test_a_second_subject_with_the_address_of_a_linked_account_is_refused(client, wmp):
    assert sign_in(client, wmp, "pat").status_code == 302
    client.logout()
    count = AuditEvent.objects.count()
    response = sign_in(client, wmp, "mallory")
    refused(response, "already linked to another account at West Midlands Police account")
    signed_out(client)
    assert list(OIDCIdentity.objects.values_list("subject", flat=True)) == ["pat"]
    assert User.objects.count() == 1
    assert AuditEvent.objects.count() == count


def test_an_address_the_provider_says_is_not_verified_links_nothing(client, wmp):
    pat = User.objects.create_user(PAT, "x" * 16, full_name="Pat", organisation=wmp.organisation)
    RoleAssignment.objects.create(user=pat, role=Role.FORCE_STAFF)
    refused(sign_in(client, wmp, "unverified"), "did not say that your email address")
    signed_out(client)
    assert not OIDCIdentity.objects.exists()


def test_an_address_the_provider_says_is_not_verified_creates_nothing(client, wmp):
    refused(sign_in(client, wmp, "unverified"), "is verified")
    assert not User.objects.exists()


def test_without_email_verified_the_provider_must_be_trusted_to_link_or_create(client, wmp):
    refused(sign_in(client, wmp, "entra"), "is verified")
    assert not User.objects.exists()
    wmp.trust_email_claim = True
    wmp.save()
    assert sign_in(client, wmp, "entra").status_code == 302
    assert OIDCIdentity.objects.get(subject="entra").user.email == PAT


def test_a_verified_false_is_refused_even_when_the_provider_is_trusted(client, wmp):
    wmp.trust_email_claim = True
    wmp.save()
    refused(sign_in(client, wmp, "unverified"), "is verified")
    assert not User.objects.exists()


def test_the_address_comes_only_from_the_configured_claim(client, wmp, idp):
    url = callback_for(client, wmp, "pat")
    idp.next_id_token(claims={"email": None, "preferred_username": PAT, "upn": PAT})
    refused(come_back(client, url), "gave “nothing” as your email address")
    assert not User.objects.exists()


def _account_with_roles(wmp, *roles):
    person = User.objects.create_user(PAT, "x" * 16, full_name="Pat", organisation=wmp.organisation)
    for role in roles:
        RoleAssignment.objects.create(user=person, role=role)
    return person


def test_an_administrators_account_is_never_linked_by_its_address(client, wmp):
    admin = _account_with_roles(wmp, Role.FORCE_STAFF, Role.ADMINISTRATOR)
    refused(sign_in(client, wmp, "pat"), "a role that West Midlands Police account cannot give")
    signed_out(client)
    assert not OIDCIdentity.objects.exists()
    assert User.objects.get(pk=admin.pk).roles == {Role.FORCE_STAFF, Role.ADMINISTRATOR}


def test_an_administrators_linked_account_is_not_changed_at_sign_in(client, wmp):
    admin = _account_with_roles(wmp, Role.FORCE_COORDINATOR, Role.ADMINISTRATOR)
    OIDCIdentity.objects.create(provider=wmp, subject="pat", user=admin)
    page = refused(sign_in(client, wmp, "pat"), "Administrator")
    assert "Ask an administrator" in page
    signed_out(client)
    assert User.objects.get(pk=admin.pk).roles == {Role.FORCE_COORDINATOR, Role.ADMINISTRATOR}


# 3. Roles ------------------------------------------------------------------------------------


def test_a_mapping_to_the_administrator_role_gives_nothing(client, wmp):
    """A row saved before the rule (the pages and admin no longer offer it)."""
    IdentityProviderRole.objects.create(
        provider=wmp, claim_value="g-admins", role=Role.ADMINISTRATOR
    )
    refused(sign_in(client, wmp, "boss"), "none of your groups or roles there gives you access")
    assert not User.objects.exists()
    IdentityProviderRole.objects.create(provider=wmp, claim_value="g-admins", role=Role.FORCE_STAFF)
    assert sign_in(client, wmp, "boss").status_code == 302
    assert User.objects.get(email=f"boss@{DOMAIN}").roles == {Role.FORCE_STAFF}


def test_roles_change_at_sign_in_through_the_people_service_and_its_audit(client, wmp):
    assert sign_in(client, wmp, "cora").status_code == 302
    client.logout()
    IdentityProviderRole.objects.filter(claim_value="g-coordinators").update(role=Role.FORCE_STAFF)
    assert sign_in(client, wmp, "cora").status_code == 302
    cora = User.objects.get(email=f"cora.lee@{DOMAIN}")
    assert cora.roles == {Role.FORCE_STAFF}
    change = AuditEvent.objects.get(object_id=cora.email, action=AuditEvent.Action.UPDATE)
    # As the People page's service writes it for a provisioning service: no person as actor,
    # the note led by the provider's name.
    assert change.actor is None
    assert change.note == "Sign-in through West Midlands Police account: Changed"
    assert change.changes["roles"] == [["force_coordinator"], ["force_staff"]]
    created = AuditEvent.objects.get(object_id=cora.email, action=AuditEvent.Action.CREATE)
    assert created.note == "Added by Sign-in through West Midlands Police account"


def test_the_sign_in_service_never_gives_or_takes_an_administrators_role(wmp):
    person = _account_with_roles(wmp, Role.FORCE_STAFF)
    with pytest.raises(ValidationError, match="cannot give or take away: Administrator"):
        services.person_roles_at_sign_in(
            provider_name="X", person=person, roles={Role.FORCE_STAFF, Role.ADMINISTRATOR}
        )
    with pytest.raises(ValidationError, match="Administrator"):
        services.person_create_at_sign_in(
            provider_name="X",
            organisation=wmp.organisation,
            email=f"new@{DOMAIN}",
            full_name="New",
            roles={Role.ADMINISTRATOR},
        )
    assert User.objects.get(pk=person.pk).roles == {Role.FORCE_STAFF}
    assert User.objects.count() == 1


# 4. An address that is not valid ---------------------------------------------------------------


def test_an_email_claim_that_is_not_an_address_is_a_plain_refusal(client, wmp):
    response = sign_in(client, wmp, "spaced")
    refused(response, "“pat jones@wmp.example”", "not a valid email address")
    signed_out(client)
    assert not User.objects.exists()
    assert not OIDCIdentity.objects.exists()


# 5. The tracker's requests to the provider ---------------------------------------------------


def test_an_authorised_party_that_is_not_us_is_refused(client, wmp, idp):
    url = callback_for(client, wmp, "pat")
    idp.next_id_token(claims={"azp": "another-application"})
    refused(come_back(client, url), "could not be trusted")
    assert not User.objects.exists()


def test_the_environments_proxy_is_not_used(client, wmp, monkeypatch):
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{harness.free_port()}")
    assert sign_in(client, wmp, "pat").status_code == 302
    assert "_auth_user_id" in client.session


class _Redirect(http.server.BaseHTTPRequestHandler):
    target = ""
    posts = 0

    def do_POST(self):  # noqa: N802 - http.server's name
        type(self).posts += 1
        self.send_response(307)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_from_the_token_endpoint_is_not_followed(client, wmp):
    url = callback_for(client, wmp, "pat")
    key = f"oidc:discovery:{wmp.pk}:{wmp.issuer}"
    document = dict(cache.get(key))
    _Redirect.target, _Redirect.posts = document["token_endpoint"], 0
    server = http.server.HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        document["token_endpoint"] = f"http://127.0.0.1:{server.server_port}/token"
        cache.set(key, document)
        response = come_back(client, url)
    finally:
        server.shutdown()
        server.server_close()
    assert _Redirect.posts == 1
    assert response.status_code == 503
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/token",
        "https://192.168.1.1/.well-known/openid-configuration",
        "https://[::1]/keys",
        "https://[fd00::1]/keys",
        "https://0.0.0.0/",
        "http://127.0.0.1:8080/",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(url, settings):
    settings.OIDC_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(oidc_client.ProviderUnreachable, match="may not be used"):
        oidc_client._check_url(url)


def test_a_discovery_document_pointing_at_a_private_address_is_refused(client, wmp):
    key = f"oidc:discovery:{wmp.pk}:{wmp.issuer}"
    assert client.get(f"/account/oidc/start/{wmp.pk}/").status_code == 302
    document = dict(cache.get(key))
    document["jwks_uri"] = "https://169.254.169.254/keys"
    cache.set(key, document)
    cache.delete(f"oidc:jwks:{wmp.pk}:{wmp.issuer}")
    url = callback_for(client, wmp, "pat")
    assert come_back(client, url).status_code == 503
    assert not User.objects.exists()


def test_an_account_has_at_most_one_subject_at_a_provider_even_in_a_race(wmp):
    """Two first sign-ins at once, each with a `sub` of its own: the database refuses the second
    link (sign_in_with_claims turns that into "sign in again")."""
    person = _account_with_roles(wmp, Role.FORCE_STAFF)
    OIDCIdentity.objects.create(provider=wmp, subject="pat", user=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        OIDCIdentity.objects.create(provider=wmp, subject="mallory", user=person)
    assert OIDCIdentity.objects.count() == 1
