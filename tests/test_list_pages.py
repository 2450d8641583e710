"""My items, all items and reports: scoping, order, filters and query counts."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item
from tracker import services
from tracker.models import TrackedItem


def add_items(world, n, owner=None):
    for i in range(n):
        make_item(
            make_finding(world.report, text=f"Extra finding number {i}"),
            world.wmp,
            owner=owner or world.owner,
        )


def test_my_items_lists_only_what_i_own_newest_activity_first(client, world):
    older = world.item
    newer = make_item(
        make_finding(world.report, text="A newer finding"), world.wmp, owner=world.owner
    )
    make_item(make_finding(world.report, text="Tom's finding"), world.wmp, owner=world.colleague)
    services.item_add_update(item=newer, author=world.owner, text="Fresh activity")
    client.force_login(world.owner)
    page = client.get(reverse("tracker:my_items")).content.decode()
    assert "Tom&#x27;s finding" not in page
    assert "Tom's finding" not in page
    assert page.index("A newer finding") < page.index(older.finding.summary)


def test_my_items_flags_overdue_items(client, world):
    overdue = make_item(
        make_finding(world.report, text="Late one"),
        world.wmp,
        owner=world.owner,
        due=timezone.localdate() - datetime.timedelta(days=3),
    )
    client.force_login(world.owner)
    response = client.get(reverse("tracker:my_items"), {"overdue": "true"})
    items = list(response.context["page"].object_list)
    assert items == [overdue]
    assert "Overdue" in response.content.decode()


def test_other_forces_items_never_appear_in_lists(client, world):
    client.force_login(world.outsider)
    for name in ("tracker:my_items", "tracker:item_list"):
        page = client.get(reverse(name)).content.decode()
        assert world.finding.text[:40] not in page
    assert client.get(reverse("tracker:report_list")).context["page"].paginator.count == 0
    response = client.get(reverse("tracker:report_detail", args=[world.report.key]))
    assert response.status_code == 404


def test_the_pcc_office_and_national_reader_see_all_items(client, world):
    for user in (world.pcc, world.reader):
        client.force_login(user)
        response = client.get(reverse("tracker:item_list"))
        assert list(response.context["page"].object_list) == [world.item]


def test_an_unknown_filter_value_is_ignored_with_a_message(client, world):
    client.force_login(world.owner)
    response = client.get(reverse("tracker:item_list"), {"status": "bogus"})
    assert response.status_code == 200
    assert "was ignored" in response.content.decode()
    assert list(response.context["page"].object_list) == [world.item]


def test_a_search_with_sql_and_html_characters_is_safe(client, world):
    client.force_login(world.owner)
    response = client.get(reverse("tracker:item_list"), {"q": "'; DROP TABLE x; -- <b>"})
    assert response.status_code == 200
    assert "<b>" not in response.content.decode().split("</form>")[0].split("value=")[-1]
    assert TrackedItem.objects.exists()


def test_the_search_finds_words_in_the_finding(client, world):
    other = make_item(
        make_finding(world.report, text="Improve the missing persons process"),
        world.wmp,
        owner=world.owner,
    )
    client.force_login(world.owner)
    response = client.get(reverse("tracker:item_list"), {"q": "missing persons"})
    assert list(response.context["page"].object_list) == [other]


def test_list_pages_use_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.coordinator)
    add_items(world, 3)
    counts = {}
    for name in ("tracker:my_items", "tracker:item_list", "tracker:report_list"):
        client.get(reverse(name))  # the filters' choices are cached for a minute after
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200, name
        counts[name] = len(ctx.captured_queries)
    add_items(world, 30)
    for name, count in counts.items():
        with django_assert_num_queries(count):
            assert client.get(reverse(name)).status_code == 200, name


def test_the_report_page_shows_judgements_findings_and_items(client, world):
    client.force_login(world.owner)
    response = client.get(reverse("tracker:report_detail", args=[world.report.key]))
    page = response.content.decode()
    assert world.finding.text in page
    assert "Tracked by West Midlands Police, owned by Priya Shah" in page


def test_a_report_with_many_findings_shows_them_a_page_at_a_time(client, world):
    from tracker.views.reports import FINDINGS_PER_PAGE

    for i in range(FINDINGS_PER_PAGE + 1):
        make_finding(world.report, text=f"Numbered finding {i:03}")
    client.force_login(world.owner)
    url = reverse("tracker:report_detail", args=[world.report.key])
    first = client.get(url).content.decode()
    total = FINDINGS_PER_PAGE + 2  # with the world's own finding
    assert f"Findings 1 to {FINDINGS_PER_PAGE} of {total}" in first
    assert world.finding.text in first
    assert "Numbered finding 100" not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Numbered finding 100" in second
    assert world.finding.text not in second
    assert "Statutory responses" in second  # the rest of the page is on every page
