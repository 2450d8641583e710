"""Webhooks and calendar feeds (issue 15)."""

from django.urls import path

from tracker.views import calendar_feeds, webhooks

app_name = "integrations"
urlpatterns: list = [
    path("webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("webhooks/add/", webhooks.webhook_add, name="webhook_add"),
    path("webhooks/<uuid:uuid>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<uuid:uuid>/edit/", webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<uuid:uuid>/enabled/", webhooks.webhook_enable, name="webhook_enable"),
    path("webhooks/<uuid:uuid>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path("calendar/reset/", calendar_feeds.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", calendar_feeds.calendar_feed, name="calendar_feed"),
]
