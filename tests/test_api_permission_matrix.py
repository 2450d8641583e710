"""The API's permission matrix: every endpoint of /api/v1/ (from the URL conf, so a new
endpoint without a row here fails `test_every_endpoint_has_a_row`), for every role with a
read-and-write token of its own, an anonymous caller, and a West Midlands service account
(read-only token), by GET and by POST (an empty JSON object), against the demo's data.

    200  the answer     201  made     400  refused, with messages (the POST was allowed)
    401  no valid token 403  not allowed   404  "not found"   405  method not allowed

404 is the answer wherever the existence of the thing must not leak: Staffordshire's
coordinator gets 404 for every West Midlands item, report, deadline, and every write to one.
Each request runs in a savepoint that is rolled back. PRINT_MATRIX=1 prints what is seen.
"""

import datetime
import os

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import api_token_services
from accounts.api_tokens import ApiToken
from accounts.models import Organisation, User
from tests.demo_pages import PERSONAS
from tracker.models import Deadline

ORDER = [*PERSONAS, "service"]

# URL name: (GET row, POST row), one entry per persona in ORDER:
#   anon staff colleague coordinator pcc other_force national admin service
MATRIX = {
    "api:report_list": (
        "401 200 200 200 200 200 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:report_detail": (
        "401 200 200 200 200 404 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:report_findings": (
        "401 200 200 200 200 404 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:report_responses": (
        "401 200 200 200 200 404 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:response_list": (
        "401 200 200 200 200 200 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:item_list": ("401 200 200 200 200 200 200 200 200", "401 405 405 405 405 405 405 405 403"),
    "api:item_detail": (
        "401 200 200 200 200 404 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:item_updates": (
        "401 200 200 200 200 404 200 200 200",
        "401 400 403 400 403 404 403 403 403",
    ),
    "api:item_status_changes": (
        "401 200 200 200 200 404 200 200 200",
        "401 400 403 400 403 404 403 403 403",
    ),
    "api:item_closure_proposals": (
        "401 200 200 200 200 404 200 200 200",
        "401 400 403 400 403 404 403 403 403",
    ),
    "api:item_due_date_revisions": (
        "401 200 200 200 200 404 200 200 200",
        "401 403 403 400 403 404 403 403 403",
    ),
    "api:item_assignment": (
        "401 405 405 405 405 405 405 405 405",
        "401 403 403 400 403 404 403 403 403",
    ),
    "api:item_evidence": (
        "401 200 200 200 200 404 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:item_deadlines": (
        "401 200 200 200 200 404 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:deadline_list": (
        "401 200 200 200 200 200 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:deadline_detail": (
        "401 200 200 200 200 404 200 200 200",
        "401 405 405 405 405 405 405 405 403",
    ),
    "api:schema": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "api:docs": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    # Any other address under /api/v1/ (here /api/v1/nothing/): a 404 problem for everyone.
    "api:not_found": ("404 404 404 404 404 404 404 404 404", "404 404 404 404 404 404 404 404 404"),
}
# Addresses about a West Midlands thing: another force's people get 404 (or 405, which says
# nothing about the thing), whatever the table says.
PUBLIC = {"api:schema", "api:docs", "api:not_found"}
LISTS = {"api:report_list", "api:item_list", "api:deadline_list", "api:response_list"}
ABOUT_ONE_THING = set(MATRIX) - PUBLIC - LISTS
WRITES = {
    "api:item_updates",
    "api:item_status_changes",
    "api:item_closure_proposals",
    "api:item_due_date_revisions",
    "api:item_assignment",
}


def api_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "api":
                names.add(f"api:{p.name}")

    walk(get_resolver().url_patterns, None)
    return names


def url_for(name: str, world) -> str:
    item = world["item"]
    if name == "api:not_found":
        return "/api/v1/nothing/"
    if name == "api:deadline_detail":
        deadline = Deadline.objects.filter(force=item.force).order_by("id").first()
        return reverse(name, kwargs={"uuid": deadline.uuid})
    for kwargs in ({}, {"uuid": item.uuid}, {"key": item.finding.report.key}):
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:  # noqa: BLE001, S112 - try the next shape of address
            continue
    raise AssertionError(f"No address for {name}")


def clients() -> dict[str, Client]:
    made = {"anonymous": Client()}
    expires = timezone.localdate() + datetime.timedelta(days=7)
    for persona, email in PERSONAS.items():
        if not email:
            continue
        user = User.objects.get(email=email)
        _token, raw = api_token_services.token_create(
            user=user, by=user, name="Matrix", scope=ApiToken.Scope.READ_WRITE, expires_on=expires
        )
        made[persona] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    admin = User.objects.get(email=PERSONAS["admin"])
    account = api_token_services.service_account_create(
        organisation=Organisation.objects.get(code="west-midlands-police"), name="BI", by=admin
    )
    _token, raw = api_token_services.token_create(
        user=account.user, by=admin, name="BI", scope=ApiToken.Scope.READ, expires_on=None
    )
    made["service"] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return made


@pytest.fixture(scope="module")
def observed(demo_once, django_db_blocker):
    with django_db_blocker.unblock():
        callers = clients()
        seen = {}
        for name in sorted(MATRIX):
            url = url_for(name, demo_once)
            rows = []
            for method in ("get", "post"):
                row = []
                for persona in ORDER:
                    with transaction.atomic():
                        if method == "get":
                            response = callers[persona].get(url)
                        else:
                            response = callers[persona].post(
                                url, {}, content_type="application/json"
                            )
                        transaction.set_rollback(True)
                    row.append(str(response.status_code))
                rows.append(row)
            seen[name] = tuple(rows)
        return seen


def test_every_endpoint_has_a_row():
    names = api_url_names()
    assert names - set(MATRIX) == set(), "API endpoints with no row in the API permission matrix"
    assert set(MATRIX) - names == set(), "rows for endpoints that no longer exist"


def test_every_endpoint_answers_each_role_as_the_matrix_says(observed, db):
    if os.environ.get("PRINT_MATRIX"):
        for name, (get, post) in observed.items():
            print(f'    "{name}": ("{" ".join(get)}", "{" ".join(post)}"),')
    problems = []
    for name, (get_row, post_row) in MATRIX.items():
        for method, expected, got in (
            ("GET", get_row.split(), observed[name][0]),
            ("POST", post_row.split(), observed[name][1]),
        ):
            for persona, want, have in zip(ORDER, expected, got, strict=True):
                if want != have:
                    problems.append(f"{method} {name} as {persona}: expected {want}, got {have}")
    assert problems == [], "\n".join(problems)


def test_no_leak_whatever_the_table_says(observed, db):
    """Checked without trusting the table: no token reaches nothing but the schema and its
    reference page; another force's coordinator gets 404 for each West Midlands thing; a
    national reader and a read-only service account change nothing."""
    problems = []
    for name, (get, post) in observed.items():
        answers = {
            m: dict(zip(ORDER, row, strict=True)) for m, row in (("GET", get), ("POST", post))
        }
        for method, row in answers.items():
            if name not in PUBLIC and row["anonymous"] != "401":
                problems.append(f"anonymous {method} {name}: {row['anonymous']}")
            if name in ABOUT_ONE_THING and row["other_force"] not in ("404", "405"):
                problems.append(f"Staffordshire's {method} {name}: {row['other_force']}, not 404")
        for persona in ("national", "service"):
            if answers["POST"][persona] in ("200", "201", "400"):
                problems.append(f"{persona}'s POST to {name} got past the checks")
    assert problems == [], "\n".join(problems)


def test_every_write_takes_a_post_from_those_who_work_on_items():
    """Force staff and the coordinator reach each write (400: allowed, then refused for the
    empty body; 403: not theirs to make), never 405."""
    for name in WRITES:
        staff_and_coordinator = MATRIX[name][1].split()[1:4]
        assert "405" not in staff_and_coordinator, name


# The API's changes and the item pages that make the same change: the same people may make
# them (the pages' "L" is the API's 401).
SAME_AS_THE_PAGE = {
    "api:item_updates": "tracker:item_add_update",
    "api:item_status_changes": "tracker:item_change_status",
    "api:item_closure_proposals": "tracker:item_propose_closure",
    "api:item_due_date_revisions": "tracker:item_revise_due_date",
    "api:item_assignment": "tracker:item_assign",
}


def test_each_write_allows_whom_its_page_allows():
    from tests.test_permission_matrix import MATRIX as PAGES

    def allowed(answer: str) -> str:
        return {"L": "401", "302": "allowed", "400": "allowed", "200": "allowed"}.get(
            answer, answer
        )

    for api_name, page_name in SAME_AS_THE_PAGE.items():
        api_row = [allowed(a) for a in MATRIX[api_name][1].split()[: len(PERSONAS)]]
        page_row = [allowed(a) for a in PAGES[page_name][1].split()]
        assert api_row == page_row, (api_name, page_name)
