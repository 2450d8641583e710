"""Webhook endpoints an organisation registers, and each delivery to them (issue 15).

An endpoint hears the events it chose about its own organisation's work (tracker/webhooks.py
records them; tracker/webhook_delivery.py sends them). Each event makes one delivery row per
endpoint, written in the transaction of the change: its body is fixed then, so every attempt
sends the same bytes with the same delivery id, and a receiver can drop repeats.
"""

import uuid

from django.conf import settings
from django.db import models

from accounts.models import Organisation


class WebhookEventType(models.TextChoices):
    """What an endpoint may hear of: the events the notification system knows."""

    ITEM_STATUS_CHANGED = "item.status_changed", "An item's status changes"
    CLOSURE_PROPOSED = "closure.proposed", "Closure of an item is proposed"
    CLOSURE_APPROVED = "closure.approved", "A closure is approved"
    CLOSURE_RETURNED = "closure.returned", "A closure is returned"
    DUE_DATE_REVISED = "item.due_date_revised", "An item's due date is set or moved"
    DEADLINE_APPROACHING = "deadline.approaching", "A deadline is approaching"
    DEADLINE_MISSED = "deadline.missed", "A deadline is missed"
    RESPONSE_PUBLISHED = "response.published", "A statutory response is published"


class WebhookTarget(models.TextChoices):
    JSON = "json", "JSON (signed), for the organisation's own systems"
    TEAMS = "teams", "Microsoft Teams (a Workflows webhook address)"


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def enabled(self) -> "WebhookEndpointQuerySet":
        return self.filter(enabled=True)

    def hearing(self, event_type: str, organisation_ids: set[int]) -> list["WebhookEndpoint"]:
        """The enabled endpoints of these organisations that chose this kind of event (the
        choice is checked here, not in SQL: SQLite has no JSON `contains`, and an
        organisation has a handful of endpoints)."""
        rows = self.enabled().filter(organisation_id__in=organisation_ids)
        return [e for e in rows if event_type in (e.events or [])]


class WebhookEndpoint(models.Model):
    """An address an organisation's systems (or a Teams channel) are told of events at."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    name = models.CharField(max_length=100)
    target = models.CharField(max_length=10, choices=WebhookTarget.choices, default="json")
    url = models.URLField(max_length=2000, verbose_name="address")
    # Kept to sign each delivery (HMAC needs the secret itself); shown once, at creation.
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def event_labels(self) -> list[str]:
        return [WebhookEventType(e).label for e in self.events if e in WebhookEventType.values]


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how sending it went."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    # What the event is, so the same event (a sweep that settles a batch twice) is one row.
    event_key = models.CharField(max_length=200)
    body = models.TextField()  # the exact bytes sent (UTF-8), the same on every attempt
    title = models.CharField(max_length=300, blank=True)  # for the delivery log
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_key"], name="one_delivery_per_endpoint_event"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint_id} ({self.state})"


__all__ = [
    "DeliveryState",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEndpointQuerySet",
    "WebhookEventType",
    "WebhookTarget",
]
