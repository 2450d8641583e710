"""Signing in through an organisation's own OpenID Connect provider, against a real provider
process on loopback (tests/oidc_provider: the `oidc-provider` npm package): the first sign-in
creates the account with the mapped role, later ones follow the claims, and every bad answer
(a forged, expired or misaddressed token, a replayed state, an unknown domain, claims that
give no role, a provider that is down) is refused with a plain page and changes nothing."""

import pyotp
import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts import oidc_secrets, oidc_tokens, two_factor
from accounts.models import (
    IdentityProvider,
    IdentityProviderDomain,
    IdentityProviderRole,
    OIDCIdentity,
    Role,
    RoleAssignment,
    TwoFactorDevice,
    User,
)
from tests.factories import make_org
from tests.oidc_provider import harness
from tracker.models import AuditEvent

SITE = "http://testserver"
CALLBACK = SITE + "/account/oidc/callback/"
DOMAIN = "wmp.example"
USERS = {
    "pat": {"email": f"pat.jones@{DOMAIN}", "name": "Pat Jones", "groups": ["g-staff"]},
    "cora": {
        "email": f"cora.lee@{DOMAIN}",
        "name": "Cora Lee",
        "groups": ["g-coordinators"],
        "amr": ["pwd", "mfa"],
    },
    "nobody": {"email": f"no.body@{DOMAIN}", "name": "No Body", "groups": ["g-canteen"]},
    "outsider": {"email": "sam@elsewhere.example", "name": "Sam Else", "groups": ["g-staff"]},
}


@pytest.fixture(scope="module")
def idp():
    provider = harness.Provider(users=USERS, redirect_uris=[CALLBACK], name="WMP accounts")
    yield provider
    provider.stop()


@pytest.fixture
def wmp(db, idp, settings):
    settings.SITE_URL = SITE
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


def start(client, provider):
    response = client.get(f"/account/oidc/start/{provider.pk}/")
    assert response.status_code == 302, response.content
    return response["Location"]


def callback_for(client, provider, login):
    """Start at the tracker, sign in at the provider; the address it sends the browser to."""
    return harness.sign_in_at_provider(start(client, provider), login, stop_at=CALLBACK)


def come_back(client, url):
    return client.get(url.removeprefix(SITE))


def sign_in(client, provider, login):
    return come_back(client, callback_for(client, provider, login))


def test_the_first_sign_in_creates_the_account_with_the_mapped_role(client, wmp):
    response = sign_in(client, wmp, "pat")
    assert response.status_code == 302
    assert response["Location"] == "/"
    pat = User.objects.get(email=f"pat.jones@{DOMAIN}")
    assert client.session["_auth_user_id"] == str(pat.pk)
    assert pat.full_name == "Pat Jones"
    assert pat.organisation == wmp.organisation
    assert pat.roles == {Role.FORCE_STAFF}
    assert not pat.has_usable_password()
    assert OIDCIdentity.objects.get(user=pat).subject == "pat"
    created = AuditEvent.objects.get(object_type="accounts.User", object_id=pat.email)
    assert created.action == AuditEvent.Action.CREATE
    assert created.changes["roles"] == [None, ["force_staff"]]
    assert "West Midlands Police account" in created.note


def test_the_authorization_request_uses_pkce_state_and_nonce(client, wmp):
    query = harness.query_of(start(client, wmp))
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"]
    assert query["nonce"]
    assert query["redirect_uri"] == CALLBACK


def test_later_sign_ins_take_the_roles_from_the_claims(client, wmp):
    sign_in(client, wmp, "pat")
    client.logout()
    # Pat's group now gives the coordinator role; force staff comes from another group.
    IdentityProviderRole.objects.filter(claim_value="g-staff").update(role=Role.FORCE_COORDINATOR)
    IdentityProviderRole.objects.create(
        provider=wmp, claim_value="g-other-staff", role=Role.FORCE_STAFF
    )
    assert sign_in(client, wmp, "pat").status_code == 302
    pat = User.objects.get(email=f"pat.jones@{DOMAIN}")
    assert pat.roles == {Role.FORCE_COORDINATOR}
    change = AuditEvent.objects.filter(object_id=pat.email, action="update").get()
    assert change.changes["roles"] == [["force_staff"], ["force_coordinator"]]


def test_a_person_is_found_by_their_subject_not_their_email_after_the_first_link(client, wmp):
    sign_in(client, wmp, "pat")
    client.logout()
    User.objects.filter(email=f"pat.jones@{DOMAIN}").update(email=f"p.jones@{DOMAIN}")
    assert sign_in(client, wmp, "pat").status_code == 302
    assert User.objects.filter(organisation=wmp.organisation).count() == 1
    assert client.session["_auth_user_id"] == str(User.objects.get(email=f"p.jones@{DOMAIN}").pk)


def test_an_existing_account_with_the_address_is_linked_at_the_first_sign_in(client, wmp):
    pat = User.objects.create_user(
        f"pat.jones@{DOMAIN}", "x" * 16, full_name="Pat", organisation=wmp.organisation
    )
    assert sign_in(client, wmp, "pat").status_code == 302
    assert OIDCIdentity.objects.get(subject="pat").user == pat
    assert User.objects.count() == 1


