"""End to end (issue 15): webhook deliveries sent by a real Celery worker (with beat) on the
real Redis to a real receiver on loopback; the worker is killed mid-delivery, a new one takes
over, every event arrives, and the repeat carries the same delivery id and body."""

import datetime
import json

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from tests.e2e import kill_group, wait_for
from tests.factories import World
from tests.test_webhooks_receiver import Receiver, receiver_script
from tracker import background, services, webhook_endpoints
from tracker.models import DeadlineRule, DeliveryState, OutboxMessage, WebhookDelivery
from tracker.rule_presets import presets_install

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def test_each_event_is_delivered_even_when_the_worker_is_killed_mid_delivery(
    receiver, start_worker, monkeypatch, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the worker has it from TESTING=1
    for name, value in {
        # The claim must outlast a send (connect + read timeouts: settings refuse less).
        "WEBHOOK_CONNECT_TIMEOUT": "1",
        "WEBHOOK_READ_TIMEOUT": "5",
        "WEBHOOK_CLAIM_SECONDS": "7",
        "WEBHOOK_SWEEP_SECONDS": "1",
        "WEBHOOK_RETRY_BASE_SECONDS": "1",
        "OUTBOX_SWEEP_SECONDS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    presets_install(DeadlineRule)
    world = World.build()
    endpoint, secret = webhook_endpoints.endpoint_register(
        by=world.coordinator,
        name="Force systems",
        target="json",
        url=receiver.url,
        events=["closure.proposed", "item.due_date_revised"],
    )

    # This test process stands for the web: its broker is "down", so each task waits in the
    # outbox and the worker's outbox sweep sends it (as when Redis is briefly unreachable).
    def broker_down(*args, **kwargs):
        raise OperationalError("the test's web process has no broker")

    monkeypatch.setattr(background, "send", broker_down)
    today = timezone.localdate()
    for days in (40, 50):
        services.item_revise_due_date(
            item=world.item,
            by=world.coordinator,
            new_date=today + datetime.timedelta(days=days),
            reason=f"Moved to {days} days",
        )
    services.closure_propose(item=world.item, by=world.owner, summary="All done.")
    deliveries = {str(d.uuid): d for d in WebhookDelivery.objects.all()}
    assert len(deliveries) == 3
    assert OutboxMessage.objects.waiting().count() >= 3

    receiver.answers = ["hang"]  # the first delivery is held until the worker is dead
    first = start_worker("first")
    wait_for(
        lambda: len(receiver.requests) >= 1,
        what="the first delivery",
        explain=start_worker.log_tail,
    )
    kill_group(first)
    held = receiver.requests[0].headers["X-Tracker-Delivery"]
    in_flight = WebhookDelivery.objects.get(uuid=held)
    assert in_flight.state == DeliveryState.SENDING  # claimed by the dead worker
    receiver.released.set()

    start_worker("second")
    wait_for(
        lambda: (
            set(WebhookDelivery.objects.values_list("state", flat=True))
            == {DeliveryState.DELIVERED}
        ),
        timeout=90,
        what="every delivery to be delivered after the restart",
        explain=start_worker.log_tail,
    )

    received = [r.headers["X-Tracker-Delivery"] for r in receiver.requests]
    assert set(received) == set(deliveries), "each event arrives"
    repeats = [r for r in receiver.requests if r.headers["X-Tracker-Delivery"] == held]
    assert len(repeats) >= 2, "the delivery the dead worker held is sent again"
    assert len({r.body for r in repeats}) == 1, "a repeat carries the same body"
    verify = receiver_script().verify
    for request in receiver.requests:
        body = json.loads(request.body)
        assert body["id"] == request.headers["X-Tracker-Delivery"]
        assert verify(secret, request.headers["X-Tracker-Signature"], request.body)
    # Dropping repeats by id, as a receiver should, leaves each event once.
    assert len(set(received)) == 3
    in_flight.refresh_from_db()
    assert in_flight.attempts >= 2
