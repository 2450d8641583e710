"""Calendar feeds (issue 15): each person's private iCalendar address, read back with
`icalendar` and with a second library (vobject), scoped to what they may see, resettable."""

import datetime

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item, make_report
from tracker import calendar_feeds
from tracker.models import CalendarFeed, Deadline
from tracker.statutory.services import response_for, response_request_comments


def feed_url(feed, **query):
    url = reverse("integrations:calendar_feed", args=[feed.token])
    return url + ("?force=1" if query.get("force") else "")


def read(client, feed, **query):
    response = client.get(feed_url(feed, **query))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


def events(body: bytes) -> list:
    return [c for c in icalendar.Calendar.from_ical(body).walk("VEVENT")]


def summaries(body: bytes) -> list[str]:
    return [str(e["SUMMARY"]) for e in events(body)]


@pytest.fixture
def feeds(world):
    for person in (world.owner, world.colleague, world.coordinator, world.pcc, world.outsider):
        calendar_feeds.feed_reset(user=person)
    world.colleague_item = make_item(
        make_finding(world.report, "Improve the handling of missing-person reports."),
        world.wmp,
        owner=world.colleague,
        due=timezone.localdate() + datetime.timedelta(days=45),
        by=world.coordinator,
    )
    staffs_report = make_report(forces=[world.staffs], title="Staffordshire inspection")
    world.staffs_item = make_item(
        make_finding(staffs_report, "Staffordshire must review its custody records."),
        world.staffs,
        owner=world.outsider,
        due=timezone.localdate() + datetime.timedelta(days=20),
        by=world.outsider,
    )
    return world


def feed(person):
    return CalendarFeed.objects.get(user=person)


def test_a_persons_feed_lists_their_item_deadlines_as_all_day_events(feeds, client):
    body = read(client, feed(feeds.owner))
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0"
    found = events(body)
    mine = Deadline.objects.filter(item=feeds.item, state="open", due_on__isnull=False)
    assert len(found) == mine.count() >= 1
    by_uid = {str(e["UID"]): e for e in found}
    for deadline in mine:
        event = by_uid[f"deadline-{deadline.uuid}@127.0.0.1"]
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.decoded("DTSTART") == deadline.due_on
        assert event.decoded("DTEND") == deadline.due_on + datetime.timedelta(days=1)
        assert str(event["URL"]).endswith(f"/items/{feeds.item.uuid}/")
        assert str(event["URL"]) in str(event["DESCRIPTION"])
        alarms = event.walk("VALARM")
        assert [a.decoded("TRIGGER") for a in alarms] == [
            -datetime.timedelta(days=6, hours=15),
            -datetime.timedelta(hours=15),
        ]
    assert not any("missing-person" in s or "custody" in s for s in summaries(body))


def test_the_uid_stays_the_same_from_one_read_to_the_next(feeds, client):
    first = [str(e["UID"]) for e in events(read(client, feed(feeds.owner)))]
    second = [str(e["UID"]) for e in events(read(client, feed(feeds.owner)))]
    assert first == second
    assert first


def test_a_second_library_reads_the_feed(feeds, client):
    body = read(client, feed(feeds.owner)).decode("utf-8")
    parsed = vobject.readOne(body)
    vevents = parsed.contents["vevent"]
    assert len(vevents) == len(events(body.encode()))
    first = vevents[0]
    assert isinstance(first.dtstart.value, datetime.date)
    assert not isinstance(first.dtstart.value, datetime.datetime)
    assert first.dtend.value - first.dtstart.value == datetime.timedelta(days=1)
    assert len(first.contents["valarm"]) == 2


def test_awkward_titles_come_back_exactly_in_both_libraries(feeds, client):
    title = 'Review, then fix; all of it\nnow <script>alert("x")</script> & more'
    feeds.item.finding.text = title
    feeds.item.finding.save()
    body = read(client, feed(feeds.owner))
    assert b"<script>" in body  # not HTML-escaped: a calendar is not a web page
    unfolded = body.replace(b"\r\n ", b"")
    assert b"Review\\, then fix\\; all of it\\nnow" in unfolded  # escaped by icalendar
    assert any(s.endswith(" ".join(title.split())) for s in summaries(body))
    parsed = vobject.readOne(body.decode())
    assert any(v.summary.value.endswith(" ".join(title.split())) for v in parsed.contents["vevent"])
    described = [str(e["DESCRIPTION"]) for e in events(body)]
    assert any(title in d for d in described)  # the full text, its line break kept
    assert any(title in v.description.value for v in parsed.contents["vevent"])


def test_a_coordinators_force_feed_covers_the_force_and_never_another(feeds, client):
    own = summaries(read(client, feed(feeds.coordinator)))
    assert not any("missing-person" in s for s in own)  # not theirs: not in their own feed
    whole = summaries(read(client, feed(feeds.coordinator), force=True))
    assert any("missing-person" in s for s in whole)
    assert any("review its backlog" in s for s in whole)
    assert not any("custody" in s for s in whole)
    # Staffordshire's coordinator sees their own force only.
    theirs = summaries(read(client, feed(feeds.outsider), force=True))
    assert any("custody" in s for s in theirs)
    assert not any("backlog" in s or "missing-person" in s for s in theirs)


