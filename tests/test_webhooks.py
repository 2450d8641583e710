"""Webhooks (issue 15): events recorded with the change, scoped to the organisation, and
delivered to a real receiver on loopback: signed, retried after a 500, a hanging receiver
timed out, redirects not followed, private addresses refused (SSRF), an endpoint disabled
after repeated failures with a notice to whoever registered it; Teams cards."""

import datetime
import json
import socket

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tests.factories import make_finding, make_item, make_report
from tests.test_webhooks_receiver import Receiver, receiver_script
from tracker import services, webhook_addresses, webhook_delivery, webhook_endpoints
from tracker.models import (
    AuditEvent,
    DeliveryState,
    FindingKind,
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)
from tracker.statutory.services import (
    response_approve,
    response_for,
    response_publish,
    response_save_draft,
)

ALL = [
    "item.status_changed",
    "closure.proposed",
    "closure.approved",
    "closure.returned",
    "item.due_date_revised",
    "deadline.approaching",
    "deadline.missed",
    "response.published",
]


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_READ_TIMEOUT = 1
    settings.WEBHOOK_CONNECT_TIMEOUT = 1
    return settings


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    return settings


def register(by, url, events=None, target="json", name="Force systems"):
    endpoint, secret = webhook_endpoints.endpoint_register(
        by=by, name=name, target=target, url=url, events=events or ALL
    )
    return endpoint, secret


@pytest.fixture
def resolving(monkeypatch):
    """Names this test resolves as it likes (at the operating system's resolver)."""
    names: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in names:
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port),
                )
                for ip in names[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return names


def propose(world, now=None):
    return services.closure_propose(
        item=world.item, by=world.owner, summary="Backlog cleared; weekly checks in place.", now=now
    )


# Registering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://93.184.215.14/hook", "must start https://"),
        ("https://127.0.0.1/hook", "must be a public https address"),
        ("https://10.0.0.1/hook", "must be a public https address"),
        ("https://[::1]/hook", "must be a public https address"),
        ("https://169.254.169.254/latest/meta-data", "must be a public https address"),
        ("https://[::ffff:10.0.0.1]/hook", "must be a public https address"),
        ("https://[fd00::1]/hook", "must be a public https address"),
        ("https://100.64.0.1/hook", "must be a public https address"),
        ("https://localhost/hook", "must be a public https address"),
        ("https://user:pw@93.184.215.14/hook", "user name or password"),
        ("ftp://93.184.215.14/hook", "starting https://"),
        ("not an address", "starting https://"),
    ],
)
def test_registration_refuses_addresses_outside_the_public_internet(
    world, production, url, message
):
    with pytest.raises(ValidationError) as refused:
        register(world.coordinator, url)
    assert message in refused.value.message_dict["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_registration_refuses_a_name_that_resolves_to_a_private_address(
    world, production, resolving, caplog
):
    resolving["intranet.example"] = ["10.0.0.5"]
    resolving["sneaky.example"] = ["93.184.215.14", "127.0.0.1"]
    for name, ip in (("intranet.example", "10.0.0.5"), ("sneaky.example", "127.0.0.1")):
        caplog.clear()
        with pytest.raises(ValidationError) as refused:
            register(world.coordinator, f"https://{name}/hook")
        message = refused.value.message_dict["url"][0]
        # The person is not told what an internal name resolves to; the log is.
        assert message == webhook_addresses.NOT_PUBLIC
        assert ip not in message
        assert f"{name} resolves to {ip}" in caplog.text
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_is_not_found_gets_the_same_message_as_a_private_one(world, production, caplog):
    with pytest.raises(ValidationError) as refused:
        register(world.coordinator, "https://no-such-name.invalid/hook")
    assert refused.value.message_dict["url"] == [webhook_addresses.NOT_PUBLIC]
    assert "no-such-name.invalid could not be found" in caplog.text


def test_registration_accepts_a_public_https_address_and_makes_a_secret(
    world, production, resolving
):
    resolving["hooks.example.net"] = ["93.184.215.14"]
    endpoint, secret = register(world.coordinator, "https://hooks.example.net/in")
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    assert endpoint.organisation == world.wmp
    assert AuditEvent.objects.filter(object_id=str(endpoint.uuid), action="create").exists()


def test_even_with_loopback_allowed_private_ranges_are_refused(world, loopback_allowed):
    with pytest.raises(ValidationError, match="must be a public https address"):
        register(world.coordinator, "http://10.0.0.1/hook")


