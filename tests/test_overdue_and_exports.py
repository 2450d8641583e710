"""Managers' lists: the filters on every item list, the overdue report, and CSV and Excel
exports of any filtered list."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item, make_report
from tracker.models import Finding, Report, TrackedItem
from tracker.reminders.sync import responses_ensure

OVERDUE = reverse("tracker:overdue")


def export(client, fmt, query=""):
    response = client.get(reverse("tracker:item_export", args=[fmt]) + query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8"))))
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet["A1"].value == "OFFICIAL"  # the protective marking, above the table
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def late(world):
    """Two overdue items (one in each force), one not yet due."""
    today = timezone.localdate()
    TrackedItem.objects.filter(pk=world.item.pk).update(
        due_date=today - datetime.timedelta(days=12)
    )
    other = make_report(forces=[world.staffs], title="Staffordshire report")
    theirs = make_item(make_finding(other, "Staffordshire's finding"), world.staffs)
    TrackedItem.objects.filter(pk=theirs.pk).update(due_date=today - datetime.timedelta(days=3))
    world.later = make_item(
        make_finding(world.report, '=HYPERLINK("http://evil","click")'),
        world.wmp,
        owner=world.colleague,
        due=today + datetime.timedelta(days=5),
    )
    return world


def test_the_overdue_report_lists_only_overdue_items_of_the_persons_forces(late, client):
    client.force_login(late.coordinator)
    page = client.get(OVERDUE).content.decode()
    assert late.finding.summary in page
    assert "Staffordshire&#x27;s finding" not in page
    assert "HYPERLINK" not in page
    assert ">12<" in page  # days overdue
    client.force_login(late.reader)
    assert "Staffordshire&#x27;s finding" in client.get(OVERDUE).content.decode()


def test_the_overdue_report_groups_by_owner_department_report_or_force(late, client):
    late.owner.department = "Force Contact"
    late.owner.save()
    client.force_login(late.coordinator)
    assert "Force Contact" in client.get(OVERDUE + "?group=department").content.decode()
    assert late.report.title in client.get(OVERDUE + "?group=report").content.decode()
    bogus = client.get(OVERDUE + "?group=<script>")
    assert bogus.status_code == 200
    page = bogus.content.decode()
    assert "was ignored" in page
    assert "“&lt;script&gt;”" in page
    assert "“<script>”" not in page


def test_the_overdue_report_includes_statutory_responses_past_their_deadline(late, client):
    old = make_report(
        forces=[late.wmp],
        title="A report whose response is late",
        published_on=timezone.localdate() - datetime.timedelta(days=70),
    )
    responses_ensure(report=old)
    client.force_login(late.pcc)
    page = client.get(OVERDUE).content.decode()
    assert "A report whose response is late" in page
    assert "The PCC office to publish its comments" in page


def test_unknown_and_tampered_filter_values_are_ignored_with_a_message(late, client):
    client.force_login(late.coordinator)
    query = (
        f"?force={late.staffs.pk}&owner={late.outsider.pk}&due_after=31/02/2027"
        "&report=no-such-report&status=nonsense"
    )
    response = client.get(reverse("tracker:item_list") + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("was ignored") == 5
    assert late.finding.summary in page  # the list is the person's own, unnarrowed


def test_filters_narrow_by_force_report_owner_area_and_due_dates(late, client):
    client.force_login(late.reader)
    items = reverse("tracker:item_list")
    page = client.get(items + f"?force={late.staffs.pk}").content.decode()
    assert "Staffordshire&#x27;s finding" in page
    assert late.finding.summary not in page
    page = client.get(items + f"?owner={late.colleague.pk}").content.decode()
    assert "HYPERLINK" in page
    assert late.finding.summary not in page
    due = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    page = client.get(items + f"?due_after={due}").content.decode()
    assert "HYPERLINK" in page
    assert late.finding.summary not in page
    page = client.get(items + f"?report={late.report.key}&area=vulner").content.decode()
    assert late.finding.summary in page
    assert "Staffordshire&#x27;s finding" not in page


def test_a_search_with_sql_or_html_characters_is_just_text(late, client):
    client.force_login(late.coordinator)
    response = client.get(reverse("tracker:item_list") + "?q=%27%3B+DROP+TABLE+x%3B+--%3Cb%3E")
    assert response.status_code == 200
    assert "0 items" in response.content.decode()
    assert TrackedItem.objects.count() == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_apply_the_filters_and_the_persons_scope(late, client, fmt):
    client.force_login(late.coordinator)
    rows = export(client, fmt, "?overdue=true")
    assert rows[0][0] == "Force"
    assert len(rows) == 2
    assert rows[1][0] == "West Midlands Police"
    assert int(rows[1][11]) == 12
    everything = export(client, fmt, f"?force={late.staffs.pk}")  # tampered: ignored
    assert {r[0] for r in everything[1:]} == {"West Midlands Police"}


def test_the_csv_export_is_safe_against_formula_injection(late, client):
    Report.objects.filter(pk=late.report.pk).update(title=" \u00a0@SUM(A1:A9)")
    client.force_login(late.coordinator)
    rows = export(client, "csv")
    cell = next(r[6] for r in rows if "HYPERLINK" in str(r[6]))
    assert cell.startswith("'=HYPERLINK")
    assert {r[1] for r in rows[1:]} == {"' \u00a0@SUM(A1:A9)"}


def test_the_excel_export_keeps_text_as_text_never_a_formula(late, client):
    Report.objects.filter(pk=late.report.pk).update(title="Bad\x01title -12")
    Finding.objects.filter(pk=late.finding.pk).update(reference="-12")
    client.force_login(late.coordinator)
    response = client.get(reverse("tracker:item_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    formula = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert formula.value.startswith("=HYPERLINK")
    assert formula.data_type == "s"
    assert "Badtitle -12" in {c.value for c in cells}  # the control character is dropped
    assert "-12" in {c.value for c in cells}  # as written, no apostrophe


def test_the_my_items_export_is_what_the_person_owns(late, client):
    client.force_login(late.owner)
    page = client.get(reverse("tracker:my_items")).content.decode()
    assert "mine=1" in page
    rows = export(client, "csv", "?mine=1")
    assert len(rows) == 2
    assert "HYPERLINK" not in str(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_nothing_is_just_the_header(late, client, fmt):
    client.force_login(late.coordinator)
    rows = export(client, fmt, "?q=nothing-matches-this")
    assert len(rows) == 1
    assert rows[0][0] == "Force"


def test_exports_need_sign_in_and_a_known_format(late, client):
    assert client.get(reverse("tracker:item_export", args=["csv"])).status_code == 302
    client.force_login(late.coordinator)
    assert client.get(reverse("tracker:item_export", args=["pdf"])).status_code == 404


def test_the_overdue_report_uses_a_fixed_number_of_queries(
    late, client, django_assert_max_num_queries
):
    client.force_login(late.coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(OVERDUE).status_code == 200
    today = timezone.localdate()
    for n in range(20):
        item = make_item(make_finding(late.report, f"Late {n}"), late.wmp, owner=late.owner)
        TrackedItem.objects.filter(pk=item.pk).update(
            due_date=today - datetime.timedelta(days=n + 1)
        )
    for group in ("owner", "department", "report", "force"):
        with django_assert_max_num_queries(len(few)):
            response = client.get(OVERDUE + f"?group={group}")
        assert response.status_code == 200, group
        assert "Late 19" in response.content.decode()


def test_the_reports_list_filters_and_paginates(late, client):
    client.force_login(late.reader)
    reports = reverse("tracker:report_list")
    page = client.get(reports + "?q=staffordshire").content.decode()
    assert "Staffordshire report" in page
    assert late.report.title not in page
    make_report(forces=[late.staffs], title="Newer", published_on=datetime.date(2020, 1, 1))
    page = client.get(reports + "?published_after=01/01/2019").content.decode()
    assert "Newer" in page
    assert late.report.title not in page
    bad = client.get(reports + "?report_type=nonsense&published_before=99/99/9999")
    assert bad.status_code == 200
    assert bad.content.decode().count("was ignored") == 2


def test_the_responses_list_filters_by_state_and_force(late, client):
    responses_ensure(report=late.report)
    client.force_login(late.pcc)
    responses = reverse("tracker:response_list")
    assert late.report.title in client.get(responses + "?state=late").content.decode()
    assert late.report.title not in client.get(responses + "?state=published").content.decode()
    tampered = client.get(responses + f"?force={late.staffs.pk}").content.decode()
    assert "was ignored" in tampered
    assert late.report.title in tampered


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_responses_list_exports_with_its_filters(late, client, fmt):
    responses_ensure(report=late.report)
    client.force_login(late.pcc)
    url = reverse("tracker:response_export", args=[fmt])
    body = b"".join(client.get(url + "?state=late").streaming_content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        assert sheet["A1"].value == "OFFICIAL"
        rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert rows[0][0] == "Report"
    assert len(rows) == 2
    assert rows[1][0] == late.report.title
    assert rows[1][5] == "Not started"
    body = b"".join(client.get(url + "?state=published").streaming_content)
    assert len(body.splitlines()) == 1 if fmt == "csv" else body


def test_the_overdue_responses_follow_the_report_filter_and_say_what_they_ignore(late, client):
    old = make_report(
        forces=[late.wmp],
        title="A report whose response is late",
        published_on=timezone.localdate() - datetime.timedelta(days=70),
    )
    responses_ensure(report=old)
    client.force_login(late.pcc)
    page = client.get(OVERDUE + f"?report={late.report.key}").content.decode()
    assert ">A report whose response is late</a>" not in page
    page = client.get(OVERDUE + f"?owner={late.owner.pk}").content.decode()
    assert ">A report whose response is late</a>" in page
    assert "filtered by force and report only, not by owner" in page


def test_no_owner_and_no_department_are_one_group(late, client):
    TrackedItem.objects.filter(pk=late.item.pk).update(owner=None)
    item = make_item(make_finding(late.report, "Another late one"), late.wmp, owner=late.colleague)
    TrackedItem.objects.filter(pk=item.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    client.force_login(late.coordinator)
    page = client.get(OVERDUE + "?group=department").content.decode()
    assert page.count("No department recorded") == 1
