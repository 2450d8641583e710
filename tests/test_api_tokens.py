"""Personal access tokens and service accounts (accounts/api_tokens.py and friends): how a
token is kept (hashed, shown once), the answers to a revoked, expired, read-only, malformed
or unknown token, the pages where a person makes and revokes theirs, the admin's service
accounts, per-token rate limits (429 with Retry-After), sessions and CSRF, and the problem
details every error comes as."""

import datetime
import hashlib

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from accounts import api_token_services
from accounts.api_tokens import TOKEN_PREFIX, ApiToken
from accounts.models import Organisation, Role, User
from tests.demo_pages import PERSONAS
from tracker.models import AuditEvent, ProgressUpdate, Status, TrackedItem

PROBLEM = "application/problem+json"
ITEMS = "/api/v1/items/"


def make_token(email=PERSONAS["staff"], scope=ApiToken.Scope.READ_WRITE, days=30):
    user = User.objects.get(email=email)
    return api_token_services.token_create(
        user=user,
        by=user,
        name="Mine",
        scope=scope,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
    )


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def priyas_open_item() -> TrackedItem:
    return (
        TrackedItem.objects.filter(
            owner__email=PERSONAS["staff"], status__in=[Status.NOT_STARTED, Status.IN_PROGRESS]
        )
        .order_by("id")
        .first()
    )


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(body)
    assert body["type"].startswith("urn:inspection-tracker:problem:")
    assert body["detail"]
    return body


# Keeping tokens -----------------------------------------------------------------------


def test_a_token_is_kept_only_as_its_hash(demo_world):
    token, raw = make_token()
    assert raw.startswith(TOKEN_PREFIX)
    assert len(raw) >= 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12]
    # Nowhere in its row, nor in the audit trail of its making.
    assert raw not in str(list(ApiToken.objects.filter(pk=token.pk).values()))
    event = AuditEvent.objects.get(object_type="accounts.ApiToken", object_id=str(token.pk))
    assert raw not in str(event.changes)


def test_two_tokens_are_never_the_same(demo_world):
    assert make_token()[1] != make_token()[1]


