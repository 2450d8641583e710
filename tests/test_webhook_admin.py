"""The admin of webhooks and calendar feeds (issue 15): listed and readable, never showing an
endpoint's secret or a calendar token; endpoints are not added there (the secret is made and
shown once on the Webhooks pages)."""

from django.urls import reverse

from tracker import calendar_feeds, webhook_endpoints


def test_the_admin_lists_endpoints_and_feeds_without_secrets(admin_client, world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    endpoint, secret = webhook_endpoints.endpoint_register(
        by=world.coordinator,
        name="Hub",
        target="json",
        url="http://127.0.0.1:9/x",
        events=["closure.proposed"],
    )
    feed = calendar_feeds.feed_reset(user=world.owner)
    for name in ("webhookendpoint", "webhookdelivery", "calendarfeed"):
        page = admin_client.get(reverse(f"admin:tracker_{name}_changelist"))
        assert page.status_code == 200
    change = admin_client.get(reverse("admin:tracker_webhookendpoint_change", args=[endpoint.pk]))
    assert change.status_code == 200
    assert secret not in change.content.decode()
    feed_page = admin_client.get(reverse("admin:tracker_calendarfeed_change", args=[feed.pk]))
    assert feed.token not in feed_page.content.decode()
    assert admin_client.get(reverse("admin:tracker_webhookendpoint_add")).status_code == 403