def nothing_created(client):
    assert User.objects.count() == 0
    assert OIDCIdentity.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_a_replayed_state_is_refused(client, wmp):
    url = callback_for(client, wmp, "pat")
    assert come_back(client, url).status_code == 302
    client.logout()
    count = AuditEvent.objects.count()
    response = come_back(client, url)
    assert response.status_code == 403
    assert "already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.count() == count


def test_a_state_from_another_session_is_refused(client, wmp):
    url = callback_for(client, wmp, "pat")
    response = come_back(Client(), url)
    assert response.status_code == 403
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"stranger_key": True}, "signature does not match"),
        ({"exp_offset": -600}, "expired"),
        ({"claims": {"aud": "another-application"}}, "another application"),
        ({"claims": {"iss": "https://login.example/other"}}, "another provider"),
        ({"claims": {"nonce": "not-the-one-sent"}}, "nonce"),
    ],
    ids=["forged", "expired", "other audience", "other issuer", "wrong nonce"],
)
def test_a_bad_id_token_is_refused_and_changes_nothing(client, wmp, idp, change, says):
    url = callback_for(client, wmp, "pat")
    idp.next_id_token(**change)
    response = come_back(client, url)
    assert response.status_code == 403
    page = response.content.decode()
    assert "could not be trusted" in page
    assert says in page
    assert "Nothing has been changed" in page
    nothing_created(client)


def test_an_email_domain_the_provider_does_not_cover_is_refused(client, wmp):
    response = sign_in(client, wmp, "outsider")
    assert response.status_code == 403
    assert "sam@elsewhere.example" in response.content.decode()
    assert "is not one of West Midlands Police" in response.content.decode().replace("&#x27;", "'")
    nothing_created(client)


def test_claims_that_map_to_no_role_are_refused(client, wmp):
    response = sign_in(client, wmp, "nobody")
    assert response.status_code == 403
    assert "none of your groups or roles there gives you access" in response.content.decode()
    nothing_created(client)


def test_a_deactivated_account_is_refused_and_left_as_it_is(client, wmp):
    sign_in(client, wmp, "pat")
    client.logout()
    User.objects.filter(email=f"pat.jones@{DOMAIN}").update(is_active=False)
    IdentityProviderRole.objects.filter(claim_value="g-staff").update(role=Role.FORCE_COORDINATOR)
    response = sign_in(client, wmp, "pat")
    assert response.status_code == 403
    assert "deactivated" in response.content.decode()
    assert User.objects.get(email=f"pat.jones@{DOMAIN}").roles == {Role.FORCE_STAFF}
    assert "_auth_user_id" not in client.session


