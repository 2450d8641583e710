"""Mail: what a reminder says, building emails and their Message-IDs, telling a mail server
that is down from an address it refuses, retry backoff, and the claim on a row being sent.

Reminder and digest rows are claimed the same way (`rows_claim`, `row_finish`; a sweep hands
back what it did not send with `rows_release`): a conditional UPDATE that only one run can win
for each row, stamped with the run's token, so overlapping sweeps, retries and two workers
do not send a row twice; due rows are found by range (`rows_due`), so a run that did not
happen is caught up by the next.

Delivery is at least once. Rows are claimed, worded and recorded in batches, but a row that
is emailed is marked sent by its own UPDATE as soon as the mail server has accepted its
message, before the next message goes (`row_finish`; rows with no email to send are finished
together, `rows_finish_many`), so a repeat is possible only when a worker dies between the
server accepting a message and the row being marked: once its claim lapses, another run sends
it again. The repeat carries the same Message-ID (`message_id`, derived from the row alone),
so a receiving system can drop it.

Every email the tracker sends by itself is built by `build_email`: from DEFAULT_FROM_EMAIL,
with a Message-ID at EMAIL_MESSAGE_ID_DOMAIN (never localhost), `Auto-Submitted:
auto-generated` (RFC 3834, so out-of-office replies do not answer it) and, for the kinds a
person can switch off, a signed one-click `List-Unsubscribe` (RFC 8058,
`tracker.reminders.unsubscribe`); a subject under 78 characters (`fit_subject`), led by the
protective marking of the item it quotes; and words in the recipient's language
(`in_language`).
"""

import base64
import datetime
import re
import smtplib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends import smtp
from django.db.models import F, Min, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.models import ProtectiveMarking, User
from tracker import deadlines, markings
from tracker.models import (
    Deadline,
    Digest,
    Reminder,
    ReminderState,
    StatutoryResponse,
    TrackedItem,
)
from tracker.reminders import unsubscribe


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# The recipient's language ------------------------------------------------------------------


def person_language(user: User) -> str:
    """The language a person reads their emails in: their choice, else the site's."""
    chosen = getattr(user, "preferred_language", None) or getattr(user, "language", "")
    return str(chosen or settings.LANGUAGE_CODE)


@contextmanager
def in_language(user: User) -> Iterator[None]:
    """Word and render an email in the recipient's language (the sweep has no request)."""
    with translation.override(person_language(user)):
        yield


# Subjects ------------------------------------------------------------------------------------

# Under 78 characters: RFC 5322's recommended line length, and what mail clients show whole.
SUBJECT_LIMIT = 77


def fit_subject(text: str, *, marking: str = "", limit: int = SUBJECT_LIMIT) -> str:
    """A subject on one line, under 78 characters, the protective marking first ("OFFICIAL:
    …", never cut): what does not fit is cut at a word and ended with "…" (the body says it
    in full)."""
    prefix = f"{markings.marking_line(marking)}: " if markings.marking_line(marking) else ""
    words = " ".join(text.split())
    room = limit - len(prefix)
    if len(words) > room:
        cut = words[: room - 1]
        if " " in cut and words[room - 1] != " ":
            cut = cut.rsplit(" ", 1)[0]
        words = cut.rstrip(" ,;:–-") + "…"
    return prefix + words


def marking_of(item: TrackedItem | None, memo: dict | None = None) -> str:
    """The protective marking of the item an email quotes ("" for none, or no item). With a
    `memo` shared by a batch, items that inherit alike (same own marking, same report's
    marking, same force) are looked up once."""
    if item is None:
        return ""
    if memo is None:
        return markings.item_marking(item)
    report_marking = item.finding.report.marking_id if item.finding_id else None
    key = (item.marking_id, report_marking, item.force_id)
    if key not in memo:
        memo[key] = markings.item_marking(item)
    return memo[key]


def highest_marking(items: QuerySet[TrackedItem]) -> str:
    """The highest protective marking among the items an email quotes (a digest), "" when
    none has one. Items that inherit alike (same own marking, same report's, same force) are
    looked up once through one of them: a query for each such group, and one for the ranks."""
    groups = (
        items.order_by()
        .values("marking_id", "finding__report__marking_id", "force_id")
        .annotate(one=Min("pk"))
    )
    labels = {markings.item_marking(TrackedItem(pk=group["one"])) for group in groups} - {""}
    if not labels:
        return ""
    ranks = dict(ProtectiveMarking.objects.filter(label__in=labels).values_list("label", "rank"))
    return max(sorted(labels), key=lambda label: ranks.get(label, -1))


