"""The demo's identity provider (issue 15): West Midlands Police signs in with its own OpenID
Connect provider, a local one that `scripts/demo-identity-provider` starts on 127.0.0.1 (the
same node provider the tests use, tests/oidc_provider). Its user Jordan Reid
(login `jordan`, password `provider-password`) is in the group that gives force staff, so
the first sign-in creates Jordan's account with that role. Password sign-in stays on, so the
demo works as before without node; the provider is optional.

The values here and in scripts/demo-identity-provider must agree.
"""

from accounts import oidc_secrets
from accounts.models import (
    IdentityProvider,
    IdentityProviderDomain,
    IdentityProviderRole,
    Organisation,
    Role,
)

PORT = 8901
ISSUER = f"http://127.0.0.1:{PORT}"
CLIENT_ID = "inspection-tracker-demo"
CLIENT_SECRET = "demo-client-secret-not-for-production"  # noqa: S105 - the demo's own
GROUPS = {
    "WMP-Inspection-Tracker-Staff": Role.FORCE_STAFF,
    "WMP-Inspection-Tracker-Coordinators": Role.FORCE_COORDINATOR,
}


def create_demo_provider() -> IdentityProvider | None:
    """West Midlands Police's provider, its domain and group mapping (once)."""
    force = Organisation.objects.filter(code="west-midlands-police").first()
    if force is None or IdentityProvider.objects.filter(organisation=force).exists():
        return None
    provider = IdentityProvider.objects.create(
        organisation=force,
        name="West Midlands Police account (demo)",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        client_secret_encrypted=oidc_secrets.encrypt(CLIENT_SECRET),
        password_sign_in_allowed=True,
    )
    IdentityProviderDomain.objects.create(provider=provider, domain="wmp.example")
    IdentityProviderRole.objects.bulk_create(
        [
            IdentityProviderRole(provider=provider, claim_value=group, role=role)
            for group, role in GROUPS.items()
        ]
    )
    return provider
