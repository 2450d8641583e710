"""Saved views: name the filters and sort of an item list, open them again from a menu, share
them with colleagues of the same organisation. Another organisation's view is not found."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tracker import saved_views
from tracker.models import SavedView, SavedViewList


def save(client, name="In progress, latest due first", query="status=in_progress&sort=-due", **kw):
    data = {"name": name, "list_name": "item_list", "query": query, **kw}
    return client.post(reverse("tracker:saved_view_new"), data)


def make_view(owner, name="Mine", query="status=in_progress", shared=False, list_name="item_list"):
    return SavedView.objects.create(
        owner=owner,
        organisation=owner.organisation if shared else None,
        name=name,
        list_name=list_name,
        query=query,
        shared=shared,
        created_at=timezone.now(),
    )


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_the_form_carries_the_list_and_its_query(client, world):
    client.force_login(world.owner)
    response = client.get(
        reverse("tracker:saved_view_new"), {"list": "my_items", "query": "status=in_progress"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="list_name" value="my_items"' in page
    assert 'name="query" value="status=in_progress"' in page
    assert "Share this view with my colleagues" in page
    assert f"{reverse('tracker:my_items')}?status=in_progress" in page  # back to the list


def test_an_unknown_list_is_not_found(client, world):
    client.force_login(world.owner)
    response = client.get(reverse("tracker:saved_view_new"), {"list": "people"})
    assert response.status_code == 404


def test_saving_a_view_keeps_its_filters_and_sort_and_opens_the_list(client, world):
    client.force_login(world.owner)
    response = save(client)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('tracker:item_list')}?status=in_progress&sort=-due"
    view = SavedView.objects.get()
    assert (view.owner, view.name, view.list_name, view.shared) == (
        world.owner,
        "In progress, latest due first",
        "item_list",
        False,
    )
    assert view.query == "status=in_progress&sort=-due"
    assert "You saved the view “In progress, latest due first”." in messages_of(response)
    # Opening it leads to the list with its filters.
    response = client.get(reverse("tracker:saved_view_open", args=[view.pk]))
    assert response["Location"] == f"{reverse('tracker:item_list')}?status=in_progress&sort=-due"
    listed = client.get(reverse("tracker:saved_views")).content.decode()
    assert "In progress, latest due first" in listed


def test_a_name_is_required_and_unique_per_list(client, world):
    client.force_login(world.owner)
    response = save(client, name="  ")
    assert response.status_code == 400
    assert "Enter a name for this view" in response.content.decode()
    save(client, name="Mine")
    response = save(client, name="mine")
    assert response.status_code == 400
    assert "You already have a saved view with this name" in response.content.decode()
    assert SavedView.objects.count() == 1


def test_a_shared_view_is_seen_by_colleagues_of_the_same_force_only(client, world):
    client.force_login(world.owner)
    save(client, name="Team view", shared="on")
    view = SavedView.objects.get()
    assert view.shared
    assert view.organisation == world.wmp

    for colleague in (world.colleague, world.coordinator):
        client.force_login(colleague)
        assert "Team view" in client.get(reverse("tracker:saved_views")).content.decode()
        assert client.get(reverse("tracker:saved_view_open", args=[view.pk])).status_code == 302

    for stranger in (world.outsider, world.pcc, world.reader):
        client.force_login(stranger)
        assert "Team view" not in client.get(reverse("tracker:saved_views")).content.decode()
        assert client.get(reverse("tracker:saved_view_open", args=[view.pk])).status_code == 404


def test_a_view_not_shared_is_its_owners_alone(client, world):
    view = make_view(world.owner)
    client.force_login(world.colleague)
    assert client.get(reverse("tracker:saved_view_open", args=[view.pk])).status_code == 404
    assert client.get(reverse("tracker:saved_view_open", args=[99999])).status_code == 404


def test_a_tampered_filter_is_left_out_when_saved_with_a_message(client, world):
    client.force_login(world.owner)
    tampered = f"status=in_progress&force={world.staffs.pk}&sort=sideways&evil=1&page=3"
    response = save(client, query=tampered)
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert view.query == "status=in_progress"
    [warning] = [m for m in messages_of(response) if "no longer applies" in m]
    assert warning.startswith("Part of this saved view no longer applies and was ignored: ")
    assert "Force (That is not one of the choices you can see)" in warning
    assert "Sort by" in warning
    assert "“evil” is not a filter of this list" in warning


def test_a_saved_view_that_no_longer_applies_opens_without_that_part(client, world):
    view = make_view(world.owner, query=f"owner={world.outsider.pk}&status=in_progress")
    client.force_login(world.owner)
    response = client.get(reverse("tracker:saved_view_open", args=[view.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('tracker:item_list')}?status=in_progress"
    assert any(
        m.startswith("Part of this saved view no longer applies and was ignored: Owner")
        for m in messages_of(response)
    )


def test_the_overdue_reports_grouping_is_kept_and_checked(world):
    today = timezone.localdate()
    checked = saved_views.check_query(
        list_name=SavedViewList.OVERDUE,
        query="group=report&kind=recommendation",
        user=world.owner,
        today=today,
    )
    assert checked.query == "group=report&kind=recommendation"
    assert checked.ignored == ()
    checked = saved_views.check_query(
        list_name=SavedViewList.OVERDUE, query="group=nonsense", user=world.owner, today=today
    )
    assert checked.query == ""
    checked = saved_views.check_query(
        list_name=SavedViewList.ITEM_LIST, query="group=report", user=world.owner, today=today
    )
    assert checked.query == ""
    assert checked.ignored


def test_only_the_owner_deletes_a_view(client, world):
    view = make_view(world.owner, shared=True)
    client.force_login(world.colleague)
    assert client.post(reverse("tracker:saved_view_delete", args=[view.pk])).status_code == 404
    client.force_login(world.owner)
    assert client.get(reverse("tracker:saved_view_delete", args=[view.pk])).status_code == 405
    response = client.post(reverse("tracker:saved_view_delete", args=[view.pk]))
    assert response["Location"] == reverse("tracker:saved_views")
    assert not SavedView.objects.exists()


def test_the_saved_views_page_offers_delete_for_my_own_views_only(client, world):
    mine = make_view(world.colleague, name="Tom's own", shared=True)
    theirs = make_view(world.owner, name="Priya's shared", shared=True)
    client.force_login(world.colleague)
    page = client.get(reverse("tracker:saved_views")).content.decode()
    assert reverse("tracker:saved_view_delete", args=[mine.pk]) in page
    assert reverse("tracker:saved_view_delete", args=[theirs.pk]) not in page
    assert "Priya Shah" in page


def test_the_list_snippet_shows_the_lists_views_and_a_save_link(world):
    make_view(world.owner, name="Mine on all items")
    make_view(world.colleague, name="Tom's shared", shared=True)
    make_view(world.owner, name="On my items", list_name="my_items")
    make_view(world.outsider, name="Staffordshire's", shared=True)
    request = RequestFactory().get("/items/")
    request.user = world.owner
    html = (
        engines["django"]
        .from_string('{% include "tracker/_saved_views.html" with list_name="item_list" %}')
        .render({"query": "status=in_progress&sort=-due", "user": world.owner}, request)
    )
    assert "Mine on all items" in html
    assert "Tom&#x27;s shared" in html
    assert "shared by Tom Ellis" in html
    assert "On my items" not in html
    assert "Staffordshire" not in html
    assert (
        f"{reverse('tracker:saved_view_new')}?list=item_list&amp;query="
        "status%3Din_progress%26sort%3D-due" in html
    )


@pytest.mark.parametrize("name", ["tracker:saved_views", "tracker:saved_view_new"])
def test_the_pages_make_a_fixed_number_of_queries(
    client, world, name, django_assert_max_num_queries
):
    for i in range(15):
        make_view(world.owner, name=f"View {i}", shared=i % 2 == 0)
        make_view(world.colleague, name=f"Tom's {i}", shared=True)
    client.force_login(world.owner)
    client.get(reverse(name))
    # session, user, roles, the navigation's "owns anything", unread notices, the views.
    with django_assert_max_num_queries(6):
        assert client.get(reverse(name)).status_code == 200