def test_force_staff_asking_for_the_force_get_only_their_own(feeds, client):
    assert summaries(read(client, feed(feeds.owner), force=True)) == summaries(
        read(client, feed(feeds.owner))
    )


def test_the_pcc_office_sees_the_responses_it_must_publish_and_the_force_the_comments(
    feeds, client
):
    response = response_for(report=feeds.report, force=feeds.wmp)
    response_request_comments(
        response=response,
        by=feeds.pcc,
        due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    rules = dict(
        Deadline.objects.filter(response=response).values_list("rule__who_must_act", "rule__name")
    )
    pcc = summaries(read(client, feed(feeds.pcc)))
    coordinator = summaries(read(client, feed(feeds.coordinator)))
    staff = summaries(read(client, feed(feeds.owner)))
    if "pcc_office" in rules:
        assert any(s.startswith(rules["pcc_office"]) for s in pcc)
        assert not any(s.startswith(rules["pcc_office"]) for s in coordinator)
    assert "force" in rules, "asking for the chief officer's comments makes their deadline"
    assert any(s.startswith(rules["force"]) for s in coordinator)
    assert not any(s.startswith(rules["force"]) for s in staff)
    assert not any(
        s.startswith(rules["force"]) for s in summaries(read(client, feed(feeds.outsider)))
    )


def test_resetting_the_address_stops_the_old_one_at_once(feeds, client):
    old = feed(feeds.owner)
    old_url = feed_url(old)
    client.force_login(feeds.owner)
    response = client.post(reverse("integrations:calendar_reset"))
    assert response.status_code == 302
    client.logout()
    assert client.get(old_url).status_code == 404
    new = feed(feeds.owner)
    assert new.token != old.token
    assert client.get(feed_url(new)).status_code == 200


def test_a_bad_token_is_404(db, client):
    for token in ("nope", "x" * 64, "x" * 200):
        assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_deactivated_persons_feed_is_404(feeds, client):
    feeds.owner.is_active = False
    feeds.owner.save()
    assert client.get(feed_url(feed(feeds.owner))).status_code == 404


def test_reset_is_post_only_and_for_people_signed_in(feeds, client):
    assert client.post(reverse("integrations:calendar_reset")).status_code == 302  # to sign in
    client.force_login(feeds.owner)
    assert client.get(reverse("integrations:calendar_reset")).status_code == 405


def test_the_email_settings_page_shows_the_address_with_copy_instructions(feeds, client):
    client.force_login(feeds.owner)
    page = client.get(reverse("accounts:email_settings")).content.decode()
    assert feed_url(feed(feeds.owner)) in page
    assert "Subscribe from web" in page
    assert "Your force's calendar address" not in page
    client.force_login(feeds.coordinator)
    page = client.get(reverse("accounts:email_settings")).content.decode()
    assert feed_url(feed(feeds.coordinator)) + "?force=1" in page


def test_a_person_without_an_address_is_offered_one(world, client):
    client.force_login(world.owner)
    page = client.get(reverse("accounts:email_settings")).content.decode()
    assert "Get my calendar address" in page
    client.post(reverse("integrations:calendar_reset"))
    assert CalendarFeed.objects.filter(user=world.owner).exists()


def test_the_feed_reads_the_database_the_same_number_of_times_however_many_deadlines(feeds, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import ProtectiveMarking

    official, _ = ProtectiveMarking.objects.get_or_create(label="OFFICIAL", defaults={"rank": 10})
    sensitive, _ = ProtectiveMarking.objects.get_or_create(
        label="OFFICIAL-SENSITIVE", defaults={"rank": 20}
    )
    feeds.wmp.default_marking = official
    feeds.wmp.save()
    feeds.item.marking = sensitive  # its own marking beats the force's default
    feeds.item.save()
    response = response_for(report=feeds.report, force=feeds.wmp)
    response_request_comments(
        response=response, by=feeds.pcc, due_on=timezone.localdate() + datetime.timedelta(days=9)
    )

    def count() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            body = read(client, feed(feeds.coordinator), force=True)
        return len(queries), summaries(body)

    few, first = count()
    for n in range(6):
        make_item(
            make_finding(feeds.report, f"Extra finding number {n}."),
            feeds.wmp,
            owner=feeds.owner,
            due=timezone.localdate() + datetime.timedelta(days=30 + n),
            by=feeds.coordinator,
        )
    many, second = count()
    assert len(second) >= len(first) + 6
    assert many == few, f"{few} queries for {len(first)} events, {many} for {len(second)}"
    # The markings are still each deadline's own: the item's, else the force's default.
    assert any(s.startswith("[OFFICIAL-SENSITIVE] ") and "backlog" in s for s in second)
    assert all(s.startswith("[OFFICIAL") for s in second)
    assert sum(s.startswith("[OFFICIAL] ") and "Extra finding" in s for s in second) >= 6
