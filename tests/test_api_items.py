"""The REST API's items (tracker/api): the list with the items page's filters, the detail
with its history and ETag, cursor pagination, and the daily changes through the pages'
services, with their messages, the version check and the audit trail naming the token."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts import api_token_services
from accounts.api_tokens import ApiToken
from accounts.models import User
from tests.demo_pages import PERSONAS
from tracker import selectors
from tracker.models import AuditEvent, ProgressUpdate, Status, TrackedItem

PROBLEM = "application/problem+json"


def token_for(email: str, scope: str = ApiToken.Scope.READ_WRITE) -> str:
    user = User.objects.get(email=email)
    _token, raw = api_token_services.token_create(
        user=user,
        by=user,
        name="Test",
        scope=scope,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return raw


def api(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def priyas_open_item() -> TrackedItem:
    priya = User.objects.get(email=PERSONAS["staff"])
    return (
        TrackedItem.objects.filter(owner=priya, status__in=[Status.NOT_STARTED, Status.IN_PROGRESS])
        .order_by("id")
        .first()
    )


def test_the_list_is_what_the_items_page_lists(demo_world):
    raw = token_for(PERSONAS["staff"])
    priya = User.objects.get(email=PERSONAS["staff"])
    expected = set(
        str(u)
        for u in selectors.item_list(user=priya, today=timezone.localdate()).values_list(
            "uuid", flat=True
        )
    )
    seen, url = set(), "/api/v1/items/?page_size=7"
    pages = 0
    while url:
        response = api(raw).get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["results"]) <= 7
        seen |= {row["uuid"] for row in body["results"]}
        url = body["next"]
        pages += 1
    assert seen == expected
    assert pages >= 2


def test_the_filters_are_the_items_pages(demo_world):
    raw = token_for(PERSONAS["staff"])
    response = api(raw).get("/api/v1/items/", {"status": "closed"})
    assert response.status_code == 200
    assert {row["status"] for row in response.json()["results"]} <= {"closed"}


def test_an_unknown_filter_is_refused_by_name(demo_world):
    raw = token_for(PERSONAS["staff"])
    response = api(raw).get("/api/v1/items/", {"colour": "red", "status": "open"})
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert "colour" in body["detail"]
    assert set(body["errors"]) == {"colour"}


def test_a_filter_value_that_does_not_validate_is_refused(demo_world):
    raw = token_for(PERSONAS["staff"])
    response = api(raw).get("/api/v1/items/", {"due_after": "not a date"})
    assert response.status_code == 400
    assert "due_after" in response.json()["errors"]


@pytest.mark.parametrize("size", ["10000000", "0", "-1", "ten", "501"])
def test_a_page_size_out_of_range_is_refused_clearly(demo_world, size):
    raw = token_for(PERSONAS["staff"])
    response = api(raw).get("/api/v1/items/", {"page_size": size})
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"]["page_size"] == ["Enter a whole number from 1 to 500"]


def test_the_largest_page_is_500_and_the_default_50(demo_world):
    raw = token_for(PERSONAS["national"])
    assert len(api(raw).get("/api/v1/items/").json()["results"]) == min(
        50, TrackedItem.objects.count()
    )
    assert api(raw).get("/api/v1/items/", {"page_size": "500"}).status_code == 200


def test_a_made_up_cursor_is_refused(demo_world):
    raw = token_for(PERSONAS["staff"])
    response = api(raw).get("/api/v1/items/", {"cursor": "bm9wZQ"})
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_the_detail_has_the_history_and_an_etag(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = priyas_open_item()
    response = api(raw).get(f"/api/v1/items/{item.uuid}/")
    assert response.status_code == 200
    body = response.json()
    assert body["uuid"] == str(item.uuid)
    assert body["version"] == item.version
    assert len(body["history"]) == len(selectors.item_timeline(item))
    etag = response["ETag"]
    # A client may keep it and revalidate with the ETag; no shared cache may keep it.
    assert response["Cache-Control"] == "private, no-cache"
    again = api(raw).get(f"/api/v1/items/{item.uuid}/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    weak = api(raw).get(f"/api/v1/items/{item.uuid}/", HTTP_IF_NONE_MATCH=f"W/{etag}")
    assert weak.status_code == 304
    other = api(raw).get(f"/api/v1/items/{item.uuid}/", HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_the_etag_changes_when_the_item_does(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = priyas_open_item()
    etag = api(raw).get(f"/api/v1/items/{item.uuid}/")["ETag"]
    api(raw).post(
        f"/api/v1/items/{item.uuid}/updates/",
        {"text": "Met the training lead."},
        content_type="application/json",
    )
    response = api(raw).get(f"/api/v1/items/{item.uuid}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_an_update_is_added_through_the_service_and_audited_with_the_token(demo_world):
    raw = token_for(PERSONAS["staff"])
    token = ApiToken.objects.get(prefix=raw[:12])
    item = priyas_open_item()
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/updates/",
        {"text": "Briefed the duty inspectors."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text"] == "Briefed the duty inspectors."
    assert body["item"]["uuid"] == str(item.uuid)
    update = ProgressUpdate.objects.get(uuid=body["uuid"])
    assert update.author.email == PERSONAS["staff"]
    event = AuditEvent.objects.get(object_type="tracker.ProgressUpdate", object_id=str(update.uuid))
    assert event.source == f"api:token:{token.pk}"
    assert token.prefix in event.path
    assert '"Test"' in event.path
    # It is on the item's page too.
    page = Client()
    page.force_login(User.objects.get(email=PERSONAS["staff"]))
    assert "Briefed the duty inspectors." in page.get(f"/items/{item.uuid}/").content.decode()


def test_an_empty_update_gets_the_pages_message(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = priyas_open_item()
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/updates/", {"text": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["errors"] == {"text": ["Enter what has happened since the last update"]}
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["instance"] == f"/api/v1/items/{item.uuid}/updates/"
    assert not ProgressUpdate.objects.filter(item=item, text="").exists()


def test_an_unknown_field_or_a_body_that_is_not_an_object_is_refused(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = priyas_open_item()
    url = f"/api/v1/items/{item.uuid}/updates/"
    response = api(raw).post(url, {"text": "x", "txet": "y"}, content_type="application/json")
    assert response.status_code == 400
    assert "txet" in response.json()["errors"]
    response = api(raw).post(url, ["text"], content_type="application/json")
    assert response.status_code == 400
    response = api(raw).post(url, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


def test_a_status_change_checks_the_version_409(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = priyas_open_item()
    to = Status.IN_PROGRESS if item.status == Status.NOT_STARTED else Status.NOT_STARTED
    url = f"/api/v1/items/{item.uuid}/status-changes/"
    stale = item.version - 1 if item.version > 1 else item.version + 5
    response = api(raw).post(
        url,
        {"status": to, "reason": "Work began", "version": stale},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert "Your changes have not been saved" in response.json()["detail"]
    assert response.json()["version"] == item.version
    item.refresh_from_db()
    assert item.status != to
    response = api(raw).post(
        url,
        {"status": to, "reason": "Work began", "version": item.version},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["item"]["version"] == item.version + 1
    item.refresh_from_db()
    assert item.status == to


def test_a_status_the_page_does_not_offer_gets_its_message(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = priyas_open_item()
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/status-changes/",
        {"status": "closed", "reason": "Done"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"status": ["Select a status from the list"]}


def test_closure_is_proposed_with_the_pages_rule_on_evidence(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = priyas_open_item()
    url = f"/api/v1/items/{item.uuid}/closure-proposals/"
    response = api(raw).post(url, {"summary": "All done."}, content_type="application/json")
    assert response.status_code == 400
    assert "no_evidence" in response.json()["errors"] or "evidence" in response.json()["errors"]
    response = api(raw).post(
        url,
        {"summary": "All done.", "no_evidence": True, "no_evidence_reason": "A policy change."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    item.refresh_from_db()
    assert item.status == Status.PROPOSED_FOR_CLOSURE


def test_force_staff_cannot_revise_a_due_date_or_assign(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = priyas_open_item()
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/due-date-revisions/",
        {"new_date": "2030-01-01", "reason": "More time"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/assignment/",
        {"owner": None},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_coordinator_revises_the_due_date_and_assigns_by_email(demo_world):
    raw = token_for(PERSONAS["coordinator"])
    item = priyas_open_item()
    new_date = timezone.localdate() + datetime.timedelta(days=90)
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/due-date-revisions/",
        {"new_date": new_date.isoformat(), "reason": "The new system arrives later"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    item.refresh_from_db()
    assert item.due_date == new_date
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/assignment/",
        {"owner": PERSONAS["colleague"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    item.refresh_from_db()
    assert item.owner.email == PERSONAS["colleague"]
    assert response.json()["owner"]["email"] == PERSONAS["colleague"]
    # Someone outside the force: the page's message.
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/assignment/",
        {"owner": PERSONAS["other_force"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner": ["Choose someone from the list"]}


def test_a_past_due_date_gets_the_services_message(demo_world):
    raw = token_for(PERSONAS["coordinator"])
    item = priyas_open_item()
    response = api(raw).post(
        f"/api/v1/items/{item.uuid}/due-date-revisions/",
        {
            "new_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "reason": "Oops",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"new_date": ["The new due date must be today or in the future."]}


def test_evidence_is_metadata_only(demo_world):
    raw = token_for(PERSONAS["staff"])
    item = demo_world["item"]
    response = api(raw).get(f"/api/v1/items/{item.uuid}/evidence/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    assert set(rows[0]) == {
        "uuid",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "description",
        "uploaded_at",
        "uploaded_by",
    }


def test_reports_findings_responses_and_deadlines_answer(demo_world):
    raw = token_for(PERSONAS["coordinator"])
    item = demo_world["item"]
    key = item.finding.report.key
    for url in (
        "/api/v1/reports/",
        f"/api/v1/reports/{key}/",
        f"/api/v1/reports/{key}/findings/",
        f"/api/v1/reports/{key}/responses/",
        "/api/v1/deadlines/",
        f"/api/v1/items/{item.uuid}/deadlines/",
        f"/api/v1/items/{item.uuid}/updates/",
        f"/api/v1/items/{item.uuid}/status-changes/",
        f"/api/v1/items/{item.uuid}/closure-proposals/",
        f"/api/v1/items/{item.uuid}/due-date-revisions/",
    ):
        response = api(raw).get(url)
        assert response.status_code == 200, (url, response.content)


def test_mine_lists_only_the_items_the_person_owns(demo_world):
    raw = token_for(PERSONAS["staff"])
    priya = User.objects.get(email=PERSONAS["staff"])
    rows = api(raw).get("/api/v1/items/", {"mine": "true", "page_size": 500}).json()["results"]
    assert {row["uuid"] for row in rows} == {
        str(u) for u in TrackedItem.objects.filter(owner=priya).values_list("uuid", flat=True)
    }
    assert api(raw).get("/api/v1/items/", {"mine": "perhaps"}).status_code == 400


def test_another_forces_item_and_an_unknown_one_answer_alike(demo_world):
    raw = token_for(PERSONAS["other_force"])
    item = priyas_open_item()
    unknown = "00000000-0000-4000-8000-000000000000"
    for suffix in ("", "updates/", "status-changes/", "evidence/", "deadlines/"):
        theirs = api(raw).get(f"/api/v1/items/{item.uuid}/{suffix}")
        nothing = api(raw).get(f"/api/v1/items/{unknown}/{suffix}")
        assert theirs.status_code == nothing.status_code == 404
        strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
        assert strip(theirs.json()) == strip(nothing.json())
    for suffix, body in (
        ("updates/", {"text": "Hello"}),
        ("status-changes/", {"status": "in_progress", "reason": "x"}),
        ("closure-proposals/", {"summary": "x", "no_evidence": True, "no_evidence_reason": "y"}),
        ("due-date-revisions/", {"new_date": "2031-01-01", "reason": "x"}),
        ("assignment/", {"owner": None}),
    ):
        response = api(raw).post(
            f"/api/v1/items/{item.uuid}/{suffix}", body, content_type="application/json"
        )
        assert response.status_code == 404, suffix
    assert ProgressUpdate.objects.filter(item=item, text="Hello").count() == 0


def test_the_report_and_deadline_details_have_etags_too(demo_world):
    raw = token_for(PERSONAS["coordinator"])
    item = demo_world["item"]
    deadline = item.deadlines.order_by("id").first()
    for url in (
        f"/api/v1/reports/{item.finding.report.key}/",
        f"/api/v1/deadlines/{deadline.uuid}/",
    ):
        first = api(raw).get(url)
        assert first.status_code == 200
        assert api(raw).get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_responses_list_has_a_row_per_report_and_force_in_scope(demo_world):
    raw = token_for(PERSONAS["pcc"])
    daniel = User.objects.get(email=PERSONAS["pcc"])
    expected = selectors.response_pairs(user=daniel, today=timezone.localdate()).count()
    rows = api(raw).get("/api/v1/responses/", {"page_size": 500}).json()["results"]
    assert len(rows) == expected > 0
    assert {row["force"]["code"] for row in rows} == {"west-midlands-police"}
    published = api(raw).get("/api/v1/responses/", {"state": "published"}).json()["results"]
    assert all(row["stage"] for row in published)
    assert api(raw).get("/api/v1/responses/", {"state": "whenever"}).status_code == 400


def test_a_path_holding_odd_characters_gets_the_apis_problem_not_the_pages_html(demo_world):
    """schemathesis found keys with a newline falling through to the HTML 404 page."""
    raw = token_for(PERSONAS["coordinator"])
    # Percent-encoded: the test client (like urllib) drops a raw newline from a URL.
    for key in ("%0Drs%C2%A7%0A", "a%0Ab", "%C2%9D", "with%20space"):
        for tail in ("", "findings/", "responses/"):
            response = api(raw).get(f"/api/v1/reports/{key}/{tail}")
            assert response.status_code == 404, (key, tail)
            assert response["Content-Type"].startswith(PROBLEM), (
                key,
                tail,
                response["Content-Type"],
            )
