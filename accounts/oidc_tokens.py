"""Checking an ID token and reading its claims: pure functions, no database, no network
(issue 15). The keys come from the caller (accounts/oidc_client.py fetches and caches them).

1. The header names an algorithm we accept (never `none`, never HS256 with a public key).
2. The signature is checked with the provider's key of that `kid` (PyJWT).
3. Issuer, audience (our client id; `azp` must name us when there are several, and whenever
   it is present), expiry, issued-at and the nonce we sent are checked; `sub` must be present.
4. The email address comes from one configured claim only, must be a valid address, and can
   find or make an account only when trusted (`email_trusted`).
Every refusal is a TokenRejected with a reason for the log and a plain-English `why`.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import jwt
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

EMAIL_MAX_LENGTH = 254  # accounts.models.User.email (an EmailField)


class TokenRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownKey(TokenRejected):
    """No key with the token's `kid`: fetch the provider's keys again once (rotation)."""


def unverified_kid(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenRejected(f"not a signed token: {exc}") from exc
    return str(header.get("kid") or "")


def key_for(token: str, jwks: Mapping[str, Any], algorithms: Iterable[str]) -> jwt.PyJWK:
    """The provider's key that signed the token (matched on `kid`, and `alg` where given)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenRejected(f"not a signed token: {exc}") from exc
    alg = header.get("alg")
    if alg not in set(algorithms):
        raise TokenRejected(f"signing algorithm {alg!r} is not accepted")
    kid = header.get("kid")
    for jwk in jwks.get("keys", []):
        if kid is not None and jwk.get("kid") != kid:
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", alg) != alg:
            continue
        try:
            return jwt.PyJWK(dict(jwk), algorithm=alg)
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"the provider's key {kid!r} is unusable: {exc}") from exc
    raise UnknownKey(f"no key with kid {kid!r} among the provider's keys")


def verify_id_token(
    token: str,
    *,
    key: jwt.PyJWK,
    issuer: str,
    client_id: str,
    nonce: str,
    now: datetime.datetime,
    leeway: int,
    algorithms: Iterable[str],
) -> dict[str, Any]:
    """The token's claims, once signature, issuer, audience, times and nonce are right."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=list(algorithms),
            audience=client_id,
            issuer=issuer,
            leeway=leeway,
            options={"require": ["iss", "aud", "exp", "iat", "sub"], "verify_exp": False},
        )
    except jwt.InvalidSignatureError as exc:
        raise TokenRejected("the signature does not match the provider's key") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenRejected("the token was issued for another application") from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenRejected("the token was issued by another provider") from exc
    except jwt.PyJWTError as exc:
        raise TokenRejected(f"the token is not valid: {exc}") from exc
    # Times against the `now` given (PyJWT's own check reads the clock).
    stamp = now.timestamp()
    if float(claims["exp"]) + leeway < stamp:
        raise TokenRejected("the token has expired")
    if float(claims["iat"]) - leeway > stamp:
        raise TokenRejected("the token was issued in the future")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise TokenRejected("the token names several audiences but not us as its party")
    if "azp" in claims and claims["azp"] != client_id:
        raise TokenRejected("the token was issued to another application (its azp)")
    if not nonce or claims.get("nonce") != nonce:
        raise TokenRejected("the nonce does not match the one sent")
    return claims


def email_of(claims: Mapping[str, Any], claim: str) -> str:
    """The person's email address from the one configured claim (no other claim is tried:
    `preferred_username` or `upn` may be set by someone else than the address's owner),
    stripped and in lower case; "" when the claim is missing or not text. Whether it is a
    valid address is `is_valid_email`'s question."""
    value = claims.get(claim or "email")
    return value.strip().lower() if isinstance(value, str) else ""


def is_valid_email(email: str) -> bool:
    """Whether the address is one an account can have (Django's EmailField's rule)."""
    if not email or len(email) > EMAIL_MAX_LENGTH:
        return False
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def email_trusted(claims: Mapping[str, Any], *, trust_unverified: bool) -> bool:
    """Whether the token's email address may find or make an account: `email_verified` true
    when the token has that claim (a string "true" too: some providers send one); when it has
    not (Entra ID), only if the provider is configured to trust its email claim."""
    if "email_verified" in claims:
        verified = claims["email_verified"]
        return verified is True or (isinstance(verified, str) and verified.lower() == "true")
    return trust_unverified


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def claim_values(claims: Mapping[str, Any], names: Iterable[str]) -> set[str]:
    """The values of the role claims (a list, or one string)."""
    values: set[str] = set()
    for name in names:
        value = claims.get(name)
        if isinstance(value, str):
            values.add(value)
        elif isinstance(value, list):
            values.update(str(v) for v in value)
    return values


def mapped_roles(values: Iterable[str], mapping: Iterable[tuple[str, str]]) -> set[str]:
    """The roles the claim values give, from (claim value, role) pairs."""
    have = set(values)
    return {role for value, role in mapping if value in have}


def provider_did_mfa(
    claims: Mapping[str, Any], *, amr_values: Iterable[str], acr_values: Iterable[str]
) -> bool:
    """Whether the provider says in the token that the person gave a second factor."""
    amr = claims.get("amr")
    amr_list = amr if isinstance(amr, list) else [amr] if isinstance(amr, str) else []
    if set(map(str, amr_list)) & set(amr_values):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in set(acr_values)
