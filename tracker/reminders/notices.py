"""Notices: things people are told at once (a request for comments, for an update), in the
app and, for those who take one email per reminder, by email from the next sweep."""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.models import ReminderDelivery, User
from tracker import background, outbox
from tracker.models import Notification, TrackedItem
from tracker.reminders.mail import (
    BATCH,
    MailServerDown,
    build_email,
    fit_subject,
    in_language,
    is_connection_error,
    is_permanent_failure,
    marking_of,
    notice_message_id,
    site_url,
)
from tracker.reminders.unsubscribe import digest_wanted, reminders_kind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One notice for one person; `email` False keeps it in the app only (the person
    switched this kind of notice off in their email settings)."""

    user: User
    subject: str
    body: str
    url: str
    email: bool = True


def notices_create(notices: Iterable[Notice], *, now: datetime.datetime) -> int:
    """Record notices in the caller's transaction: each in the app at once and, when its
    email is wanted, sent by the next sweep (one email each, enqueued once after commit, for
    those who take one email per reminder) or put in the person's next digest. People who
    are switched off get nothing. Returns how many were recorded."""
    rows = []
    for notice in notices:
        user = notice.user
        if not user.is_active:
            continue
        each = user.reminder_delivery == ReminderDelivery.EACH
        rows.append(
            Notification(
                user=user,
                created_at=now,
                subject=notice.subject[:300],
                body=notice.body,
                url=notice.url[:300],
                awaiting_digest=notice.email and not each and digest_wanted(user),
                email_state="pending" if notice.email and each else "",
            )
        )
    Notification.objects.bulk_create(rows)
    if any(r.email_state for r in rows):
        outbox.send_on_commit(background.SWEEP_REMINDERS)
    return len(rows)


def notify(users, *, subject: str, body: str, url: str, now) -> int:
    """Tell people something now: a notification in the app and, for those who take one
    email per reminder, an email sent by the next reminder sweep (enqueued at once after
    commit); digest readers get it in their next digest."""
    people = {u.pk: u for u in users}.values()
    return notices_create(
        (Notice(user=u, subject=subject, body=body, url=url) for u in people), now=now
    )


NOTICE_STUCK_AFTER = datetime.timedelta(minutes=30)


def item_of(url: str) -> TrackedItem | None:
    """The item a notice links to, if its link is an item's page (for its marking)."""
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return None
    if match.view_name != "tracker:item_detail" or "uuid" not in match.kwargs:
        return None
    return (
        TrackedItem.objects.select_related("marking", "finding__report__marking")
        .filter(uuid=match.kwargs["uuid"])
        .first()
    )


def notice_email(note: Notification):  # noqa: ANN201 - an EmailMultiAlternatives
    """A notice's email, in the person's language: its subject under 78 characters with the
    protective marking of the item it is about first; the notice in full in the body."""
    with in_language(note.user):
        subject = fit_subject(note.subject, marking=marking_of(item_of(note.url)))
        context = {"note": note, "user": note.user, "link": site_url(note.url), "title": subject}
        return build_email(
            note.user,
            subject,
            render_to_string("email/notice.txt", context),
            render_to_string("email/notice.html", context),
            headers={"Message-ID": notice_message_id(note.pk, note.created_at)},
            kind=reminders_kind(note.user),
        )


def notices_send(*, now: datetime.datetime, connection) -> int:
    """Email the notices waiting to go on their own, each once.

    1. A notice is claimed with a conditional UPDATE (pending to sending, stamped with the
       real time of the claim) before it is sent; one whose claim is over half an hour old
       (its sweep died) can be claimed again. Each is sent on its own with a Message-ID
       derived from its row and marked sent before the next, so a sweep that dies mid-send
       repeats at most that one, with the same Message-ID.
    2. A refused address fails for good at once; another error puts it back to be tried by
       the next sweep, up to REMINDER_MAX_ATTEMPTS; a server that cannot be reached gives it
       back and stops the sweep.
    """
    sent = 0
    stuck = timezone.now() - NOTICE_STUCK_AFTER
    waiting = Notification.objects.filter(
        Q(email_state="pending") | Q(email_state="sending", email_claimed_at__lt=stuck)
    ).filter(created_at__lte=now)
    for pk in list(waiting.order_by("created_at", "id").values_list("pk", flat=True)[:BATCH]):
        claimed = waiting.filter(pk=pk).update(
            email_state="sending",
            email_claimed_at=timezone.now(),
            email_attempts=F("email_attempts") + 1,
        )
        if not claimed:
            continue  # another sweep has it
        note = Notification.objects.select_related("user").get(pk=pk)
        message = notice_email(note)
        message.connection = connection
        mine = Notification.objects.filter(pk=pk, email_state="sending")
        try:
            message.send()
        except Exception as exc:
            if is_connection_error(exc):
                mine.update(email_state="pending", email_attempts=F("email_attempts") - 1)
                raise MailServerDown(str(exc)) from exc
            give_up = (
                is_permanent_failure(exc) or note.email_attempts >= settings.REMINDER_MAX_ATTEMPTS
            )
            mine.update(email_state="failed" if give_up else "pending")
            log.warning(
                "Notice %s not sent (%s): %s", pk, "gave up" if give_up else "will retry", exc
            )
            continue
        mine.update(email_state="sent")
        sent += 1
    return sent
