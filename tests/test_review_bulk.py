"""The PCC office's progress review with the item lists' bulk actions (asking for updates,
deciding closures, from ticked rows or every item matching the review's filters) and sortable
column headings (`aria-sort`; sorted, the items of every report are one table)."""

import re
from urllib.parse import urlencode

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_finding, make_item, make_report
from tracker import services
from tracker.models import AuditEvent, Notification, ProgressReview, Status, TrackedItem

REVIEW = reverse("tracker:review")
URL = reverse("tracker:bulk_action")


def new_items(world, n, owner=None, report=None, text="Review finding"):
    report = report or world.report
    return [
        make_item(make_finding(report, text=f"{text} {i}"), world.wmp, owner=owner)
        for i in range(n)
    ]


def post(client, step, items=(), *, every=False, query="", **data):
    payload = {"step": step, "list": "review", "query": query, **data}
    if every:
        payload["every"] = "1"
    payload["item"] = [str(i.uuid) for i in items]
    return client.post(URL, payload)


def confirm_data(response):
    """The hidden fields the confirmation page sends back (its Confirm form)."""
    page = response.content.decode()
    form = page[page.index('value="confirm"') :]
    return dict(
        change=re.findall(r'name="change" value="([^"]+)"', form),
        **{
            name: value
            for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form)
            if name not in ("change", "item", "csrfmiddlewaretoken", "step")
        },
    )


def listed(response):
    return [i.pk for i in response.context["page"].object_list]


def test_the_review_has_the_pcc_offices_bulk_actions(client, world):
    new_items(world, 2, owner=world.owner)
    client.force_login(world.pcc)
    page = client.get(REVIEW, {"status": "open"}).content.decode()
    assert f'action="{URL}"' in page
    assert '<input type="hidden" name="list" value="review">' in page
    assert '<input type="hidden" name="query" value="status=open">' in page
    assert f'<span class="govuk-visually-hidden">Select {world.item.finding.summary}' in page
    assert "Select all 3 items matching these filters" in page
    actions = re.findall(r'<option value="(\w+)">', page.split('id="bulk-action"')[1])
    assert actions == ["decide", "request_update"]  # the PCC office's, none of the force's
    # Still there: the two ratings' labels and the saved views.
    assert "Tracker’s assessment" in page
    assert "Your office’s rating" in page
    assert "Save this view" in page


def test_the_office_asks_several_owners_for_updates_from_the_review(client, world):
    priyas = new_items(world, 2, owner=world.owner)
    toms = new_items(world, 1, owner=world.colleague, text="Tom's finding")
    chosen = [*priyas, *toms]
    client.force_login(world.pcc)
    query = "status=not_started"
    # The rows ticked on the review page itself.
    review = client.get(f"{REVIEW}?{query}").content.decode()
    boxes = re.findall(r'name="item" type="checkbox" value="([^"]+)"', review)
    assert set(boxes) == {str(i.uuid) for i in [*chosen, world.item]}
    choose = post(client, "choose", chosen, query=query, action="request_update")
    assert choose.status_code == 200
    page = choose.content.decode()
    assert "3 items selected" in page
    assert f'href="{REVIEW}?{query}"' in page  # "Back" returns to the review, filtered
    check = post(
        client, "check", chosen, query=query, action="request_update", message="By Friday?"
    )
    assert check.status_code == 200
    page = check.content.decode()
    assert "3 items will change" in page
    assert "Priya Shah is asked for an update" in page
    assert "Tom Ellis is asked for an update" in page
    before = {
        p: Notification.objects.filter(user=p).count() for p in (world.owner, world.colleague)
    }
    audit_before = AuditEvent.objects.filter(object_type="tracker.ProgressReview").count()
    done = client.post(
        URL, {"step": "confirm", "list": "review", "query": query, **confirm_data(check)}
    )
    assert done.status_code == 302
    assert done["Location"] == f"{REVIEW}?{query}"
    requests = ProgressReview.objects.filter(item__in=chosen, kind="update_request")
    assert sorted(requests.values_list("item_id", flat=True)) == sorted(i.pk for i in chosen)
    assert set(requests.values_list("text", flat=True)) == {"By Friday?"}
    # Each owner told once, however many of their items were asked about.
    assert Notification.objects.filter(user=world.owner).count() - before[world.owner] == 1
    assert Notification.objects.filter(user=world.colleague).count() - before[world.colleague] == 1
    # One audit row per request.
    audit = AuditEvent.objects.filter(object_type="tracker.ProgressReview")
    assert audit.count() - audit_before == 3
    review = client.get(done["Location"]).content.decode()
    assert "Ask for an update: done for 3 items." in review
    assert review.count("Update asked for") >= 3


def test_the_office_decides_several_closures_from_the_review(client, world):
    items = new_items(world, 2, owner=world.owner)
    for item in items:
        services.closure_propose(item=item, by=world.owner, summary="Done")
    client.force_login(world.pcc)
    check = post(client, "check", items, action="decide", decision="approve")
    assert sorted(r.item.pk for r in check.context["plan"].changes) == [i.pk for i in items]
    done = client.post(URL, {"step": "confirm", "list": "review", **confirm_data(check)})
    assert done.status_code == 302
    statuses = TrackedItem.objects.filter(pk__in=[i.pk for i in items])
    assert set(statuses.values_list("status", flat=True)) == {Status.CLOSED}


