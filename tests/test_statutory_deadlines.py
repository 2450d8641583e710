"""The s55 deadline on the seed reports, as the PCC office and managers see it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation, Role
from tests.factories import make_user
from tracker.demo import load_reference_data
from tracker.models import Deadline, Report, StatutoryResponse
from tracker.reminders.sync import deadlines_sync_all, statutory_rule_for

PEEL_2017 = "peel-effectiveness-2017-west-midlands"


@pytest.fixture(scope="module")
def reference_data(build_once):
    """The forces, their policing bodies and the seed reports with their deadlines, worked out
    once for the module."""
    with build_once() as unblocked:
        with unblocked():
            load_reference_data()
            deadlines_sync_all()
        yield


@pytest.fixture
def seeds(reference_data, db):
    """Each test starts from the seed data with its deadlines worked out."""


def s55(report_key):
    return Deadline.objects.get(rule__key="s55-pcc-comments", response__report__key=report_key)


def test_the_2018_report_has_its_s55_deadline_on_16_may_2018(seeds):
    deadline = s55(PEEL_2017)
    assert deadline.trigger_on == datetime.date(2018, 3, 22)
    assert deadline.due_on == datetime.date(2018, 5, 16)  # day 1 is 22 March, day 56 is 16 May


def test_the_response_dated_17_may_2018_shows_as_one_day_late(seeds):
    deadline = s55(PEEL_2017)
    assert deadline.state == "met"
    assert deadline.met_on == datetime.date(2018, 5, 17)
    assert deadline.days_late == 1


def test_the_2015_and_2014_reports_have_no_statutory_deadline(seeds):
    for key in ("peel-effectiveness-2015-west-midlands", "core-business-2014"):
        report = Report.objects.get(key=key)
        assert statutory_rule_for(report) is None
        assert not Deadline.objects.filter(response__report=report).exists()
        assert not StatutoryResponse.objects.filter(report=report).exists()


def test_the_report_page_shows_the_deadline_and_the_late_publication(seeds, client):
    pcc = make_user(
        "Daniel Hughes", Organisation.objects.get(code="west-midlands-pcc"), Role.PCC_OFFICE
    )
    client.force_login(pcc)
    page = client.get(reverse("tracker:report_detail", args=[PEEL_2017])).content.decode()
    assert "16 May 2018" in page
    assert "Published 1 day late" in page
    assert "17 May 2018" in page
    assert "56 days beginning with the day the report was published" in page


def test_older_report_pages_say_plainly_there_is_no_statutory_deadline(seeds, client):
    reader = make_user("Sam Patel", None, Role.NATIONAL_READER)
    client.force_login(reader)
    for key in ("peel-effectiveness-2015-west-midlands", "core-business-2014"):
        page = client.get(reverse("tracker:report_detail", args=[key])).content.decode()
        assert "No statutory deadline" in page
        assert "2 May 2017" in page


def test_another_force_does_not_see_the_response_deadline(seeds, client):
    outsider = make_user(
        "Megan Price", Organisation.objects.get(code="staffordshire-police"), Role.FORCE_STAFF
    )
    client.force_login(outsider)
    response = client.get(reverse("tracker:report_detail", args=[PEEL_2017]))
    assert response.status_code == 404


def test_the_pcc_office_sets_a_local_target_where_the_law_sets_none(seeds, client):
    pcc = make_user(
        "Daniel Hughes", Organisation.objects.get(code="west-midlands-pcc"), Role.PCC_OFFICE
    )
    client.force_login(pcc)
    key = "peel-effectiveness-2015-west-midlands"
    url = reverse("tracker:report_local_target", args=[key])
    assert (
        "local target for your comments"
        in client.get(reverse("tracker:report_detail", args=[key])).content.decode()
    )

    refused = client.post(url, {"target_on": "01/01/2010"})
    assert refused.status_code == 400
    assert "The target must be today or in the future." in refused.content.decode()
    assert not StatutoryResponse.objects.filter(report__key=key).exists()

    assert client.post(url, {"target_on": "31/12/2027"}).status_code == 302
    deadline = Deadline.objects.get(response__report__key=key, rule__key="local-target")
    assert deadline.due_on == datetime.date(2027, 12, 31)
    assert not deadline.rule.statutory
    page = client.get(reverse("tracker:report_detail", args=[key])).content.decode()
    assert "No statutory deadline" in page
    assert "31 December 2027" in page


def test_only_the_pcc_office_sets_a_local_target_and_never_on_a_statutory_report(seeds, client):
    coordinator = make_user(
        "Grace Okafor",
        Organisation.objects.get(code="west-midlands-police"),
        Role.FORCE_COORDINATOR,
    )
    client.force_login(coordinator)
    url = reverse("tracker:report_local_target", args=["peel-effectiveness-2015-west-midlands"])
    assert client.get(url).status_code == 403
    pcc = make_user(
        "Daniel Hughes", Organisation.objects.get(code="west-midlands-pcc"), Role.PCC_OFFICE
    )
    client.force_login(pcc)
    assert client.get(reverse("tracker:report_local_target", args=[PEEL_2017])).status_code == 403


def test_a_local_target_in_the_past_is_refused(seeds, client):
    pcc = make_user(
        "Daniel Hughes", Organisation.objects.get(code="west-midlands-pcc"), Role.PCC_OFFICE
    )
    client.force_login(pcc)
    url = reverse("tracker:report_local_target", args=["peel-effectiveness-2015-west-midlands"])
    response = client.post(url, {"target_on": "15/02/2016"})
    assert response.status_code == 400
    assert "The target must be today or in the future." in response.content.decode()
    assert not StatutoryResponse.objects.filter(
        report__key="peel-effectiveness-2015-west-midlands"
    ).exists()


def test_report_pages_use_a_fixed_number_of_queries_for_the_pcc_office(seeds, client):
    pcc = make_user(
        "Daniel Hughes", Organisation.objects.get(code="west-midlands-pcc"), Role.PCC_OFFICE
    )
    client.force_login(pcc)
    counts = []
    for key in (PEEL_2017, "peel-effectiveness-2015-west-midlands", "core-business-2014"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("tracker:report_detail", args=[key])).status_code == 200
        counts.append(len(ctx.captured_queries))
    # The national 2014 letter concerns 43 forces: no query per force, so it needs no more
    # than a one-force report (which reads its deadline, its changes, and who may mark it).
    assert counts[2] <= min(counts[:2]), counts
    # Issue 18 adds the "raised before" count and the PCC office's public progress part.
    assert max(counts) <= 40, counts
