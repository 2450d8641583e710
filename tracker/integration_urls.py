"""Webhooks and calendar feeds (issue 15)."""

app_name = "integrations"
urlpatterns: list = []
