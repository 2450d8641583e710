"""Digests: the daily and weekly digests of reminders, and the managers' weekly overdue
digest, each sent once."""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReminderDelivery, User
from tracker import deadlines, policy
from tracker.models import (
    Deadline,
    DeadlineState,
    Digest,
    Notification,
    ReminderState,
    Source,
    TrackedItem,
)
from tracker.reminders.mail import (
    MailServerDown,
    build_email,
    deadline_link,
    digest_message_id,
    is_connection_error,
    is_permanent_failure,
    retry_backoff,
    row_finish,
    rows_claim,
    rows_due,
    site_url,
)

log = logging.getLogger(__name__)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def digests_plan(*, now: datetime.datetime) -> None:
    """Create the digest rows due by now (one per person per period; the unique key makes
    this safe to repeat)."""
    today = timezone.localdate(now)
    if now < deadlines.reminder_due_at(today, 0):
        today = today - datetime.timedelta(days=1)
    rows = []
    due = deadlines.reminder_due_at
    # Daily readers, and anyone who switched back to one email per reminder while some were
    # still waiting for a digest (they go out in one last digest).
    daily = User.objects.filter(is_active=True).filter(
        Q(reminder_delivery=ReminderDelivery.DAILY)
        | Q(reminder_delivery=ReminderDelivery.EACH, notifications__awaiting_digest=True)
    )
    for user_id in daily.values_list("pk", flat=True).distinct():
        rows.append(
            Digest(
                user_id=user_id,
                kind=Digest.Kind.DAILY,
                period_start=today,
                next_attempt_at=due(today, 0),
            )
        )
    monday = _monday(today)
    weekly_at = due(monday, 0)
    for user_id in User.objects.filter(
        is_active=True, reminder_delivery=ReminderDelivery.WEEKLY
    ).values_list("pk", flat=True):
        rows.append(
            Digest(
                user_id=user_id,
                kind=Digest.Kind.WEEKLY,
                period_start=monday,
                next_attempt_at=weekly_at,
            )
        )
    managers = (
        User.objects.active().with_role(*policy.OVERDUE_DIGEST_ROLES).values_list("pk", flat=True)
    )
    for user_id in managers:
        rows.append(
            Digest(
                user_id=user_id,
                kind=Digest.Kind.OVERDUE,
                period_start=monday,
                next_attempt_at=weekly_at,
            )
        )
    Digest.objects.bulk_create(rows, ignore_conflicts=True)


DIGEST_LIMIT = 50


def _days_late(due: datetime.date | None, today: datetime.date) -> int:
    """How many days ago `due` was; the rows here are chosen by a due date before today."""
    return (today - due).days if due is not None else 0


def overdue_digest_context(user: User, today: datetime.date) -> dict:
    forces = policy.visible_force_ids(user, today)
    items = (
        TrackedItem.objects.for_forces(forces)
        .overdue(today)
        .select_related("finding__report", "owner", "force")
        .order_by("due_date", "id")
    )
    responses = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_on__lt=today, response__isnull=False)
        .select_related("rule", "response__report", "force")
        .order_by("due_on", "id")
    )
    others = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_on__lt=today, item__isnull=False)
        .exclude(rule__source=Source.ITEM_DUE_DATE)
        .select_related("rule", "force", "item__finding", "item__owner")
        .order_by("due_on", "id")
    )
    if forces is not None:
        responses = responses.filter(force_id__in=forces)
        others = others.filter(force_id__in=forces)
    return {
        "others": [
            {
                "deadline": d,
                "days": _days_late(d.due_on, today),
                "link": site_url(deadline_link(d)),
            }
            for d in others[:DIGEST_LIMIT]
        ],
        "other_count": others.count(),
        "user": user,
        "today": today,
        "items": [
            {
                "item": i,
                "days": _days_late(i.due_date, today),
                "link": site_url(reverse("tracker:item_detail", args=[i.uuid])),
            }
            for i in items[:DIGEST_LIMIT]
        ],
        "item_count": items.count(),
        "responses": [
            {
                "deadline": d,
                "days": _days_late(d.due_on, today),
                "link": site_url(deadline_link(d)),
            }
            for d in responses[:DIGEST_LIMIT]
        ],
        "response_count": responses.count(),
        "list_link": site_url(reverse("tracker:overdue")),
        "limit": DIGEST_LIMIT,
    }


