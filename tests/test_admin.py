"""In the admin, history cannot be changed or deleted, and edits of tracked data are audited."""

from django.urls import reverse

from accounts.models import Role, User
from tracker.models import AuditEvent, Report, StatusChange


def test_the_superuser_is_an_administrator(admin_client):
    assert User.objects.get(email="alex@example.org").has_role(Role.ADMINISTRATOR)


def test_a_status_change_cannot_be_edited_in_the_admin(admin_client, world):
    change = world.item.status_changes.get()
    url = reverse("admin:tracker_statuschange_change", args=[change.pk])
    assert admin_client.get(url).status_code == 200  # viewable
    response = admin_client.post(url, {"reason": "rewritten", "to_status": "closed"})
    assert response.status_code == 403
    assert StatusChange.objects.get(pk=change.pk).reason == "Item created"


def test_history_cannot_be_deleted_in_the_admin(admin_client, world):
    change = world.item.status_changes.get()
    url = reverse("admin:tracker_statuschange_delete", args=[change.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    event = AuditEvent.objects.first()
    url = reverse("admin:tracker_auditevent_delete", args=[event.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert StatusChange.objects.filter(pk=change.pk).exists()


def test_items_and_reports_cannot_be_deleted_in_the_admin(admin_client, world):
    url = reverse("admin:tracker_trackeditem_delete", args=[world.item.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    url = reverse("admin:tracker_report_delete", args=[world.report.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403


def test_an_admin_edit_of_a_report_is_audited_with_before_and_after(admin_client, world):
    report = world.report
    url = reverse("admin:tracker_report_change", args=[report.pk])
    data = {
        "key": report.key,
        "inspectorate": report.inspectorate_id,
        "inspectorate_label": "HMICFRS",
        "title": "A corrected title",
        "report_type": report.report_type,
        "published_on": "2018-03-22",
        "published_precision": "day",
        "url": "",
        "grading_scale": report.grading_scale,
        "forces": [world.wmp.pk],
        "source_document": "",
        "notes": "",
        "judgements-TOTAL_FORMS": "0",
        "judgements-INITIAL_FORMS": "0",
        "judgements-MIN_NUM_FORMS": "0",
        "judgements-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Report.objects.get(pk=report.pk).title == "A corrected title"
    event = AuditEvent.objects.get(object_type="tracker.Report", object_id=report.key)
    assert event.changes["title"] == ["PEEL: police effectiveness 2017", "A corrected title"]
    assert event.actor.email == "alex@example.org"
    assert event.source == "admin"
    assert event.path.startswith("POST /admin/tracker/report/")


def test_an_admin_change_of_roles_is_audited(admin_client, world):
    user = world.colleague
    url = reverse("admin:accounts_user_change", args=[user.pk])
    assignment = user.role_assignments.get()
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": "",
        "organisation": world.wmp.pk,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "role_assignments-TOTAL_FORMS": "2",
        "role_assignments-INITIAL_FORMS": "1",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-id": assignment.pk,
        "role_assignments-0-user": user.pk,
        "role_assignments-0-role": "force_staff",
        "role_assignments-1-user": user.pk,
        "role_assignments-1-role": "force_coordinator",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.filter(object_type="accounts.User").latest("at")
    assert "role assignments added: 1" in event.note
    assert event.actor.email == "alex@example.org"
    assert "password" not in event.changes


def test_people_cannot_be_deleted_in_the_admin(admin_client, world):
    url = reverse("admin:accounts_user_delete", args=[world.colleague.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
