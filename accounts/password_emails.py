"""The password emails: a link to set a password (a new person, or one whose administrator
sent a new link) and a password reset link. The tasks in accounts/tasks.py send them.

They are built like every email the tracker sends by itself
(`tracker.reminders.mail.build_email`): from DEFAULT_FROM_EMAIL, with a Message-ID at the
tracker's domain (Django would use the machine's name, often "localhost"), `Auto-Submitted:
auto-generated` so no out-of-office reply answers them, and in the person's language. They
carry no List-Unsubscribe: a person asked for them (or their administrator did), and they are
not a kind of email anyone can switch off.
"""

import unicodedata

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import ngettext

from accounts.models import User
from accounts.services import set_password_link
from tracker.reminders.mail import build_email, in_language, one_off_message_id


def link_lifetime() -> str:
    """How long a link works, in words: "1 hour", "3 days"."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    for size, words in (
        (86400, lambda n: ngettext("%(n)d day", "%(n)d days", n)),
        (3600, lambda n: ngettext("%(n)d hour", "%(n)d hours", n)),
        (60, lambda n: ngettext("%(n)d minute", "%(n)d minutes", n)),
    ):
        if seconds >= size:
            return words(seconds // size) % {"n": seconds // size}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


def _send(person: User, template: str, context: dict, kind: str) -> None:
    with in_language(person):
        subject = "".join(render_to_string(f"email/{template}_subject.txt", context).splitlines())
        body = render_to_string(f"email/{template}.txt", context)
        build_email(
            person, subject, body, "", headers={"Message-ID": one_off_message_id(kind)}
        ).send()


def set_password_email_send(*, person_id: int) -> bool:
    """Email an active person a link to set their password (the task's work). Returns
    whether it was sent."""
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        return False
    with in_language(person):
        context = {"user": person, "link": set_password_link(person), "lifetime": link_lifetime()}
    _send(person, "set_password", context, "set-password")
    return True


def _same_address(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == (
        unicodedata.normalize("NFKC", b).casefold()
    )


def password_reset_email_send(*, email: str) -> int:
    """Email a reset link to each active person with a password and this address (the same
    people Django's reset form emails, the same message and link). Returns how many."""
    people = [
        person
        for person in User.objects.filter(email__iexact=email, is_active=True)
        if person.has_usable_password() and _same_address(email, person.email)
    ]
    for person in people:
        context = {
            "user": person,
            "email": person.email,
            "uid": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        _send(person, "password_reset", context, "password-reset")
    return len(people)
