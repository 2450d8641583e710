"""A webhook address can be a credential (issue 15): a Teams Workflows address carries its key
in the query (`sig=`). After registration it is never shown again in full: not on the
endpoint's page, not in the edit form, not in the audit log, not in the email saying the
endpoint was disabled. Editing keeps the stored address unless a new one is typed."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.test_webhooks import propose
from tracker import webhook_delivery, webhook_endpoints
from tracker.models import AuditEvent, Notification, WebhookDelivery, WebhookEndpoint
from tracker.webhook_addresses import shown_address

SIG = "sig=Zm9vYmFyc2VjcmV0a2V5MTIzNDU2"
# A closed port on loopback (deliveries fail at once), with a Teams-like query.
TEAMS = f"http://127.0.0.1:9/workflows/abc/triggers/manual/paths/invoke?api-version=1&{SIG}"


@pytest.fixture
def allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_CONNECT_TIMEOUT = 1
    settings.WEBHOOK_READ_TIMEOUT = 1


def audit_text(endpoint) -> str:
    rows = AuditEvent.objects.filter(object_id=str(endpoint.uuid)).values("changes", "note")
    return json.dumps(list(rows), default=str, ensure_ascii=False)


def register(world, url=TEAMS):
    endpoint, _ = webhook_endpoints.endpoint_register(
        by=world.coordinator,
        name="Teams channel",
        target="teams",
        url=url,
        events=["closure.proposed"],
    )
    return endpoint


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (TEAMS, "http://127.0.0.1:9/workflows/abc/triggers/manual/paths/invoke?…"),
        ("https://hooks.example.net/in", "https://hooks.example.net/in"),
        ("https://[2001:db8::1]:8443/x?k=1#frag", "https://[2001:db8::1]:8443/x?…"),
    ],
)
def test_an_address_is_shown_without_its_query(url, shown):
    assert shown_address(url) == shown


def test_the_endpoint_page_and_the_edit_form_do_not_show_the_query(world, client, allowed):
    endpoint = register(world)
    client.force_login(world.coordinator)
    page = client.get(reverse("integrations:webhook_detail", args=[endpoint.uuid]))
    text = page.content.decode()
    assert SIG not in text
    assert "api-version" not in text
    assert "/paths/invoke?…" in text
    edit = client.get(reverse("integrations:webhook_edit", args=[endpoint.uuid]))
    text = edit.content.decode()
    assert SIG not in text
    assert "api-version" not in text
    assert "Leave blank to keep the current address" in text
    url_input = re.search(r'<input[^>]*name="url"[^>]*>', text).group(0)
    assert 'value="' not in url_input or 'value=""' in url_input


def test_editing_without_an_address_keeps_the_stored_one(world, client, allowed):
    endpoint = register(world)
    client.force_login(world.coordinator)
    edit = reverse("integrations:webhook_edit", args=[endpoint.uuid])
    answer = client.post(
        edit,
        {"name": "Renamed", "target": "teams", "url": "", "events": ["closure.proposed"]},
    )
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url) == ("Renamed", TEAMS)
    new = "http://127.0.0.1:9/other?sig=bmV3c2VjcmV0"
    client.post(
        edit, {"name": "Renamed", "target": "teams", "url": new, "events": ["closure.proposed"]}
    )
    endpoint.refresh_from_db()
    assert endpoint.url == new


def test_the_audit_log_keeps_the_address_without_its_query(world, client, allowed):
    endpoint = register(world)
    client.force_login(world.coordinator)
    client.post(
        reverse("integrations:webhook_edit", args=[endpoint.uuid]),
        {
            "name": "Teams channel",
            "target": "teams",
            "url": "http://127.0.0.1:9/other?sig=bmV3c2VjcmV0",
            "events": ["closure.proposed"],
        },
    )
    client.post(reverse("integrations:webhook_delete", args=[endpoint.uuid]))
    assert not WebhookEndpoint.objects.exists()
    text = audit_text(endpoint)
    assert "create" in set(AuditEvent.objects.values_list("action", flat=True))
    for secret in (SIG, "bmV3c2VjcmV0", "api-version"):
        assert secret not in text
    assert "/paths/invoke?…" in text
    assert "/other?…" in text


def test_the_disabled_email_does_not_carry_the_query(world, allowed, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1
    endpoint = register(world)
    propose(world)
    delivery = WebhookDelivery.objects.get()
    webhook_delivery.delivery_attempt(delivery.pk, now=timezone.now())
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    note = Notification.objects.get(user=world.coordinator, subject__contains="was disabled")
    sent = [note.body] + [m.body for m in mail.outbox] + [audit_text(endpoint)]
    for text in sent:
        assert SIG not in text
    assert "api-version" not in text
    assert "/paths/invoke?…" in note.body
