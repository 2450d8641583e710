"""The audit trail: every change records who, when, from which request, before and after;
admin edits and tasks included; nobody can change or delete it; it is shown on items and
reports to the people who answer for them, and searchable by administrators."""

import pytest
from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_report
from tracker import audit_context
from tracker.audit import audit_record
from tracker.models import AppendOnlyError, AuditEvent, Judgement, Report

pytestmark = pytest.mark.django_db


def latest(**filters) -> AuditEvent:
    return AuditEvent.objects.filter(**filters).order_by("-id").first()


def test_a_change_in_the_app_records_the_request_it_came_from(client, world):
    client.force_login(world.coordinator)
    url = reverse("tracker:item_assign", args=[world.item.uuid])
    response = client.post(
        url, {"owner": world.colleague.pk, "lead": ""}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302
    event = latest(object_type="tracker.TrackedItem", object_id=str(world.item.uuid))
    assert event.actor == world.coordinator
    assert event.changes["owner"] == [world.owner.email, world.colleague.email]
    assert event.source == "web"
    assert event.ip_address == "203.0.113.9"
    assert event.path == f"POST {url}"
    assert len(event.request_id) == 32


def test_one_request_shares_one_id_across_its_changes(client, world):
    client.force_login(world.owner)
    client.post(
        reverse("tracker:item_add_update", args=[world.item.uuid]), {"text": "Work started."}
    )
    ids = set(
        AuditEvent.objects.filter(source="web").values_list("request_id", flat=True).distinct()
    )
    assert len(ids) == 1
    assert "" not in ids


# Admin edits: tests/test_admin.py checks their before, after and "admin" source.


def test_a_background_task_marks_its_changes(world):
    @shared_task
    def touch_report(report_id):
        report = Report.objects.get(pk=report_id)
        audit_record(actor=None, action="update", obj=report, changes={}, at=report_time())
        return True

    touch_report.apply(args=[world.report.pk])
    event = latest(object_type="tracker.Report")
    assert event.source == "task"
    assert "touch_report" in event.path
    assert event.actor is None


def report_time():
    return timezone.now()


def test_a_command_marks_its_changes(world):
    with audit_context.using(source="command", path="import_tracker export.json"):
        audit_record(actor=None, action="update", obj=world.report, changes={}, at=report_time())
    assert latest(object_type="tracker.Report").source == "command"
    # and outside any request, task or command
    audit_record(actor=None, action="update", obj=world.report, changes={}, at=report_time())
    assert latest(object_type="tracker.Report").source == "system"


def test_nobody_can_change_or_delete_an_audit_event(client, world):
    event = audit_record(
        actor=world.owner, action="update", obj=world.item, changes={}, at=report_time()
    )
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    client.force_login(world.admin())
    change = reverse("admin:tracker_auditevent_change", args=[event.pk])
    assert client.post(change, {"note": "rewritten"}).status_code == 403
    delete = reverse("admin:tracker_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_administrators_can_search_the_trail_by_person_and_request(client, world):
    client.force_login(world.coordinator)
    client.post(
        reverse("tracker:item_assign", args=[world.item.uuid]),
        {"owner": world.colleague.pk, "lead": ""},
    )
    event = latest(object_type="tracker.TrackedItem")
    client.force_login(world.admin())
    listing = reverse("admin:tracker_auditevent_changelist")
    for term in (world.coordinator.email, event.request_id):
        page = client.get(listing, {"q": term}).content.decode()
        assert world.item.finding.text[:30] in page or str(world.item)[:30] in page, term


def test_the_item_page_shows_the_change_record_to_those_who_answer_for_it(client, world):
    client.force_login(world.owner)
    client.post(
        reverse("tracker:item_add_update", args=[world.item.uuid]),
        {"text": "<script>alert('x')</script> done"},
    )
    url = reverse("tracker:item_detail", args=[world.item.uuid])
    for person, shown in (
        (world.coordinator, True),
        (world.pcc, True),
        (world.admin(), True),
        (world.owner, False),
        (world.reader, False),
    ):
        client.force_login(person)
        page = client.get(url).content.decode()
        assert ('id="audit-trail"' in page) is shown, person
        if shown:
            assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; done" in page
            assert "<script>alert('x')</script>" not in page


def test_the_report_page_shows_its_change_record_to_coordinators_and_the_pcc_office(client, world):
    audit_record(
        actor=world.coordinator,
        action="update",
        obj=world.report,
        changes={"title": ("Old", "New")},
        at=report_time(),
    )
    url = reverse("tracker:report_detail", args=[world.report.key])
    client.force_login(world.pcc)
    assert 'id="audit-trail"' in client.get(url).content.decode()
    client.force_login(world.reader)
    assert 'id="audit-trail"' not in client.get(url).content.decode()


def test_a_shared_reports_record_keeps_one_forces_findings_and_grades_to_that_force(client, world):
    """A report about several forces (a national thematic) with a finding and a grade about
    West Midlands alone: Staffordshire's coordinator sees neither in the change record."""
    shared = make_report(forces=[world.wmp, world.staffs], national=True, title="Thematic")
    secret = make_finding(shared, text="WMP ONLY: covert operation at Aston", force=world.wmp)
    grade = Judgement.objects.create(
        report=shared, force=world.wmp, area="WMP only area", grade="Good"
    )
    for obj in (secret, grade):
        audit_record(
            actor=world.coordinator,
            action="create",
            obj=obj,
            changes={"text": (None, "WMP ONLY detail")},
            at=report_time(),
        )
    url = reverse("tracker:report_detail", args=[shared.key])
    client.force_login(world.outsider)
    page = client.get(url).content.decode()
    assert 'id="audit-trail"' in page
    assert "WMP ONLY" not in page
    assert "covert operation" not in page
    client.force_login(world.coordinator)
    assert client.get(url).content.decode().count("WMP ONLY detail") == 2
