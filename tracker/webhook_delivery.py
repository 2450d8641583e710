"""Sending webhook deliveries: signed, retried with backoff, at least once (issue 15).

Each delivery (tracker/webhooks.py made it, with its body) is sent by the `deliver_webhook`
task, asked for through the outbox after the change committed; `send_webhooks` (beat, every
WEBHOOK_SWEEP_SECONDS) sends the ones due a retry and those whose sender was lost.

1. Claim: a conditional UPDATE (waiting and due, or sending with a claim that has run out)
   stamps the row with this sender's token and counts the attempt; a sender that loses the
   race does nothing. A worker killed mid-send leaves its claim to run out
   (`claim_seconds`: WEBHOOK_CLAIM_SECONDS, always longer than a send can take), and the
   next sweep sends the same body with the same delivery id.
2. Check the address again and resolve it now (tracker/webhook_addresses.py): the connection
   goes to the IP that was checked.
3. Sign: `X-Tracker-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
   endpoint's secret; `X-Tracker-Delivery` carries the delivery id (also in the JSON body).
4. A 2xx answer is delivered; anything else (a 3xx too: redirects are not followed, a
   timeout, an address refused) is a failed attempt: tried again after
   WEBHOOK_RETRY_BASE_SECONDS doubled each time, until WEBHOOK_MAX_ATTEMPTS. Outcomes are
   written only while this sender still holds the claim.
5. An endpoint whose attempts fail WEBHOOK_DISABLE_AFTER_FAILURES times in a row (any
   success resets the count) is disabled, audited, and the person who registered it is told.
"""

import datetime
import hashlib
import hmac
import http.client
import logging
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from tracker.audit import audit_record
from tracker.models import AuditEvent, DeliveryState, WebhookDelivery, WebhookEndpoint
from tracker.reminders.notices import notify
from tracker.webhook_addresses import AddressRefused, check_address, post, shown_address

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tracker-Signature"
DELIVERY_HEADER = "X-Tracker-Delivery"
EVENT_HEADER = "X-Tracker-Event"
USER_AGENT = "InspectionTracker-Webhooks/1"
BATCH = 200


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` with the endpoint's secret."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def retry_after(attempts: int) -> datetime.timedelta:
    """How long to wait after the n-th failed attempt: the base, doubled each time, at most
    a day."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, 86400))


CLAIM_MARGIN = 1  # seconds a claim outlasts the longest exchange with a receiver


def claim_seconds() -> int:
    """How long a sender's claim lasts: WEBHOOK_CLAIM_SECONDS, and never less than the
    longest a send can take (connect + read timeouts, one deadline for the whole exchange)
    plus a margin, so the sweep never sends again what a live sender is still sending.
    (Settings refuse a WEBHOOK_CLAIM_SECONDS not longer than the timeouts; this holds
    whatever the settings.)"""
    longest = settings.WEBHOOK_CONNECT_TIMEOUT + settings.WEBHOOK_READ_TIMEOUT
    return max(int(settings.WEBHOOK_CLAIM_SECONDS), int(longest) + CLAIM_MARGIN)


def _claimable(now: datetime.datetime) -> Q:
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) | Q(
        state=DeliveryState.SENDING, claimed_until__lt=now
    )


def _headers(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        DELIVERY_HEADER: str(delivery.uuid),
        EVENT_HEADER: delivery.event_type,
        SIGNATURE_HEADER: signature_header(delivery.endpoint.secret, timestamp, body),
    }


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One attempt: (the answer's status or None, the error or "")."""
    body = delivery.body.encode()
    try:
        target = check_address(
            delivery.endpoint.url, allow_loopback=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES
        )
        answer = post(
            target,
            body,
            _headers(delivery, body),
            connect_timeout=settings.WEBHOOK_CONNECT_TIMEOUT,
            read_timeout=settings.WEBHOOK_READ_TIMEOUT,
        )
    except AddressRefused as exc:
        return None, str(exc)
    except TimeoutError:
        return None, "The receiver did not answer in time."
    except (OSError, http.client.HTTPException) as exc:
        return None, f"The receiver could not be reached: {type(exc).__name__}: {exc}"
    if 200 <= answer.status < 300:
        return answer.status, ""
    if 300 <= answer.status < 400:
        return answer.status, f"The receiver answered {answer.status} (redirects are not followed)."
    text = answer.body.decode("utf-8", "replace").strip()
    return answer.status, f"The receiver answered {answer.status}. {text}"[:500].strip()


def delivery_attempt(delivery_id: int, *, now: datetime.datetime | None = None) -> str:
    """Claim one delivery and send it (steps 1 to 5 above). Returns what happened:
    "delivered", "retry", "failed" or "taken" (not due, or another sender holds it)."""
    now = now or timezone.now()
    token = uuid.uuid4()
    claim_until = timezone.now() + datetime.timedelta(seconds=claim_seconds())
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(_claimable(now))
        .update(
            state=DeliveryState.SENDING,
            claimed_until=claim_until,
            claim_token=token,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )
    if not claimed:
        return "taken"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    mine = WebhookDelivery.objects.filter(pk=delivery_id, claim_token=token)
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        mine.update(
            state=DeliveryState.FAILED, claimed_until=None, last_error="The endpoint is disabled."
        )
        return "failed"
    status, error = _send(delivery)
    if not error:
        mine.update(
            state=DeliveryState.DELIVERED,
            response_code=status,
            last_error="",
            delivered_at=timezone.now(),
            claimed_until=None,
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return "delivered"
    give_up = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    mine.update(
        state=DeliveryState.FAILED if give_up else DeliveryState.PENDING,
        response_code=status,
        last_error=error[:500],
        next_attempt_at=now + retry_after(delivery.attempts),
        claimed_until=None,
    )
    log.warning(
        "Webhook delivery %s to endpoint %s failed (attempt %s): %s",
        delivery.uuid,
        endpoint.pk,
        delivery.attempts,
        error,
    )
    _count_failure(endpoint, now=now, error=error)
    return "failed" if give_up else "retry"


def _count_failure(endpoint: WebhookEndpoint, *, now: datetime.datetime, error: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    reason = f"Disabled after {limit} failed deliveries in a row. The last: {error}"[:300]
    with transaction.atomic():
        # Only the sender that crosses the limit disables it (and tells anyone).
        disabled = WebhookEndpoint.objects.filter(
            pk=endpoint.pk, enabled=True, consecutive_failures__gte=limit
        ).update(enabled=False, disabled_at=now, disabled_reason=reason, updated_at=now)
        if not disabled:
            return
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            obj=endpoint,
            at=now,
            changes={"enabled": (True, False)},
            note=reason,
        )
        if endpoint.created_by is not None:
            notify(
                [endpoint.created_by],
                subject=f"Webhook “{endpoint.name}” was disabled after repeated failures",
                body=(
                    f"The tracker stopped sending events to {shown_address(endpoint.url)} "
                    f"after {limit} failed deliveries in a row.\n\nThe last error: {error}"
                    "\n\nCheck the receiver, then enable the endpoint again on its page."
                ),
                url=reverse("integrations:webhook_detail", args=[endpoint.uuid]),
                now=now,
            )


def deliveries_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every delivery that is due (a retry whose time has come, or one whose sender was
    lost and whose claim has run out), oldest first."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    due = WebhookDelivery.objects.filter(_claimable(now)).order_by("next_attempt_at", "id")
    for pk in list(due.values_list("pk", flat=True)[:BATCH]):
        outcome = delivery_attempt(pk, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
