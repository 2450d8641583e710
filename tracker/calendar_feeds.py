"""Calendar feeds (issue 15): each person's deadlines as a private iCalendar (RFC 5545) feed.

1. The address: `/calendar/<token>.ics`, a random 256-bit token (`CalendarFeed`), read
   without signing in. `feed_reset` makes a new token (the first, or in place of the old:
   the old address is 404 from that moment) and is audited.
2. What it lists (`feed_deadlines`): the open deadlines of the items the person owns or
   leads; for a PCC office, the responses their office must publish; for a force's
   coordinators, the chief officer's comments their force must send; and, when a
   coordinator asks for it (`?force=1`), every open deadline of their force's items. Always
   within what the person may see today (`policy.visible_force_ids`): never another force's.
3. Each deadline is an all-day event (DTSTART;VALUE=DATE, DTEND the next day) with a UID
   that does not change (the deadline's uuid), its SEQUENCE the deadline's version (a moved
   deadline updates the event), a link back in DESCRIPTION and URL, and two reminders
   (9am seven days before and 9am the day before). The `icalendar` package writes and
   escapes every value; nothing is escaped by hand.
4. The address is unsigned and polled: a feed costs the same queries however many
   deadlines it lists (the markings are read for all of them at once, tracker/markings.py).
"""

import datetime
import secrets
from typing import Any
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from tracker import policy
from tracker.audit import audit_record
from tracker.markings import items_markings, responses_markings
from tracker.models import (
    OPEN_STATUSES,
    AuditEvent,
    CalendarFeed,
    Deadline,
    DeadlineState,
    WhoActs,
)

PRODID = "-//Inspection tracker//Calendar feed//EN"
REMINDERS = (
    ("P7D", datetime.timedelta(days=6, hours=15)),  # 9am, seven days before
    ("P1D", datetime.timedelta(hours=15)),  # 9am, the day before
)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


@transaction.atomic
def feed_reset(*, user: User, now: datetime.datetime | None = None) -> CalendarFeed:
    """Give the person a calendar address, or a new one in place of the old (which stops
    working at once)."""
    now = now or timezone.now()
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        feed = CalendarFeed.objects.create(user=user, token=_new_token(), created_at=now)
        note = "Calendar feed address made"
    else:
        feed.token = _new_token()
        feed.reset_at = now
        feed.save(update_fields=["token", "reset_at"])
        note = "Calendar feed address reset: the old address no longer works"
    audit_record(
        actor=user, action=AuditEvent.Action.UPDATE, obj=user, at=now, changes={}, note=note
    )
    return feed


def feed_get(token: str) -> CalendarFeed:
    """The feed of this token; an unknown one (or an inactive person's) is 404."""
    if not token or len(token) > 64:
        raise Http404("No such calendar.")
    feed = CalendarFeed.objects.select_related("user__organisation").filter(token=token).first()
    if feed is None or not secrets.compare_digest(feed.token, token) or not feed.user.is_active:
        raise Http404("No such calendar.")
    return feed


