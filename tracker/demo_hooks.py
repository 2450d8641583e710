"""The demo's webhook endpoint and calendar feeds (issue 15; docs/webhooks.md).

West Midlands Police has one endpoint, registered by Grace Okafor (its coordinator), sending
what people do to its items to a receiver on this machine, DEMO_WEBHOOK_URL, with the secret
DEMO_WEBHOOK_SECRET, so that `scripts/webhook-receiver --secret whsec_demo-west-midlands`
prints and verifies each event (Priya proposing closure, for one). The demo allows loopback
addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on with DEMO_MODE). Priya Shah and Grace Okafor
have calendar addresses ready, shown on their Email settings pages."""

from django.utils import timezone

from accounts.models import Organisation, User
from tracker import calendar_feeds
from tracker.models import WebhookEndpoint, WebhookEventType

DEMO_WEBHOOK_URL = "http://127.0.0.1:8765/tracker-events"
DEMO_WEBHOOK_SECRET = "whsec_demo-west-midlands"  # noqa: S105 - the demo's, documented


def create_demo_hooks() -> None:
    now = timezone.now()
    wmp = Organisation.objects.get(code="west-midlands-police")
    grace = User.objects.get(email="grace.okafor@wmp.example")
    # Made directly, not by endpoint_register: the demo's secret is a known value (a real
    # endpoint's is random and shown once), and the demo is seeded before the receiver runs.
    WebhookEndpoint.objects.create(
        organisation=wmp,
        name="Demo receiver (scripts/webhook-receiver)",
        target="json",
        url=DEMO_WEBHOOK_URL,
        secret=DEMO_WEBHOOK_SECRET,
        # What people do; not the deadline events, which the reminder sweep makes by itself
        # (from the demo's seeding on) and which, with no receiver running yet, would fail
        # until the endpoint was disabled.
        events=[e for e in WebhookEventType.values if not e.startswith("deadline.")],
        created_by=grace,
        created_at=now,
        updated_at=now,
    )
    for email in ("priya.shah@wmp.example", "grace.okafor@wmp.example"):
        calendar_feeds.feed_reset(user=User.objects.get(email=email), now=now)