def test_force_staff_cannot_register_endpoints(world, loopback_allowed, receiver):
    with pytest.raises(ValidationError, match="cannot manage webhooks"):
        register(world.owner, receiver.url)


def test_unknown_events_and_no_events_are_refused(world, loopback_allowed, receiver):
    with pytest.raises(ValidationError, match="not an event"):
        register(world.coordinator, receiver.url, events=["item.deleted"])
    with pytest.raises(ValidationError, match="at least one"):
        webhook_endpoints.endpoint_register(
            by=world.coordinator, name="x", target="json", url=receiver.url, events=[]
        )


# Events: recorded with the change, scoped -----------------------------------------------------


def test_a_closure_proposal_is_delivered_signed_to_the_forces_endpoint_only(
    world, loopback_allowed, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = register(world.coordinator, receiver.url, events=["closure.proposed"])
    other = Receiver().start()
    try:
        register(world.outsider, other.url)  # Staffordshire's endpoint hears everything of its own
        with django_capture_on_commit_callbacks(execute=True):
            propose(world)
        assert len(receiver.requests) == 1
        assert other.requests == []
    finally:
        other.stop()
    request = receiver.requests[0]
    body = json.loads(request.body)
    assert body["type"] == "closure.proposed"
    assert body["id"] == request.headers["X-Tracker-Delivery"]
    assert body["item"]["id"] == str(world.item.uuid)
    assert body["item"]["url"].endswith(f"/items/{world.item.uuid}/")
    assert body["change"]["summary"] == "Backlog cleared; weekly checks in place."
    assert body["actor"] == {"name": "Priya Shah"}
    assert receiver_script().verify(secret, request.headers["X-Tracker-Signature"], request.body)
    assert not receiver_script().verify(
        "whsec_wrong", request.headers["X-Tracker-Signature"], request.body
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)


def test_a_change_that_is_rolled_back_sends_nothing(world, loopback_allowed, receiver):
    register(world.coordinator, receiver.url)

    def propose_then_fail():
        with transaction.atomic():
            propose(world)
            raise RuntimeError("undo")

    with pytest.raises(RuntimeError):
        propose_then_fail()
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_decisions_and_due_dates_are_events(world, loopback_allowed, receiver):
    register(world.coordinator, receiver.url)
    propose(world)
    services.closure_decide(item=world.item, by=world.pcc, approve=False, reason="Show the audit")
    services.item_revise_due_date(
        item=world.item,
        by=world.coordinator,
        new_date=timezone.localdate() + datetime.timedelta(days=90),
        reason="The new system arrives in spring",
    )
    types = list(WebhookDelivery.objects.order_by("id").values_list("event_type", flat=True))
    assert "closure.proposed" in types
    assert "closure.returned" in types
    assert "item.due_date_revised" in types
    revised = json.loads(WebhookDelivery.objects.get(event_type="item.due_date_revised").body)
    assert revised["change"]["reason"] == "The new system arrives in spring"


def test_a_status_change_is_an_event(world, loopback_allowed, receiver):
    register(world.coordinator, receiver.url, events=["item.status_changed"])
    services.item_change_status(
        item=world.item, by=world.owner, to_status="in_progress", reason="Work has started"
    )
    body = json.loads(WebhookDelivery.objects.get().body)
    assert body["change"] == {
        "from_status": "not_started",
        "to_status": "in_progress",
        "reason": "Work has started",
    }


def test_an_endpoint_hears_only_the_events_it_chose(world, loopback_allowed, receiver):
    register(world.coordinator, receiver.url, events=["response.published"])
    propose(world)
    assert not WebhookDelivery.objects.exists()


def test_a_published_response_goes_to_the_pcc_offices_endpoint(world, loopback_allowed, receiver):
    pcc_endpoint, _ = register(world.pcc, receiver.url, events=["response.published"])
    force_endpoint, _ = register(world.coordinator, receiver.url, events=ALL, name="Force")
    world.coc = make_finding(world.report, "Failing to attend.", kind=FindingKind.CAUSE_OF_CONCERN)
    world.finding.parent = world.coc
    world.finding.save()
    response = response_for(report=world.report, force=world.wmp)
    response_save_draft(
        response=response,
        by=world.pcc,
        pcc_comments="The PCC welcomes the report.",
        pcc_responses={world.finding.pk: "Weekly checks."},
        force_responses={world.finding.pk: "Reviewed."},
    )
    response_approve(response=type(response).objects.get(pk=response.pk), by=world.pcc)
    response_publish(
        response=type(response).objects.get(pk=response.pk),
        by=world.pcc,
        published_on=datetime.date(2018, 5, 17),
    )
    delivery = WebhookDelivery.objects.get(event_type="response.published")
    assert delivery.endpoint == pcc_endpoint
    body = json.loads(delivery.body)
    assert body["response"]["version"] == 1
    assert body["organisation"]["code"] == world.wm_pcc.code


def test_a_reminder_going_out_is_a_deadline_event_once_however_many_are_reminded(
    world, loopback_allowed, receiver
):
    from tracker.models import Reminder
    from tracker.reminders.sweeps import sweep

    register(world.coordinator, receiver.url, events=["deadline.approaching", "deadline.missed"])
    first = Reminder.objects.filter(deadline__item=world.item).order_by("next_attempt_at").first()
    assert first is not None, "the world's item should have reminders planned"
    sweep(now=first.next_attempt_at)
    deliveries = list(WebhookDelivery.objects.all())
    assert len(deliveries) == 1
    body = json.loads(deliveries[0].body)
    assert body["type"] == "deadline.approaching"
    assert body["deadline"]["id"] == str(first.deadline.uuid)
    sweep(now=first.next_attempt_at)  # a second sweep of the same step adds nothing
    assert WebhookDelivery.objects.count() == 1


# Sending ---------------------------------------------------------------------------------------


def deliver(now=None):
    delivery = WebhookDelivery.objects.order_by("id").last()
    return webhook_delivery.delivery_attempt(delivery.pk, now=now or timezone.now())


def test_a_500_is_retried_later_with_the_same_delivery_id_and_body(
    world, loopback_allowed, receiver
):
    register(world.coordinator, receiver.url, events=["closure.proposed"])
    receiver.answers = ["500", "500", "ok"]
    now = timezone.now()
    propose(world, now=now)
    delivery = WebhookDelivery.objects.get(event_type="closure.proposed")
    assert webhook_delivery.delivery_attempt(delivery.pk, now=now) == "retry"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("pending", 500, 1)
    assert "answered 500" in delivery.last_error
    assert delivery.next_attempt_at == now + datetime.timedelta(seconds=30)
    # Not due yet: the sweep leaves it.
    assert webhook_delivery.deliveries_sweep(now=now + datetime.timedelta(seconds=10)) == {}
    webhook_delivery.deliveries_sweep(now=now + datetime.timedelta(seconds=30))
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + datetime.timedelta(seconds=30 + 60)  # doubled
    webhook_delivery.deliveries_sweep(now=now + datetime.timedelta(seconds=90))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 3)
    proposed = [r for r in receiver.requests if r.headers["X-Tracker-Event"] == "closure.proposed"]
    assert len(proposed) == 3
    assert {r.headers["X-Tracker-Delivery"] for r in proposed} == {str(delivery.uuid)}
    assert {r.body for r in proposed} == {delivery.body.encode()}
    assert WebhookEndpoint.objects.get().consecutive_failures == 0