def feed_deadlines(
    *, user: User, today: datetime.date, whole_force: bool = False
) -> list[Deadline]:
    """The person's open deadlines (step 2 above), soonest first."""
    visible = policy.visible_force_ids(user, today)
    if visible is not policy.ALL_FORCES and not visible:
        return []
    open_item = Q(item__isnull=False, item__status__in=OPEN_STATUSES)
    wanted = open_item & (Q(item__owner=user) | Q(item__lead=user))
    org = user.organisation
    if org is not None and user.has_role(Role.PCC_OFFICE):
        wanted |= Q(response__body=org, rule__who_must_act=WhoActs.PCC_OFFICE)
    if org is not None and policy.calendar_covers_force(user):
        wanted |= Q(response__isnull=False, rule__who_must_act=WhoActs.FORCE, force=org)
        if whole_force:
            wanted |= open_item & Q(force=org)
    deadlines = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_on__isnull=False, rule__active=True)
        .filter(wanted)
        .select_related(
            "rule",
            "force",
            "item__finding__report",
            "item__force",
            "response__report",
            "response__force",
            "response__body",
        )
        .order_by("due_on", "id")
    )
    if visible is not policy.ALL_FORCES:
        deadlines = deadlines.filter(force_id__in=visible)
    return list(deadlines)


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _event(
    deadline: Deadline, *, stamp: datetime.datetime, host: str, markings: dict[str, dict[int, str]]
) -> icalendar.Event:
    """One deadline as an event; `markings` holds the items' and responses' markings, read
    for the whole feed at once (feed_calendar), so no event reads the database."""
    item, response = deadline.item, deadline.response
    if item is not None:
        title = item.finding.summary
        text = item.finding.text
        about = f"{item.force.short_name}, {item.finding.report.title}"
        url = _site(reverse("tracker:item_detail", args=[item.uuid]))
        marking = markings["items"].get(item.pk, "")
    else:
        if response is None:  # a deadline is on an item or a response (a constraint)
            raise ValueError(f"Deadline {deadline.pk} is on nothing.")
        title = response.report.title
        text = title
        about = f"{response.force.short_name}, statutory response of {response.body.short_name}"
        url = _site(
            reverse("tracker:response_detail", args=[response.report.key, response.force.code])
        )
        marking = markings["responses"].get(response.pk, "")
    summary = f"{deadline.rule.name}: {title}"
    if marking:
        summary = f"[{marking}] {summary}"
    due = deadline.due_on
    if due is None:  # only dated deadlines are listed (feed_deadlines)
        raise ValueError(f"Deadline {deadline.pk} is paused.")
    event = icalendar.Event()
    event.add("uid", f"deadline-{deadline.uuid}@{host}")
    event.add("dtstamp", stamp)
    event.add("last-modified", deadline.updated_at)
    event.add("sequence", deadline.version)
    event.add("dtstart", due)
    event.add("dtend", due + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"{deadline.rule.name}\n{text}\n\n{about}\n\nOpen it: {url}")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Deadline"])
    for name, before in REMINDERS:
        alarm = icalendar.Alarm()
        alarm.add("uid", f"deadline-{deadline.uuid}-{name}@{host}")
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -before)
        alarm.add("description", summary)
        event.add_component(alarm)
    return event


def feed_calendar(
    *, feed: CalendarFeed, whole_force: bool = False, now: datetime.datetime | None = None
) -> bytes:
    """The feed as iCalendar bytes (UTF-8)."""
    now = now or timezone.now()
    user = feed.user
    whole_force = whole_force and policy.calendar_covers_force(user)
    deadlines = feed_deadlines(user=user, today=timezone.localdate(now), whole_force=whole_force)
    host = urlsplit(settings.SITE_URL).hostname or "inspection-tracker"
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = (
        f"Deadlines of {user.organisation.short_name}"
        if whole_force and user.organisation
        else f"Deadlines – {user.full_name}"
    )
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    # Every marking in two queries, however many deadlines (the feed is polled, unsigned).
    markings = {
        "items": items_markings(d.item_id for d in deadlines if d.item_id),
        "responses": responses_markings(d.response_id for d in deadlines if d.response_id),
    }
    for deadline in deadlines:
        calendar.add_component(_event(deadline, stamp=now, host=host, markings=markings))
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    ical: bytes = calendar.to_ical()
    return ical


def feed_links(user: User) -> dict[str, Any]:
    """What the Email settings page shows: the addresses, or none yet."""
    feed = feed_of(user)
    if feed is None:
        return {"feed": None, "covers_force": policy.calendar_covers_force(user)}
    url = _site(reverse("integrations:calendar_feed", args=[feed.token]))
    return {
        "feed": feed,
        "url": url,
        "webcal": "webcal://" + url.split("://", 1)[1],
        "covers_force": policy.calendar_covers_force(user),
        "force_url": url + "?force=1",
    }
