"""The demo's estate integrations (issue 15): each part adds its own, called in this order."""

import datetime


def create_demo_integrations(*, today: datetime.date) -> None:
    """Called once by tracker.demo after the demo's people, items and responses exist."""
    # --- Sign-in with an identity provider ---
    from tracker.demo_oidc import create_demo_provider  # its section's own import

    create_demo_provider()  # West Midlands Police's provider (scripts/demo-identity-provider)
    # --- SCIM provisioning ---
    from tracker.demo_scim import create_demo_scim  # its section's own import

    create_demo_scim()  # West Midlands Police's SCIM token (docs/scim.md)
    # --- The REST API ---
    from tracker.demo_api import create_demo_api  # its section's own import

    create_demo_api(today=today)
    # --- Webhooks and calendar feeds ---
    from tracker.demo_hooks import create_demo_hooks  # its section's own import

    create_demo_hooks()  # a West Midlands endpoint to scripts/webhook-receiver; calendar feeds
