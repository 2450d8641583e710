"""What a SCIM token may never touch (issue 15, after review): an administrator of its
organisation (read, never changed: the Administrator role is never given or taken through
SCIM), a service account (not a person: 404, and never "another coordinator"), and an
address outside the token's email domains (400, whether or not someone has it elsewhere)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.api_token_services import service_account_create
from accounts.models import IdentityProvider, IdentityProviderDomain, Role, RoleAssignment, User
from accounts.scim.admin import SHOWN_ONCE
from accounts.scim.tokens import scim_token_create
from accounts.scim_models import ScimIdentity, ScimToken
from tests.factories import make_user
from tracker.models import AuditEvent, TrackedItem
from tracker.reminders.plan import coordinators

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SCIM = "application/scim+json"


@pytest.fixture
def token(world):
    """West Midlands Police's token (its people's addresses are the factories' example.org)."""
    world.admin = make_user("Alex Morgan", None, Role.ADMINISTRATOR)
    _token, secret = scim_token_create(
        by=world.admin,
        organisation=world.wmp,
        name="Entra ID",
        default_role=Role.FORCE_STAFF,
        email_domains="westmidlands.police.example example.org",
    )
    return secret


def scim(client, secret, method, path, body=None, **params):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    url = "/scim/v2" + path
    if method == "GET":
        return client.get(url, params, **kwargs)
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method.lower())(url, data, content_type=SCIM, **kwargs)


def refused(response, status, says, scim_type=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert says in body["detail"], body["detail"]
    return body


def deactivate(active="False"):
    return {
        "schemas": [PATCH],
        "Operations": [{"op": "Replace", "path": "active", "value": active}],
    }


def members(op, *people):
    return {
        "schemas": [PATCH],
        "Operations": [
            {"op": op, "path": "members", "value": [{"value": str(p.pk)} for p in people]}
        ],
    }


# 1. The organisation's administrators ------------------------------------------------------


def test_an_administrator_of_the_organisation_is_read_but_never_changed(client, world, token):
    # Wendy administers the tracker and works at West Midlands Police (force staff too);
    # Victor, another of its administrators, has been deactivated.
    wendy = make_user("Wendy Admin", world.wmp, Role.ADMINISTRATOR, Role.FORCE_STAFF)
    victor = make_user("Victor Admin", world.wmp, Role.ADMINISTRATOR)
    victor.is_active = False
    victor.save()
    before = AuditEvent.objects.count()

    read = scim(client, token, "GET", f"/Users/{wendy.pk}")
    assert read.status_code == 200
    assert [g["value"] for g in read.json()["groups"]] == [Role.FORCE_STAFF]  # not admin

    says = "holds the Administrator role"
    refused(scim(client, token, "PATCH", f"/Users/{wendy.pk}", deactivate()), 403, says)
    refused(scim(client, token, "DELETE", f"/Users/{wendy.pk}"), 403, says)
    rename = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "X"}],
    }
    refused(scim(client, token, "PATCH", f"/Users/{wendy.pk}", rename), 403, says)
    put = {"userName": wendy.email, "displayName": "Someone Else", "title": "Clerk"}
    refused(scim(client, token, "PUT", f"/Users/{wendy.pk}", put), 403, says)
    refused(scim(client, token, "PATCH", f"/Users/{victor.pk}", deactivate("True")), 403, says)
    refused(scim(client, token, "DELETE", f"/Users/{victor.pk}"), 403, says)
    tag = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "externalId", "value": "e9"}]}
    refused(scim(client, token, "PATCH", f"/Users/{wendy.pk}", tag), 403, says)
    for group, op in ((Role.FORCE_COORDINATOR, "add"), (Role.FORCE_STAFF, "remove")):
        refused(scim(client, token, "PATCH", f"/Groups/{group}", members(op, wendy)), 403, says)

    wendy.refresh_from_db()
    victor.refresh_from_db()
    assert wendy.is_active
    assert (wendy.full_name, wendy.job_title) == ("Wendy Admin", "")
    assert not victor.is_active
    assert set(wendy.roles) == {Role.ADMINISTRATOR, Role.FORCE_STAFF}
    assert AuditEvent.objects.count() == before
    assert not ScimIdentity.objects.filter(user__in=[wendy, victor]).exists()