def _digest_message(digest: Digest, now) -> tuple[str, str, str, list] | None:
    today = timezone.localdate(now)
    user = digest.user
    if digest.kind == Digest.Kind.OVERDUE:
        context = overdue_digest_context(user, today)
        total = context["item_count"] + context["response_count"] + context["other_count"]
        subject = (
            f"Weekly overdue digest: {total} overdue"
            if total
            else "Weekly overdue digest: nothing is overdue"
        )
        return (
            subject,
            render_to_string("email/overdue_digest.txt", context),
            render_to_string("email/overdue_digest.html", context),
            [],
        )
    notes = list(
        Notification.objects.filter(user=user, awaiting_digest=True).order_by("created_at", "id")
    )
    if not notes:
        return None
    context = {
        "user": user,
        "notifications": notes,
        "period": "today" if digest.kind == Digest.Kind.DAILY else "this week",
        "site": site_url(""),
    }
    subject = f"Your reminders digest: {_digest_count(notes)}"
    return (
        subject,
        render_to_string("email/reminders_digest.txt", context),
        render_to_string("email/reminders_digest.html", context),
        [n.pk for n in notes],
    )


def _digest_count(notes: list[Notification]) -> str:
    """ "3 reminders", "1 reminder and 2 notices" (a notice: a hand-off or a request, with no
    reminder row behind it)."""
    reminders = sum(1 for n in notes if n.reminder_id is not None)
    notices = len(notes) - reminders
    parts = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((reminders, "reminder"), (notices, "notice"))
        if n
    ]
    return " and ".join(parts)


def digests_run(*, now: datetime.datetime, connection=None) -> int:
    """Send the digests that are due, each once. Returns how many were sent.

    Like reminders, each digest row is claimed with a conditional UPDATE stamped with this
    run's token and timed by the real clock; every outcome is written only while the claim
    is still this run's. Each digest is sent on its own with a Message-ID derived from its
    row, and marked sent (one short transaction) before the next is built, so a run that
    dies mid-send repeats at most that one, with the same Message-ID. A digest that cannot
    be built or sent is retried with backoff and marked failed after REMINDER_MAX_ATTEMPTS.
    """
    digests_plan(now=now)
    sent = 0
    own_connection = connection is None
    connection = connection or get_connection()
    token = uuid.uuid4()

    def outcome(digest_id: int, **fields: object) -> int:
        return row_finish(Digest, digest_id, token=token, **fields)

    try:
        for digest_id in list(rows_due(Digest, now=now).values_list("pk", flat=True)):
            if not rows_claim(Digest, [digest_id], now=now, token=token):
                continue
            digest = Digest.objects.select_related("user").get(pk=digest_id)
            try:
                built = _digest_message(digest, now)
                if built is None:
                    outcome(
                        digest_id, state=ReminderState.SENT, sent_at=now, note="Nothing to send."
                    )
                    continue
                subject, text, html, note_ids = built
                headers = {
                    "X-Tracker-Digest": str(digest_id),
                    "Message-ID": digest_message_id(digest),
                }
                connection.send_messages([build_email(digest.user, subject, text, html, headers)])
            except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is lost
                error = f"{type(exc).__name__}: {exc}"[:250]
                if is_permanent_failure(exc) or digest.attempts >= settings.REMINDER_MAX_ATTEMPTS:
                    outcome(digest_id, state=ReminderState.FAILED, note=error)
                    log.error("Digest %s failed for good: %s", digest_id, error)
                else:
                    outcome(
                        digest_id,
                        state=ReminderState.PENDING,
                        claimed_until=None,
                        next_attempt_at=now + retry_backoff(digest.attempts),
                        note=f"Will retry. {error}",
                    )
                if is_connection_error(exc) and not is_permanent_failure(exc):
                    raise MailServerDown(str(exc)) from exc
                continue
            with transaction.atomic():
                if outcome(
                    digest_id,
                    state=ReminderState.SENT,
                    sent_at=now,
                    line_count=len(note_ids),
                    note="",
                ):
                    Notification.objects.filter(pk__in=note_ids).update(awaiting_digest=False)
            sent += 1
    finally:
        if own_connection:
            connection.close()
    return sent
