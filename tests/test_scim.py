"""SCIM 2.0 provisioning (issue 15), end to end: a real SCIM client (scim2-client, with a
`requests` engine) against the app served by Django's live server, as Entra ID or SailPoint
would call it. Through create, update, deactivate with hand-over (items to the coordinators,
who are told), and each bad input: no token, a revoked one, malformed JSON, another
organisation's person, a duplicate userName, a role that cannot be given there."""

import json
from typing import Any

import pytest
import requests
from scim2_client.client import BaseSyncSCIMClient
from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    Name,
    PatchOp,
    PatchOperation,
    ResourceType,
    Schema,
    ScimProvider,
    SearchRequest,
    User,
)

from accounts.models import Role, RoleAssignment
from accounts.models import User as Person
from accounts.scim.tokens import scim_token_create, scim_token_revoke
from accounts.scim_models import ScimToken
from tests.factories import World
from tracker.models import AuditEvent, Notification, TrackedItem

SCIM = "application/scim+json"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class RequestsSCIMClient(BaseSyncSCIMClient):
    """scim2-client over real HTTP with `requests` (its own engines need httpx2)."""

    def __init__(self, base_url: str, token: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _stays_under_base_url(self, endpoint: str) -> bool:
        return not endpoint.startswith("http") or endpoint.startswith(self.base_url + "/")

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if not url.startswith("http"):
            url = self.base_url + url
        return self.session.request(method, url, timeout=30, **kwargs)


@pytest.fixture
def estate(transactional_db, live_server):
    """The world, committed (the live server reads it from its own connection), with a SCIM
    token for West Midlands Police and one for Staffordshire Police."""
    world = World.build()
    world.admin = World.admin()
    world.token, world.secret = scim_token_create(
        by=world.admin,
        organisation=world.wmp,
        name="Entra ID provisioning",
        default_role=Role.FORCE_STAFF,
        # The factories' people are all @example.org, whichever their organisation.
        email_domains=["westmidlands.police.example", "example.org"],
    )
    world.staffs_token, world.staffs_secret = scim_token_create(
        by=world.admin,
        organisation=world.staffs,
        name="SailPoint",
        default_role=Role.FORCE_STAFF,
        email_domains="staffordshire.police.example",
    )
    world.base = f"{live_server.url}/scim/v2"
    return world


def client_for(world, secret=None) -> RequestsSCIMClient:
    client = RequestsSCIMClient(
        world.base,
        secret or world.secret,
        provider=ScimProvider(
            models=[User, EnterpriseUser, Group],
            resource_types=[
                ResourceType.from_resource(User[EnterpriseUser]),
                ResourceType.from_resource(Group),
            ],
        ),
    )
    client.discover()  # the ServiceProviderConfig: what the server says it supports
    return client


def call(world, method, path, body=None, secret=None, raw=None, **params) -> requests.Response:
    headers = {"Content-Type": SCIM}
    if secret is not False:
        headers["Authorization"] = f"Bearer {secret or world.secret}"
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    return requests.request(
        method, world.base + path, data=data, headers=headers, params=params, timeout=30
    )


def assert_scim_error(response, status, scim_type=None, says=None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(SCIM)
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    if says:
        assert says in body["detail"], body["detail"]
    return body


# The whole journey with a real client ------------------------------------------------------


def test_a_client_creates_updates_and_deactivates_a_person_with_hand_over(estate):
    client = client_for(estate)
    assert client.provider.config.patch.supported
    assert client.provider.config.filter.supported
    assert not client.provider.config.bulk.supported
    published = client.query(ResourceType)
    assert {r.name: r.endpoint for r in published.resources} == {
        "User": "/Users",
        "Group": "/Groups",
    }
    schemas = client.query(Schema)
    assert {s.name for s in schemas.resources} == {"User", "EnterpriseUser", "Group"}

    new = User[EnterpriseUser](
        user_name="Jo.Bloggs@westmidlands.police.example",
        external_id="entra-0001",
        display_name="Jo Bloggs",
        name=Name(given_name="Jo", family_name="Bloggs"),
        title="Analyst",
        emails=[Email(value="jo.bloggs@westmidlands.police.example", type="work", primary=True)],
        active=True,
    )
    new[EnterpriseUser] = EnterpriseUser(department="Force Contact")
    created = client.create(new)
    jo = Person.objects.get(email="jo.bloggs@westmidlands.police.example")
    assert (jo.full_name, jo.job_title, jo.department) == ("Jo Bloggs", "Analyst", "Force Contact")
    assert jo.organisation == estate.wmp
    assert jo.roles == {Role.FORCE_STAFF}
    assert not jo.has_usable_password()
    assert created.id == str(jo.pk)
    assert created.external_id == "entra-0001"
    assert created.user_name == "jo.bloggs@westmidlands.police.example"
    assert created[EnterpriseUser].department == "Force Contact"
    made = AuditEvent.objects.get(object_id=jo.email, action=AuditEvent.Action.CREATE)
    assert made.actor is None
    assert made.source == "scim"
    assert made.note == "Added by SCIM token Entra ID provisioning of West Midlands Police"

    # Read back, by the filters a client matches with.
    for expression in (
        'userName eq "JO.BLOGGS@westmidlands.police.example"',
        'externalId eq "entra-0001"',
        'emails.value eq "jo.bloggs@westmidlands.police.example"',
    ):
        found = client.query(
            User[EnterpriseUser], query_parameters=SearchRequest(filter=expression)
        )
        assert [r.id for r in found.resources] == [created.id], expression
        assert found.total_results == 1

    # PUT: the whole resource, a new job title.
    created.title = "Senior analyst"
    replaced = client.replace(created)
    assert replaced.title == "Senior analyst"
    assert Person.objects.get(pk=jo.pk).job_title == "Senior analyst"

    # PATCH: the forms Entra ID sends.
    patched = client.modify(
        User[EnterpriseUser],
        created.id,
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": "displayName", "value": "Joanne Bloggs"},
                {
                    "op": "Replace",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value": "Public Protection",
                },
            ],
        },
    )
    assert patched.display_name == "Joanne Bloggs"
    jo.refresh_from_db()
    assert (jo.full_name, jo.department) == ("Joanne Bloggs", "Public Protection")

    # A group: the force coordinator role.
    client.modify(
        Group,
        "force_coordinator",
        PatchOp[Group](
            operations=[
                PatchOperation[Group](
                    op=PatchOperation.Op.add, path="members", value=[{"value": created.id}]
                )
            ]
        ),
    )
    assert Person.objects.get(pk=jo.pk).roles == {Role.FORCE_STAFF, Role.FORCE_COORDINATOR}

    # Priya leaves: Entra ID's soft delete. Her open item goes to the coordinators, who are told.
    priya = estate.owner
    response = call(
        estate,
        "PATCH",
        f"/Users/{priya.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    priya.refresh_from_db()
    assert not priya.is_active
    item = TrackedItem.objects.get(pk=estate.item.pk)
    assert item.owner is None
    told = Notification.objects.filter(
        subject__startswith="Choose a new owner", url__contains=str(item.uuid)
    )
    assert {n.user for n in told} == {estate.coordinator, jo}
    handed = AuditEvent.objects.filter(object_id=str(item.uuid), note__contains="Handed over").get()
    assert handed.note == (
        "SCIM token Entra ID provisioning of West Midlands Police: "
        "Handed over: Priya Shah was deactivated"
    )
    assert handed.changes["owner"] == [priya.email, None]
    left = AuditEvent.objects.filter(object_id=priya.email, changes__has_key="is_active").get()
    assert left.note.startswith(
        "SCIM token Entra ID provisioning of West Midlands Police: Deactivated"
    )
    assert left.source == "scim"

    # Deactivating again changes nothing; reactivating lets her sign in (items stay put).
    again = client.modify(
        User[EnterpriseUser],
        str(priya.pk),
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert again.active is False
    back = client.modify(
        User[EnterpriseUser],
        str(priya.pk),
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    assert back.active is True
    assert Person.objects.get(pk=priya.pk).is_active
    assert TrackedItem.objects.get(pk=item.pk).owner is None


def test_delete_deactivates_with_hand_over_and_never_deletes(estate):
    response = call(estate, "DELETE", f"/Users/{estate.owner.pk}")
    assert response.status_code == 204
    priya = Person.objects.get(pk=estate.owner.pk)
    assert not priya.is_active
    assert TrackedItem.objects.get(pk=estate.item.pk).owner is None
    assert Notification.objects.filter(
        user=estate.coordinator, subject__startswith="Choose"
    ).exists()
    again = call(estate, "DELETE", f"/Users/{estate.owner.pk}")
    assert again.status_code == 204
    read = call(estate, "GET", f"/Users/{estate.owner.pk}")
    assert read.status_code == 200
    assert read.json()["active"] is False


def test_deactivating_someone_whose_force_has_no_other_coordinator_is_refused(estate):
    RoleAssignment.objects.filter(user=estate.coordinator).delete()
    RoleAssignment.objects.create(user=estate.coordinator, role=Role.FORCE_STAFF)
    response = call(
        estate,
        "PATCH",
        f"/Users/{estate.owner.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )
    assert_scim_error(response, 409, says="no other active coordinator")
    assert Person.objects.get(pk=estate.owner.pk).is_active
    assert TrackedItem.objects.get(pk=estate.item.pk).owner_id == estate.owner.pk


# Tokens ------------------------------------------------------------------------------------


def test_without_a_valid_token_every_endpoint_is_401_with_www_authenticate(estate):
    revoked, revoked_secret = scim_token_create(
        by=estate.admin,
        organisation=estate.wmp,
        name="Old",
        default_role=Role.FORCE_STAFF,
        email_domains="example.org",
    )
    scim_token_revoke(by=estate.admin, token=revoked)
    for secret in (False, "scim_not-a-token", revoked_secret):
        for path in (
            "/Users",
            f"/Users/{estate.owner.pk}",
            "/Groups",
            "/ServiceProviderConfig",
            "/Schemas",
        ):
            response = call(estate, "GET", path, secret=secret)
            assert_scim_error(response, 401)
            assert response.headers["WWW-Authenticate"] == 'Bearer realm="inspection-tracker"'
    response = call(estate, "DELETE", f"/Users/{estate.owner.pk}", secret=revoked_secret)
    assert_scim_error(response, 401, says="revoked")
    assert Person.objects.get(pk=estate.owner.pk).is_active


def test_a_token_records_when_it_was_last_used(estate):
    assert ScimToken.objects.get(pk=estate.token.pk).last_used_at is None
    call(estate, "GET", "/Users")
    assert ScimToken.objects.get(pk=estate.token.pk).last_used_at is not None
    assert ScimToken.objects.get(pk=estate.staffs_token.pk).last_used_at is None


def test_another_organisations_person_is_404_and_never_listed(estate):
    megan = estate.outsider  # Staffordshire
    for method, body in (
        ("GET", None),
        (
            "PUT",
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": megan.email,
                "displayName": "X",
            },
        ),
        (
            "PATCH",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            },
        ),
        ("DELETE", None),
    ):
        response = call(estate, method, f"/Users/{megan.pk}", body)
        body_ = assert_scim_error(response, 404)
        assert megan.email not in body_["detail"]
        assert "Megan" not in response.text
    megan.refresh_from_db()
    assert megan.is_active
    assert megan.full_name == "Megan Price"
    listed = call(estate, "GET", "/Users").json()
    emails = {r["userName"] for r in listed["Resources"]}
    assert megan.email not in emails
    assert estate.owner.email in emails
    assert (
        call(estate, "GET", "/Users", filter=f'userName eq "{megan.email}"').json()["totalResults"]
        == 0
    )
    # Staffordshire's own token sees her.
    mine = call(estate, "GET", f"/Users/{megan.pk}", secret=estate.staffs_secret)
    assert mine.status_code == 200
    assert mine.json()["userName"] == megan.email


# Bad input ---------------------------------------------------------------------------------


def test_malformed_json_is_400_invalid_syntax_and_changes_nothing(estate):
    before = Person.objects.count()
    response = call(estate, "POST", "/Users", raw='{"userName": "a@b.example", ')
    assert_scim_error(response, 400, "invalidSyntax", says="not valid JSON")
    response = call(estate, "PATCH", f"/Users/{estate.owner.pk}", raw="[not json")
    assert_scim_error(response, 400, "invalidSyntax")
    response = call(estate, "PATCH", f"/Users/{estate.owner.pk}", {"Operations": []})
    assert_scim_error(response, 400, "invalidSyntax")
    response = call(estate, "POST", "/Users", ["a list"])
    assert_scim_error(response, 400, "invalidSyntax")
    assert Person.objects.count() == before


def test_bad_values_are_400_invalid_value_and_change_nothing(estate):
    before = Person.objects.count()
    cases = [
        ({"userName": "not an email", "displayName": "X"}, "userName"),
        ({"userName": "x@example.org"}, "displayName"),
        ({"userName": "x@example.org", "displayName": "X", "active": "maybe"}, "active"),
        ({"userName": "x@example.org", "displayName": 7}, "displayName"),
        ({"userName": "x@example.org", "displayName": "X" * 201}, "200 characters"),
    ]
    for body, says in cases:
        response = call(estate, "POST", "/Users", body)
        assert_scim_error(response, 400, "invalidValue", says=says)
    response = call(
        estate,
        "PATCH",
        f"/Users/{estate.owner.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "Nope"}]},
    )
    assert_scim_error(response, 400, "invalidValue")
    response = call(
        estate,
        "PATCH",
        f"/Users/{estate.owner.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "userName", "value": "new@example.org"}],
        },
    )
    assert_scim_error(response, 400, "mutability", says="cannot change")
    assert Person.objects.count() == before
    assert Person.objects.get(pk=estate.owner.pk).email == estate.owner.email


def test_a_duplicate_user_name_is_409_uniqueness(estate):
    for email in (estate.colleague.email, estate.outsider.email.upper()):
        response = call(estate, "POST", "/Users", {"userName": email, "displayName": "Someone"})
        assert_scim_error(response, 409, "uniqueness")
    call(
        estate,
        "POST",
        "/Users",
        {"userName": "a@example.org", "displayName": "A", "externalId": "e1"},
    )
    response = call(
        estate,
        "POST",
        "/Users",
        {"userName": "b@example.org", "displayName": "B", "externalId": "e1"},
    )
    assert_scim_error(response, 409, "uniqueness", says="externalId")
    assert not Person.objects.filter(email="b@example.org").exists()


# Lists -------------------------------------------------------------------------------------


def test_filters_and_pagination(estate):
    wmp = Person.objects.filter(organisation=estate.wmp).order_by("pk")
    everyone = call(estate, "GET", "/Users").json()
    assert everyone["totalResults"] == wmp.count() == 3
    assert [r["id"] for r in everyone["Resources"]] == [str(p.pk) for p in wmp]
    page = call(estate, "GET", "/Users", startIndex=2, count=1).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert [r["id"] for r in page["Resources"]] == [str(wmp[1].pk)]
    past = call(estate, "GET", "/Users", startIndex=10, count=5).json()
    assert past["totalResults"] == 3
    assert past["Resources"] == []
    assert call(estate, "GET", "/Users", count=0).json()["Resources"] == []
    assert_scim_error(call(estate, "GET", "/Users", count="ten"), 400, "invalidValue")

    active = call(estate, "GET", "/Users", filter="active eq true").json()
    assert active["totalResults"] == 3
    both = call(
        estate,
        "GET",
        "/Users",
        filter=f'userName eq "{estate.owner.email}" or userName eq "{estate.colleague.email}"',
    ).json()
    assert both["totalResults"] == 2
    assert_scim_error(call(estate, "GET", "/Users", filter='nickName eq "x"'), 400, "invalidFilter")
    assert_scim_error(call(estate, "GET", "/Users", filter="userName eq"), 400, "invalidFilter")


# Groups: roles -----------------------------------------------------------------------------


def test_groups_are_the_roles_that_go_with_the_organisation(estate):
    groups = call(estate, "GET", "/Groups").json()
    assert {g["id"]: g["displayName"] for g in groups["Resources"]} == {
        "force_staff": "Force staff",
        "force_coordinator": "Force coordinator",
    }
    coordinators = call(estate, "GET", "/Groups/force_coordinator").json()
    assert [m["value"] for m in coordinators["members"]] == [str(estate.coordinator.pk)]
    found = call(estate, "GET", "/Groups", filter='displayName eq "Force coordinator"').json()
    assert [g["id"] for g in found["Resources"]] == ["force_coordinator"]
    bare = call(estate, "GET", "/Groups", excludedAttributes="members").json()
    assert all("members" not in g for g in bare["Resources"])
    assert_scim_error(call(estate, "GET", "/Groups/pcc_office"), 404)


def test_removing_someone_from_their_last_group_leaves_the_default_role(estate):
    tom = estate.colleague
    body = {
        "schemas": [PATCH],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": str(tom.pk)}]}],
    }
    assert call(estate, "PATCH", "/Groups/force_coordinator", body).status_code == 200
    assert Person.objects.get(pk=tom.pk).roles == {Role.FORCE_STAFF, Role.FORCE_COORDINATOR}
    remove = {
        "schemas": [PATCH],
        "Operations": [{"op": "Remove", "path": f'members[value eq "{tom.pk}"]'}],
    }
    assert call(estate, "PATCH", "/Groups/force_staff", remove).status_code == 200
    assert Person.objects.get(pk=tom.pk).roles == {Role.FORCE_COORDINATOR}
    assert call(estate, "PATCH", "/Groups/force_coordinator", remove).status_code == 200
    assert Person.objects.get(pk=tom.pk).roles == {Role.FORCE_STAFF}
    event = AuditEvent.objects.filter(object_id=tom.email, changes__has_key="roles").first()
    assert event.note.startswith("SCIM token Entra ID provisioning of West Midlands Police")


def test_a_role_that_cannot_be_given_there_is_403_and_changes_nothing(estate):
    add_tom = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "add", "path": "members", "value": [{"value": str(estate.colleague.pk)}]}
        ],
    }
    body = assert_scim_error(call(estate, "PATCH", "/Groups/administrator", add_tom), 403)
    assert "cannot give the Administrator role" in body["detail"]
    body = assert_scim_error(call(estate, "PATCH", "/Groups/pcc_office", add_tom), 403)
    assert "West Midlands Police is a police force" in body["detail"]
    response = call(
        estate,
        "POST",
        "/Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "National reader",
            "members": [{"value": str(estate.colleague.pk)}],
        },
    )
    assert_scim_error(response, 403)
    assert Person.objects.get(pk=estate.colleague.pk).roles == {Role.FORCE_STAFF}
    # Someone of another organisation cannot be made a member either.
    other = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "add", "path": "members", "value": [{"value": str(estate.outsider.pk)}]}
        ],
    }
    assert_scim_error(call(estate, "PATCH", "/Groups/force_staff", other), 400, "invalidValue")