def test_the_services_refuse_a_system_actor_any_change_to_an_administrator(world):
    wendy = make_user("Wendy Admin", world.wmp, Role.ADMINISTRATOR)
    make_user("Alex Morgan", None, Role.ADMINISTRATOR)  # so Wendy is not the last
    actor = services.SystemActor(label="SCIM token T", organisation_id=world.wmp.pk)
    for change in (
        lambda: services.person_deactivate(by=actor, person=wendy),
        lambda: services.person_update(
            by=actor,
            person=wendy,
            full_name="W",
            organisation=world.wmp,
            roles=[Role.ADMINISTRATOR, Role.FORCE_STAFF],
        ),
    ):
        with pytest.raises(ValidationError, match="Administrator role") as error:
            change()
        assert error.value.code == "forbidden"
    wendy.is_active = False
    wendy.save()
    with pytest.raises(ValidationError, match="Administrator role"):
        services.person_reactivate(by=actor, person=wendy)
    assert not User.objects.get(pk=wendy.pk).is_active


# 2. Service accounts -----------------------------------------------------------------------


@pytest.fixture
def power_bi(world, token):
    return service_account_create(organisation=world.wmp, name="Power BI", by=world.admin).user


def test_a_service_account_is_not_a_person_to_a_scim_token(client, world, token, power_bi):
    listed = scim(client, token, "GET", "/Users", count=200).json()
    assert str(power_bi.pk) not in {r["id"] for r in listed["Resources"]}
    assert str(world.owner.pk) in {r["id"] for r in listed["Resources"]}
    staff = scim(client, token, "GET", f"/Groups/{Role.FORCE_STAFF}").json()
    assert str(power_bi.pk) not in {m["value"] for m in staff["members"]}
    for method, body in (
        ("GET", None),
        ("PATCH", deactivate()),
        ("PUT", {"userName": power_bi.email, "displayName": "Renamed"}),
        ("DELETE", None),
    ):
        refused(scim(client, token, method, f"/Users/{power_bi.pk}", body), 404, "no User")
    grow = members("add", power_bi)
    refused(
        scim(client, token, "PATCH", f"/Groups/{Role.FORCE_COORDINATOR}", grow),
        400,
        "no User",
        "invalidValue",
    )
    power_bi.refresh_from_db()
    assert power_bi.is_active
    assert power_bi.full_name == "Power BI (service account)"
    assert set(power_bi.roles) == {Role.FORCE_STAFF}
    actor = services.SystemActor(label="SCIM token T", organisation_id=world.wmp.pk)
    with pytest.raises(ValidationError, match="service account"):
        services.person_deactivate(by=actor, person=power_bi)


def test_a_service_account_is_never_another_coordinator(client, world, token, power_bi):
    # Grace is no longer a coordinator; only the service account holds the role there.
    RoleAssignment.objects.filter(user=world.coordinator).update(role=Role.FORCE_STAFF)
    RoleAssignment.objects.create(user=power_bi, role=Role.FORCE_COORDINATOR)
    assert coordinators(world.wmp.pk) == []
    admin = make_user("Ann Other", None, Role.ADMINISTRATOR)
    with pytest.raises(ValidationError, match="no other active coordinator"):
        services.person_deactivate(by=admin, person=world.owner)
    refused(
        scim(client, token, "PATCH", f"/Users/{world.owner.pk}", deactivate()),
        409,
        "no other active coordinator",
    )
    assert User.objects.get(pk=world.owner.pk).is_active
    assert TrackedItem.objects.get(pk=world.item.pk).owner_id == world.owner.pk
    # With Grace a coordinator again, she (and only she) is told.
    RoleAssignment.objects.create(user=world.coordinator, role=Role.FORCE_COORDINATOR)
    assert coordinators(world.wmp.pk) == [world.coordinator]