def test_a_provider_that_is_down_gets_a_clear_page_and_nothing_is_created(client, wmp):
    port = harness.free_port()
    IdentityProvider.objects.filter(pk=wmp.pk).update(issuer=f"http://127.0.0.1:{port}")
    response = client.get(f"/account/oidc/start/{wmp.pk}/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "We could not reach West Midlands Police account" in page
    assert "Try again in a few minutes" in page
    assert "sign in with your password" in page
    nothing_created(client)


def test_the_provider_going_down_after_sign_in_at_it_gets_the_same_page(client, wmp, idp):
    url = callback_for(client, wmp, "pat")
    # The token endpoint is now somewhere that does not answer.
    key = f"oidc:discovery:{wmp.pk}:{wmp.issuer}"
    document = dict(cache.get(key))
    document["token_endpoint"] = "http://127.0.0.1:9/token"
    cache.set(key, document)
    response = come_back(client, url)
    assert response.status_code == 503
    nothing_created(client)


def test_a_new_signing_key_at_the_provider_still_signs_people_in(client, wmp, idp):
    assert sign_in(client, wmp, "pat").status_code == 302
    client.logout()
    key = f"oidc:jwks:{wmp.pk}:{wmp.issuer}"
    old_kid = cache.get(key)["keys"][0]["kid"]
    new_kid = idp.rotate_keys()
    response = sign_in(client, wmp, "pat")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    # The cached keys had only the old kid: the tracker fetched them again, once.
    assert [k["kid"] for k in cache.get(key)["keys"]] == [new_kid]
    assert old_kid != new_kid


def test_the_providers_second_factor_counts_only_when_its_token_says_so(client, wmp, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["force_coordinator", "force_staff"]
    # Cora's token has amr ["pwd", "mfa"]: signed in, the two-factor requirement met.
    response = sign_in(client, wmp, "cora")
    assert response["Location"] == "/"
    assert client.session["two_factor_ok"] is True
    client.logout()
    # Pat's token has amr ["pwd"]: with an app, Pat gives the tracker's own code too.
    sign_in(client, wmp, "pat")
    client.logout()
    pat = User.objects.get(email=f"pat.jones@{DOMAIN}")
    secret = two_factor.new_secret()
    TwoFactorDevice.objects.create(user=pat, secret=secret, confirmed_at=timezone.now())
    response = sign_in(client, wmp, "pat")
    assert response["Location"] == "/account/sign-in/code/"
    assert "_auth_user_id" not in client.session
    response = client.post("/account/sign-in/code/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.session["two_factor_ok"] is True


def test_an_acr_the_provider_lists_counts_as_a_second_factor(client, wmp, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["force_staff"]
    wmp.mfa_acr_values = "urn:example:mfa"
    wmp.save()
    assert oidc_tokens.provider_did_mfa(
        {"acr": "urn:example:mfa"}, amr_values=[], acr_values=wmp.acr_values_for_mfa
    )
    assert not oidc_tokens.provider_did_mfa(
        {"acr": "urn:example:pwd", "amr": ["pwd"]},
        amr_values=settings.OIDC_MFA_AMR_VALUES,
        acr_values=wmp.acr_values_for_mfa,
    )


# The sign-in page -----------------------------------------------------------------------------


def test_an_address_with_a_provider_is_offered_the_provider(client, wmp):
    response = client.post("/account/sign-in/", {"username": f"someone@{DOMAIN}", "password": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in with West Midlands Police account" in page
    assert f'href="/account/oidc/start/{wmp.pk}/?next=' in page
    assert "Or sign in with a tracker password" in page


def test_an_organisation_that_switched_passwords_off_refuses_them(client, wmp):
    wmp.password_sign_in_allowed = False
    wmp.save()
    User.objects.create_user(
        f"pat.jones@{DOMAIN}", "x" * 16, full_name="Pat", organisation=wmp.organisation
    )
    response = client.post(
        "/account/sign-in/", {"username": f"pat.jones@{DOMAIN}", "password": "x" * 16}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "signs in with West Midlands Police account, not a tracker password" in page
    assert 'type="password"' not in page
    assert "_auth_user_id" not in client.session
    # A wrong password is not tried either: the lockout counts nothing.
    client.post("/account/sign-in/", {"username": f"pat.jones@{DOMAIN}", "password": "wrong"})
    assert not AccessAttempt.objects.exists()


def test_an_administrator_keeps_the_password_where_the_organisation_switched_passwords_off(
    client, wmp
):
    """A provider never signs in an account holding a role it may not give, so such an account
    keeps its tracker password (and two-factor step) rather than being locked out of both."""
    wmp.password_sign_in_allowed = False
    wmp.save()
    admin = User.objects.create_user(
        f"ada@{DOMAIN}", "x" * 16, full_name="Ada", organisation=wmp.organisation
    )
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR)
    response = client.post("/account/sign-in/", {"username": f"ada@{DOMAIN}", "password": "x" * 16})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
    # Their colleague with force roles only is still sent to the provider.
    staff = User.objects.create_user(
        f"sam@{DOMAIN}", "x" * 16, full_name="Sam", organisation=wmp.organisation
    )
    RoleAssignment.objects.create(user=staff, role=Role.FORCE_STAFF)
    client.logout()
    response = client.post("/account/sign-in/", {"username": f"sam@{DOMAIN}", "password": "x" * 16})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_person_of_an_organisation_without_passwords_is_refused_whatever_the_address(client, wmp):
    wmp.password_sign_in_allowed = False
    wmp.save()
    User.objects.create_user(
        "pat@personal.example", "x" * 16, full_name="Pat", organisation=wmp.organisation
    )
    response = client.post(
        "/account/sign-in/", {"username": "pat@personal.example", "password": "x" * 16}
    )
    assert response.status_code == 200
    assert "not a tracker password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_address_without_a_provider_signs_in_with_a_password_as_before(client, wmp):
    other = make_org("Kent Police")
    User.objects.create_user("kim@kent.example", "x" * 16, full_name="Kim", organisation=other)
    response = client.post("/account/sign-in/", {"username": "kim@kent.example", "password": ""})
    assert response.status_code == 200
    assert "Enter your password" in response.content.decode()
    assert "Sign in with West Midlands" not in response.content.decode()
    response = client.post(
        "/account/sign-in/", {"username": "kim@kent.example", "password": "x" * 16}
    )
    assert response.status_code == 302


def test_an_unknown_provider_is_404(client, db):
    assert client.get("/account/oidc/start/999/").status_code == 404


def test_a_state_older_than_a_quarter_of_an_hour_is_refused(client, wmp):
    url = callback_for(client, wmp, "pat")
    session = client.session
    for attempt in session["oidc_states"].values():
        attempt["added_on"] -= 16 * 60
    session.save()
    response = come_back(client, url)
    assert response.status_code == 403
    assert "already been used or has expired" in response.content.decode()
    assert User.objects.count() == 0


def test_too_many_groups_for_the_token_is_explained(client, wmp, idp):
    """Entra ID puts `_claim_names` in place of `groups` past 200 groups (the overage)."""
    url = callback_for(client, wmp, "pat")
    idp.next_id_token(claims={"groups": None, "_claim_names": {"groups": "src1"}})
    response = come_back(client, url)
    assert response.status_code == 403
    assert "too many groups" in response.content.decode()
    nothing_created(client)
