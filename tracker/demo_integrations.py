"""The demo's estate integrations (issue 15): each part adds its own, called in this order."""

import datetime


def create_demo_integrations(*, today: datetime.date) -> None:
    """Called once by tracker.demo after the demo's people, items and responses exist."""
    # --- Sign-in with an identity provider ---
    # --- SCIM provisioning ---
    # --- The REST API ---
    # --- Webhooks and calendar feeds ---
