"""The demo's SCIM token (issue 15; README and docs/scim.md): in DEMO_MODE only, a token for
West Midlands Police with a fixed, documented value, so the README's `curl` deactivation
works as written (tokens are otherwise shown once, when an administrator makes them).
Never in production: anyone who reads the README knows it."""

from django.conf import settings

from accounts.models import Organisation, Role
from accounts.scim.tokens import scim_token_create
from accounts.scim_models import ScimToken

# The README's token. It works only where DEMO_MODE made it.
DEMO_SCIM_TOKEN = "scim_demo_west_midlands_not_secret"  # noqa: S105 - the demo's, documented
DEMO_TOKEN_NAME = "Demo: Entra ID provisioning"  # noqa: S105 - a name, not a secret


def create_demo_scim() -> ScimToken | None:
    """West Midlands Police's demo token (force staff for people it adds, in the demo's
    wmp.example addresses), once."""
    if not settings.DEMO_MODE:
        return None
    force = Organisation.objects.filter(code="west-midlands-police").first()
    if force is None:
        return None
    existing = ScimToken.objects.filter(organisation=force, name=DEMO_TOKEN_NAME).first()
    if existing is not None:
        return existing
    token, _secret = scim_token_create(
        by=None,
        organisation=force,
        name=DEMO_TOKEN_NAME,
        default_role=Role.FORCE_STAFF,
        email_domains=["wmp.example"],  # the demo force's addresses
        secret=DEMO_SCIM_TOKEN,
    )
    return token