def test_a_hanging_receiver_times_out_and_is_tried_again(world, loopback_allowed, receiver):
    register(world.coordinator, receiver.url, events=["closure.proposed"])
    receiver.answers = ["hang"]
    propose(world)
    started = timezone.now()
    assert deliver() == "retry"
    assert (timezone.now() - started).total_seconds() < 5
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error == "The receiver did not answer in time."
    assert delivery.response_code is None


def test_redirects_are_not_followed(world, loopback_allowed, receiver):
    elsewhere = Receiver().start()
    try:
        register(world.coordinator, receiver.url, events=["closure.proposed"])
        receiver.answers = [f"redirect:{elsewhere.url}"]
        propose(world)
        assert deliver() == "retry"
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code == 302
    assert "redirects are not followed" in delivery.last_error


def test_the_address_is_checked_again_when_sending(world, loopback_allowed, receiver):
    register(world.coordinator, receiver.url, events=["closure.proposed"])
    propose(world)
    loopback_allowed.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # production
    assert deliver() == "retry"
    assert receiver.requests == []
    assert "https://" in WebhookDelivery.objects.get().last_error


def test_a_name_that_changes_to_a_private_address_after_registration_is_refused(
    world, production, resolving, receiver, caplog
):
    resolving["hooks.example.net"] = ["93.184.215.14"]
    register(world.coordinator, "https://hooks.example.net/in", events=["closure.proposed"])
    propose(world)
    resolving["hooks.example.net"] = ["127.0.0.1"]  # DNS rebinding
    assert deliver() == "retry"
    error = WebhookDelivery.objects.get().last_error
    assert error == webhook_addresses.NOT_PUBLIC  # the delivery log shows no internal IP
    assert "hooks.example.net resolves to 127.0.0.1" in caplog.text


