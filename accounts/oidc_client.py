"""Talking to an organisation's OpenID Connect provider (issue 15): its discovery document and
keys (cached; the keys fetched again once when a token names a key we do not have: rotation),
the authorization request (PKCE S256, state and nonce) and the code exchange.

mozilla-django-oidc does the parts that fit: its PKCE helper (`generate_code_challenge`), its
session store of state, nonce and code verifier (`add_state_and_verifier_and_nonce_to_session`)
and its backend's token request (`get_token`). Its backend reads one provider from settings,
so `OrganisationBackend` answers its `get_settings` from the organisation's provider instead.
The ID token itself is checked by accounts/oidc_tokens.py (the library's check skips the
audience and issuer).

Every request (discovery, keys, token) goes through a requests Session with trust_env off
(no HTTPS_PROXY, no .netrc), follows no redirect, and only to an address whose name resolves
to public IP addresses (loopback only with OIDC_ALLOW_HTTP_LOOPBACK): an administrator's
issuer cannot reach the tracker's own network.
"""

import datetime
import ipaddress
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import (
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)

from accounts import oidc_secrets, oidc_tokens
from accounts.identity_providers import IdentityProvider
from tracker import webhook_addresses

SCOPES = "openid email profile"
SESSION_KEY = "oidc_states"  # mozilla-django-oidc's
# How long a sign-in at the provider may take before its state is no longer accepted.
STATE_SECONDS = 15 * 60


class ProviderUnreachable(Exception):
    """The provider did not answer, or answered with something unusable."""


def _check_url(url: str) -> str:
    """The address, if the tracker may fetch from it: https (http only to loopback with
    OIDC_ALLOW_HTTP_LOOPBACK), and its name resolving only to public addresses (never
    private, loopback unless OIDC_ALLOW_HTTP_LOOPBACK, link-local or reserved: the webhooks'
    check, tracker/webhook_addresses.py). Checked before every request."""
    try:
        webhook_addresses.check_address(url, allow_loopback=settings.OIDC_ALLOW_HTTP_LOOPBACK)
    except webhook_addresses.AddressRefused as exc:
        raise ProviderUnreachable(f"{url} may not be used: {exc}") from exc
    return url


def issuer_address_problem(url: str) -> str:
    """For the pages that save an issuer: why its host, an IP address written out, may not be
    used (private, loopback without OIDC_ALLOW_HTTP_LOOPBACK, link-local, reserved), or "".
    A name is resolved and checked when the tracker fetches from it (`_check_url`)."""
    host = (urlsplit(url.strip()).hostname or "").strip("[]")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return ""
    if webhook_addresses.is_public(ip) or (settings.OIDC_ALLOW_HTTP_LOOPBACK and ip.is_loopback):
        return ""
    return (
        "The issuer cannot be on a private, loopback, link-local or reserved address: enter the "
        "provider's public https address."
    )


def _session() -> requests.Session:
    """A session that ignores the environment: no HTTPS_PROXY, no .netrc credentials, no
    REQUESTS_CA_BUNDLE (trust_env off)."""
    session = requests.Session()
    session.trust_env = False
    return session


