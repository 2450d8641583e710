"""Schemathesis against the schema the app serves (/api/v1/schema/), through the app itself
(schemathesis's WSGI support) with a real read-and-write token of the demo's West Midlands
coordinator: property-based requests to every operation, some at the demo's real report,
item and deadline. No answer may be a 500, and every answer (successes and problems alike)
must conform to the schema: its status code, content type, headers and body."""

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import api_token_services
from accounts.api_tokens import ApiToken
from accounts.models import User
from tests.demo_pages import PERSONAS
from tracker.models import Deadline

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The schema as the app serves it, read through the app (its reading touches no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())


@pytest.fixture(autouse=True)
def same_connection(demo_world):
    """The app's requests keep the test's database connection (as Django's test client
    does), so they see the demo and their changes are rolled back with the test's."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(demo_world):
    item = demo_world["item"]
    deadline = Deadline.objects.filter(force=item.force).order_by("id").first()
    return {"item": str(item.uuid), "deadline": str(deadline.uuid), "key": item.finding.report.key}


@pytest.fixture
def token(demo_world):
    grace = User.objects.get(email=PERSONAS["coordinator"])
    _token, raw = api_token_services.token_create(
        user=grace,
        by=grace,
        name="Schemathesis",
        scope=ApiToken.Scope.READ_WRITE,
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    return raw


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_conforms_and_never_fails(case, token, real_ids):
    # Half the examples aim at the demo's real things, so their answers are checked too, not
    # only the 404s a random id gets.
    params = case.path_parameters or {}
    if params and hash(repr(case.body) + repr(case.query)) % 2 == 0:
        if "uuid" in params:
            params["uuid"] = real_ids["deadline" if "/deadlines/" in case.path else "item"]
        if "key" in params:
            params["key"] = real_ids["key"]
    # identity: the WSGI transport does not undo the gzip the app sends when asked.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=CHECKS)