def test_a_token_works_and_its_last_use_is_recorded(demo_world):
    token, raw = make_token()
    assert token.last_used_at is None
    assert bearer(raw).get(ITEMS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_ip == "127.0.0.1"


# Bad tokens -------------------------------------------------------------------------------


def test_no_token_is_401_with_a_challenge(demo_world):
    response = Client().get(ITEMS)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_at_once(demo_world):
    token, raw = make_token()
    assert bearer(raw).get(ITEMS).status_code == 200
    api_token_services.token_revoke(token=token, by=token.user)
    body = assert_problem(bearer(raw).get(ITEMS), 401)
    assert "revoked" in body["detail"]


def test_an_expired_token_is_refused(demo_world):
    token, raw = make_token(days=1)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert_problem(bearer(raw).get(ITEMS), 401)


def test_a_deactivated_persons_token_is_refused(demo_world):
    token, raw = make_token()
    User.objects.filter(pk=token.user_id).update(is_active=False)
    assert_problem(bearer(raw).get(ITEMS), 401)


def test_a_token_with_the_wrong_prefix_is_refused_saying_so(demo_world):
    _token, raw = make_token()
    body = assert_problem(bearer("ghp_" + raw[4:]).get(ITEMS), 401)
    assert TOKEN_PREFIX in body["detail"]


def test_an_unknown_token_is_refused(demo_world):
    assert_problem(bearer(TOKEN_PREFIX + "x" * 43).get(ITEMS), 401)


def test_a_read_only_token_cannot_write(demo_world):
    _token, raw = make_token(scope=ApiToken.Scope.READ)
    item = priyas_open_item()
    before = ProgressUpdate.objects.filter(item=item).count()
    response = bearer(raw).post(
        f"/api/v1/items/{item.uuid}/updates/", {"text": "Hello"}, content_type="application/json"
    )
    body = assert_problem(response, 403)
    assert "can only read" in body["detail"]
    assert ProgressUpdate.objects.filter(item=item).count() == before
    assert bearer(raw).get(f"/api/v1/items/{item.uuid}/").status_code == 200


def test_a_token_never_sees_more_than_its_person(demo_world):
    _token, raw = make_token(email=PERSONAS["other_force"])
    item = priyas_open_item()
    for url in (f"/api/v1/items/{item.uuid}/", f"/api/v1/items/{item.uuid}/updates/"):
        body = assert_problem(bearer(raw).get(url), 404)
        assert body["title"] == "Not found"
    response = bearer(raw).post(
        f"/api/v1/items/{item.uuid}/updates/", {"text": "Hi"}, content_type="application/json"
    )
    assert_problem(response, 404)
    listed = {row["uuid"] for row in bearer(raw).get(ITEMS, {"page_size": 500}).json()["results"]}
    assert str(item.uuid) not in listed


def test_an_unknown_id_is_the_same_404(demo_world):
    _token, raw = make_token()
    response = bearer(raw).get("/api/v1/items/00000000-0000-4000-8000-000000000000/")
    assert_problem(response, 404)


# Making tokens ---------------------------------------------------------------------------


def test_a_token_must_have_a_name_and_a_future_expiry(demo_world):
    user = User.objects.get(email=PERSONAS["staff"])
    with pytest.raises(Exception, match="Enter a name"):
        api_token_services.token_create(
            user=user, by=user, name=" ", scope="read", expires_on=timezone.localdate()
        )
    with pytest.raises(Exception, match="future"):
        api_token_services.token_create(
            user=user, by=user, name="x", scope="read", expires_on=timezone.localdate()
        )
    with pytest.raises(Exception, match="stops working"):
        api_token_services.token_create(user=user, by=user, name="x", scope="read", expires_on=None)


def test_the_pages_make_show_once_list_and_revoke_a_token(demo_world):
    page = Client()
    page.force_login(User.objects.get(email=PERSONAS["staff"]))
    assert page.get("/account/api-tokens/").status_code == 200
    response = page.post("/account/api-tokens/new/", {"name": "", "scope": "", "lifetime": ""})
    assert response.status_code == 400
    assert "Enter a name for the token" in response.content.decode()
    response = page.post(
        "/account/api-tokens/new/", {"name": "Power BI pack", "scope": "read", "lifetime": "30"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Power BI pack")
    html = response.content.decode()
    raw = html.split('id="new-token" type="text" value="')[1].split('"')[0]
    assert raw.startswith(token.prefix)
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    assert response["Cache-Control"] == "no-store"
    listing = page.get("/account/api-tokens/").content.decode()
    assert token.prefix in listing
    assert raw not in listing
    assert bearer(raw).get(ITEMS).status_code == 200
    assert page.get(f"/account/api-tokens/{token.pk}/revoke/").status_code == 200
    assert page.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 302
    assert bearer(raw).get(ITEMS).status_code == 401
    assert "Revoked" in page.get("/account/api-tokens/").content.decode()


def test_nobody_revokes_anothers_token(demo_world):
    token, raw = make_token()
    page = Client()
    page.force_login(User.objects.get(email=PERSONAS["colleague"]))
    assert page.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    assert bearer(raw).get(ITEMS).status_code == 200


def test_the_token_pages_need_sign_in(demo_world):
    response = Client().get("/account/api-tokens/")
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


# Service accounts -------------------------------------------------------------------------


def test_a_service_account_reads_its_force_and_cannot_write(demo_world):
    admin = User.objects.get(email=PERSONAS["admin"])
    wmp = Organisation.objects.get(code="west-midlands-police")
    account = api_token_services.service_account_create(organisation=wmp, name="Power BI", by=admin)
    assert not account.user.has_usable_password()
    with pytest.raises(Exception, match="can only read"):
        api_token_services.token_create(
            user=account.user, by=admin, name="x", scope="read_write", expires_on=None
        )
    _token, raw = api_token_services.token_create(
        user=account.user, by=admin, name="BI", scope="read", expires_on=None
    )
    rows = bearer(raw).get(ITEMS, {"page_size": 500}).json()["results"]
    assert rows
    assert {row["force"]["code"] for row in rows} == {"west-midlands-police"}
    item = priyas_open_item()
    response = bearer(raw).post(
        f"/api/v1/items/{item.uuid}/updates/", {"text": "x"}, content_type="application/json"
    )
    assert_problem(response, 403)
    assert AuditEvent.objects.filter(object_type="accounts.ServiceAccount").exists()


def test_a_service_account_never_owns_takes_over_or_is_reminded(demo_world):
    from tracker import policy, selectors
    from tracker.reminders import plan

    admin = User.objects.get(email=PERSONAS["admin"])
    wmp = Organisation.objects.get(code="west-midlands-police")
    body = Organisation.objects.get(code="west-midlands-pcc")
    force_reader = api_token_services.service_account_create(
        organisation=wmp, name="Power BI", by=admin
    ).user
    pcc_reader = api_token_services.service_account_create(
        organisation=body, name="Board pack", by=admin
    ).user
    assert force_reader.has_role(*policy.FORCE_ROLES)  # a force's reader: force staff
    assert force_reader not in selectors.force_people(force=wmp)
    assert not policy.can_take_over_items(force_reader, wmp.pk)
    assert policy.can_take_over_items(User.objects.get(email=PERSONAS["staff"]), wmp.pk)
    assert force_reader not in plan.coordinators(wmp.pk)
    assert pcc_reader.has_role(Role.PCC_OFFICE)
    assert pcc_reader not in plan.pcc_office(wmp.pk, timezone.localdate())
    assert plan.pcc_office(wmp.pk, timezone.localdate())  # the office's people still are


def test_only_an_administrator_makes_service_accounts(demo_world):
    grace = User.objects.get(email=PERSONAS["coordinator"])
    with pytest.raises(Exception, match="Only an administrator"):
        api_token_services.service_account_create(
            organisation=grace.organisation, name="x", by=grace
        )


def test_the_admin_makes_a_service_accounts_token_shown_once(demo_world):
    admin_user = User.objects.get(email=PERSONAS["admin"])
    admin = Client()
    admin.force_login(admin_user)
    wmp = Organisation.objects.get(code="west-midlands-police")
    response = admin.post(
        "/admin/accounts/serviceaccount/add/",
        {"organisation": wmp.pk, "name": "Force data warehouse", "description": ""},
    )
    assert response.status_code == 302, response.content
    account = wmp.service_accounts.get(name="Force data warehouse")
    response = admin.post(
        "/admin/accounts/serviceaccount/",
        {"action": "make_token", "_selected_action": [account.pk]},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=account.user)
    assert token.scope == "read"
    assert token.prefix in response.content.decode()
    assert admin.get("/admin/accounts/apitoken/").status_code == 200
    # A new name is audited; the account keeps its organisation and person.
    response = admin.post(
        f"/admin/accounts/serviceaccount/{account.pk}/change/",
        {"name": "Warehouse", "description": "Nightly load"},
    )
    assert response.status_code == 302, response.content
    account.refresh_from_db()
    assert (account.name, account.organisation, account.user_id) == (
        "Warehouse",
        wmp,
        token.user_id,
    )
    assert AuditEvent.objects.filter(
        object_type="accounts.ServiceAccount", object_id=str(account.pk), action="update"
    ).exists()


# Sessions and CSRF --------------------------------------------------------------------------


def test_a_session_reads_and_its_writes_need_the_csrf_token(demo_world):
    page = Client(enforce_csrf_checks=True)
    page.force_login(User.objects.get(email=PERSONAS["staff"]))
    assert page.get(ITEMS).status_code == 200
    item = priyas_open_item()
    response = page.post(
        f"/api/v1/items/{item.uuid}/updates/", {"text": "x"}, content_type="application/json"
    )
    body = assert_problem(response, 403)
    assert "CSRF" in body["detail"]


# Rate limits --------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="3/min")
def test_each_token_has_its_own_limit_then_429_with_retry_after(demo_world):
    _token, raw = make_token()
    _other, other_raw = make_token()
    for _ in range(3):
        assert bearer(raw).get(ITEMS).status_code == 200
    response = bearer(raw).get(ITEMS)
    body = assert_problem(response, 429)
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert body["retry_after"] == wait
    assert bearer(other_raw).get(ITEMS).status_code == 200


# Problem details --------------------------------------------------------------------------


def test_a_method_the_endpoint_does_not_take_is_a_problem_too(demo_world):
    _token, raw = make_token()
    response = bearer(raw).delete(ITEMS)
    assert_problem(response, 405)


def test_a_body_that_is_not_json_is_a_problem(demo_world):
    _token, raw = make_token()
    item = priyas_open_item()
    response = bearer(raw).post(
        f"/api/v1/items/{item.uuid}/updates/", "text=hello", content_type="text/plain"
    )
    assert_problem(response, 415)
