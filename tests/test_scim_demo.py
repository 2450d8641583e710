"""The demo's SCIM token (issue 15): in DEMO_MODE, West Midlands Police's documented token
works as the README shows, and deactivating Tom Ellis through it hands his open items to
the force coordinator, Grace Okafor, who is told."""

import json

from django.urls import reverse

from accounts.models import User
from tracker.demo_scim import DEMO_SCIM_TOKEN, create_demo_scim
from tracker.models import AuditEvent, Notification, TrackedItem

AUTH = {"HTTP_AUTHORIZATION": f"Bearer {DEMO_SCIM_TOKEN}"}


def test_no_demo_token_outside_demo_mode(demo_world, settings):
    settings.DEMO_MODE = False
    assert create_demo_scim() is None


def test_the_readme_deactivation_hands_toms_items_to_grace(client, demo_world, settings):
    settings.DEMO_MODE = True
    token = create_demo_scim()
    assert create_demo_scim() == token  # once
    tom = User.objects.get(email="tom.ellis@wmp.example")
    open_items = list(TrackedItem.objects.filter(owner=tom).exclude(status__in=["closed"]))
    found = client.get(
        reverse("scim:users"), {"filter": 'userName eq "tom.ellis@wmp.example"'}, **AUTH
    ).json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == str(tom.pk)
    response = client.patch(
        reverse("scim:user", args=[tom.pk]),
        json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
            }
        ),
        content_type="application/scim+json",
        **AUTH,
    )
    assert response.status_code == 200, response.content
    tom.refresh_from_db()
    assert not tom.is_active
    handed = [i for i in open_items if i.is_open]
    assert handed
    assert not TrackedItem.objects.filter(pk__in=[i.pk for i in handed], owner=tom).exists()
    grace = User.objects.get(email="grace.okafor@wmp.example")
    assert Notification.objects.filter(user=grace, subject__startswith="Choose a new").count() >= 1
    event = AuditEvent.objects.filter(object_id=tom.email, changes__has_key="is_active").get()
    assert event.note.startswith("SCIM token Demo: Entra ID provisioning of West Midlands Police")
