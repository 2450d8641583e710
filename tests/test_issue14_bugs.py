"""Issue 14, bugs seen on the way: each test failed on the code before its fix."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tracker import filters, services
from tracker import forms as tracker_forms
from tracker.models import Deadline, Reminder, StatutoryResponse, TrackedItem
from tracker.reminders.sweeps import sweep
from tracker.statutory.services import response_for, response_request_comments

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# 2. A step that fell before the deadline existed is never sent as late ------------------------


def london(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


DEC_4 = datetime.date(2026, 12, 4)


def comments_reminders(response):
    deadline = Deadline.objects.get(response=response, rule__key="chief-officer-comments")
    return Reminder.objects.filter(deadline=deadline)


def comments_mail(response) -> list:
    ids = {str(pk) for pk in comments_reminders(response).values_list("pk", flat=True)}
    return [m for m in mail.outbox if m.extra_headers.get("X-Tracker-Reminder") in ids]


def test_comments_requested_early_on_the_4th_for_the_7th_skip_the_past_steps(world):
    response = response_for(report=world.report, force=world.wmp)
    with time_machine.travel(london(DEC_4, 7, 30), tick=False) as clock:
        response_request_comments(response=response, by=world.pcc, due_on=DEC_4 + days(3))
        # The 14- and 7-day steps fell before the request; the 3-day step comes at 08:00.
        assert not comments_reminders(response).filter(due_at__lt=timezone.now()).exists()
        mail.outbox.clear()
        sweep()
        assert comments_mail(response) == []
        clock.move_to(london(DEC_4, 8, 5))
        sweep()
    sent = comments_mail(response)
    assert sent
    assert all("could not be sent then" not in m.body for m in sent)
    rows = comments_reminders(response).filter(state="sent")
    assert {r.step for r in rows} == {"before-3"}
    assert not any(r.late for r in rows)


def test_comments_requested_later_on_the_4th_say_where_things_stand_once_on_time(world):
    response = response_for(report=world.report, force=world.wmp)
    with time_machine.travel(london(DEC_4, 15, 30), tick=False):
        response_request_comments(response=response, by=world.pcc, due_on=DEC_4 + days(3))
        assert not comments_reminders(response).filter(due_at__lt=timezone.now()).exists()
        mail.outbox.clear()
        sweep()
    rows = comments_reminders(response).filter(state="sent")
    assert {r.step for r in rows} == {"before-3"}  # this morning's step, once, now
    assert not any(r.late for r in rows)
    sent = comments_mail(response)
    assert sent
    assert all("could not be sent then" not in m.body for m in sent)


def test_comments_due_today_are_reminded_once_now_and_not_as_late(world):
    response = response_for(report=world.report, force=world.wmp)
    with time_machine.travel(london(DEC_4, 15), tick=False):
        response_request_comments(response=response, by=world.pcc, due_on=DEC_4)
        mail.outbox.clear()
        sweep()
    # No later step comes before the day, so where things stand is said once, now, on time.
    rows = comments_reminders(response).filter(state="sent")
    assert {r.step for r in rows} == {"before-0"}
    assert not any(r.late for r in rows)
    sent = comments_mail(response)
    assert sent
    assert all("could not be sent then" not in m.body for m in sent)


# 6 and 7. The progress review explains its ratings as the code works them out -----------------

REVIEW = reverse("tracker:review")


def test_the_review_page_says_which_rating_is_whose_and_the_real_amber_rule(world, client):
    quiet = TrackedItem.QUIET_DAYS + 1  # amber: more than QUIET_DAYS without activity
    TrackedItem.objects.filter(pk=world.item.pk).update(
        due_date=None, last_activity_at=timezone.now() - days(quiet)
    )
    world.item.refresh_from_db()
    assert world.item.rag(timezone.localdate()) == "amber"
    services.item_record_view(item=world.item, by=world.pcc, rating="green", text="Fine.")
    client.force_login(world.pcc)
    html = client.get(REVIEW).content.decode()
    assert "no update for 30 days" not in html  # an update is one kind of activity among others
    assert f"no recorded activity for more than {TrackedItem.QUIET_DAYS} days" in html
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)
    assert "Tracker’s assessment" in headers
    assert "Your office’s rating" in headers
    assert "Rating" not in headers
    assert "Worked out by the tracker from the dates" in html
    assert "The latest view your office recorded" in html


# 6. The PCC office sees what the introduction's fields will become ----------------------------


def edit_url(world) -> str:
    return reverse("tracker:response_edit", args=[world.report.key, world.wmp.code])


def test_the_introduction_editor_lists_what_each_field_becomes(world, client):
    client.force_login(world.pcc)
    html = client.get(edit_url(world)).content.decode()
    assert "{{ report_title }}" in html
    title = escape(world.report.title)
    assert re.search(r"\{\{ report_title \}\}</code></th>\s*<td[^>]*>" + re.escape(title), html)
    assert "Preview the introduction" in html


def test_previewing_the_introduction_shows_it_filled_in_and_saves_nothing(world, client):
    client.force_login(world.pcc)
    typed = "Our reply to {{ report_title }} for {{ force }}.\n\n- First point"
    page = client.post(
        edit_url(world), {"introduction": typed, "pcc_comments": "", "action": "preview"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    preview = html[html.index('id="introduction-preview"') :]
    assert f"Our reply to {escape(world.report.title)} for {escape(world.wmp.name)}." in preview
    assert "<li>First point</li>" in preview
    assert "{{ report_title }} for" in html  # the text as typed stays in the box
    assert not StatutoryResponse.objects.filter(report=world.report, force=world.wmp).exists()
    assert "onclick" not in html


def test_previewing_an_unknown_field_says_which_and_saves_nothing(world, client):
    client.force_login(world.pcc)
    page = client.post(edit_url(world), {"introduction": "Dear {{ chief }}", "action": "preview"})
    assert page.status_code == 400
    assert "The introduction uses {{ chief }}, which is not a field" in page.content.decode()
    assert 'id="introduction-preview"' not in page.content.decode()
    assert not StatutoryResponse.objects.filter(report=world.report, force=world.wmp).exists()


# 6. Dates can be typed as "today", "tomorrow" or "yesterday", in any case ----------------------


@pytest.mark.parametrize(
    ("typed", "offset"),
    [("today", 0), ("Today", 0), (" TODAY ", 0), ("tomorrow", 1), ("Yesterday", -1)],
)
def test_every_date_field_takes_today_tomorrow_and_yesterday(typed, offset):
    expected = timezone.localdate() + days(offset)
    forms_and_fields = [
        (tracker_forms.RequestCommentsForm, "due_on", {}),
        (tracker_forms.LocalTargetForm, "target_on", {}),
    ]
    for form_class, name, extra in forms_and_fields:
        form = form_class(data={name: typed, **extra})
        assert form.is_valid(), form.errors
        assert form.cleaned_data[name] == expected
    field = filters.ItemFilter.base_filters["due_before"].field
    assert field.clean(typed) == expected


def test_the_items_list_filters_by_due_before_today(world, client):
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:item_list"), {"due_before": "Today"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Enter a real date" not in html