def test_a_put_without_active_keeps_a_leaver_deactivated_and_clears_what_it_leaves_out(estate):
    assert call(estate, "DELETE", f"/Users/{estate.colleague.pk}").status_code == 204
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": estate.colleague.email,
        "name": {"givenName": "Tom", "familyName": "Ellis-Jones"},
    }
    response = call(estate, "PUT", f"/Users/{estate.colleague.pk}", body)
    assert response.status_code == 200, response.text
    tom = Person.objects.get(pk=estate.colleague.pk)
    assert (tom.full_name, tom.is_active) == ("Tom Ellis-Jones", False)


def test_unknown_addresses_and_methods_answer_in_scim(estate):
    assert_scim_error(call(estate, "GET", "/Widgets"), 404)
    assert_scim_error(call(estate, "GET", "/Users/not-a-number"), 404)
    response = call(estate, "DELETE", "/Users")
    assert_scim_error(response, 405)
    assert response.headers["Allow"] == "GET, POST"
    assert_scim_error(call(estate, "DELETE", "/Groups/force_staff"), 403)


def test_a_client_creating_a_group_named_as_a_role_sets_its_members(estate):
    group = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Force coordinator",
        "members": [{"value": str(estate.colleague.pk)}, {"value": str(estate.coordinator.pk)}],
    }
    response = call(estate, "POST", "/Groups", group)
    assert response.status_code == 201, response.text
    assert response.headers["Location"].endswith("/scim/v2/Groups/force_coordinator")
    assert Person.objects.get(pk=estate.colleague.pk).roles == {
        Role.FORCE_STAFF,
        Role.FORCE_COORDINATOR,
    }
    other = dict(group, displayName="Tracker superusers")
    assert_scim_error(
        call(estate, "POST", "/Groups", other), 400, "invalidValue", says="Force staff"
    )
    # PUT: exactly these members (Tom leaves the group, keeping force staff).
    group["members"] = [{"value": str(estate.coordinator.pk)}]
    assert call(estate, "PUT", "/Groups/force_coordinator", group).status_code == 200
    assert Person.objects.get(pk=estate.colleague.pk).roles == {Role.FORCE_STAFF}


def test_out_of_range_numbers_and_long_filters_are_answered_not_crashed_on(estate):
    assert_scim_error(call(estate, "GET", "/Users/" + "9" * 30), 404)
    huge = call(estate, "GET", "/Users", startIndex=10**30, count=10**30).json()
    assert huge["totalResults"] == 3
    assert huge["Resources"] == []
    big = call(estate, "GET", "/Users", count=10_000_000).json()
    assert big["itemsPerPage"] == 3
    long = 'userName eq "' + "x" * 2000 + '"'
    assert_scim_error(call(estate, "GET", "/Users", filter=long), 400, "invalidFilter")
