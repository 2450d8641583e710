"""Errors to Sentry, only when SENTRY_DSN is set (config/settings.py calls sentry_init).

Errors from web requests (the Django integration) and from Celery tasks (the Celery
integration) are sent; no personal data: send_default_pii off (no cookies, no user's email
or address) and no local variables in stack frames (they hold whatever the code held: email
addresses, the text of items, session keys). No performance tracing.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def sentry_init(dsn: str, *, environment: str, release: str | None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        traces_sample_rate=0.0,
    )