def _response_of(deadline: Deadline) -> StatutoryResponse:
    """The response of a deadline that is not on an item: a check constraint puts every
    deadline on an item or on a response."""
    if deadline.response is None:
        raise ValueError(f"Deadline {deadline.pk} is on neither an item nor a response.")
    return deadline.response


def deadline_link(deadline: Deadline) -> str:
    if deadline.item is not None:
        return reverse("tracker:item_detail", args=[deadline.item.uuid])
    response = _response_of(deadline)  # a statutory response's own page (issue 14, bug 5)
    return reverse("tracker:response_detail", args=[response.report.key, deadline.force.code])


def deadline_about(deadline: Deadline) -> str:
    if deadline.item is not None:
        return deadline.item.finding.summary
    return _response_of(deadline).report.title


def _when(left: int, due_text: str) -> tuple[str, str]:
    """How a deadline stands, in full ("due in 7 days, on 22 April 2026") and short, for a
    subject ("due in 7 days")."""
    if left > 1:
        status = ngettext("due in %(n)d day", "due in %(n)d days", left) % {"n": left}
        return gettext("%(status)s, on %(day)s") % {"status": status, "day": due_text}, status
    if left == 1:
        return gettext("due tomorrow, %(day)s") % {"day": due_text}, gettext("due tomorrow")
    if left == 0:
        return gettext("due today, %(day)s") % {"day": due_text}, gettext("due today")
    status = ngettext("%(n)d day overdue", "%(n)d days overdue", -left) % {"n": -left}
    full = gettext("%(status)s (it was due on %(day)s)") % {"status": status, "day": due_text}
    return full, status


def reminder_message(
    reminder: Reminder, *, now: datetime.datetime, memo: dict | None = None
) -> dict:
    """The words of a reminder, worked out when it is sent (so a late reminder says how
    things stand now, not when it was due), in the recipient's language. `subject` is the
    email's (under 78 characters, the item's protective marking first), `title` the line in
    the app and in digests (with the date, and the text in full)."""
    with in_language(reminder.recipient):
        return _reminder_message(reminder, now=now, memo=memo)


def _reminder_message(reminder: Reminder, *, now: datetime.datetime, memo: dict | None) -> dict:
    deadline = reminder.deadline
    if deadline.due_on is None:  # the sweep cancels a paused deadline's reminders first
        raise ValueError(f"Deadline {deadline.pk} is paused: its reminders are not sent.")
    today = timezone.localdate(now)
    left = deadlines.days_left(deadline.due_on, today)
    due_text = deadlines.format_day(deadline.due_on)
    when, status = _when(left, due_text)
    about = deadline_about(deadline)
    rule = deadline.rule
    marking = marking_of(deadline.item, memo)
    title = f"{rule.name}: {status} ({due_text}) – {about}"
    context = {
        "reminder": reminder,
        "deadline": deadline,
        "rule": rule,
        "about": about,
        "when": when,
        "overdue": left < 0,
        "late": reminder.due_at < now - datetime.timedelta(seconds=settings.REMINDER_LATE_AFTER),
        "due_at": reminder.due_at,
        "link": site_url(deadline_link(deadline)),
        "force": deadline.force,
        "item": deadline.item,
        "why": _why(reminder),
    }
    subject = fit_subject(f"{rule.name}: {status} – {about}", marking=marking)
    context["title"] = subject
    return {
        "subject": subject,
        "title": " ".join(title.split())[:250],
        "text": render_to_string("email/reminder.txt", context),
        "html": render_to_string("email/reminder.html", context),
        "url": deadline_link(deadline),
        "late": context["late"],
    }


def _why(reminder: Reminder) -> str:
    """Why this person gets this reminder, in words, without more queries."""
    deadline, person = reminder.deadline, reminder.recipient
    item, rule = deadline.item, deadline.rule
    if item is not None and person.id == item.owner_id:
        return gettext("you own this item")
    missed = int(reminder.step.split("-")[1]) if reminder.step.startswith("missed-") else 0
    copies_lead = rule.oversight_from_missed and missed >= rule.oversight_from_missed
    if item is not None and person.id == item.lead_id and copies_lead:
        return gettext("you are its accountable lead")
    if person.organisation_id == deadline.force_id:
        return gettext("you coordinate inspection work for %(force)s") % {
            "force": deadline.force.name
        }
    return gettext("you work in the PCC office for %(force)s") % {"force": deadline.force.name}


# Message-IDs ---------------------------------------------------------------------------

# RFC 5322 dot-atom-text: atoms of atext joined by single dots.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
DOT_ATOM = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
# A domain name (with a dot and a letter: not "localhost", not an IP address).
_DOMAIN_NAME = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# The last resort, never reached with the settings' defaults: a reserved .example name.
FALLBACK_DOMAIN = "tracker.inspection-demo.example"


