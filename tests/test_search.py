"""Search (the box in the header, /search/) and `?q=` on the item lists.

Scoped like every list: another force's item is never in the results or the counts. On
PostgreSQL the words are matched by full-text search and ranked; on SQLite each word must
appear (any case), newest activity first. Snippets are escaped before the words are marked.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_finding, make_item, make_report
from tracker import search, services
from tracker.models import TrackedItem

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback")


def results_of(response):
    return {group.kind: group for group in response.context["results"].groups}


@pytest.fixture
def custody(world):
    """A custody finding in West Midlands (Priya's) and one in Staffordshire."""
    wm = make_item(
        make_finding(world.report, text="The force should improve custody suite checks."),
        world.wmp,
        owner=world.owner,
    )
    staffs_report = make_report(forces=[world.staffs], title="Staffordshire custody inspection")
    staffs = make_item(
        make_finding(staffs_report, text="Staffordshire custody records are incomplete."),
        world.staffs,
        owner=world.outsider,
    )
    return wm, staffs, staffs_report


def test_another_forces_item_is_never_in_the_results_or_the_counts(client, world, custody):
    wm, staffs, staffs_report = custody
    client.force_login(world.owner)
    response = client.get(reverse("tracker:search"), {"q": "custody"})
    groups = results_of(response)
    assert [hit.obj for hit in groups["items"].hits] == [wm]
    assert groups["items"].count == 1
    assert groups["reports"].count == 0  # Staffordshire's report is not Priya's to see
    page = response.content.decode()
    assert "incomplete" not in page
    assert staffs_report.title not in page
    assert "people" not in groups  # people are for administrators

    client.force_login(world.outsider)
    groups = results_of(client.get(reverse("tracker:search"), {"q": "custody"}))
    assert [hit.obj for hit in groups["items"].hits] == [staffs]
    assert groups["reports"].count == 1


def test_the_pcc_office_finds_only_the_forces_it_answers_for(client, world, custody):
    wm, _staffs, _report = custody
    client.force_login(world.pcc)
    groups = results_of(client.get(reverse("tracker:search"), {"q": "custody"}))
    assert [hit.obj for hit in groups["items"].hits] == [wm]


def test_it_finds_progress_updates_responses_owners_and_leads(client, world):
    item = world.item
    services.item_add_update(item=item, author=world.owner, text="Met the firearms licensing team")
    TrackedItem.objects.filter(pk=item.pk).update(
        force_response="We have trained every sergeant", lead=world.coordinator
    )
    client.force_login(world.colleague)
    for words, where in [
        ("firearms licensing", "Progress update"),
        ("sergeant", "Force's response"),
        ("Priya", "Owner"),
        ("Okafor", "Accountable lead"),
    ]:
        groups = results_of(client.get(reverse("tracker:search"), {"q": words}))
        hits = groups["items"].hits
        assert [hit.obj for hit in hits] == [item], words
        assert hits[0].matched_in == where
        assert "<mark>" in hits[0].snippet


def test_reports_are_found_by_title_and_people_by_administrators_only(client, world):
    client.force_login(world.colleague)
    title_word = world.report.title.split()[-1]
    groups = results_of(client.get(reverse("tracker:search"), {"q": title_word}))
    assert world.report in [hit.obj for hit in groups["reports"].hits]
    assert "people" not in results_of(client.get(reverse("tracker:search"), {"q": "Priya"}))

    admin = world.admin()
    client.force_login(admin)
    groups = results_of(client.get(reverse("tracker:search"), {"q": "Priya"}))
    assert [hit.obj for hit in groups["people"].hits] == [world.owner]
    groups = results_of(client.get(reverse("tracker:search"), {"q": world.owner.email}))
    assert [hit.obj for hit in groups["people"].hits] == [world.owner]
    assert reverse("accounts:person_detail", args=[world.owner.pk]) in (
        client.get(reverse("tracker:search"), {"q": "Priya"}).content.decode()
    )


def test_a_finding_with_markup_shows_as_text_with_the_words_marked(client, world):
    make_item(
        make_finding(world.report, text='<script>alert("x")</script> custody <b>bold</b>'),
        world.wmp,
        owner=world.owner,
    )
    client.force_login(world.owner)
    page = client.get(reverse("tracker:search"), {"q": "custody"}).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>custody</mark>" in page
    assert "<b>bold</b>" not in page


def test_an_empty_search_asks_for_words_and_runs_no_query(client, world):
    client.force_login(world.owner)
    client.get(reverse("tracker:search"))  # the session and the user are loaded once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tracker:search"), {"q": "   "})
    assert response.status_code == 200
    assert response.context["results"] is None
    assert "Enter a word or two to search for" in response.content.decode()
    assert not [q for q in queries.captured_queries if "tracker_trackeditem" in q["sql"]]


def test_the_search_page_without_a_search_shows_no_error(client, world):
    client.force_login(world.owner)
    page = client.get(reverse("tracker:search")).content.decode()
    assert "There is a problem" not in page


def test_a_search_of_ten_thousand_characters_is_cut_and_says_so(client, world):
    client.force_login(world.owner)
    response = client.get(reverse("tracker:search"), {"q": "custody " * 1250})
    assert response.status_code == 200
    terms = response.context["terms"]
    assert terms.cut
    assert len(terms.text) <= search.MAX_QUERY_LENGTH
    assert "only its first 200 characters were searched for" in response.content.decode()


@pytest.mark.parametrize(
    "words",
    ['"unbalanced', "' OR 1=1; --", "<b>&amp;</b>", "a | b & !c", "-", "(((", "or", "\\"],
)
def test_odd_characters_are_searched_for_safely(client, world, words):
    client.force_login(world.owner)
    response = client.get(reverse("tracker:search"), {"q": words})
    assert response.status_code == 200
    assert "<b>&amp;</b>" not in response.content.decode().split("<main", 1)[1]


def test_the_header_has_a_labelled_search_box_that_works_without_javascript(client, world):
    client.force_login(world.owner)
    page = client.get(reverse("tracker:my_items")).content.decode()
    assert f'action="{reverse("tracker:search")}"' in page
    assert '<label class="govuk-visually-hidden" for="header-search">Search</label>' in page
    assert 'id="header-search" name="q"' in page


def test_the_search_page_makes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for i in range(30):
        item = make_item(
            make_finding(world.report, text=f"Custody finding number {i}"),
            world.wmp,
            owner=world.owner if i % 2 else world.colleague,
        )
        services.item_add_update(item=item, author=world.coordinator, text="custody visit done")
    admin = world.admin()
    client.force_login(admin)
    client.get(reverse("tracker:search"), {"q": "custody"})
    # Session, user, roles, the navigation's "owns anything", unread notices; items (page,
    # count, their updates); reports; people: 10, whatever the number of items.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tracker:search"), {"q": "custody"})
    groups = results_of(response)
    assert groups["items"].count == 30
    assert len(groups["items"].hits) == search.RESULTS_PER_KIND
    assert "The best 20 of 30 are shown" in response.content.decode()


@postgres_only
def test_postgresql_ranks_the_finding_text_above_an_update_and_stems_words(client, world):
    in_update = make_item(make_finding(world.report, text="Neighbourhood policing"), world.wmp)
    in_finding = make_item(
        make_finding(world.report, text="Inspections of custody found custody failings"),
        world.wmp,
    )
    # The update is the newest activity: the fallback's order would put it first.
    services.item_add_update(
        item=in_update, author=world.coordinator, text="A custody review is due"
    )
    client.force_login(world.owner)
    response = client.get(reverse("tracker:search"), {"q": "custody"})
    assert response.context["results"].ranked
    assert [hit.obj for hit in results_of(response)["items"].hits] == [in_finding, in_update]
    # "inspection" finds "Inspections"; websearch syntax leaves a word out with a minus.
    groups = results_of(client.get(reverse("tracker:search"), {"q": "inspection"}))
    assert [hit.obj for hit in groups["items"].hits] == [in_finding]
    groups = results_of(client.get(reverse("tracker:search"), {"q": "custody -inspection"}))
    assert [hit.obj for hit in groups["items"].hits] == [in_update]
    groups = results_of(client.get(reverse("tracker:search"), {"q": '"custody review"'}))
    assert [hit.obj for hit in groups["items"].hits] == [in_update]


@sqlite_only
def test_sqlite_falls_back_to_every_word_in_any_case_newest_first(client, world):
    older = make_item(make_finding(world.report, text="CUSTODY suite checks"), world.wmp)
    newer = make_item(make_finding(world.report, text="custody records"), world.wmp)
    services.item_add_update(item=newer, author=world.coordinator, text="Suite visited")
    client.force_login(world.owner)
    response = client.get(reverse("tracker:search"), {"q": "custody"})
    assert not response.context["results"].ranked
    assert [hit.obj for hit in results_of(response)["items"].hits] == [newer, older]
    groups = results_of(client.get(reverse("tracker:search"), {"q": "custody checks"}))
    assert [hit.obj for hit in groups["items"].hits] == [older]


def test_q_on_all_items_finds_the_items_of_an_owner_or_lead_by_name(client, world):
    toms = make_item(make_finding(world.report, text="Tom's finding"), world.wmp)
    TrackedItem.objects.filter(pk=toms.pk).update(owner=world.colleague, lead=world.owner)
    others = make_item(make_finding(world.report, text="Nobody's finding"), world.wmp)
    client.force_login(world.coordinator)
    response = client.get(reverse("tracker:item_list"), {"q": "Priya"})
    found = set(response.context["page"].object_list)
    assert found == {world.item, toms}  # owned by Priya, and led by her
    assert others not in found
    response = client.get(reverse("tracker:item_list"), {"q": "tom ellis"})
    assert set(response.context["page"].object_list) == {toms}


def test_snippets_escape_first_then_mark_and_cut_around_the_first_word():
    terms = search.search_terms("inspections -excluded OR")
    assert terms.words == ("inspections",)
    text = "word " * 100 + "An <i>inspection</i> & more " + "word " * 100
    html = str(search.snippet(text, terms))
    assert "&lt;i&gt;<mark>inspection</mark>&lt;/i&gt; &amp; more" in html
    assert html.startswith("…")
    assert html.endswith("…")
    assert len(html) < 400
    assert str(search.snippet("", terms)) == ""
    assert search.search_terms("   ").empty
