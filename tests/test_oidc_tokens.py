"""Checking an ID token (accounts/oidc_tokens.py): pure, no database, no network. The real
provider's tokens are tested in tests/test_oidc_sign_in.py; these are the cases a provider
would never send (no signature, a shared-secret algorithm, several audiences)."""

import datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts import oidc_tokens

NOW = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)
ISSUER = "https://login.example/tenant/v2.0"
CLIENT = "client-1"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = {**jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "k1"}
JWKS = {"keys": [JWK]}


def token(alg="RS256", key=KEY, kid="k1", **claims):
    body = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "s",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 600,
        "nonce": "n",
    }
    body.update(claims)
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def verify(raw, nonce="n", now=NOW):
    key = oidc_tokens.key_for(raw, JWKS, ["RS256"])
    return oidc_tokens.verify_id_token(
        raw,
        key=key,
        issuer=ISSUER,
        client_id=CLIENT,
        nonce=nonce,
        now=now,
        leeway=60,
        algorithms=["RS256"],
    )


def test_a_good_token_gives_its_claims():
    assert verify(token())["sub"] == "s"


def test_an_unsigned_token_is_refused():
    raw = jwt.encode({"sub": "s"}, None, algorithm="none", headers={"kid": "k1"})
    with pytest.raises(oidc_tokens.TokenRejected, match="not accepted"):
        oidc_tokens.key_for(raw, JWKS, ["RS256"])


def test_a_shared_secret_algorithm_is_refused():
    raw = jwt.encode({"sub": "s"}, "secret-secret-secret-secret-secret", algorithm="HS256")
    with pytest.raises(oidc_tokens.TokenRejected, match="not accepted"):
        oidc_tokens.key_for(raw, JWKS, ["RS256"])


def test_an_unknown_key_id_asks_for_the_keys_again():
    with pytest.raises(oidc_tokens.UnknownKey):
        oidc_tokens.key_for(token(kid="k2"), JWKS, ["RS256"])


def test_a_token_is_checked_against_the_clock_given():
    later = NOW + datetime.timedelta(minutes=12)
    with pytest.raises(oidc_tokens.TokenRejected, match="expired"):
        verify(token(), now=later)
    assert verify(token(), now=NOW + datetime.timedelta(minutes=10))


def test_several_audiences_need_us_as_the_authorised_party():
    with pytest.raises(oidc_tokens.TokenRejected, match="several audiences"):
        verify(token(aud=[CLIENT, "other"]))
    assert verify(token(aud=[CLIENT, "other"], azp=CLIENT))


def test_an_authorised_party_that_is_not_us_is_refused_even_with_one_audience():
    with pytest.raises(oidc_tokens.TokenRejected, match="another application"):
        verify(token(azp="another-client"))
    assert verify(token(azp=CLIENT))


def test_a_missing_nonce_is_refused():
    with pytest.raises(oidc_tokens.TokenRejected, match="nonce"):
        verify(token(nonce=None), nonce="n")


def test_the_email_comes_from_the_configured_claim_only_never_another():
    claims = {"email": None, "preferred_username": "Pat.Jones@WMP.example", "upn": "x@y"}
    assert oidc_tokens.email_of(claims, "email") == ""
    assert oidc_tokens.email_of({"upn": "a@b.example", "email": "e@b.example"}, "upn") == (
        "a@b.example"
    )
    assert oidc_tokens.email_of({"email": " Pat.Jones@WMP.example "}, "email") == (
        "pat.jones@wmp.example"
    )
    assert oidc_tokens.email_of({"name": "no address"}, "email") == ""


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("pat.jones@wmp.example", True),
        ("pat jones@wmp.example", False),
        ("pat@", False),
        ("", False),
        ("a" * 250 + "@wmp.example", False),
    ],
)
def test_an_email_address_must_be_valid(email, valid):
    assert oidc_tokens.is_valid_email(email) is valid


@pytest.mark.parametrize(
    ("claims", "trust_unverified", "trusted"),
    [
        ({"email_verified": True}, False, True),
        ({"email_verified": "true"}, False, True),
        ({"email_verified": False}, False, False),
        ({"email_verified": False}, True, False),
        ({"email_verified": None}, True, False),
        ({"email_verified": "false"}, True, False),
        ({}, False, False),
        ({}, True, True),
    ],
)
def test_an_email_is_trusted_when_verified_or_when_the_provider_is_trusted(
    claims, trust_unverified, trusted
):
    assert oidc_tokens.email_trusted(claims, trust_unverified=trust_unverified) is trusted


def test_roles_come_from_the_mapped_claim_values():
    claims = {"groups": ["g1", "g2"], "roles": "Tracker.Coordinator"}
    values = oidc_tokens.claim_values(claims, ["groups", "roles"])
    assert values == {"g1", "g2", "Tracker.Coordinator"}
    mapping = [("g1", "force_staff"), ("Tracker.Coordinator", "force_coordinator"), ("g9", "x")]
    assert oidc_tokens.mapped_roles(values, mapping) == {"force_staff", "force_coordinator"}


@pytest.mark.parametrize(
    ("claims", "did"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["hwk"]}, True),
        ({"amr": ["pwd"]}, False),
        ({"amr": "otp"}, True),
        ({"acr": "urn:mfa"}, True),
        ({"acr": "urn:other"}, False),
        ({}, False),
    ],
)
def test_the_providers_second_factor_is_read_from_amr_and_acr(claims, did):
    assert (
        oidc_tokens.provider_did_mfa(
            claims, amr_values=["mfa", "otp", "hwk"], acr_values={"urn:mfa"}
        )
        is did
    )