def message_id(kind: str, pk: int, *details: str, domain: str) -> str:
    """A Message-ID made only from a row's own values, so every attempt to send the row, by
    any worker, carries the same one and a receiving system can drop a repeat: for example
    `<reminder-42.missed-1.202604220700@tracker.example.org>`. `kind` and `pk` make it unique
    to the row; `details` (values of the row that never change) keep it apart from a row of
    another database that happens to have the same key. Always a valid RFC 5322 msg-id:
    characters that may not appear are replaced with hyphens."""
    parts = [f"{kind}-{pk}", *details]
    left = ".".join(atom for atom in (_NOT_ATEXT.sub("-", p) for p in parts) if atom)
    if not DOT_ATOM.fullmatch(domain):
        domain = FALLBACK_DOMAIN
    return f"<{left}@{domain}>"


def id_stamp(moment: datetime.datetime | datetime.date) -> str:
    """A moment as digits for a Message-ID: to the minute in UTC, or the day of a date."""
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(datetime.UTC).strftime("%Y%m%d%H%M")
    return moment.strftime("%Y%m%d")


def mail_domain() -> str:
    """The right-hand side of the tracker's Message-IDs: EMAIL_MESSAGE_ID_DOMAIN, else the
    domain of DEFAULT_FROM_EMAIL, else the host of SITE_URL, else a reserved .example name;
    never "localhost" or an IP address, which mail systems distrust. Settings, not the
    machine's name, so every worker agrees."""
    _, at, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")
    for domain in (
        getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", ""),
        sender if at else "",
        urlsplit(settings.SITE_URL).hostname or "",
    ):
        if domain and _DOMAIN_NAME.fullmatch(domain):
            return domain.lower()
    return FALLBACK_DOMAIN


def reminder_message_id(reminder: Reminder) -> str:
    return message_id(
        "reminder", reminder.pk, reminder.step, id_stamp(reminder.due_at), domain=mail_domain()
    )


def digest_message_id(digest: Digest) -> str:
    return message_id(
        "digest", digest.pk, digest.kind, id_stamp(digest.period_start), domain=mail_domain()
    )


def notice_message_id(notification_id: int, created_at: datetime.datetime) -> str:
    return message_id("notice", notification_id, id_stamp(created_at), domain=mail_domain())


def one_off_message_id(kind: str) -> str:
    """A Message-ID for an email no row stands behind (a password link): unique, at the
    tracker's domain rather than the machine's name (which Django would use)."""
    return message_id(kind, 0, uuid.uuid4().hex, domain=mail_domain())


# Headers of automated email ----------------------------------------------------------------


def automated_headers(to: User | None = None, kind: str | None = None) -> dict[str, str]:
    """The headers every email the tracker sends by itself carries: `Auto-Submitted:
    auto-generated` (RFC 3834: no out-of-office or other automatic reply should answer it;
    `X-Auto-Response-Suppress` asks the same of Microsoft Exchange), and, for a `kind` the
    person can switch off, a one-click `List-Unsubscribe` (RFC 8058) whose signed address
    switches that kind off for them when POSTed to."""
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    if to is not None and kind is not None:
        headers["List-Unsubscribe"] = f"<{site_url(unsubscribe.unsubscribe_path(to.pk, kind))}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


# RFC 2047: an encoded-word is at most 75 characters. 39 bytes of UTF-8 make 52 of base64,
# 64 with "=?utf-8?b?" and "?=", so the first fits on the line after "Subject: " unfolded.
_WORD_BYTES = 39


def encoded_words(text: str) -> str:
    """A header value as RFC 2047 encoded-words (UTF-8, base64), in time linear in its length.
    The email package's own encoder takes time quadratic in a line's length: about 2 ms for
    a reminder's subject with an en dash in it, most of the cost of building the message."""
    raw = text.encode()
    words, start = [], 0
    while start < len(raw):
        end = min(start + _WORD_BYTES, len(raw))
        while end < len(raw) and raw[end] & 0xC0 == 0x80:  # not inside a character
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(raw[start:end]).decode('ascii')}?=")
        start = end
    return " ".join(words)


class TrackerEmail(EmailMultiAlternatives):
    """An email built in less time than Django's own: a subject that is not plain ASCII is
    encoded by `encoded_words` (the same header once decoded; `subject` keeps the words as
    written), and the parts' boundary is random from the start (the email package would
    otherwise make one and compile a pattern to check the text against it, for each
    message)."""

    def message(self):  # noqa: ANN201 - Django's method
        subject = str(self.subject)
        if not subject.isascii():
            self.subject = encoded_words(subject)
        try:
            built = super().message()
        finally:
            self.subject = subject
        if built.is_multipart():
            built.set_boundary(f"=_tracker_{uuid.uuid4().hex}")
        return built


