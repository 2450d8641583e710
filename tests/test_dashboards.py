"""Dashboards, ageing bands and the board pack, on a fixed data set with a frozen clock."""

import datetime
import io

import pypdf
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import make_finding, make_item, make_org, make_report
from tracker import dashboards
from tracker.models import Deadline, Status, TrackedItem
from tracker.reminders.sync import responses_ensure

TODAY = datetime.date(2026, 12, 3)
NOON = datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def item_due(world, report, text, due_in, owner=None, force=None, status=None):
    item = make_item(make_finding(report, text), force or world.wmp, owner=owner)
    fields = {"due_date": TODAY + datetime.timedelta(days=due_in) if due_in is not None else None}
    if status:
        fields["status"] = status
        if status == Status.CLOSED:
            fields["closed_at"] = timezone.now()
    TrackedItem.objects.filter(pk=item.pk).update(**fields)
    return item


@pytest.fixture
def data(world, frozen):
    """West Midlands: items across every due band and two report ages; Staffordshire: one."""
    TrackedItem.objects.filter(pk=world.item.pk).update(due_date=None)  # report of 2018
    recent = make_report(
        forces=[world.wmp], title="Recent", published_on=TODAY - datetime.timedelta(days=20)
    )
    item_due(world, recent, "not due", 45, owner=world.owner)
    item_due(world, recent, "due soon", 10, owner=world.owner)
    item_due(world, recent, "late 5", -5, owner=world.colleague)
    item_due(world, recent, "late 40", -40, owner=world.colleague)
    item_due(world, recent, "late 100", -100, owner=world.colleague)
    item_due(world, recent, "closed", -100, owner=world.owner, status=Status.CLOSED)
    staffs = make_report(
        forces=[world.staffs], title="Theirs", published_on=TODAY - datetime.timedelta(days=100)
    )
    item_due(world, staffs, "theirs late", -1, force=world.staffs)
    return world


def test_due_bands_count_open_items_once_each(data):
    items = TrackedItem.objects.filter(force=data.wmp)
    table = dashboards.ageing(items, TODAY, by="force")["due"]
    assert table.bands == dashboards.DUE_BANDS
    assert table.rows == [
        {"label": "West Midlands Police", "counts": [1, 1, 1, 1, 1, 1], "total": 6}
    ]


def test_age_bands_count_days_since_the_report(data):
    items = TrackedItem.objects.all()
    table = dashboards.ageing(items, TODAY, by="force")["age"]
    rows = {r["label"]: r["counts"] for r in table.rows}
    assert rows["West Midlands Police"] == [5, 0, 0, 0, 1]  # five from 20 days ago, one from 2018
    assert rows["Staffordshire Police"] == [0, 0, 1, 0, 0]
    assert table.totals == [5, 0, 1, 0, 1]
    assert table.total == 7


def test_band_edges_fall_on_the_right_side():
    def band(days):
        return dashboards.age_band(TODAY - datetime.timedelta(days=days), TODAY)

    assert [band(d) for d in (0, 30, 31, 90, 91, 180, 181, 365, 366, 4000)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_ageing_by_owner(data):
    items = TrackedItem.objects.filter(force=data.wmp)
    table = dashboards.ageing(items, TODAY, by="owner")["due"]
    rows = {r["label"]: r["counts"] for r in table.rows}
    assert rows["Tom Ellis"] == [0, 0, 0, 1, 1, 1]
    assert rows["Priya Shah"] == [1, 1, 1, 0, 0, 0]  # the 2018 item (no due date) and two


def test_force_summaries(data):
    summaries = dashboards.force_summaries(TrackedItem.objects.all(), Deadline.objects.all(), TODAY)
    wmp = next(s for s in summaries if s.name == "West Midlands Police")
    assert (wmp.open, wmp.overdue, wmp.closed_this_quarter) == (6, 3, 1)
    assert wmp.median_days_to_close == 0  # created and closed the same moment here


def test_each_role_gets_its_own_scope(data, client):
    client.force_login(data.owner)
    page = client.get(reverse("tracker:dashboard")).content.decode()
    assert "Your items" in page
    client.force_login(data.coordinator)
    page = client.get(reverse("tracker:dashboard")).content.decode()
    assert "Your force" in page
    assert "Staffordshire Police" not in page

    make_org("Dyfed-Powys Police")  # no items: still listed side by side, with zeros
    client.force_login(data.reader)
    page = client.get(reverse("tracker:dashboard")).content.decode()
    assert "All forces" in page
    assert "Staffordshire Police" in page
    assert "West Midlands Police" in page
    assert "Dyfed-Powys Police" in page
    assert '<svg class="app-chart__svg" role="img"' in page


def test_the_dashboard_uses_a_fixed_number_of_queries(data, client, django_assert_max_num_queries):
    client.force_login(data.reader)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("tracker:dashboard")).status_code == 200
    recent = make_report(forces=[data.staffs], title="More")
    for n in range(15):
        item_due(data, recent, f"more {n}", -n, force=data.staffs)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("tracker:dashboard")).status_code == 200


