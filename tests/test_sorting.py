"""Sortable columns on the item lists: `?sort=due` / `?sort=-due` in the URL, a whitelist of
keys (tracker.filters.SORTS), header links that keep the filters, `aria-sort` on the sorted
column, and the same number of queries as without a sort."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item

TODAY = timezone.localdate()


def dated(world, days, text, owner=None):
    return make_item(
        make_finding(world.report, text=text),
        world.wmp,
        owner=owner or world.owner,
        due=TODAY + datetime.timedelta(days=days),
    )


def listed(response):
    return [i.pk for i in response.context["page"].object_list]


def test_sort_by_due_date_both_ways(client, world):
    late = dated(world, 90, "Due late")
    soon = dated(world, 5, "Due soon")
    client.force_login(world.coordinator)
    url = reverse("tracker:item_list")
    up = listed(client.get(url, {"sort": "due"}))
    assert up.index(soon.pk) < up.index(world.item.pk) < up.index(late.pk)
    down = listed(client.get(url, {"sort": "-due"}))
    assert down.index(late.pk) < down.index(world.item.pk) < down.index(soon.pk)


def test_the_sorted_column_says_so_with_aria_sort(client, world):
    client.force_login(world.owner)
    page = client.get(reverse("tracker:my_items"), {"sort": "-due"}).content.decode()
    due = re.search(r'<th[^>]*aria-sort="(\w+)"[^>]*><a[^>]*href="\?([^"]*)">Due<', page)
    assert due is not None
    assert due.group(1) == "descending"
    assert "sort=due" in due.group(2)  # the link now sorts the other way
    status = re.search(r'<th[^>]*aria-sort="(\w+)"[^>]*><a[^>]*>Status<', page)
    assert status is not None
    assert status.group(1) == "none"


def test_header_links_keep_the_other_filters_and_drop_the_page(client, world):
    client.force_login(world.coordinator)
    page = client.get(
        reverse("tracker:item_list"), {"status": "not_started", "page": "1"}
    ).content.decode()
    link = re.search(r'href="\?([^"]*)">Owner<', page)
    assert link is not None
    assert link.group(1) == "status=not_started&amp;sort=owner"


def test_an_unknown_sort_key_is_ignored_with_a_message(client, world):
    client.force_login(world.coordinator)
    response = client.get(reverse("tracker:item_list"), {"sort": "password"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The filter “Sort by” was ignored: Sort by one of the column headings" in page
    assert listed(response) == [world.item.pk]
    assert 'aria-sort="ascending"' not in page
    assert 'aria-sort="descending"' not in page


def test_the_filters_form_keeps_the_sort(client, world):
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:item_list"), {"sort": "owner"}).content.decode()
    assert '<input type="hidden" name="sort" value="owner">' in page


def test_the_overdue_report_sorts_within_each_group(client, world):
    a = dated(world, -3, "Three days late", owner=world.owner)
    b = dated(world, -30, "Thirty days late", owner=world.owner)
    c = dated(world, -10, "Ten days late", owner=world.colleague)
    client.force_login(world.coordinator)
    url = reverse("tracker:overdue")
    fewest_first = listed(client.get(url, {"group": "owner", "sort": "days"}))
    # Grouped by owner (Priya Shah, then Tom Ellis), fewest days overdue first in each.
    assert fewest_first == [a.pk, b.pk, c.pk]
    most_first = listed(client.get(url, {"group": "owner", "sort": "-days"}))
    assert most_first == [b.pk, a.pk, c.pk]
    page = client.get(url, {"sort": "-days"}).content.decode()
    assert re.search(r'aria-sort="descending"[^>]*><a[^>]*>Days overdue<', page)


def test_sorting_adds_no_queries(client, world, django_assert_num_queries):
    for i in range(3):
        dated(world, -i - 1, f"Item {i}")
    client.force_login(world.coordinator)
    pages = [
        (reverse("tracker:item_list"), {}),
        (reverse("tracker:my_items"), {}),
        (reverse("tracker:overdue"), {}),
    ]
    counts = []
    for url, params in pages:
        client.get(url, params)  # the filters' choices are cached for a minute after
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        counts.append(len(ctx.captured_queries))
    for i in range(20):
        dated(world, -i - 5, f"More {i}", owner=world.colleague if i % 2 else None)
    for (url, params), count in zip(pages, counts, strict=True):
        for sort in ("due", "-owner", "activity", "-finding"):
            with django_assert_num_queries(count):
                assert client.get(url, {**params, "sort": sort}).status_code == 200