def build_email(
    to: User, subject: str, text: str, html: str, headers=None, *, kind: str | None = None
) -> EmailMultiAlternatives:
    """An automated email to one person (see `automated_headers`), plain text only when
    `html` is blank; `kind` is the kind of email it is (tracker.reminders.unsubscribe.KINDS)
    when the person can switch it off."""
    message = TrackerEmail(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [to.email],
        headers={**automated_headers(to, kind), **(headers or {})},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


class SMTPBackend(smtp.EmailBackend):
    """Django's SMTP backend, greeting the mail server (EHLO) with the tracker's mail domain
    (`mail_domain`) instead of the machine's name: in a container that is often "localhost",
    which the relay then writes into every message's Received header and which many mail
    systems refuse or mark down. Set EMAIL_BACKEND=tracker.reminders.mail.SMTPBackend."""

    @property
    def connection_class(self):  # noqa: ANN201 - a class, or a function that makes one
        make = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP  # as Django's own

        def connect(*args: Any, **kwargs: Any) -> smtplib.SMTP:
            return make(*args, **{**kwargs, "local_hostname": mail_domain()})

        return connect


PERMANENT_SMTP = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


class MailServerDown(Exception):
    """The mail server could not be reached: stop the sweep and retry it later."""


def is_permanent_failure(exc: Exception) -> bool:
    if isinstance(exc, PERMANENT_SMTP):
        return True
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def retry_backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 240))


def is_connection_error(exc: Exception) -> bool:
    """The server could not be reached or dropped the line (SMTP errors are OSErrors too, so
    those with a reply code from a working server are told apart)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


# Claims -----------------------------------------------------------------------------------

# Reminder and Digest rows carry the same claim fields (state, claimed_until, claim_token,
# attempts, next_attempt_at), so one set of steps serves both.
ClaimedModel = type[Reminder] | type[Digest]

BATCH = 100  # notices sent by one sweep (the rest wait for the next)
# Reminders claimed at a time by one UPDATE, worded and recorded together, and sent over one
# SMTP connection (a connection per batch keeps each SMTP session short, under the limits
# mail servers put on messages per connection).
REMINDER_BATCH = 250


def rows_due(model: ClaimedModel, *, now: datetime.datetime) -> QuerySet:
    """Rows due at `now` by range: waiting and due, or claimed by a run whose claim has
    lapsed. Claims are timed by the real clock, whatever time the run is told it is (--now)."""
    return model.objects.filter(
        Q(state=ReminderState.PENDING, next_attempt_at__lte=now)
        | Q(state=ReminderState.SENDING, claimed_until__lt=timezone.now())
    )


def rows_claim(
    model: ClaimedModel, ids: list[int], *, now: datetime.datetime, token: uuid.UUID
) -> int:
    """Take due rows for this run alone: a conditional UPDATE that only one run can win for
    each row (the healthchecks pattern), stamped with this run's token so it knows which rows
    it won. A claim lapses after REMINDER_CLAIM_SECONDS, so a worker killed mid-send does not
    strand a row. Returns how many rows this run won."""
    lease = timezone.now() + datetime.timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)
    return (
        rows_due(model, now=now)
        .filter(pk__in=ids)
        .update(
            state=ReminderState.SENDING,
            claimed_until=lease,
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    )


def row_finish(model: ClaimedModel, pk: int, *, token: uuid.UUID, **fields: object) -> int:
    """Record the outcome, only while this run still holds the claim."""
    return model.objects.filter(pk=pk, state=ReminderState.SENDING, claim_token=token).update(
        **fields
    )


def rows_finish_many(
    model: ClaimedModel, ids: list[int], *, token: uuid.UUID, **fields: object
) -> int:
    """Record one outcome for many rows in one UPDATE (rows no message is sent for: those
    cancelled, and those only shown in the app), only while this run still holds them."""
    if not ids:
        return 0
    return model.objects.filter(pk__in=ids, state=ReminderState.SENDING, claim_token=token).update(
        **fields
    )


def rows_release(model: ClaimedModel, ids: list[int], *, token: uuid.UUID) -> int:
    """Give rows back untried: waiting again, and the attempt the claim counted undone."""
    return model.objects.filter(pk__in=ids, state=ReminderState.SENDING, claim_token=token).update(
        state=ReminderState.PENDING, claimed_until=None, attempts=F("attempts") - 1
    )