def test_the_board_pack_is_printable_and_a_pdf_with_the_same_figures(data, client):
    client.force_login(data.coordinator)
    page = client.get(reverse("tracker:board_pack")).content.decode()
    assert "late 100" in page
    assert "theirs late" not in page
    pdf = client.get(reverse("tracker:board_pack_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "The overdue report" in text
    assert "late 100" in text
    assert "theirs late" not in text


def test_the_pcc_office_sees_its_statutory_responses_and_can_group_by_force(data, client):
    late = make_report(
        forces=[data.wmp], title="Late one", published_on=TODAY - datetime.timedelta(days=70)
    )
    responses_ensure(report=late)
    client.force_login(data.pcc)
    response = client.get(reverse("tracker:dashboard"))
    assert response.context["response_figures"] == {"late": 1, "due_soon": 0, "published": 0}
    assert response.context["age_table"].group_label == "Owner"
    by_force = client.get(reverse("tracker:dashboard") + "?by=force")
    assert by_force.context["age_table"].group_label == "Force"
    bogus = client.get(reverse("tracker:dashboard") + "?by=<b>")
    assert "was ignored" in bogus.content.decode()


def test_namesakes_stay_apart_in_ageing_by_owner(data):
    other = User.objects.create_user(
        "tom.ellis@staffs.example", "x" * 16, full_name="Tom Ellis", organisation=data.staffs
    )
    theirs = make_report(forces=[data.staffs], title="Theirs again")
    item_due(data, theirs, "other tom", 3, owner=other, force=data.staffs)
    table = dashboards.ageing(TrackedItem.objects.all(), TODAY, by="owner")["due"]
    labels = [r["label"] for r in table.rows]
    assert "Tom Ellis (West Midlands Police)" in labels
    assert "Tom Ellis (Staffordshire Police)" in labels


@pytest.mark.parametrize("by", ["force", "owner"])
def test_grouped_counts_are_the_same_whichever_way_the_reports_are_read(data, by):
    """A few forces' items look their reports up item by item; every force's join them."""

    def key(row):
        return (row["force_id"], row.get("owner_id") or 0, row["finding__report__published_on"])

    for items in (TrackedItem.objects.all(), TrackedItem.objects.filter(force=data.wmp)):
        joined = dashboards.grouped_counts(items, TODAY, by)
        looked_up = dashboards.grouped_counts(items, TODAY, by, few=True)
        assert sorted(joined, key=key) == sorted(looked_up, key=key)
        assert joined


def test_each_dashboard_uses_a_fixed_number_of_queries(data, client, django_assert_max_num_queries):
    """Every kind of dashboard, counted afresh (the cache is not read inside the test's
    transaction), and one force's."""
    for person, page in [
        (data.owner, "/dashboard/"),
        (data.coordinator, "/dashboard/"),
        (data.pcc, "/dashboard/"),
        (data.pcc, "/dashboard/?by=force"),
        (data.reader, f"/dashboard/?force={data.wmp.pk}"),
        (data.coordinator, "/board-pack/"),
    ]:
        client.force_login(person)
        with CaptureQueriesContext(connection) as few:
            assert client.get(page).status_code == 200
        more = make_report(forces=[data.wmp, data.staffs], title=f"More for {page}")
        for n in range(6):
            item_due(data, more, f"more {n}", 40 - 20 * n, owner=data.owner)
            item_due(data, more, f"theirs {n}", -n, force=data.staffs)
        with django_assert_max_num_queries(len(few)):
            assert client.get(page).status_code == 200
