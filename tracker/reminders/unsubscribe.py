"""Unsubscribing from the tracker's emails in one click (RFC 8058): the kinds of email a link
can switch off, the signed token naming the person and the kind, and which digests a person
has switched off.

Every automated email carries `List-Unsubscribe: <https://…/account/unsubscribe/TOKEN/>`
and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (built by
`tracker.reminders.mail.automated_headers`). A mail system POSTs to that address (no
sign-in, no CSRF token: the signature is the proof) and the person's choice changes at once;
a GET only shows a page with a button that does the same, because mail scanners follow
links. The change itself (audited like any other change of email settings) is
`accounts.email_preferences.person_unsubscribe`.

What each kind switches off uses the choices of the Email settings page:

- `each`: an email for each reminder or notice. Reminders cannot be stopped altogether (a
  missed statutory deadline matters), so the link moves the person to the fewest emails
  the settings offer, the weekly digest; everything stays in the app.
- `daily`: the daily digest, likewise moved to the weekly digest.
- `weekly`: the weekly digest itself; reminders and notices are then in the app only.
- `overdue`: the managers' weekly overdue digest.

The last two have no choice on the page of their own yet: they are kept in the person's
list of email kinds switched off (`User.email_events_off`, beside the kinds of hand-off), as
`WEEKLY_DIGEST_OFF` and `OVERDUE_DIGEST_OFF`.
"""

from django.core import signing
from django.urls import reverse

from accounts.models import ReminderDelivery, User

EACH = "each"
DAILY = "daily"
WEEKLY = "weekly"
OVERDUE = "overdue"
KINDS = (EACH, DAILY, WEEKLY, OVERDUE)

# Kept in User.email_events_off (a list of kinds of email not sent) beside the hand-off kinds.
WEEKLY_DIGEST_OFF = "weekly_digest"
OVERDUE_DIGEST_OFF = "overdue_digest"
DIGESTS_OFF = (WEEKLY_DIGEST_OFF, OVERDUE_DIGEST_OFF)

SALT = "tracker.reminders.unsubscribe"


def reminders_kind(user: User) -> str:
    """The kind of email a reminder, a notice or a reminders digest is for this person now:
    what their choice of delivery sends."""
    kinds: dict[str, str] = {ReminderDelivery.DAILY: DAILY, ReminderDelivery.WEEKLY: WEEKLY}
    return kinds.get(user.reminder_delivery, EACH)


def unsubscribe_token(person_id: int, kind: str) -> str:
    """A token naming the person and the kind of email, signed with SECRET_KEY (so a link
    cannot be made for someone else or another kind). It does not expire: an old email's
    link still works, as RFC 8058 expects; rotating SECRET_KEY (with the old key in
    SECRET_KEY_FALLBACKS for a while) retires every link."""
    if kind not in KINDS:
        raise ValueError(f"Not a kind of email a link can switch off: {kind!r}")
    return signing.Signer(salt=SALT).sign(f"{person_id}.{kind}")


def read_token(token: str) -> tuple[int, str] | None:
    """The person's id and the kind a token names, or None for a token that is not one of
    ours, was changed or names no kind."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    person, _, kind = value.partition(".")
    if not person.isdigit() or kind not in KINDS:
        return None
    return int(person), kind


def unsubscribe_path(person_id: int, kind: str) -> str:
    return reverse("accounts:unsubscribe", args=[unsubscribe_token(person_id, kind)])


def weekly_digest_off(user: User) -> bool:
    return WEEKLY_DIGEST_OFF in (user.email_events_off or [])


def overdue_digest_off(user: User) -> bool:
    return OVERDUE_DIGEST_OFF in (user.email_events_off or [])


def digest_wanted(user: User) -> bool:
    """Whether the person's reminders and notices that are not emailed one by one wait for a
    digest (not when they switched their weekly digest off: then they are in the app only)."""
    return not (user.reminder_delivery == ReminderDelivery.WEEKLY and weekly_digest_off(user))
