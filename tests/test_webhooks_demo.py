"""The demo's webhook endpoint and calendar feed (issue 15): when Priya Shah proposes closure
of one of her items, the receiver the README describes gets a signed event; her calendar feed
lists her due dates."""

import icalendar
import pytest
from django.urls import reverse

from accounts.models import User
from tests.test_webhooks_receiver import Receiver, receiver_script
from tracker import services
from tracker.demo_hooks import DEMO_WEBHOOK_SECRET, DEMO_WEBHOOK_URL
from tracker.models import CalendarFeed, Status, TrackedItem, WebhookEndpoint


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def test_priya_proposing_closure_sends_a_signed_event_to_the_demo_receiver(
    demo_world, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # as DEMO_MODE has it
    endpoint = WebhookEndpoint.objects.get(organisation__code="west-midlands-police")
    assert endpoint.url == DEMO_WEBHOOK_URL
    # The test's receiver stands in for scripts/webhook-receiver on its usual port.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
    priya = User.objects.get(email="priya.shah@wmp.example")
    item = TrackedItem.objects.filter(owner=priya, status=Status.IN_PROGRESS).first()
    assert item is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.closure_propose(item=item, by=priya, summary="Done: the new process is live.")
    proposed = [r for r in receiver.requests if r.headers["X-Tracker-Event"] == "closure.proposed"]
    assert len(proposed) == 1
    request = proposed[0]
    assert receiver_script().verify(
        DEMO_WEBHOOK_SECRET, request.headers["X-Tracker-Signature"], request.body
    )


def test_priyas_calendar_feed_lists_her_due_dates(demo_world, client):
    priya = User.objects.get(email="priya.shah@wmp.example")
    feed = CalendarFeed.objects.get(user=priya)
    body = client.get(reverse("integrations:calendar_feed", args=[feed.token])).content
    dates = {e.decoded("DTSTART") for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    due = set(
        TrackedItem.objects.filter(owner=priya, due_date__isnull=False)
        .exclude(status=Status.CLOSED)
        .values_list("due_date", flat=True)
    )
    assert due
    assert due <= dates
