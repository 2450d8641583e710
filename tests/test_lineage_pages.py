"""Lineage pages (issue 18): the item page's "Raised before", the lineage page, adding,
confirming and dismissing links, the report page's count and the export of confirmed links;
scoped to the person's forces (another force's coordinator gets 404), in a constant number of
queries however long the chain."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from tracker import lineage_reads
from tracker.models import (
    Finding,
    FindingLink,
    LinkRelation,
    LinkState,
    Status,
    TrackedItem,
)

pytestmark = pytest.mark.django_db

COC = "peel-effectiveness-2017-west-midlands:coc-1"
AFI = "peel-effectiveness-2015-west-midlands:afi-{}".format
LETTER = "core-business-2014:f-5"


def _client(client, email):
    client.force_login(User.objects.get(email=email))
    return client


@pytest.fixture
def wmp(demo_world):
    return Organisation.objects.get(code="west-midlands-police")


@pytest.fixture
def concern(wmp):
    return TrackedItem.objects.get(finding__key=COC, force=wmp)


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_pcc_office_sees_the_chain_on_the_2017_cause_of_concern(client, concern):
    page = _text(
        _client(client, "daniel.hughes@pcc.example").get(
            reverse("tracker:item_detail", kwargs={"uuid": concern.uuid})
        )
    )
    assert "Raised before" in page
    assert "Continues: February 2016 area for improvement" in page
    assert "Repeats: 4 September 2014 finding" in page
    assert "closed 12 May 2015" in page
    assert "(2 steps back)" in page


def test_the_report_page_counts_findings_raised_before(client, concern):
    page = _text(
        _client(client, "priya.shah@wmp.example").get(
            reverse("tracker:report_detail", kwargs={"key": concern.finding.report.key})
        )
    )
    assert "1 of its findings was raised before" in page
    assert (
        lineage_reads.report_raised_before_count(
            concern.finding.report, User.objects.get(email="megan.price@staffs.example"), None
        )
        == 0
    )


def test_force_staff_read_the_chain_but_neither_decide_nor_add(client, concern):
    c = _client(client, "priya.shah@wmp.example")
    page = c.get(reverse("tracker:item_lineage", kwargs={"uuid": concern.uuid}))
    assert page.status_code == 200
    assert "Raised before" in page.content.decode()
    assert "Suggested earlier findings" not in page.content.decode()
    response = c.post(
        reverse("tracker:item_lineage_add", kwargs={"uuid": concern.uuid}),
        {"earlier_key": AFI(1), "relation": "repeats"},
    )
    assert response.status_code == 403


def test_another_forces_coordinator_gets_404_everywhere(client, concern):
    link = FindingLink.objects.filter(later=concern.finding, force=concern.force).first()
    c = _client(client, "megan.price@staffs.example")
    for url in (
        reverse("tracker:item_lineage", kwargs={"uuid": concern.uuid}),
        reverse("tracker:item_lineage_decide", kwargs={"uuid": concern.uuid, "link_id": link.pk}),
    ):
        assert c.get(url).status_code == 404
    assert (
        c.post(
            reverse("tracker:item_lineage_add", kwargs={"uuid": concern.uuid}),
            {"earlier_key": AFI(1), "relation": "repeats"},
        ).status_code
        == 404
    )
    rows = list(
        csv.reader(io.StringIO(c.get(reverse("tracker:lineage_export")).getvalue().decode()))
    )
    assert not any("West Midlands Police" in row for row in rows)


def test_the_coordinator_adds_a_link_and_bad_input_changes_nothing(client, concern, wmp):
    c = _client(client, "grace.okafor@wmp.example")
    url = reverse("tracker:item_lineage_add", kwargs={"uuid": concern.uuid})
    before = FindingLink.objects.count()
    other = Finding.objects.exclude(force=wmp).exclude(force__isnull=True).first()
    for data in (
        {"earlier_key": other.key, "relation": "repeats"},  # another force's finding
        {"earlier_key": COC, "relation": "repeats"},  # itself
        {"earlier_key": AFI(1), "relation": ""},  # no relation
    ):
        response = c.post(url, data)
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
    assert FindingLink.objects.count() == before
    response = c.post(url, {"earlier_key": AFI(1), "relation": "continues", "note": "<b>x</b>"})
    assert response.status_code == 302
    link = FindingLink.objects.get(later=concern.finding, earlier__key=AFI(1), force=wmp)
    assert (link.state, link.relation) == (LinkState.CONFIRMED, LinkRelation.CONTINUES)
    page = c.get(reverse("tracker:item_lineage", kwargs={"uuid": concern.uuid})).content.decode()
    assert "<b>x</b>" not in page


def test_the_coordinator_confirms_a_supersedes_and_dismisses(client, wmp):
    c = _client(client, "grace.okafor@wmp.example")
    # A suggestion from the demo's recent report back to a 2015 area for improvement whose
    # item is open (not started).
    recent = Finding.objects.get(key="demo-report-published-50-days-ago:rec-1")
    chosen = FindingLink.objects.create(
        later=recent,
        earlier=Finding.objects.get(key=AFI(4)),
        force=wmp,
        score=0.3,
        reason="Shared words: test",
    )
    links = FindingLink.objects.suggested().filter(force=wmp)
    item = TrackedItem.objects.get(finding=chosen.later, force=wmp)
    url = reverse("tracker:item_lineage_decide", kwargs={"uuid": item.uuid, "link_id": chosen.pk})
    assert c.get(url).status_code == 200
    assert c.post(url, {"decision": "confirm"}).status_code == 400  # no relation
    response = c.post(url, {"decision": "confirm", "relation": "supersedes"})
    assert response.status_code == 302
    older = TrackedItem.objects.get(finding=chosen.earlier, force=wmp)
    assert older.status == Status.SUPERSEDED
    assert older.superseded_by == chosen.later
    page = _text(c.get(reverse("tracker:item_detail", kwargs={"uuid": older.uuid})))
    assert "Superseded" in page
    # Another suggestion of the same item, dismissed.
    other = links.filter(later=chosen.later).exclude(pk=chosen.pk).first()
    if other is not None:
        url = reverse(
            "tracker:item_lineage_decide", kwargs={"uuid": item.uuid, "link_id": other.pk}
        )
        assert c.post(url, {"decision": "dismiss", "note": "Not the same"}).status_code == 302
        assert FindingLink.objects.get(pk=other.pk).state == LinkState.DISMISSED


def test_a_link_of_another_item_is_404(client, concern, wmp):
    c = _client(client, "grace.okafor@wmp.example")
    elsewhere = FindingLink.objects.filter(force=wmp).exclude(later=concern.finding).first()
    url = reverse(
        "tracker:item_lineage_decide", kwargs={"uuid": concern.uuid, "link_id": elsewhere.pk}
    )
    assert c.get(url).status_code == 404


def _lengthen_chain(wmp, steps: int) -> None:
    """Confirmed links from the 2014 letter's finding back through the 2006 baseline's
    findings, one after another (each earlier than the last), to lengthen the chain."""
    baseline = list(Finding.objects.filter(key__startswith="baseline-2006-west-midlands:"))
    later = Finding.objects.get(key=LETTER)
    for earlier in baseline[:steps]:
        FindingLink.objects.update_or_create(
            later=later,
            earlier=earlier,
            force=wmp,
            defaults={"state": LinkState.CONFIRMED, "relation": LinkRelation.REPEATS},
        )
        later = earlier
    # The baseline findings are all one report: the chain is a line of links nonetheless.


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["tracker:item_detail", "tracker:item_lineage"])
def test_the_pages_cost_the_same_however_long_the_chain(client, concern, wmp, name):
    c = _client(client, "grace.okafor@wmp.example")
    url = reverse(name, kwargs={"uuid": concern.uuid})
    c.get(url)  # warm the caches
    short = _queries(c, url)
    _lengthen_chain(wmp, 6)
    shown = lineage_reads.item_lineage(
        concern, User.objects.get(email="grace.okafor@wmp.example"), None
    )
    assert len(shown.earlier) == 2 + 6
    assert _queries(c, url) == short  # the longer chain's rows, not a query per step


def test_the_lineage_page_queries_are_bounded(client, concern, django_assert_max_num_queries):
    c = _client(client, "grace.okafor@wmp.example")
    url = reverse("tracker:item_lineage", kwargs={"uuid": concern.uuid})
    c.get(url)
    with django_assert_max_num_queries(25):
        c.get(url)


def test_the_export_has_the_header_first_then_every_confirmed_link_in_scope(client, wmp):
    response = _client(client, "daniel.hughes@pcc.example").get(reverse("tracker:lineage_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    # No line above the header, as the item CSV (a program reading the file expects one).
    assert rows[0] == lineage_reads.EXPORT_COLUMNS
    keys = {(r[4], r[10], r[6]) for r in rows[1:]}
    assert (COC, AFI(2), "Continues") in keys
    assert (AFI(2), LETTER, "Repeats") in keys
    assert len(rows) - 1 == FindingLink.objects.confirmed().filter(force=wmp).count()


def test_the_recurring_condition_counts_items_raised_before(wmp):
    recurring = TrackedItem.objects.filter(lineage_reads.recurring_items_q())
    assert set(recurring.values_list("finding__key", flat=True)) == {COC, AFI(2)}
    grace = User.objects.get(email="grace.okafor@wmp.example")
    ids = lineage_reads.recurring_finding_ids(grace, None)
    assert ids == set(Finding.objects.filter(key__in=[COC, AFI(2)]).values_list("pk", flat=True))


def test_the_chain_is_read_in_the_same_queries_however_long(concern, wmp):
    grace = User.objects.get(email="grace.okafor@wmp.example")
    today = timezone.localdate()

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            shown = lineage_reads.item_lineage(concern, grace, today)
        return len(captured), len(shown.earlier)

    count()  # the person's roles, read once and kept on them
    short, steps = count()
    assert steps == 2
    _lengthen_chain(wmp, 8)
    long, steps = count()
    assert steps == 10  # MAX_DEPTH: the chain is cut at ten steps
    assert long == short


def test_an_earlier_item_shows_the_later_findings_that_link_to_it(client, wmp):
    earlier = TrackedItem.objects.get(finding__key=AFI(2), force=wmp)
    page = _text(
        _client(client, "priya.shah@wmp.example").get(
            reverse("tracker:item_detail", kwargs={"uuid": earlier.uuid})
        )
    )
    assert "Raised again later" in page
    assert "Continued by: 22 March 2018 cause of concern" in page
    assert "Repeats: 4 September 2014 finding" in page