def _get_json(url: str) -> dict[str, Any]:
    try:
        with _session() as session:
            response = session.get(
                _check_url(url), timeout=settings.OIDC_TIMEOUT, allow_redirects=False
            )
        if response.is_redirect:
            raise ProviderUnreachable(f"{url}: a redirect, which is not followed")
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnreachable(f"{url}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProviderUnreachable(f"{url}: not a JSON object")
    return data


def _cache_key(provider: IdentityProvider, what: str) -> str:
    return f"oidc:{what}:{provider.pk}:{provider.issuer}"


def discovery(provider: IdentityProvider) -> dict[str, Any]:
    """The provider's discovery document, cached OIDC_CACHE_SECONDS."""
    key = _cache_key(provider, "discovery")
    document = cache.get(key)
    if document is None:
        document = _get_json(provider.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != provider.issuer:
            raise ProviderUnreachable(
                f"the discovery document names issuer {document.get('issuer')!r}, "
                f"not {provider.issuer!r}"
            )
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(name), str):
                raise ProviderUnreachable(f"the discovery document has no {name}")
        cache.set(key, document, settings.OIDC_CACHE_SECONDS)
    return document


def jwks(provider: IdentityProvider, *, refresh: bool = False) -> dict[str, Any]:
    """The provider's published keys, cached; `refresh` fetches them again."""
    key = _cache_key(provider, "jwks")
    keys = None if refresh else cache.get(key)
    if keys is None:
        keys = _get_json(discovery(provider)["jwks_uri"])
        cache.set(key, keys, settings.OIDC_CACHE_SECONDS)
    return keys


def redirect_uri() -> str:
    """Where the provider sends people back: register exactly this at the provider."""
    return settings.SITE_URL.rstrip("/") + reverse("oidc:callback")


def authorization_url(request, provider: IdentityProvider, *, next_url: str) -> str:
    """The provider's sign-in address for a new attempt, its state, nonce and PKCE verifier
    kept in the session (single use: the callback takes them out)."""
    endpoint = _check_url(discovery(provider)["authorization_endpoint"])
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri(),
        "scope": SCOPES + (" groups" if "groups" in provider.role_claim_names else ""),
        "state": state,
        "nonce": secrets.token_urlsafe(32),
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    request.session[SESSION_KEY][state].update({"provider": provider.pk, "next": next_url})
    request.session.modified = True
    return f"{endpoint}?{urlencode(params)}"


def take_state(request, state: str) -> dict[str, Any] | None:
    """The attempt this state began, removed from the session so it works once."""
    states = request.session.get(SESSION_KEY)
    if not isinstance(states, dict) or not state:
        return None
    attempt = states.pop(state, None)
    request.session.modified = True
    if not isinstance(attempt, dict) or time.time() - attempt.get("added_on", 0) > STATE_SECONDS:
        return None
    return attempt


class OrganisationBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with one organisation's provider as its settings. Only
    its token request is used here; it never signs anyone in by itself."""

    def __init__(self, provider: IdentityProvider, document: dict[str, Any]) -> None:
        self._values = {
            "OIDC_OP_TOKEN_ENDPOINT": document["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": document.get("userinfo_endpoint", ""),
            "OIDC_OP_JWKS_ENDPOINT": document["jwks_uri"],
            "OIDC_RP_CLIENT_ID": provider.client_id,
            "OIDC_RP_CLIENT_SECRET": oidc_secrets.client_secret(
                env_name=provider.client_secret_env, encrypted=provider.client_secret_encrypted
            ),
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_TIMEOUT": settings.OIDC_TIMEOUT,
            "OIDC_VERIFY_SSL": True,
            "OIDC_TOKEN_USE_BASIC_AUTH": False,
        }
        super().__init__()

    def get_settings(self, attr: str, *args: Any) -> Any:
        if attr in self._values:
            return self._values[attr]
        if args:
            return args[0]
        raise KeyError(attr)

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The library's token request, but through a session that ignores the environment
        (no proxy, no .netrc), to a checked address, and never following a redirect (the
        client secret and code would go with it)."""
        with _session() as session:
            response = session.post(
                _check_url(self.OIDC_OP_TOKEN_ENDPOINT),
                data=payload,
                timeout=settings.OIDC_TIMEOUT,
                allow_redirects=False,
            )
        if response.is_redirect or 300 <= response.status_code < 400:
            raise ProviderUnreachable("the token endpoint answered with a redirect")
        self.raise_token_response_error(response)
        data = response.json()
        if not isinstance(data, dict):
            raise ProviderUnreachable("the token endpoint's answer is not a JSON object")
        return data


def exchange_code(provider: IdentityProvider, *, code: str, verifier: str) -> dict[str, Any]:
    """The token response for the code (client secret and PKCE verifier sent)."""
    backend = OrganisationBackend(provider, discovery(provider))
    try:
        return backend.get_token(
            {
                "client_id": provider.client_id,
                "client_secret": backend.OIDC_RP_CLIENT_SECRET,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(),
                "code_verifier": verifier,
            }
        )
    except requests.HTTPError as exc:
        raise oidc_tokens.TokenRejected(f"the provider refused the code: {exc}") from exc
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnreachable(f"token endpoint: {exc}") from exc


def verified_claims(
    provider: IdentityProvider, id_token: str, *, nonce: str, now: datetime.datetime
) -> dict[str, Any]:
    """The ID token's claims, checked against the provider's keys; a key id we do not know
    fetches the keys again, once."""
    algorithms = settings.OIDC_SIGNING_ALGORITHMS
    try:
        key: jwt.PyJWK = oidc_tokens.key_for(id_token, jwks(provider), algorithms)
    except oidc_tokens.UnknownKey:
        key = oidc_tokens.key_for(id_token, jwks(provider, refresh=True), algorithms)
    return oidc_tokens.verify_id_token(
        id_token,
        key=key,
        issuer=provider.issuer,
        client_id=provider.client_id,
        nonce=nonce,
        now=now,
        leeway=settings.OIDC_LEEWAY_SECONDS,
        algorithms=algorithms,
    )
