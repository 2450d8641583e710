"""Registering an organisation's webhook endpoints, and reading them (issue 15).

Services: `endpoint_register` (the secret is made here and returned once), `endpoint_update`,
`endpoint_set_enabled`, `endpoint_delete`; each checks `policy.can_manage_webhooks`, checks
the address (tracker/webhook_addresses.py: https, every resolved IP public, in production)
and is audited. Reads: `endpoint_list` and `endpoint_get` (another organisation's endpoint
does not exist: 404), `endpoint_deliveries` (the delivery log).
"""

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from tracker import policy
from tracker.audit import audit_record
from tracker.models import (
    AuditEvent,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    WebhookTarget,
)
from tracker.webhook_addresses import AddressRefused, check_address, shown_address

LOG_LENGTH = 100  # deliveries shown on an endpoint's page


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def address_problem(url: str) -> str:
    """Why this address cannot be registered, or "" (the check made again at send time)."""
    try:
        check_address(url, allow_loopback=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES)
    except AddressRefused as exc:
        return str(exc)
    return ""


def _checked(
    by: User, *, name: str, target: str, url: str, events: Iterable[str]
) -> dict[str, Any]:
    if not policy.can_manage_webhooks(by):
        raise ValidationError("You cannot manage webhooks.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter a name for the endpoint."})
    if target not in WebhookTarget.values:
        raise ValidationError({"target": "Choose where the events go."})
    chosen = list(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in WebhookEventType.values]
    if unknown:
        raise ValidationError({"events": f"“{unknown[0][:60]}” is not an event you can choose."})
    if not chosen:
        raise ValidationError({"events": "Choose at least one event."})
    problem = address_problem(url)
    if problem:
        raise ValidationError({"url": problem})
    return {"name": name[:100], "target": target, "url": url.strip(), "events": chosen}


@transaction.atomic
def endpoint_register(
    *,
    by: User,
    name: str,
    target: str,
    url: str,
    events: Iterable[str],
    now: datetime.datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for the person's organisation. Returns it and its secret, which
    is shown to the person once."""
    fields = _checked(by, name=name, target=target, url=url, events=events)
    if by.organisation is None:  # can_manage_webhooks asks for one; for the type checker
        raise ValidationError("You cannot manage webhooks.")
    now = now or timezone.now()
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organisation=by.organisation,
        secret=secret,
        created_by=by,
        created_at=now,
        updated_at=now,
        **fields,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=endpoint,
        at=now,
        changes={k: (None, _audited(k, v)) for k, v in fields.items()},
        note=f"Webhook endpoint “{endpoint.name}” registered",
    )
    return endpoint, secret


def _audited(field: str, value: Any) -> Any:
    """What the audit log keeps of a field: an address without its query (a credential)."""
    return shown_address(value) if field == "url" and value else value


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    by: User,
    name: str,
    target: str,
    url: str | None,
    events: Iterable[str],
    now: datetime.datetime | None = None,
) -> WebhookEndpoint:
    """Change an endpoint. A blank `url` (None or "") keeps the stored address: the edit
    form never shows it again (its query may be a credential), so only a new one is typed."""
    _mine(endpoint, by)
    url = url.strip() if url and url.strip() else endpoint.url
    fields = _checked(by, name=name, target=target, url=url, events=events)
    now = now or timezone.now()
    changes = {
        k: (_audited(k, getattr(endpoint, k)), _audited(k, v))
        for k, v in fields.items()
        if getattr(endpoint, k) != v
    }
    if not changes:
        return endpoint
    for key, value in fields.items():
        setattr(endpoint, key, value)
    endpoint.updated_at = now
    endpoint.save()
    audit_record(actor=by, action=AuditEvent.Action.UPDATE, obj=endpoint, at=now, changes=changes)
    return endpoint


def _mine(endpoint: WebhookEndpoint, by: User) -> None:
    if not policy.can_manage_webhooks(by) or endpoint.organisation_id != by.organisation_id:
        raise ValidationError("You cannot manage this endpoint.")


@transaction.atomic
def endpoint_set_enabled(
    *, endpoint: WebhookEndpoint, by: User, enabled: bool, now: datetime.datetime | None = None
) -> WebhookEndpoint:
    """Disable an endpoint (nothing more is sent to it; waiting deliveries fail), or enable
    it again (its count of failures starts again)."""
    _mine(endpoint, by)
    now = now or timezone.now()
    if endpoint.enabled == enabled:
        return endpoint
    endpoint.enabled = enabled
    endpoint.disabled_at = None if enabled else now
    endpoint.disabled_reason = "" if enabled else f"Disabled by {by.full_name}."
    endpoint.consecutive_failures = 0
    endpoint.updated_at = now
    endpoint.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=endpoint,
        at=now,
        changes={"enabled": (not enabled, enabled)},
    )
    return endpoint


@transaction.atomic
def endpoint_delete(
    *, endpoint: WebhookEndpoint, by: User, now: datetime.datetime | None = None
) -> None:
    """Delete an endpoint and its delivery log (audited)."""
    _mine(endpoint, by)
    now = now or timezone.now()
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        obj=endpoint,
        at=now,
        changes={"name": (endpoint.name, None), "url": (shown_address(endpoint.url), None)},
        note=f"Webhook endpoint “{endpoint.name}” deleted",
    )
    endpoint.delete()


# Reads -------------------------------------------------------------------------------------


def endpoint_list(*, user: User) -> QuerySet[WebhookEndpoint]:
    """The endpoints of the person's organisation."""
    if not policy.can_manage_webhooks(user) or user.organisation_id is None:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(organisation_id=user.organisation_id)


def endpoint_get(*, user: User, uuid: Any) -> WebhookEndpoint:
    """One of the person's organisation's endpoints; any other is 404."""
    endpoint = endpoint_list(user=user).select_related("created_by").filter(uuid=uuid).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def endpoint_deliveries(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first (the delivery log)."""
    return endpoint.deliveries.order_by("-created_at", "-id")[:LOG_LENGTH]
