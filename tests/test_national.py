"""National recommendations across forces (issue 18): the figures equal a fresh count, the
rows are scoped (a force sees the counts and its own row only), the export, the least
progress on the national dashboard, superseded items and recurring findings on the
dashboards, and fixed query counts."""

import csv
import datetime
import io
import statistics
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item, make_org, make_report
from tracker import dashboards, national, services
from tracker.models import (
    AddresseeKind,
    FindingLink,
    LinkState,
    Status,
    TrackedItem,
)
from tracker.report_import.item_history import inspectorate_status_add

TODAY = timezone.localdate()


def _set(item: TrackedItem, status: str, *, created_days_ago: int = 0, closed_after: int = 0):
    """Give an item a status (and, closed, a closing day `closed_after` days after it was
    created), through the services."""
    if created_days_ago:
        created = timezone.now() - datetime.timedelta(days=created_days_ago)
        TrackedItem.objects.filter(pk=item.pk).update(created_at=created)
        item.refresh_from_db()
    if status == Status.NOT_STARTED:
        return
    locked = services.item_lock(item=item)
    services.item_set_status(
        item=locked, by=None, to_status=Status.IN_PROGRESS, reason="test", now=timezone.now()
    )
    if status in (Status.CLOSED, Status.SUPERSEDED):
        closed = item.created_at + datetime.timedelta(days=closed_after, hours=3)
        locked = services.item_lock(item=item)
        services.item_set_status(
            item=locked, by=None, to_status=status, reason="test", now=closed, closed_at=closed
        )


def national_world(world, extra_forces: int = 4):
    """A national report about West Midlands, Staffordshire and `extra_forces` more forces,
    with one recommendation to every chief constable and an item for each force."""
    forces = [world.wmp, world.staffs] + [
        make_org(f"Shire {n} Police", code=f"shire-{n}") for n in range(extra_forces)
    ]
    report = make_report(forces=forces, national=True, title="A national thematic")
    finding = make_finding(
        report,
        text="Chief constables should review every unattended call from a vulnerable person.",
        addressee="Chief constables",
        addressee_kind=AddresseeKind.FORCES,
    )
    items = {f.pk: make_item(finding, f) for f in forces}
    return finding, forces, items


@pytest.fixture
def rec(world):
    finding, forces, items = national_world(world)
    plan = [
        (Status.CLOSED, 200, 30),
        (Status.IN_PROGRESS, 100, 0),
        (Status.CLOSED, 300, 95),
        (Status.NOT_STARTED, 0, 0),
        (Status.CLOSED, 150, 61),
        (Status.SUPERSEDED, 150, 20),
    ]
    for force, (status, created, closed_after) in zip(forces, plan, strict=True):
        _set(items[force.pk], status, created_days_ago=created, closed_after=closed_after)
    return finding, forces, items


def detail(finding):
    return reverse("tracker:national_detail", args=[finding.key])


def test_the_figures_equal_a_fresh_count(rec):
    finding, forces, _items = rec
    figures = national.national_figures(finding)
    rows = list(
        TrackedItem.objects.filter(finding=finding).values("status", "created_at", "closed_at")
    )
    closed = [r for r in rows if r["status"] == Status.CLOSED]
    assert figures.forces == len(rows) == len(forces)
    assert figures.closed == len(closed) == 3
    took = [(r["closed_at"] - r["created_at"]).total_seconds() / 86400 for r in closed]
    assert figures.median_days_to_close == round(statistics.median(took)) == 61
    for value, _label, n in figures.statuses:
        assert n == sum(1 for r in rows if r["status"] == value), value


def test_the_list_counts_every_force(client, world, rec):
    finding, forces, _items = rec
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:national_list")).content.decode()
    assert finding.summary in page
    assert "3 (50%)" in page  # three of six forces closed, counted over every force


def test_a_national_reader_sees_every_forces_item(client, world, rec):
    finding, forces, items = rec
    client.force_login(world.reader)
    response = client.get(detail(finding))
    assert response.status_code == 200
    shown = {row["item"].pk for row in response.context["rows"]}
    assert shown == {i.pk for i in items.values()}
    page = response.content.decode()
    for force in forces:
        assert force.name in page
    assert "3 of 6" in page


@pytest.mark.parametrize("persona", ["coordinator", "owner", "pcc", "outsider"])
def test_a_force_sees_the_counts_and_only_its_own_row(client, world, rec, persona):
    finding, forces, items = rec
    user = getattr(world, persona)
    own = world.staffs if persona == "outsider" else world.wmp
    client.force_login(user)
    response = client.get(detail(finding))
    assert response.status_code == 200
    assert [row["item"].pk for row in response.context["rows"]] == [items[own.pk].pk]
    page = response.content.decode()
    assert "3 of 6" in page  # the figures count every force
    for force in forces:
        if force != own:
            assert force.name not in page
            assert str(items[force.pk].uuid) not in page


def test_a_force_never_gets_another_forces_item_in_the_export(client, world, rec):
    finding, forces, items = rec
    client.force_login(world.outsider)
    response = client.get(reverse("tracker:national_export", args=[finding.key, "csv"]))
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0][0] == "Force"
    assert [r[0] for r in table[1:]] == [world.staffs.name]
    assert str(items[world.wmp.pk].uuid) not in "".join(",".join(r) for r in table)


