"""The Webhooks pages (issue 15): list, add (the secret shown once), edit, disable and enable,
delete, the delivery log; who may use them, and another organisation's endpoint is 404."""

import pytest
from django.urls import reverse

from tracker import webhook_endpoints
from tracker.models import AuditEvent, WebhookDelivery, WebhookEndpoint


@pytest.fixture
def allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


def form(url="http://127.0.0.1:9/hook", **extra):
    return {
        "name": "Force performance hub",
        "target": "json",
        "url": url,
        "events": ["closure.proposed", "deadline.missed"],
        **extra,
    }


def make(world, person=None, name="Hub"):
    endpoint, _ = webhook_endpoints.endpoint_register(
        by=person or world.coordinator,
        name=name,
        target="json",
        url="http://127.0.0.1:9/hook",
        events=["closure.proposed"],
    )
    return endpoint


def test_a_coordinator_adds_an_endpoint_and_sees_its_secret_once(world, client, allowed):
    client.force_login(world.coordinator)
    response = client.post(reverse("integrations:webhook_add"), form())
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:webhook_detail", args=[endpoint.uuid])
    page = client.get(response["Location"])
    assert endpoint.secret in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    again = client.get(response["Location"]).content.decode()
    assert endpoint.secret not in again
    assert "Force performance hub" in again


def test_in_production_a_loopback_or_private_address_is_refused_with_a_clear_message(
    world, client, production
):
    client.force_login(world.coordinator)
    for url in ("https://127.0.0.1/hook", "https://10.0.0.1/hook", "http://93.184.215.14/x"):
        response = client.post(reverse("integrations:webhook_add"), form(url=url))
        assert response.status_code == 400
        page = response.content.decode()
        assert "There is a problem" in page
        assert "must be a public https address" in page or "must start https://" in page
    assert not WebhookEndpoint.objects.exists()


def test_missing_fields_are_named(world, client, allowed):
    client.force_login(world.coordinator)
    response = client.post(reverse("integrations:webhook_add"), {"target": "json"})
    page = response.content.decode()
    assert response.status_code == 400
    for message in ("Enter a name for the endpoint", "Enter the address", "Choose at least one"):
        assert message in page
    assert not WebhookEndpoint.objects.exists()


def test_force_staff_and_national_readers_are_refused(world, client):
    for person in (world.owner, world.reader):
        client.force_login(person)
        assert client.get(reverse("integrations:webhook_list")).status_code == 403
        assert client.get(reverse("integrations:webhook_add")).status_code == 403


def test_the_pcc_office_manages_its_own_endpoints(world, client, allowed):
    client.force_login(world.pcc)
    assert client.get(reverse("integrations:webhook_list")).status_code == 200
    client.post(reverse("integrations:webhook_add"), form())
    assert WebhookEndpoint.objects.get().organisation == world.wm_pcc


def test_another_organisations_endpoint_is_404(world, client, allowed):
    endpoint = make(world)
    client.force_login(world.outsider)  # Staffordshire's coordinator
    for name in ("webhook_detail", "webhook_edit", "webhook_delete"):
        assert client.get(reverse(f"integrations:{name}", args=[endpoint.uuid])).status_code == 404
    url = reverse("integrations:webhook_enable", args=[endpoint.uuid])
    assert client.post(url, {"enabled": "0"}).status_code == 404
    assert "Hub" not in client.get(reverse("integrations:webhook_list")).content.decode()
    client.force_login(world.pcc)  # the PCC office of the same force: another organisation
    assert (
        client.get(reverse("integrations:webhook_detail", args=[endpoint.uuid])).status_code == 404
    )
    assert WebhookEndpoint.objects.get().enabled


def test_edit_disable_enable_and_delete_are_audited(world, client, allowed):
    endpoint = make(world)
    client.force_login(world.coordinator)
    edit = reverse("integrations:webhook_edit", args=[endpoint.uuid])
    assert client.get(edit).status_code == 200
    client.post(edit, form(name="Renamed hub"))
    endpoint.refresh_from_db()
    assert endpoint.name == "Renamed hub"
    client.post(reverse("integrations:webhook_enable", args=[endpoint.uuid]), {"enabled": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    page = client.get(reverse("integrations:webhook_detail", args=[endpoint.uuid])).content.decode()
    assert "This endpoint is disabled" in page
    client.post(reverse("integrations:webhook_enable", args=[endpoint.uuid]), {"enabled": "1"})
    endpoint.refresh_from_db()
    assert endpoint.enabled
    delete = reverse("integrations:webhook_delete", args=[endpoint.uuid])
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not WebhookEndpoint.objects.exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(endpoint.uuid)).values_list("action", flat=True)
    )
    assert actions.count("update") == 3
    assert "create" in actions
    assert "delete" in actions


def test_the_delivery_log_shows_status_code_attempts_and_errors_escaped(world, client, allowed):
    from django.utils import timezone

    endpoint = make(world)
    now = timezone.now()
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="closure.proposed",
        event_key="k",
        body="{}",
        title="<script>alert(1)</script>",
        state="pending",
        attempts=2,
        response_code=500,
        last_error="The receiver answered 500. <b>boom</b>",
        created_at=now,
        next_attempt_at=now,
        last_attempt_at=now,
    )
    client.force_login(world.coordinator)
    page = client.get(reverse("integrations:webhook_detail", args=[endpoint.uuid])).content.decode()
    assert "Delivery log" in page
    assert "500" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>boom</b>" not in page


def test_pages_are_get_or_post_only(world, client, allowed):
    endpoint = make(world)
    client.force_login(world.coordinator)
    assert (
        client.get(reverse("integrations:webhook_enable", args=[endpoint.uuid])).status_code == 405
    )
    assert client.post(reverse("integrations:webhook_list")).status_code == 405
