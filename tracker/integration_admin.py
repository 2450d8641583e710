"""Admin for webhooks and calendar feeds (issue 15).

Endpoints can be looked at, disabled or enabled (audited); they are registered on the
Webhooks pages, where the secret is made and shown once, so the admin never shows or edits a
secret. Deliveries and calendar feeds are read only (a feed's token is never shown)."""

from django.contrib import admin

from tracker.admin_audit import AuditedAdmin, ReadOnlyAdmin
from tracker.models import CalendarFeed, WebhookDelivery, WebhookEndpoint
from tracker.webhook_addresses import shown_address


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "target", "enabled", "consecutive_failures"]
    list_filter = ["enabled", "target", "organisation"]
    search_fields = ["name", "organisation__name"]
    fields = [
        "name",
        "organisation",
        "target",
        "address",
        "events",
        "enabled",
        "disabled_reason",
        "disabled_at",
        "consecutive_failures",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "name",
        "organisation",
        "target",
        "address",
        "events",
        "disabled_reason",
        "disabled_at",
        "consecutive_failures",
        "created_by",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # registered on the Webhooks pages, which make and show the secret

    @admin.display(description="Address")
    def address(self, endpoint: WebhookEndpoint) -> str:
        """Without its query: a Teams Workflows address carries its key there (sig=)."""
        return shown_address(endpoint.url)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["uuid", "endpoint", "event_type", "state", "attempts", "response_code"]
    list_filter = ["state", "event_type"]
    search_fields = ["uuid", "title"]
    exclude = ["claim_token"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "reset_at", "last_read_at"]
    exclude = ["token"]
