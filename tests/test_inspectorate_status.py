"""The inspectorate's status of an item (issue 18): entered by hand (who may, bad input
refused with nothing recorded, audited), the latest view and a mismatch flag on the item
page, the list, the overdue report and the dashboards' filters on it."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item
from tracker import dashboards, filters, inspectorate_statuses, services
from tracker.models import (
    CLOSED_STATUSES,
    AuditEvent,
    InspectorateStatus,
    Status,
    TrackedItem,
)
from tracker.report_import.item_history import inspectorate_status_add

TODAY = timezone.localdate()


def url(item):
    return reverse("tracker:item_inspectorate_status", args=[item.uuid])


def said(item, status, days_ago=10, by=None):
    return inspectorate_status_add(
        item=item,
        status=status,
        stated_on=TODAY - datetime.timedelta(days=days_ago),
        source="HMICFRS register, entry 1",
        by=by,
        now=timezone.now(),
    )


def close(item):
    locked = services.item_lock(item=item)
    now = timezone.now()
    services.item_set_status(
        item=locked, by=None, to_status=Status.CLOSED, reason="test", now=now, closed_at=now
    )


GOOD = {
    "status": "complete",
    "stated_on": "",
    "source": "HMICFRS recommendation register, entry 6989",
    "note": "Recommendation complete.",
}


def good(**changes):
    return {
        **GOOD,
        "stated_on": (TODAY - datetime.timedelta(days=3)).strftime("%d/%m/%Y"),
        **changes,
    }


@pytest.mark.parametrize("persona", ["coordinator", "pcc"])
def test_the_coordinator_or_pcc_office_records_a_status_by_hand(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url(world.item)).status_code == 200
    response = client.post(url(world.item), good())
    assert response.status_code == 302
    row = InspectorateStatus.objects.get(item=world.item)
    assert (row.status, row.stated_on, row.source) == (
        "complete",
        TODAY - datetime.timedelta(days=3),
        GOOD["source"],
    )
    assert row.recorded_by == getattr(world, persona)
    assert row.report_import is None
    audit = AuditEvent.objects.get(note__contains=str(world.item.uuid), action="create")
    assert audit.actor == getattr(world, persona)
    assert audit.changes["status"] == [None, "complete"]
    world.item.refresh_from_db()
    assert world.item.status == Status.NOT_STARTED  # the force's own status is unchanged


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"stated_on": "tomorrow"}, "stated_on", "cannot be in the future"),
        ({"stated_on": ""}, "stated_on", "Enter the date the inspectorate gave this status"),
        ({"stated_on": "31/02/2024"}, "stated_on", "real date"),
        ({"source": "   "}, "source", "Enter where the inspectorate stated it"),
        ({"status": "finished"}, "status", "Choose one of the inspectorate"),
        ({"status": ""}, "status", "Choose the status the inspectorate gave"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_is_recorded(
    client, world, changes, field, message
):
    client.force_login(world.coordinator)
    response = client.post(url(world.item), good(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    page = response.content.decode()
    assert "There is a problem" in page
    assert not InspectorateStatus.objects.filter(item=world.item).exists()


def test_the_service_refuses_bad_input_whatever_the_form(world):
    for kwargs, field in [
        ({"status": "finished"}, "status"),
        ({"stated_on": TODAY + datetime.timedelta(days=1)}, "stated_on"),
        ({"stated_on": None}, "stated_on"),
        ({"source": ""}, "source"),
    ]:
        values = {
            "status": "complete",
            "stated_on": TODAY,
            "source": "A letter",
            **kwargs,
        }
        with pytest.raises(ValidationError) as refused:
            inspectorate_statuses.inspectorate_status_record(
                item=world.item, by=world.coordinator, today=TODAY, **values
            )
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError):
        inspectorate_statuses.inspectorate_status_record(
            item=world.item,
            by=world.owner,
            status="complete",
            stated_on=TODAY,
            source="A letter",
            today=TODAY,
        )
    assert not InspectorateStatus.objects.exists()


def test_force_staff_are_refused_and_another_force_gets_404(client, world):
    client.force_login(world.owner)
    assert client.get(url(world.item)).status_code == 403
    assert client.post(url(world.item), good()).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url(world.item)).status_code == 404
    assert client.post(url(world.item), good()).status_code == 404
    client.force_login(world.reader)
    assert client.post(url(world.item), good()).status_code == 403
    assert not InspectorateStatus.objects.exists()


def test_the_item_page_shows_the_latest_view_a_mismatch_and_the_link(client, world):
    said(world.item, "being_progressed", days_ago=100)
    said(world.item, "complete", days_ago=5)
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:item_detail", args=[world.item.uuid])).content.decode()
    assert "The inspectorate&#x27;s latest view" in page or "The inspectorate's latest view" in page
    assert "differs from the inspectorate" in page
    assert url(world.item) in page
    client.force_login(world.owner)
    page = client.get(reverse("tracker:item_detail", args=[world.item.uuid])).content.decode()
    assert url(world.item) not in page  # force staff see the view, not the link


def test_the_mismatch_rule_is_the_same_in_the_database_and_in_python(world):
    """Every pair of force status and inspectorate status: mismatch_q over the latest
    annotation agrees with is_mismatch."""
    finding_n = itertools.count()
    expected = {}
    for force_status, latest in itertools.product(
        [s.value for s in Status], [None, *InspectorateStatus.Status.values]
    ):
        finding = make_finding(world.report, text=f"Pair {next(finding_n)}")
        item = make_item(finding, world.wmp)
        TrackedItem.objects.filter(pk=item.pk).update(status=force_status)
        if latest:
            said(item, "awaiting_review", days_ago=300)  # an older one, not the latest
            said(item, latest, days_ago=2)
        expected[item.pk] = filters.is_mismatch(force_status, latest)
    found = set(
        filters.inspectorate_narrow(TrackedItem.objects.all(), mismatch=True).values_list(
            "pk", flat=True
        )
    )
    assert found == {pk for pk, m in expected.items() if m}
    assert found  # both kinds of mismatch occur
    assert filters.is_mismatch(Status.CLOSED, "being_progressed")
    assert filters.is_mismatch(Status.SUPERSEDED, "awaiting_review")
    assert filters.is_mismatch(Status.IN_PROGRESS, "no_further_action")
    assert not filters.is_mismatch(Status.CLOSED, "complete")
    assert not filters.is_mismatch(Status.IN_PROGRESS, None)
    assert all(s in Status.values for s in CLOSED_STATUSES)


def test_an_undated_status_ranks_below_a_dated_one(world):
    said(world.item, "complete", days_ago=50)
    inspectorate_status_add(
        item=world.item,
        status="being_progressed",
        stated_on=None,
        source="An undated entry",
        by=None,
        now=timezone.now(),
    )
    latest = filters.with_inspectorate_latest(TrackedItem.objects.filter(pk=world.item.pk))
    assert latest.get().inspectorate_latest == "complete"


def test_the_lists_filter_and_flag_on_the_inspectorates_status(client, world):
    mismatched = world.item
    said(mismatched, "complete")  # open item, the inspectorate says complete
    agreeing = make_item(make_finding(world.report, text="Another finding"), world.wmp)
    said(agreeing, "being_progressed")
    silent = make_item(make_finding(world.report, text="A third finding"), world.wmp)
    client.force_login(world.coordinator)
    response = client.get(reverse("tracker:item_list"), {"mismatch": "true"})
    assert [i.pk for i in response.context["page"].object_list] == [mismatched.pk]
    response = client.get(reverse("tracker:item_list"), {"inspectorate": "being_progressed"})
    assert [i.pk for i in response.context["page"].object_list] == [agreeing.pk]
    response = client.get(reverse("tracker:item_list"), {"inspectorate": "none"})
    assert [i.pk for i in response.context["page"].object_list] == [silent.pk]
    rows = {i.pk: i for i in client.get(reverse("tracker:item_list")).context["page"].object_list}
    assert rows[mismatched.pk].inspectorate_mismatch is True
    assert rows[agreeing.pk].inspectorate_mismatch is False
    assert rows[silent.pk].inspectorate_latest is None


def test_the_overdue_report_filters_and_flags(client, world):
    TrackedItem.objects.filter(pk=world.item.pk).update(due_date=TODAY - datetime.timedelta(days=5))
    said(world.item, "no_further_action")
    other = make_item(make_finding(world.report, text="Overdue too"), world.wmp)
    TrackedItem.objects.filter(pk=other.pk).update(due_date=TODAY - datetime.timedelta(days=9))
    client.force_login(world.coordinator)
    response = client.get(reverse("tracker:overdue"), {"mismatch": "true"})
    assert [i.pk for i in response.context["page"].object_list] == [world.item.pk]
    page = response.content.decode()
    assert "Differs from the inspectorate" in page
    assert "The inspectorate says: No further action needed" in page
    response = client.get(reverse("tracker:overdue"), {"inspectorate": "none"})
    assert [i.pk for i in response.context["page"].object_list] == [other.pk]


def test_the_dashboard_counts_and_filters_by_the_inspectorates_status(client, world):
    said(world.item, "complete")  # a mismatch: the item is open
    closed = make_item(make_finding(world.report, text="Closed one"), world.wmp)
    close(closed)
    said(closed, "complete")
    make_item(make_finding(world.report, text="No view"), world.wmp)
    client.force_login(world.coordinator)
    response = client.get(reverse("tracker:dashboard"))
    figures = {f["label"]: f["n"] for f in response.context["inspectorate"]["statuses"]}
    assert figures["Complete"] == 2
    assert response.context["inspectorate"]["mismatch"]["n"] == 1
    assert response.context["totals"]["open"] == 2
    narrowed = client.get(reverse("tracker:dashboard"), {"mismatch": "true"})
    assert narrowed.context["totals"]["open"] == 1
    assert "mismatch=true" in narrowed.context["links"]["open"]
    by_status = client.get(reverse("tracker:dashboard"), {"inspectorate": "complete"})
    assert by_status.context["totals"]["open"] == 1
    assert sum(b.value for b in by_status.context["status_chart"]["bars"]) == 2
    refused = client.get(reverse("tracker:dashboard"), {"inspectorate": "nonsense"})
    assert refused.status_code == 200
    assert refused.context["totals"]["open"] == 2


def test_inspectorate_figures_count_only_items_with_a_status(world):
    said(world.item, "awaiting_review")
    counted = dashboards.inspectorate_figures(TrackedItem.objects.all())
    assert dict((v, n) for v, _l, n in counted["statuses"])["awaiting_review"] == 1
    assert sum(n for _v, _l, n in counted["statuses"]) == 1
    assert counted["mismatch"] == 0
