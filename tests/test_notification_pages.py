"""Notifications in the app, email settings and the reminder health page."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import World
from tracker.models import AuditEvent, Notification, SweepRun
from tracker.reminders.sweeps import sweep


def remind_owner(world):
    """Run a sweep on the morning the item's 7-day reminder is due."""
    when = timezone.make_aware(
        datetime.datetime.combine(
            world.item.due_date - datetime.timedelta(days=7), datetime.time(9)
        )
    )
    return sweep(now=when)


def test_reminders_appear_in_the_app_with_an_unread_count(client, world):
    remind_owner(world)
    client.force_login(world.owner)

    unread = Notification.objects.filter(user=world.owner).count()
    assert unread >= 1
    page = client.get(reverse("tracker:my_items")).content.decode()
    assert f'{unread}<span class="govuk-visually-hidden"> unread' in page
    listing = client.get(reverse("tracker:notifications")).content.decode()
    assert "Action due date: due in 7 days" in listing
    note = Notification.objects.filter(user=world.owner).first()
    assert reverse("tracker:notification_open", args=[note.pk]) in listing


def test_mark_all_as_read_clears_the_count(client, world):
    remind_owner(world)
    client.force_login(world.owner)
    response = client.post(reverse("tracker:notifications"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=world.owner, read_at__isnull=True).exists()


def test_people_see_only_their_own_notifications(client, world):
    remind_owner(world)
    client.force_login(world.colleague)
    assert "due in 7 days" not in client.get(reverse("tracker:notifications")).content.decode()


def test_a_person_chooses_a_daily_digest_and_the_change_is_audited(client, world):
    client.force_login(world.owner)
    response = client.post(reverse("accounts:email_settings"), {"reminder_delivery": "daily"})
    assert response.status_code == 302
    world.owner.refresh_from_db()
    assert world.owner.reminder_delivery == "daily"
    assert AuditEvent.objects.filter(
        object_type="accounts.User", changes__reminder_delivery=["each", "daily"]
    ).exists()


def test_an_unknown_delivery_choice_is_refused(client, world):
    client.force_login(world.owner)
    response = client.post(reverse("accounts:email_settings"), {"reminder_delivery": "hourly"})
    assert response.status_code == 400
    assert "Select one of the options" in response.content.decode()
    world.owner.refresh_from_db()
    assert world.owner.reminder_delivery == "each"


def test_the_health_page_flags_a_stale_sweep(client, world):
    SweepRun.objects.create(
        started_at=timezone.now() - datetime.timedelta(hours=2),
        finished_at=timezone.now() - datetime.timedelta(hours=2),
        clock=timezone.now() - datetime.timedelta(hours=2),
        via="celery",
    )
    client.force_login(World.admin())
    page = client.get(reverse("tracker:reminders_health")).content.decode()
    assert "has not run for more than 60 minutes" in page


def test_a_fresh_sweep_is_not_flagged(client, world):
    sweep()
    client.force_login(World.admin())
    page = client.get(reverse("tracker:reminders_health")).content.decode()
    assert "has not run" not in page
    assert "has never run" not in page


def test_only_administrators_see_the_health_page(client, world):
    for person in (world.owner, world.coordinator, world.pcc, world.reader):
        client.force_login(person)
        assert client.get(reverse("tracker:reminders_health")).status_code == 403
    client.logout()
    assert client.get(reverse("tracker:reminders_health")).status_code == 302


def test_opening_a_notification_marks_it_read_and_goes_to_the_item(client, world):
    remind_owner(world)
    client.force_login(world.owner)
    note = Notification.objects.filter(user=world.owner).first()

    response = client.get(reverse("tracker:notification_open", args=[note.pk]))

    assert response.status_code == 302
    assert response.url == note.url
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_404(client, world):
    remind_owner(world)
    note = Notification.objects.filter(user=world.owner).first()
    client.force_login(world.colleague)
    assert client.get(reverse("tracker:notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _notify(user, n):
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                created_at=timezone.now(),
                subject=f"Reminder {i}",
                body="x",
                url="/items/",
            )
            for i in range(n)
        ]
    )


def test_the_notifications_page_uses_a_fixed_number_of_queries(client, world):
    client.force_login(world.owner)
    _notify(world.owner, 2)
    few = _queries(client, reverse("tracker:notifications"))
    _notify(world.owner, 40)
    assert _queries(client, reverse("tracker:notifications")) == few


def test_the_health_page_uses_a_fixed_number_of_queries(client, world):
    client.force_login(World.admin())
    sweep()
    few = _queries(client, reverse("tracker:reminders_health"))
    for _ in range(5):
        sweep()
    assert _queries(client, reverse("tracker:reminders_health")) == few
