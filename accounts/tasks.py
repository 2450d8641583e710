"""Celery tasks of accounts: thin. Each takes ids or an address and calls a service.

They are asked for through the tracker's outbox (tracker/outbox.py) by name
(accounts.services.SEND_*), and registered in every process by AccountsConfig.ready(). A
mail server that cannot be reached is tried again, with growing pauses, for about an hour.
The emails themselves are built in accounts/password_emails.py (automated email headers,
the person's language).
"""

from smtplib import SMTPException

from celery import shared_task

from accounts import password_emails

RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "max_retries": 6,
}


@shared_task(**RETRY)
def send_password_reset_email(email: str) -> int:
    """Email a reset link to whoever has this address (nobody, for an unknown one)."""
    return password_emails.password_reset_email_send(email=email)


@shared_task(**RETRY)
def send_set_password_email(person_id: int) -> bool:
    """Email a new person (or one whose administrator asked) a link to set a password."""
    return password_emails.set_password_email_send(person_id=person_id)
