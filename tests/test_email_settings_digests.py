"""The Email settings page shows the weekly digests a one-click unsubscribe link switches off,
and saving the page keeps what the link did (issue 21; before, saving the page unchanged
silently switched the digests back on)."""

from django.urls import reverse

from tracker.handoffs import Event
from tracker.reminders import unsubscribe

SETTINGS = reverse("accounts:email_settings")


def page_form(client) -> dict:
    """What the page sends back when saved unchanged: every box as it is shown."""
    html = client.get(SETTINGS).content.decode()
    data: dict = {
        "reminder_delivery": "weekly",
        "email_events": [],
        "digests": [],
        "digests_shown": "1",
    }
    for kind in Event.values:
        if f'value="{kind}" checked' in html:
            data["email_events"].append(kind)
    for kind in unsubscribe.DIGESTS_OFF:
        if f'value="{kind}" checked' in html:
            data["digests"].append(kind)
    return data


def test_saving_the_page_unchanged_keeps_an_unsubscribe(client, world):
    person = world.coordinator
    person.reminder_delivery = "weekly"
    person.email_events_off = [unsubscribe.OVERDUE_DIGEST_OFF]  # as the link leaves it
    person.save()
    client.force_login(person)

    data = page_form(client)
    assert data["digests"] == [unsubscribe.WEEKLY_DIGEST_OFF]  # the overdue one shown unticked
    assert client.post(SETTINGS, data).status_code == 302
    person.refresh_from_db()
    assert person.email_events_off == [unsubscribe.OVERDUE_DIGEST_OFF]


def test_the_page_switches_a_digest_off_and_on_again_audited(client, world):
    from tracker.models import AuditEvent

    person = world.coordinator
    client.force_login(person)
    data = page_form(client)
    assert sorted(data["digests"]) == sorted(unsubscribe.DIGESTS_OFF)  # both on at first
    data["digests"] = [unsubscribe.OVERDUE_DIGEST_OFF]  # untick the weekly reminders digest
    client.post(SETTINGS, data)
    person.refresh_from_db()
    assert person.email_events_off == [unsubscribe.WEEKLY_DIGEST_OFF]
    assert unsubscribe.weekly_digest_off(person)

    data["digests"] = list(unsubscribe.DIGESTS_OFF)
    client.post(SETTINGS, data)
    person.refresh_from_db()
    assert person.email_events_off == []
    changes = [
        event.changes.get("email_events_off")
        for event in AuditEvent.objects.filter(object_type="accounts.User")
    ]
    assert [[], [unsubscribe.WEEKLY_DIGEST_OFF]] in changes
    assert [[unsubscribe.WEEKLY_DIGEST_OFF], []] in changes


def test_a_post_without_the_digests_boxes_leaves_them_as_they_were(client, world):
    person = world.coordinator
    person.email_events_off = [unsubscribe.OVERDUE_DIGEST_OFF]
    person.save()
    client.force_login(person)
    client.post(SETTINGS, {"reminder_delivery": "daily", "email_events": list(Event.values)})
    person.refresh_from_db()
    assert (person.reminder_delivery, person.email_events_off) == (
        "daily",
        [unsubscribe.OVERDUE_DIGEST_OFF],
    )


def test_a_digest_that_is_not_offered_is_refused_and_nothing_changes(client, world):
    person = world.coordinator
    client.force_login(person)
    data = page_form(client)
    data["digests"] = ["every_hour"]
    response = client.post(SETTINGS, data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    person.refresh_from_db()
    assert person.email_events_off == []
