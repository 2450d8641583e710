"""The owner filter (issue 16): a drop-down when the people to choose from are few, a text
field matching names when they are many, a type-ahead over both, and scoping throughout."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from tests.factories import make_finding, make_item, make_user
from tracker import filters

ITEMS = reverse("tracker:item_list")
NAMES = reverse("tracker:owner_names")


def listed(response):
    return [item.pk for item in response.context["page"].object_list]


@pytest.fixture
def many_people(monkeypatch):
    """As if the scope held more people than a drop-down should show."""
    monkeypatch.setattr(filters, "OWNER_SELECT_MOST", 1)


def test_a_small_scope_gets_a_drop_down_of_names_only(client, world):
    client.force_login(world.coordinator)
    page = client.get(ITEMS).content.decode()
    assert 'name="owner" data-module="app-owner-typeahead"' in page
    assert '<option value="null">No owner</option>' in page
    assert f'<option value="{world.owner.pk}">Priya Shah</option>' in page
    assert "Megan Price" not in page  # another force's person
    assert 'name="owner_name"' not in page


def test_the_chosen_owner_is_selected_and_filters(client, world):
    toms = make_item(make_finding(world.report, text="Tom's"), world.wmp, owner=world.colleague)
    client.force_login(world.coordinator)
    response = client.get(ITEMS, {"owner": world.colleague.pk})
    assert listed(response) == [toms.pk]
    assert f'<option value="{world.colleague.pk}" selected>Tom Ellis</option>' in (
        response.content.decode()
    )
    assert listed(client.get(ITEMS, {"owner": "null"})) == []


def test_another_forces_person_is_refused_with_a_message(client, world):
    client.force_login(world.coordinator)
    response = client.get(ITEMS, {"owner": world.outsider.pk})
    assert "That is not one of the choices you can see" in response.content.decode()
    assert listed(response) == [world.item.pk]  # ignored: never widens the list


def test_a_person_added_after_the_choices_were_cached_is_accepted(client, world):
    client.force_login(world.coordinator)
    client.get(ITEMS)  # the choices are cached now
    newcomer = make_user("Nia Brook", world.wmp, Role.FORCE_STAFF)
    theirs = make_item(make_finding(world.report, text="New"), world.wmp, owner=newcomer)
    response = client.get(ITEMS, {"owner": newcomer.pk})
    assert "was ignored" not in response.content.decode()
    assert listed(response) == [theirs.pk]


def test_a_large_scope_gets_a_text_field_that_matches_names(client, world, many_people):
    toms = make_item(make_finding(world.report, text="Tom's"), world.wmp, owner=world.colleague)
    client.force_login(world.reader)
    response = client.get(ITEMS, {"owner_name": "  ellis "})
    page = response.content.decode()
    assert 'name="owner_name"' in page
    assert 'value="  ellis "' in page or 'value="ellis"' in page
    assert ">Priya Shah</option>" not in page  # no drop-down of people
    assert listed(response) == [toms.pk]
    # The details stay open with the filter chosen.
    assert 'class="govuk-details" open' in page


def test_a_link_by_owner_id_still_works_in_the_text_form(client, world, many_people):
    client.force_login(world.reader)
    response = client.get(ITEMS, {"owner": world.owner.pk})
    page = response.content.decode()
    assert listed(response) == [world.item.pk]
    # Kept as a ticked box that can be unticked, naming the person.
    assert f'name="owner" type="checkbox" value="{world.owner.pk}" checked' in page
    assert "Only Priya Shah’s items" in page


def test_the_type_ahead_suggests_names_in_scope_only(client, world):
    client.force_login(world.coordinator)
    assert client.get(NAMES, {"q": "s"}).json() == {"names": ["Priya Shah", "Tom Ellis"]}
    assert client.get(NAMES, {"q": "TOM"}).json() == {"names": ["Tom Ellis"]}
    assert client.get(NAMES, {"q": "megan"}).json() == {"names": []}  # another force
    assert client.get(NAMES, {"q": " "}).json() == {"names": []}
    client.force_login(world.reader)
    assert "Megan Price" in client.get(NAMES, {"q": "MEG"}).json()["names"]


def test_the_type_ahead_needs_sign_in(client, world):
    response = client.get(NAMES, {"q": "pri"})
    assert response.status_code == 302


def test_the_choices_are_not_read_as_whole_rows(client, world):
    client.force_login(world.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        client.get(ITEMS, {"owner": world.owner.pk})
    people = [q["sql"] for q in ctx.captured_queries if 'AS "full_name"' in q["sql"]]
    assert people
    assert not [sql for sql in people if '"accounts_user"."password"' in sql]