def test_select_all_carries_the_reviews_filters(client, world):
    other = make_report(forces=[world.wmp], title="Another report")
    matching = new_items(world, 2, owner=world.owner, report=other)
    new_items(world, 2, owner=world.owner)  # on world.report: not matched
    other.forces.add(world.staffs)
    make_item(make_finding(other, "Staffordshire's finding"), world.staffs)  # not the office's
    client.force_login(world.pcc)
    query = urlencode({"report": other.key, "status": "open"})
    page = client.get(f"{REVIEW}?{query}").content.decode()
    assert "Select all 2 items matching these filters" in page
    check = post(client, "check", every=True, query=query, action="request_update")
    plan = check.context["plan"]
    assert sorted(r.item.pk for r in plan.rows) == sorted(i.pk for i in matching)
    assert f'href="{REVIEW}?{query.replace("&", "&amp;")}"' in check.content.decode()


def test_others_cannot_use_the_review_to_change_what_they_may_not(client, world):
    theirs = new_items(world, 2, owner=world.colleague)  # Tom's, not Priya's
    client.force_login(world.coordinator)
    assert client.get(REVIEW).status_code == 403  # the review is the PCC office's
    client.force_login(world.owner)
    assert client.get(REVIEW).status_code == 403
    # Asking for updates is not Priya's to do, whichever list the form says it came from.
    refused = post(client, "check", every=True, action="request_update", message="x")
    assert refused.status_code == 400
    assert not ProgressReview.objects.exists()
    # "Every item matching" the review's filters is what she may see, each item refused
    # where the rules refuse it: only the item she owns would change.
    check = post(
        client, "check", every=True, action="status", to_status="in_progress", reason="Started"
    )
    plan = check.context["plan"]
    assert [r.item.pk for r in plan.changes] == [world.item.pk]
    assert {r.item.pk for r in plan.refusals} == {i.pk for i in theirs}
    # A tampered confirmation naming Tom's items changes nothing at all.
    data = confirm_data(check)
    data["change"] += [f"{i.uuid}:{i.version}" for i in theirs]
    response = client.post(URL, {"step": "confirm", "list": "review", **data})
    assert response.status_code == 409
    statuses = TrackedItem.objects.filter(pk__in=[world.item.pk, *(i.pk for i in theirs)])
    assert set(statuses.values_list("status", flat=True)) == {Status.NOT_STARTED}


def test_the_review_sorts_by_its_columns_with_aria_sort(client, world):
    other = make_report(forces=[world.wmp], title="Another report")
    quiet, busy = new_items(world, 2, owner=world.owner, report=other)
    services.item_add_update(item=busy, author=world.owner, text="Moving on.")
    client.force_login(world.pcc)
    response = client.get(REVIEW, {"sort": "-activity", "status": "open"})
    order = listed(response)
    assert order.index(busy.pk) < order.index(quiet.pk)
    assert order.index(busy.pk) < order.index(world.item.pk)
    page = response.content.decode()
    last = re.search(r'<th[^>]*aria-sort="(\w+)"[^>]*><a[^>]*href="\?([^"]*)">Last update<', page)
    assert last is not None
    assert last.group(1) == "descending"
    assert sorted(last.group(2).split("&amp;")) == ["sort=activity", "status=open"]
    status = re.search(r'<th[^>]*aria-sort="(\w+)"[^>]*><a[^>]*>Status<', page)
    assert status is not None
    assert status.group(1) == "none"
    # Sorted, one table across the reports, each row naming its report.
    assert page.count('<table class="govuk-table">') == 1
    assert "Items from every report, sorted by the column marked" in page
    assert "Another report" in page
    # Unsorted, a table per report, the headings sorting in order.
    page = client.get(REVIEW).content.decode()
    assert page.count('<table class="govuk-table">') == 2
    assert page.count('aria-sort="none"') == 6  # finding, status, last update, per table
    assert 'href="?sort=finding"' in page
    # A sort key the lists do not have is ignored with a message; the tables stay by report.
    page = client.get(REVIEW, {"sort": "rating"}).content.decode()
    assert "The filter “Sort by” was ignored: Sort by one of the column headings" in page
    assert page.count('<table class="govuk-table">') == 2
    # No invented keys: the office's rating and the tracker's assessment are not sortable.
    assert ">Your office’s rating</th>" in page
    assert ">Tracker’s assessment</th>" in page


def test_sorting_the_review_adds_no_queries(client, world, django_assert_num_queries):
    client.force_login(world.pcc)
    client.get(REVIEW)
    with CaptureQueriesContext(connection) as unsorted:
        assert client.get(REVIEW).status_code == 200
    for n in range(10):
        make_item(make_finding(world.report, f"More {n}"), world.wmp, owner=world.colleague)
    for sort in ("finding", "-status", "activity"):
        with django_assert_num_queries(len(unsorted)):
            assert client.get(REVIEW, {"sort": sort}).status_code == 200