# 3. The token's email domains --------------------------------------------------------------


def test_a_user_name_outside_the_tokens_domains_is_400_whether_or_not_it_exists(world):
    admin = make_user("Alex Morgan", None, Role.ADMINISTRATOR)
    _token, secret = scim_token_create(
        by=admin,
        organisation=world.wmp,
        name="Entra ID",
        default_role=Role.FORCE_STAFF,
        email_domains=["WestMidlands.Police.Example"],
    )
    from django.test import Client

    client = Client()
    answers = {}
    for email in (world.outsider.email, "nobody.at.all@example.org", "x@staffs.police.example"):
        response = scim(client, secret, "POST", "/Users", {"userName": email, "displayName": "A"})
        body = refused(response, 400, "this token's email domains", "invalidValue")
        answers[email] = body["detail"].replace(email, "<address>")
    assert len(set(answers.values())) == 1  # the same answer whether someone has it or not
    assert "westmidlands.police.example" in next(iter(answers.values()))
    assert not User.objects.filter(email="nobody.at.all@example.org").exists()
    made = scim(
        client,
        secret,
        "POST",
        "/Users",
        {"userName": "Jo@WestMidlands.Police.Example", "displayName": "Jo Bloggs"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["userName"] == "jo@westmidlands.police.example"
    again = {"userName": "jo@westmidlands.police.example", "displayName": "Jo"}
    refused(scim(client, secret, "POST", "/Users", again), 409, "already exists", "uniqueness")


def test_a_token_needs_domains_of_its_own_organisation(world):
    admin = make_user("Alex Morgan", None, Role.ADMINISTRATOR)

    def make(organisation, name, domains):
        return scim_token_create(
            by=admin,
            organisation=organisation,
            name=name,
            default_role=Role.FORCE_STAFF,
            email_domains=domains,
        )

    for domains, says in (
        ("", "Enter the organisation's email domains"),
        ("not a domain!", "is not an email domain"),
        ("westmidlands", "is not an email domain"),
    ):
        with pytest.raises(ValidationError, match=says):
            make(world.wmp, "A", domains)
    make(world.staffs, "SailPoint", "staffordshire.police.example")
    with pytest.raises(ValidationError, match="Staffordshire Police's email domain"):
        make(world.wmp, "B", "westmidlands.police.example, @Staffordshire.police.example")
    provider = IdentityProvider.objects.create(
        organisation=world.staffs,
        name="Staffordshire Police account",
        issuer="https://login.example/staffs/v2.0",
        client_id="abc",
    )
    IdentityProviderDomain.objects.create(provider=provider, domain="staffs.example")
    with pytest.raises(ValidationError, match="Staffordshire Police's email domain"):
        make(world.wmp, "C", "staffs.example")
    token, _secret = make(world.wmp, "D", "@WestMidlands.police.example\nwmp.example")
    assert token.domain_list == ["westmidlands.police.example", "wmp.example"]
    assert ScimToken.objects.filter(organisation=world.wmp).count() == 1


def test_the_admin_form_asks_for_domains_and_the_shown_token_has_no_inline_style(
    admin_client, world
):
    url = reverse("admin:accounts_scimtoken_add")
    form = {"organisation": world.wmp.pk, "name": "Entra ID", "default_role": Role.FORCE_STAFF}
    missing = admin_client.post(url, form)
    assert missing.status_code == 200
    assert "This field is required" in missing.content.decode()
    assert not ScimToken.objects.exists()
    shown = admin_client.post(url, {**form, "email_domains": "westmidlands.police.example"})
    page = shown.content.decode()
    assert '<code id="scim-token">' in page  # no inline style: the CSP's way
    assert "style=" not in SHOWN_ONCE.template.source
    assert ScimToken.objects.get().email_domains == "westmidlands.police.example"
    assert "westmidlands.police.example" in page