def test_the_national_readers_export_has_every_force_and_an_excel_marking_row(client, world, rec):
    finding, forces, _items = rec
    client.force_login(world.reader)
    response = client.get(reverse("tracker:national_export", args=[finding.key, "csv"]))
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r[0] for r in table[1:]) == sorted(f.name for f in forces)
    response = client.get(reverse("tracker:national_export", args=[finding.key, "xlsx"]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        about = archive.read("xl/worksheets/sheet2.xml").decode()
    for force in forces:
        assert force.name in sheet
    assert "3 of 6 forces have closed it" in about


def test_an_unknown_format_is_404(client, world, rec):
    finding, _forces, _items = rec
    client.force_login(world.reader)
    assert client.get(f"/national/{finding.key}/export.pdf").status_code == 404


def test_a_finding_that_is_not_national_is_404(client, world):
    client.force_login(world.reader)
    assert client.get(detail(world.finding)).status_code == 404


def test_a_national_report_not_about_the_persons_force_is_404(client, world):
    report = make_report(forces=[world.wmp], national=True)
    finding = make_finding(report, addressee_kind=AddresseeKind.FORCES)
    make_item(finding, world.wmp)
    client.force_login(world.outsider)
    assert client.get(detail(finding)).status_code == 404
    assert finding.summary not in client.get(reverse("tracker:national_list")).content.decode()


def test_a_finding_for_a_national_body_is_not_a_national_recommendation(client, world):
    report = make_report(forces=[world.wmp], national=True)
    finding = make_finding(report, addressee_kind=AddresseeKind.NATIONAL_BODY)
    client.force_login(world.reader)
    assert client.get(detail(finding)).status_code == 404


def test_the_pages_use_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    small, _forces, _items = national_world(world, extra_forces=1)
    client.force_login(world.reader)
    client.get(detail(small))
    with CaptureQueriesContext(connection) as few:
        assert client.get(detail(small)).status_code == 200
    with CaptureQueriesContext(connection) as few_listed:
        assert client.get(reverse("tracker:national_list")).status_code == 200
    # A second recommendation, tracked by many more forces, some with the inspectorate's view.
    forces = [make_org(f"Many {n} Police", code=f"many-{n}") for n in range(15)]
    report = make_report(forces=forces, national=True)
    big = make_finding(report, addressee_kind=AddresseeKind.FORCES)
    for n, f in enumerate(forces):
        item = make_item(big, f)
        _set(item, Status.CLOSED, created_days_ago=40, closed_after=10)
        if n % 3 == 0:
            inspectorate_status_add(
                item=item,
                status="being_progressed",
                stated_on=TODAY,
                source="Register",
                by=None,
                now=timezone.now(),
            )
    with django_assert_max_num_queries(len(few)):
        response = client.get(detail(big))
    assert sum(row["mismatch"] for row in response.context["rows"]) == 5
    with django_assert_max_num_queries(len(few_listed)):
        assert client.get(reverse("tracker:national_list")).status_code == 200


def test_the_national_dashboard_lists_the_least_progress_first(client, world, rec):
    finding, _forces, _items = rec
    forces = [make_org(f"Done {n} Police", code=f"done-{n}") for n in range(2)]
    report = make_report(forces=forces, national=True, title="Another national thematic")
    done = make_finding(
        report, text="Every force has done this one.", addressee_kind=AddresseeKind.FORCES
    )
    for f in forces:
        _set(make_item(done, f), Status.CLOSED, created_days_ago=40, closed_after=10)
    ranked = national.least_progress(user=world.reader, today=TODAY)
    assert [r.finding for r in ranked] == [finding, done]
    client.force_login(world.reader)
    page = client.get(reverse("tracker:dashboard")).content.decode()
    assert "National recommendations with the least progress" in page
    assert page.index(finding.summary) < page.index(done.summary)
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:dashboard")).content.decode()
    assert "National recommendations with the least progress" not in page


def test_a_superseded_item_is_done_but_not_closed_this_quarter(world):
    _set(world.item, Status.SUPERSEDED, closed_after=0)
    items = TrackedItem.objects.filter(pk=world.item.pk)
    rows = dashboards.grouped_counts(items, TODAY, "force")
    assert sum(row[f"d{i}"] for row in rows for i in range(len(dashboards.DUE_BANDS))) == 0
    assert sum(row["closed_q"] for row in rows) == 0
    assert not dashboards.open_items(items).exists()


def test_recurring_findings_are_counted_on_the_dashboard_and_the_review(client, world):
    later = make_finding(world.report, text="The same again, a later finding.")
    item = make_item(later, world.wmp)
    FindingLink.objects.create(
        later=later, earlier=world.finding, force=world.wmp, state=LinkState.CONFIRMED
    )
    # A suggested link (not confirmed) and another force's link do not count.
    other = make_finding(world.report, text="Suggested only.")
    make_item(other, world.wmp)
    FindingLink.objects.create(later=other, earlier=world.finding, force=world.wmp)
    client.force_login(world.coordinator)
    response = client.get(reverse("tracker:dashboard"))
    assert response.context["totals"]["recurring"] == 1
    listed = client.get(reverse("tracker:item_list"), {"recurring": "true"})
    assert [i.pk for i in listed.context["page"].object_list] == [item.pk]
    client.force_login(world.pcc)
    review = client.get(reverse("tracker:review"))
    assert review.context["recurring"] == 1
