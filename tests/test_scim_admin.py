"""SCIM tokens in the Django admin (issue 15): made by an administrator for an organisation,
shown once, stored hashed, revoked; audited. Others cannot see them."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role, User
from accounts.scim.errors import ScimError
from accounts.scim.tokens import scim_token_authenticate, scim_token_create
from accounts.scim_models import ScimToken, scim_token_hash
from tracker.models import AuditEvent


def test_an_administrator_makes_a_token_that_is_shown_once_and_stored_hashed(admin_client, world):
    response = admin_client.post(
        reverse("admin:accounts_scimtoken_add"),
        {
            "organisation": world.wmp.pk,
            "name": "Entra ID",
            "default_role": Role.FORCE_STAFF,
            "email_domains": "wmp.example",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = _secret(response)
    token = ScimToken.objects.get(name="Entra ID")
    assert token.organisation == world.wmp
    assert token.created_by.email == "alex@example.org"
    assert token.token_hash == scim_token_hash(secret)
    assert secret not in str(ScimToken.objects.filter(pk=token.pk).values().get())
    assert token.prefix == secret[:12]
    assert scim_token_authenticate(f"Bearer {secret}") == token
    page = admin_client.get(reverse("admin:accounts_scimtoken_change", args=[token.pk]))
    assert secret not in page.content.decode()
    listing = admin_client.get(reverse("admin:accounts_scimtoken_changelist"))
    assert secret not in listing.content.decode()
    assert "Entra ID" in listing.content.decode()
    made = AuditEvent.objects.get(object_type="accounts.ScimToken", action="create")
    assert made.object_id == "west-midlands-police/Entra ID"
    assert made.actor.email == "alex@example.org"


def test_a_token_cannot_give_a_role_that_does_not_fit_or_the_administrator_role(
    admin_client, world
):
    for role, says in (
        (Role.ADMINISTRATOR, "Select a valid choice"),  # not offered
        (Role.PCC_OFFICE, "PCC office role is for people of a local policing body"),
    ):
        response = admin_client.post(
            reverse("admin:accounts_scimtoken_add"),
            {
                "organisation": world.wmp.pk,
                "name": "Bad",
                "default_role": role,
                "email_domains": "wmp.example",
            },
        )
        assert response.status_code == 200
        assert says in response.content.decode()
    assert not ScimToken.objects.exists()
    admin = User.objects.get(email="alex@example.org")
    with pytest.raises(ValidationError, match="cannot give the Administrator role"):
        scim_token_create(
            by=admin,
            organisation=world.wmp,
            name="X",
            default_role="administrator",
            email_domains="wmp.example",
        )
    with pytest.raises(ValidationError, match="Only an administrator"):
        scim_token_create(
            by=world.coordinator,
            organisation=world.wmp,
            name="X",
            default_role="force_staff",
            email_domains="wmp.example",
        )
    assert not ScimToken.objects.exists()


def _secret(response) -> str:
    return re.search(r'<code id="scim-token"[^>]*>([^<]+)</code>', response.content.decode())[1]


def test_revoking_a_token_stops_it_at_once(admin_client, world):
    made = admin_client.post(
        reverse("admin:accounts_scimtoken_add"),
        {
            "organisation": world.wmp.pk,
            "name": "SailPoint",
            "default_role": Role.FORCE_STAFF,
            "email_domains": "wmp.example",
        },
    )
    secret = _secret(made)
    token = ScimToken.objects.get()
    assert scim_token_authenticate(f"Bearer {secret}") == token
    admin_client.post(
        reverse("admin:accounts_scimtoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(ScimError) as refused:
        scim_token_authenticate(f"Bearer {secret}")
    assert refused.value.status == 401
    assert AuditEvent.objects.filter(
        object_type="accounts.ScimToken", note="SCIM token revoked"
    ).exists()


def test_people_who_do_not_manage_people_cannot_see_tokens(client, world):
    world.coordinator.is_staff = True
    world.coordinator.save()
    client.force_login(world.coordinator)
    response = client.get(reverse("admin:accounts_scimtoken_changelist"))
    assert response.status_code in (302, 403)
