"""Structured logs: with LOG_FORMAT=json each line is a JSON object carrying the request id the
audit trail records (and the response returns as X-Request-ID), who was signed in, the path,
and the exception."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db.models.signals import post_save
from django.urls import path, reverse

from config import urls as site_urls
from config.logging import JsonFormatter, RequestContextFilter
from tests.e2e import database_url
from tests.factories import World
from tracker import audit_context
from tracker.models import AuditEvent


def boom(request):
    raise ZeroDivisionError("the view divided by zero")


# The site's URLs and one view that fails, for the tests marked with this module's urls.
urlpatterns = [*site_urls.urlpatterns, path("boom/", boom)]


@pytest.fixture
def json_lines():
    """The root logger's records as the JSON formatter writes them, one object a line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_log_line_from_a_change_carries_the_audit_trails_request_id(client, db, json_lines):
    # A world of its own, not the module's (which would hold a transaction open across this
    # module's transactional tests).
    world = World.build()
    log = logging.getLogger("tests.audit")

    def on_audit(sender, instance, created, **kwargs):
        log.info("audit recorded for %s", instance.object_type)

    post_save.connect(on_audit, sender=AuditEvent, dispatch_uid="json-logs-test")
    try:
        client.force_login(world.coordinator)
        url = reverse("tracker:item_assign", args=[world.item.uuid])
        response = client.post(url, {"owner": world.colleague.pk, "lead": ""})
    finally:
        post_save.disconnect(dispatch_uid="json-logs-test", sender=AuditEvent)

    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_id=str(world.item.uuid)).latest("id")
    line = next(x for x in json_lines() if x["logger"] == "tests.audit")
    assert line["request_id"] == event.request_id == response["X-Request-ID"]
    assert line["message"] == "audit recorded for tracker.TrackedItem"
    assert line["level"] == "INFO"
    assert line["user_id"] == world.coordinator.pk
    assert line["method"] == "POST"
    assert line["path"] == url
    assert line["time"].endswith("+00:00")


@pytest.mark.urls("tests.test_json_logs")
def test_an_exception_in_a_view_is_logged_with_its_traceback_and_request(db, json_lines):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    line = next(x for x in json_lines() if x["logger"] == "django.request")
    assert line["level"] == "ERROR"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["exception_type"] == "ZeroDivisionError"
    assert "the view divided by zero" in line["exception"]
    assert "Traceback (most recent call last)" in line["exception"]
    assert line["path"] == "/boom/"
    assert line["user_id"] is None


def test_outside_a_request_the_request_fields_are_empty_and_a_task_gives_its_name(json_lines):
    log = logging.getLogger("tests.task")
    log.warning("nothing to do")
    with audit_context.using(source="task", path="task tracker.tasks.sweep_reminders"):
        log.warning("sweeping", extra={"reminders": 3})

    outside, task = [x for x in json_lines() if x["logger"] == "tests.task"]
    assert outside["request_id"] is None
    assert outside["path"] is None
    assert task["path"] == "task tracker.tasks.sweep_reminders"
    assert task["method"] is None
    assert task["reminders"] == 3  # extra fields are kept


def run_site(log_format: str | None, script: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(),
    }
    env.pop("LOG_FORMAT", None)
    if log_format is not None:
        env["LOG_FORMAT"] = log_format
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


NOT_FOUND = """
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="localhost").get("/no-such-page/")
print(response.status_code, response["X-Request-ID"])
"""


@pytest.mark.django_db(transaction=True)
def test_log_format_json_makes_the_sites_own_log_lines_json():
    """The settings as the site runs them: LOG_FORMAT=json, the handler on standard error."""
    done = run_site("json", NOT_FOUND)
    assert done.returncode == 0, done.stderr
    status, request_id = done.stdout.split()
    assert status == "404"
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    line = next(x for x in lines if x["logger"] == "django.request")
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["level"] == "WARNING"
    assert line["request_id"] == request_id
    assert len(request_id) == 32


@pytest.mark.django_db(transaction=True)
def test_plain_text_is_the_default():
    done = run_site(None, NOT_FOUND)
    assert done.returncode == 0, done.stderr
    assert "Not Found: /no-such-page/" in done.stderr.splitlines()
    assert "{" not in done.stderr


def test_an_unknown_log_format_is_refused():
    done = run_site("xml", "import django; django.setup()")
    assert done.returncode != 0
    assert "LOG_FORMAT must be plain or json; got 'xml'" in done.stderr
