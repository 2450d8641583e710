"""The demo's national recommendation (issue 18): many forces with varied progress, closures
recorded through the services, the inspectorate's statuses with one mismatch on West
Midlands' item; the national reader sees every force, West Midlands' coordinator its own."""

import io
import zipfile

from django.urls import reverse

from accounts.models import User
from tests.demo_pages import PERSONAS
from tracker import filters, national
from tracker.demo_national import NATIONAL_FINDING
from tracker.models import Finding, InspectorateStatus, Status, StatusChange, TrackedItem


def test_the_demo_has_a_national_recommendation_tracked_by_many_forces(demo_world):
    finding = Finding.objects.get(key=NATIONAL_FINDING)
    assert "Sample" in finding.report.title
    assert finding.report.national
    items = TrackedItem.objects.filter(finding=finding)
    assert items.count() >= 10
    statuses = set(items.values_list("status", flat=True))
    assert {Status.CLOSED, Status.IN_PROGRESS, Status.NOT_STARTED} <= statuses
    for item in items.filter(status=Status.CLOSED):
        assert item.closed_at is not None
        assert StatusChange.objects.filter(item=item, to_status=Status.CLOSED).exists()
    assert InspectorateStatus.objects.filter(item__finding=finding).count() >= 5
    mismatched = filters.inspectorate_narrow(items, mismatch=True)
    assert [i.force.code for i in mismatched] == ["west-midlands-police"]


def test_the_national_reader_sees_every_force_and_the_coordinator_their_own(client, demo_world):
    finding = Finding.objects.get(key=NATIONAL_FINDING)
    url = reverse("tracker:national_detail", args=[finding.key])
    client.force_login(User.objects.get(email=PERSONAS["national"]))
    response = client.get(url)
    assert len(response.context["rows"]) == TrackedItem.objects.filter(finding=finding).count()
    assert "Greater Manchester Police" in response.content.decode()
    dashboard = client.get(reverse("tracker:dashboard")).content.decode()
    assert url in dashboard
    client.force_login(User.objects.get(email=PERSONAS["coordinator"]))
    response = client.get(url)
    assert [r["item"].force.code for r in response.context["rows"]] == ["west-midlands-police"]
    assert "Greater Manchester Police" not in response.content.decode()
    wmp = response.context["rows"][0]["item"]
    assert response.context["rows"][0]["mismatch"]
    item_page = client.get(reverse("tracker:item_detail", args=[wmp.uuid])).content.decode()
    assert "differs from the inspectorate" in item_page
    assert national.is_national(
        TrackedItem.objects.select_related("finding__report").get(pk=wmp.pk)
    )


def test_the_excel_export_carries_the_highest_marking_of_its_rows(client, demo_world):
    client.force_login(User.objects.get(email=PERSONAS["national"]))
    response = client.get(reverse("tracker:national_export", args=[NATIONAL_FINDING, "xlsx"]))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].endswith('.xlsx"')
        or ".xlsx" in (response["Content-Disposition"])
    )
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    first_row = sheet.split("<row", 2)[1]
    assert "OFFICIAL" in first_row  # West Midlands' default marking, the highest of the rows
    assert "West Midlands Police" in sheet
