"""The PCC office holding the force to account: the progress review page, asking for an
update, recording its view with a rating, and the red, amber, green rating itself."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item
from tracker import services
from tracker.models import Notification, ProgressReview, TrackedItem

REVIEW = reverse("tracker:review")


def item_url(name, item):
    return reverse(f"tracker:{name}", args=[item.uuid])


def test_the_rating_follows_the_items_dates():
    today = datetime.date(2026, 12, 3)
    now = datetime.datetime(2026, 12, 1, 9, tzinfo=timezone.get_current_timezone())
    item = TrackedItem(status="in_progress", last_activity_at=now)
    item.due_date = datetime.date(2026, 12, 2)
    assert item.rag(today) == "red"
    item.due_date = datetime.date(2027, 1, 2)  # 30 days away
    assert item.rag(today) == "amber"
    item.due_date = datetime.date(2027, 1, 3)
    assert item.rag(today) == "green"
    item.last_activity_at = now - datetime.timedelta(days=95)
    assert item.rag(today) == "amber"  # gone quiet
    item.status = "closed"
    assert item.rag(today) == "closed"


def test_asking_for_an_update_tells_the_owner_and_shows_in_the_history(world, client):
    client.force_login(world.pcc)
    response = client.post(
        item_url("item_request_update", world.item), {"message": "What changed <b>now</b>?"}
    )
    assert response.status_code == 302
    note = Notification.objects.get(user=world.owner)
    assert "asks for an update" in note.subject
    assert note.url == item_url("item_detail", world.item)
    assert "What changed <b>now</b>?" in note.body
    page = client.get(item_url("item_detail", world.item)).content.decode()
    assert "PCC office asked for an update" in page
    assert "What changed &lt;b&gt;now&lt;/b&gt;?" in page


def test_with_no_owner_the_coordinator_is_asked(world):
    TrackedItem.objects.filter(pk=world.item.pk).update(owner=None)
    world.item.refresh_from_db()
    services.item_request_update(item=world.item, by=world.pcc)
    assert Notification.objects.filter(user=world.coordinator).count() == 1


def test_the_office_records_its_view_and_the_item_page_shows_it(world, client):
    client.force_login(world.pcc)
    empty = client.post(item_url("item_record_view", world.item), {"rating": "", "text": ""})
    assert empty.status_code == 400
    assert "Select green, amber or red" in empty.content.decode()
    assert not ProgressReview.objects.exists()
    client.post(item_url("item_record_view", world.item), {"rating": "red", "text": "Off track."})
    page = client.get(item_url("item_detail", world.item)).content.decode()
    assert "The PCC office's view on progress: Red: off track" in page


def test_only_the_forces_pcc_office_may_review(world, client):
    for person in (world.owner, world.coordinator, world.reader):
        client.force_login(person)
        assert client.get(item_url("item_request_update", world.item)).status_code == 403
        assert client.post(item_url("item_record_view", world.item), {}).status_code == 403
    client.force_login(world.outsider)
    assert client.get(item_url("item_request_update", world.item)).status_code == 404
    with pytest.raises(ValidationError):
        services.item_record_view(item=world.item, by=world.coordinator, rating="red", text="x")
    assert not ProgressReview.objects.exists()
    assert not Notification.objects.exists()


def test_the_review_page_is_for_the_pcc_office_and_shows_only_its_forces(world, client):
    theirs = make_finding(world.report, "Staffordshire's own finding", force=None)
    world.report.forces.add(world.staffs)
    make_item(theirs, world.staffs)
    client.force_login(world.owner)
    assert client.get(REVIEW).status_code == 403
    client.force_login(world.pcc)
    page = client.get(REVIEW).content.decode()
    assert world.finding.summary in page
    assert "Staffordshire" not in page


def test_the_review_page_uses_a_fixed_number_of_queries(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.pcc)
    client.get(REVIEW)
    with CaptureQueriesContext(connection) as few:
        assert client.get(REVIEW).status_code == 200
    for n in range(15):
        item = make_item(make_finding(world.report, f"Finding {n}"), world.wmp, owner=world.owner)
        services.item_record_view(item=item, by=world.pcc, rating="amber", text="Slow")
    with django_assert_max_num_queries(len(few)):
        response = client.get(REVIEW)
    assert response.status_code == 200
    assert response.content.decode().count("Amber") >= 15


def test_an_inactive_owner_means_the_coordinator_is_asked_and_nobody_means_refused(world, client):
    world.owner.is_active = False
    world.owner.save()
    client.force_login(world.pcc)
    response = client.post(reverse("tracker:item_request_update", args=[world.item.uuid]), {})
    assert response.status_code == 302
    assert Notification.objects.filter(user=world.coordinator).count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Your request has been sent to Grace Okafor"]
    world.coordinator.is_active = False
    world.coordinator.save()
    refused = client.post(reverse("tracker:item_request_update", args=[world.item.uuid]), {})
    assert refused.status_code == 400
    assert "Nobody can be asked" in refused.content.decode()
    assert ProgressReview.objects.count() == 1


def test_the_owner_sees_the_request_at_the_top_until_they_add_an_update(world, client):
    services.item_request_update(item=world.item, by=world.pcc, message="By Friday, please")
    client.force_login(world.owner)
    page = client.get(item_url("item_detail", world.item)).content.decode()
    assert "Update requested" in page
    assert "By Friday, please" in page
    services.item_add_update(item=world.item, author=world.owner, text="Done this week.")
    page = client.get(item_url("item_detail", world.item)).content.decode()
    assert "Update requested" not in page