def test_the_connection_goes_to_the_checked_ip_with_the_name_kept(
    world, loopback_allowed, receiver, resolving
):
    resolving["receiver.test"] = ["127.0.0.1"]
    register(
        world.coordinator,
        f"http://receiver.test:{receiver.port}/in?x=1",
        events=["closure.proposed"],
    )
    propose(world)
    assert deliver() == "delivered"
    assert receiver.requests[0].headers["Host"] == f"receiver.test:{receiver.port}"
    assert receiver.requests[0].path == "/in?x=1"


def test_an_endpoint_is_disabled_after_repeated_failures_and_its_registrant_told(
    world, loopback_allowed, receiver
):
    loopback_allowed.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    endpoint, _ = register(world.coordinator, receiver.url)
    receiver.answers = ["500"] * 10
    now = timezone.now()
    for n in range(3):
        world.item.refresh_from_db()
        services.item_revise_due_date(
            item=world.item,
            by=world.coordinator,
            new_date=timezone.localdate() + datetime.timedelta(days=40 + n),
            reason=f"Reason {n}",
            now=now + datetime.timedelta(seconds=n),
        )
    for delivery in WebhookDelivery.objects.order_by("id"):
        webhook_delivery.delivery_attempt(delivery.pk, now=now + datetime.timedelta(seconds=5))
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "3 failed deliveries in a row" in endpoint.disabled_reason
    note = Notification.objects.get(user=world.coordinator, subject__contains="was disabled")
    assert str(endpoint.uuid) in note.url
    assert AuditEvent.objects.filter(
        object_id=str(endpoint.uuid), note__contains="Disabled"
    ).exists()
    # Nothing more is sent to it.
    asked = len(receiver.requests)
    services.item_revise_due_date(
        item=world.item,
        by=world.coordinator,
        new_date=timezone.localdate() + datetime.timedelta(days=60),
        reason="Again",
    )
    webhook_delivery.deliveries_sweep(now=now + datetime.timedelta(hours=2))
    assert len(receiver.requests) == asked
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) <= {"pending", "failed"}


def test_a_delivery_gives_up_after_the_most_attempts(world, loopback_allowed, receiver):
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 2
    register(world.coordinator, receiver.url, events=["closure.proposed"])
    receiver.answers = ["500"] * 5
    now = timezone.now()
    propose(world, now=now)
    assert deliver(now) == "retry"
    assert deliver(now + datetime.timedelta(minutes=1)) == "failed"
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED


def test_a_teams_endpoint_gets_an_adaptive_card_with_a_link_to_the_item(
    world, loopback_allowed, receiver
):
    register(world.coordinator, receiver.url, events=["closure.proposed"], target="teams")
    world.item.finding.text = "Review [the backlog](https://evil.example) <script>alert(1)</script>"
    world.item.finding.save()
    propose(world)
    assert deliver() == "delivered"
    message = json.loads(receiver.requests[0].body)
    assert message["type"] == "message"
    attachment = message["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    assert card["actions"][0]["url"].endswith(f"/items/{world.item.uuid}/")
    # The item's text is a TextRun (plain text in Teams: no markdown link made of it).
    runs = [i for block in card["body"] for i in block.get("inlines", [])]
    assert all(r["type"] == "TextRun" for r in runs)
    assert any("[the backlog](https://evil.example)" in r["text"] for r in runs)


def test_another_forces_item_is_never_sent_to_this_force(world, loopback_allowed, receiver):
    register(world.coordinator, receiver.url)
    report = make_report(forces=[world.staffs], title="Staffordshire inspection")
    staffs_item = make_item(make_finding(report), world.staffs, owner=world.outsider)
    services.closure_propose(item=staffs_item, by=world.outsider, summary="Done")
    assert not WebhookDelivery.objects.exists()
