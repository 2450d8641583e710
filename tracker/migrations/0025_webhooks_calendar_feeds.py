import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

EVENT_TYPES = [
    ("item.status_changed", "An item's status changes"),
    ("closure.proposed", "Closure of an item is proposed"),
    ("closure.approved", "A closure is approved"),
    ("closure.returned", "A closure is returned"),
    ("item.due_date_revised", "An item's due date is set or moved"),
    ("deadline.approaching", "A deadline is approaching"),
    ("deadline.missed", "A deadline is missed"),
    ("response.published", "A statutory response is published"),
]


class Migration(migrations.Migration):
    """Webhook endpoints and deliveries; calendar feed addresses (issue 15). New tables only."""

    dependencies = [
        ("tracker", "0024_welsh"),
        ("accounts", "0011_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarFeed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField()),
                ("reset_at", models.DateTimeField(blank=True, null=True)),
                ("last_read_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_feed",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("name", models.CharField(max_length=100)),
                (
                    "target",
                    models.CharField(
                        choices=[
                            ("json", "JSON (signed), for the organisation's own systems"),
                            ("teams", "Microsoft Teams (a Workflows webhook address)"),
                        ],
                        default="json",
                        max_length=10,
                    ),
                ),
                ("url", models.URLField(max_length=2000, verbose_name="address")),
                ("secret", models.CharField(max_length=100)),
                ("events", models.JSONField(default=list)),
                ("enabled", models.BooleanField(default=True)),
                ("disabled_reason", models.CharField(blank=True, max_length=300)),
                ("disabled_at", models.DateTimeField(blank=True, null=True)),
                ("consecutive_failures", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webhook_endpoints",
                        to="accounts.organisation",
                    ),
                ),
            ],
            options={"ordering": ["name", "id"]},
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("event_type", models.CharField(choices=EVENT_TYPES, max_length=40)),
                ("event_key", models.CharField(max_length=200)),
                ("body", models.TextField()),
                ("title", models.CharField(blank=True, max_length=300)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting"),
                            ("sending", "Sending"),
                            ("delivered", "Delivered"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("response_code", models.PositiveIntegerField(blank=True, null=True)),
                ("last_error", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField()),
                ("next_attempt_at", models.DateTimeField()),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("delivered_at", models.DateTimeField(blank=True, null=True)),
                ("claimed_until", models.DateTimeField(blank=True, null=True)),
                ("claim_token", models.UUIDField(blank=True, null=True)),
                (
                    "endpoint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="tracker.webhookendpoint",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["state", "next_attempt_at"], name="tracker_web_state_56f86a_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("endpoint", "event_key"), name="one_delivery_per_endpoint_event"
                    )
                ],
            },
        ),
    ]
