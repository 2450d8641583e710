"""Digests: the daily and weekly digests of reminders, and the managers' weekly overdue
digest, each sent once.

Daily digests go at 08:00 London time; the weekly ones (a weekly reader's reminders, the
managers' overdue digest) on Monday from 08:00, as the README and the Email settings page
say. A week's rows are planned only on its Monday (until 08:00 on Tuesday): a tracker first
started, or a person who chose the weekly digest, on a Friday gets their first one the next
Monday, not that Friday. A sweep that did not run on a Monday at all skips that week's
weekly emails but loses nothing: the next Monday's reminders digest lists everything still
waiting, and the overdue digest is a list of what stands at the time.

The overdue digest counts what the overdue report counts, and names each count: open items
past their due date and statutory responses past their deadline (the report's two lists,
by the same selectors), then other deadlines missed (progress updates, targets set by a
report or the PCC office), which the report does not list.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

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
from tracker.reminders import unsubscribe
from tracker.reminders.mail import (
    MailServerDown,
    build_email,
    deadline_link,
    digest_message_id,
    fit_subject,
    highest_marking,
    in_language,
    is_connection_error,
    is_permanent_failure,
    retry_backoff,
    row_finish,
    rows_claim,
    rows_due,
    site_url,
)

log = logging.getLogger(__name__)


def digests_plan(*, now: datetime.datetime) -> None:
    """Create the digest rows due by now (one per person per period; the unique key makes
    this safe to repeat)."""
    today = timezone.localdate(now)
    if now < deadlines.reminder_due_at(today, 0):
        today = today - datetime.timedelta(days=1)
    rows: list[Digest] = []
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
    if today.weekday() == 0:
        rows += _weekly_rows(today)
    Digest.objects.bulk_create(rows, ignore_conflicts=True)


def _weekly_rows(monday: datetime.date) -> list[Digest]:
    """The week's weekly digests and overdue digests (on its Monday only), less those the
    person switched off (a short list of each, read by the key alone)."""
    rows = []
    weekly_at = deadlines.reminder_due_at(monday, 0)
    weekly = User.objects.filter(is_active=True, reminder_delivery=ReminderDelivery.WEEKLY)
    for user_id, off in weekly.values_list("pk", "email_events_off"):
        if unsubscribe.WEEKLY_DIGEST_OFF in (off or []):
            continue
        rows.append(
            Digest(
                user_id=user_id,
                kind=Digest.Kind.WEEKLY,
                period_start=monday,
                next_attempt_at=weekly_at,
            )
        )
    managers = User.objects.active().with_role(*policy.OVERDUE_DIGEST_ROLES).distinct()
    for user_id, off in managers.values_list("pk", "email_events_off"):
        if unsubscribe.OVERDUE_DIGEST_OFF in (off or []):
            continue
        rows.append(
            Digest(
                user_id=user_id,
                kind=Digest.Kind.OVERDUE,
                period_start=monday,
                next_attempt_at=weekly_at,
            )
        )
    return rows


DIGEST_LIMIT = 50


def _days_late(due: datetime.date | None, today: datetime.date) -> int:
    """How many days ago `due` was; the rows here are chosen by a due date before today."""
    return (today - due).days if due is not None else 0


def overdue_digest_context(user: User, today: datetime.date) -> dict:
    """What the overdue digest lists, counted as the overdue report counts: the person's
    overdue items and statutory responses past their deadline (the report's own selectors),
    then the other deadlines missed, which the report does not list."""
    # The same two lists as the overdue report (selectors.overdue_items, overdue_responses,
    # which this layer may not import: they sit on the statutory package, which sends its
    # notices through this one); tests/test_email_headers.py holds the counts together.
    forces = policy.visible_force_ids(user, today)
    items = (
        TrackedItem.objects.for_forces(forces)
        .overdue(today)
        .select_related("finding__report", "owner", "force")
        .order_by("due_date", "id")
    )
    responses = (
        Deadline.objects.filter(
            state=DeadlineState.OPEN,
            due_on__lt=today,
            response__isnull=False,
            rule__statutory=True,  # not a local target the office set itself
        )
        .select_related("rule", "response__report", "force")
        .order_by("due_on", "id")
    )
    # Other deadlines missed: an item's progress updates and targets (its own due date is
    # the item being overdue), and a response's local targets (its statutory deadlines are
    # the responses above).
    others = (
        Deadline.objects.filter(state=DeadlineState.OPEN, due_on__lt=today)
        .filter(
            (Q(item__isnull=False) & ~Q(rule__source=Source.ITEM_DUE_DATE))
            | Q(response__isnull=False, rule__statutory=False)
        )
        .select_related("rule", "force", "item__finding", "item__owner", "response__report")
        .order_by("due_on", "id")
    )
    if forces is not None:
        responses = responses.filter(force_id__in=forces)
        others = others.filter(force_id__in=forces)
    counts = {
        "item_count": items.count(),
        "response_count": responses.count(),
        "other_count": others.count(),
    }
    quoted = TrackedItem.objects.filter(
        Q(pk__in=items.values("pk")) | Q(pk__in=others.filter(item__isnull=False).values("item"))
    )
    return {
        **counts,
        "others": [
            {
                "deadline": d,
                "days": _days_late(d.due_on, today),
                "link": site_url(deadline_link(d)),
            }
            for d in others[:DIGEST_LIMIT]
        ],
        "user": user,
        "today": today,
        "week_of": today - datetime.timedelta(days=today.weekday()),
        "items": [
            {
                "item": i,
                "days": _days_late(i.due_date, today),
                "link": site_url(reverse("tracker:item_detail", args=[i.uuid])),
            }
            for i in items[:DIGEST_LIMIT]
        ],
        "responses": [
            {
                "deadline": d,
                "days": _days_late(d.due_on, today),
                "link": site_url(deadline_link(d)),
            }
            for d in responses[:DIGEST_LIMIT]
        ],
        "list_link": site_url(reverse("tracker:overdue")),
        "limit": DIGEST_LIMIT,
        # The items' text is quoted: the subject carries the highest of their markings.
        "marking": highest_marking(quoted) if counts["item_count"] or counts["other_count"] else "",
    }


def overdue_counts(item_count: int, response_count: int, other_count: int) -> list[str]:
    """Each count with what it counts: "1 overdue item", "2 late statutory responses",
    "3 missed deadlines" (only those that are not nought)."""
    parts = [
        (item_count, ngettext("%(n)d overdue item", "%(n)d overdue items", item_count)),
        (
            response_count,
            ngettext(
                "%(n)d late statutory response", "%(n)d late statutory responses", response_count
            ),
        ),
        (other_count, ngettext("%(n)d missed deadline", "%(n)d missed deadlines", other_count)),
    ]
    return [words % {"n": n} for n, words in parts if n]


def overdue_subject(context: dict) -> str:
    """ "Weekly overdue digest: 1 overdue item, 2 missed deadlines", the marking of the items
    it quotes first; shorter words when that would not fit in 78 characters."""
    counts = overdue_counts(
        context["item_count"], context["response_count"], context["other_count"]
    )
    if not counts:
        return gettext("Weekly overdue digest: nothing is overdue")
    subject = ""
    for head in (gettext("Weekly overdue digest"), gettext("Overdue digest")):
        subject = fit_subject(f"{head}: {', '.join(counts)}", marking=context["marking"])
        if not subject.endswith("…"):
            break
    return subject


def _item_links(urls: list[str]) -> list[str]:
    """The ids (uuids) of the items these in-app links open, for the digest's marking."""
    found = []
    for url in urls:
        try:
            match = resolve(url.split("?", 1)[0])
        except Resolver404:
            continue
        if match.view_name == "tracker:item_detail":
            found.append(match.kwargs["uuid"])
    return found


def _digest_message(digest: Digest, now) -> tuple[str, str, str, list, str] | None:
    """The subject, text, HTML, the notifications it carries, and the kind of email (for
    the unsubscribe link), in the person's language; None when there is nothing to send."""
    with in_language(digest.user):
        return _digest_words(digest, now)


def _digest_words(digest: Digest, now) -> tuple[str, str, str, list, str] | None:
    today = timezone.localdate(now)
    user = digest.user
    if digest.kind == Digest.Kind.OVERDUE:
        context = overdue_digest_context(user, today)
        context["week_of"] = digest.period_start  # its Monday
        context["title"] = subject = overdue_subject(context)
        return (
            subject,
            render_to_string("email/overdue_digest.txt", context),
            render_to_string("email/overdue_digest.html", context),
            [],
            unsubscribe.OVERDUE,
        )
    notes = list(
        Notification.objects.filter(user=user, awaiting_digest=True)
        .select_related("reminder__deadline")
        .order_by("created_at", "id")
    )
    if not notes:
        return None
    # The items the lines quote: those of the reminders, and those the notices link to.
    item_ids = {n.reminder.deadline.item_id for n in notes if n.reminder is not None} - {None}
    uuids = _item_links([n.url for n in notes if not n.reminder_id])
    quoted = TrackedItem.objects.filter(Q(pk__in=item_ids) | Q(uuid__in=uuids))
    marking = highest_marking(quoted) if item_ids or uuids else ""
    context = {
        "user": user,
        "notifications": notes,
        "period": "today" if digest.kind == Digest.Kind.DAILY else "this week",
        "site": site_url(""),
    }
    subject = gettext("Your reminders digest: %(count)s") % {"count": _digest_count(notes)}
    context["title"] = subject = fit_subject(subject, marking=marking)
    return (
        subject,
        render_to_string("email/reminders_digest.txt", context),
        render_to_string("email/reminders_digest.html", context),
        [n.pk for n in notes],
        unsubscribe.reminders_kind(user),
    )


def _digest_count(notes: list[Notification]) -> str:
    """ "3 reminders", "1 reminder and 2 notices" (a notice: a hand-off or a request, with no
    reminder row behind it)."""
    reminders = sum(1 for n in notes if n.reminder_id is not None)
    notices = len(notes) - reminders
    parts = []
    if reminders:
        parts.append(ngettext("%(n)d reminder", "%(n)d reminders", reminders) % {"n": reminders})
    if notices:
        parts.append(ngettext("%(n)d notice", "%(n)d notices", notices) % {"n": notices})
    return gettext(" and ").join(parts)


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
                subject, text, html, note_ids, kind = built
                headers = {
                    "X-Tracker-Digest": str(digest_id),
                    "Message-ID": digest_message_id(digest),
                }
                message = build_email(digest.user, subject, text, html, headers, kind=kind)
                connection.send_messages([message])
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
