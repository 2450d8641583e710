"""Webhook events: recorded in the transaction of the change they report (issue 15).

The services that know an event call one function here: `handoff_recorded` (from
tracker.handoffs.record: closure proposed, approved, returned; due date revised),
`status_changed_recorded` (an item's status), `reminders_recorded` (the reminder sweep,
as a deadline's reminder goes out: approaching, missed) and `response_published_recorded`
(tracker.statutory.services.response_publish).

1. Scope: an event belongs to one organisation: an item's to its force; a statutory
   response's publication to the local policing body that publishes it; a deadline's to
   whoever must meet it (the force, or the PCC office for publishing a response). Only that
   organisation's endpoints hear it.
2. Each endpoint that chose the kind of event gets a `WebhookDelivery` row whose body (the
   exact bytes to send, with the delivery's own id in it) is fixed now, and a task asked
   for through the outbox (sent after commit). A change that is rolled back sends nothing.
3. The same event recorded twice (a sweep settling a batch again after a crash) is one
   delivery: `event_key` is unique per endpoint.
"""

import datetime
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tracker import background, outbox
from tracker.markings import item_marking, response_marking
from tracker.models import (
    Deadline,
    Reminder,
    ResponseVersion,
    StatusChange,
    StatutoryResponse,
    TrackedItem,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    WebhookTarget,
    WhoActs,
)

# The hand-offs that are webhook events (tracker.handoffs.Event values).
HANDOFF_EVENTS = {
    "closure_proposed": WebhookEventType.CLOSURE_PROPOSED,
    "closure_approved": WebhookEventType.CLOSURE_APPROVED,
    "closure_returned": WebhookEventType.CLOSURE_RETURNED,
    "due_date_revised": WebhookEventType.DUE_DATE_REVISED,
}

HEADLINES = {
    WebhookEventType.ITEM_STATUS_CHANGED: "Status changed",
    WebhookEventType.CLOSURE_PROPOSED: "Closure proposed",
    WebhookEventType.CLOSURE_APPROVED: "Closure approved",
    WebhookEventType.CLOSURE_RETURNED: "Closure returned",
    WebhookEventType.DUE_DATE_REVISED: "Due date revised",
    WebhookEventType.DEADLINE_APPROACHING: "Deadline approaching",
    WebhookEventType.DEADLINE_MISSED: "Deadline missed",
    WebhookEventType.RESPONSE_PUBLISHED: "Statutory response published",
}


def site_url(path: str) -> str:
    """The full address of a page (as the emails link; not imported from tracker.reminders,
    which calls this module)."""
    return settings.SITE_URL.rstrip("/") + path


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _person(user: Any) -> dict[str, str] | None:
    return {"name": user.full_name} if user is not None else None


def _item_facts(item: TrackedItem) -> dict[str, Any]:
    return {
        "id": str(item.uuid),
        "title": item.finding.summary,
        "kind": item.finding.get_kind_display(),
        "status": item.status,
        "status_label": item.get_status_display(),
        "due_date": _day(item.due_date),
        "force": {"code": item.force.code, "name": item.force.name},
        "owner": _person(item.owner),
        "url": site_url(reverse("tracker:item_detail", args=[item.uuid])),
    }


def _report_facts(report: Any) -> dict[str, str]:
    return {"key": report.key, "title": report.title}


def _response_url(response: StatutoryResponse) -> str:
    return site_url(
        reverse("tracker:response_detail", args=[response.report.key, response.force.code])
    )


def _response_facts(response: StatutoryResponse) -> dict[str, Any]:
    return {
        "id": str(response.uuid),
        "report": _report_facts(response.report),
        "force": {"code": response.force.code, "name": response.force.name},
        "body": {"code": response.body.code, "name": response.body.name},
        "published_on": _day(response.published_on),
        "url": _response_url(response),
    }


def _teams_card(facts: dict[str, Any]) -> dict[str, Any]:
    """A Teams Workflows message: one Adaptive Card. The item's text goes in TextRuns, which
    Teams shows as plain text (a TextBlock would read markdown in it, so a title could make
    a link)."""

    def run(text: str, **style: Any) -> dict[str, Any]:
        return {"type": "TextRun", "text": text, **style}

    lines = [
        {
            "type": "RichTextBlock",
            "inlines": [run(facts["headline"], weight="Bolder", size="Medium")],
        }
    ]
    if facts.get("marking"):
        lines.insert(
            0, {"type": "RichTextBlock", "inlines": [run(facts["marking"], weight="Bolder")]}
        )
    lines.append({"type": "RichTextBlock", "inlines": [run(facts["summary"])]})
    lines += [
        {"type": "RichTextBlock", "inlines": [run(f"{name}: ", weight="Bolder"), run(value)]}
        for name, value in facts["lines"]
        if value
    ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": lines,
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": facts["link_title"],
                            "url": facts["url"],
                        }
                    ],
                },
            }
        ],
    }


def _body(endpoint: WebhookEndpoint, delivery_id: uuid.UUID, event: dict[str, Any]) -> str:
    if endpoint.target == WebhookTarget.TEAMS:
        return json.dumps(_teams_card(event["teams"]), ensure_ascii=False)
    payload = {"id": str(delivery_id), **{k: v for k, v in event.items() if k != "teams"}}
    return json.dumps(payload, ensure_ascii=False, sort_keys=False)


def _listeners(event_type: WebhookEventType, organisation_ids: set[int]) -> list[WebhookEndpoint]:
    """Who hears this event: checked first (one query), so an event nobody listens to costs
    nothing more."""
    return WebhookEndpoint.objects.hearing(event_type.value, organisation_ids)


def _record(
    *,
    endpoints: list[WebhookEndpoint],
    event_type: WebhookEventType,
    key: str,
    now: datetime.datetime,
    event: dict[str, Any],
    title: str,
) -> list[WebhookDelivery]:
    made = []
    for endpoint in endpoints:
        if endpoint.deliveries.filter(event_key=key).exists():
            continue
        delivery_id = uuid.uuid4()
        full = {"type": event_type.value, "created_at": _iso(now), **event}
        try:
            with transaction.atomic():  # a savepoint: a second sweep's row wins quietly
                delivery = WebhookDelivery.objects.create(
                    uuid=delivery_id,
                    endpoint=endpoint,
                    event_type=event_type.value,
                    event_key=key[:200],
                    body=_body(endpoint, delivery_id, full),
                    title=title[:300],
                    created_at=now,
                    next_attempt_at=now,
                )
        except IntegrityError:
            continue
        outbox.send_on_commit(background.DELIVER_WEBHOOK, delivery.pk)
        made.append(delivery)
    return made


def _item_event(
    event_type: WebhookEventType,
    item: TrackedItem,
    *,
    by: Any,
    now: datetime.datetime,
    change: dict[str, Any],
    lines: list[tuple[str, str]],
) -> list[WebhookDelivery]:
    endpoints = _listeners(event_type, {item.force_id})
    if not endpoints:
        return []
    facts = _item_facts(item)
    marking = item_marking(item)
    headline = HEADLINES[event_type]
    event = {
        "summary": f"{headline}: {facts['title']}",
        "marking": marking or None,
        "actor": _person(by),
        "organisation": facts["force"],
        "item": facts,
        "report": _report_facts(item.finding.report),
        "change": change,
        "url": facts["url"],
        "teams": {
            "headline": f"{headline} – {item.force.short_name}",
            "marking": marking,
            "summary": facts["title"],
            "lines": [
                ("Report", item.finding.report.title),
                ("Status", facts["status_label"]),
                ("By", by.full_name if by is not None else ""),
                *lines,
            ],
            "url": facts["url"],
            "link_title": "Open the item",
        },
    }
    return _record(
        endpoints=endpoints,
        event_type=event_type,
        key=f"{event_type.value}:{item.uuid}:{_iso(now)}",
        now=now,
        event=event,
        title=facts["title"],
    )


# What the services call ------------------------------------------------------------------


def handoff_recorded(handoff: Any) -> list[WebhookDelivery]:
    """A hand-off (tracker.handoffs.Handoff) that is also a webhook event: closure proposed,
    approved or returned, a due date set or moved. Others are no webhook event."""
    event_type = HANDOFF_EVENTS.get(str(handoff.event))
    item = handoff.item
    if event_type is None or item is None:
        return []
    change: dict[str, Any] = {}
    lines: list[tuple[str, str]] = []
    if event_type == WebhookEventType.DUE_DATE_REVISED:
        change = {
            "previous_due_date": _day(handoff.previous_date),
            "due_date": _day(item.due_date),
            "reason": handoff.text,
        }
        lines = [
            ("Due", _day(item.due_date) or "none"),
            ("Before", _day(handoff.previous_date) or "none"),
            ("Reason", handoff.text),
        ]
    elif event_type == WebhookEventType.CLOSURE_PROPOSED:
        change = {"summary": handoff.text}
        lines = [("What was done", handoff.text)]
    else:
        change = {"reason": handoff.text, "proposer": _person(handoff.proposer)}
        lines = [
            ("Note" if event_type == WebhookEventType.CLOSURE_APPROVED else "Reason", handoff.text)
        ]
    return _item_event(
        event_type, item, by=handoff.actor, now=handoff.at, change=change, lines=lines
    )


def status_changed_recorded(
    *, item: TrackedItem, change: StatusChange, by: Any, now: datetime.datetime
) -> list[WebhookDelivery]:
    """An item's status changed (tracker.services.item_set_status, item already changed)."""
    return _item_event(
        WebhookEventType.ITEM_STATUS_CHANGED,
        item,
        by=by,
        now=now,
        change={
            "from_status": change.from_status,
            "to_status": change.to_status,
            "reason": change.reason,
        },
        lines=[("Reason", change.reason)],
    )


def _deadline_organisation(deadline: Deadline) -> int:
    response = deadline.response
    if response is not None and deadline.rule.who_must_act == WhoActs.PCC_OFFICE:
        return response.body_id
    return deadline.force_id


def _deadline_event(deadline: Deadline, step: str, now: datetime.datetime) -> list[WebhookDelivery]:
    missed = step.startswith("missed-")
    event_type = (
        WebhookEventType.DEADLINE_MISSED if missed else WebhookEventType.DEADLINE_APPROACHING
    )
    endpoints = _listeners(event_type, {_deadline_organisation(deadline)})
    if not endpoints:
        return []
    facts: dict[str, Any] = {
        "id": str(deadline.uuid),
        "rule": deadline.rule.name,
        "due_on": _day(deadline.due_on),
        "days_left": deadline.days_left(timezone.localdate(now)),
        "step": step,
    }
    item, response = deadline.item, deadline.response
    if item is not None:
        subject = {"item": _item_facts(item), "report": _report_facts(item.finding.report)}
        url, title, marking = subject["item"]["url"], item.finding.summary, item_marking(item)
        link_title = "Open the item"
    elif response is not None:
        subject = {"response": _response_facts(response), "report": _report_facts(response.report)}
        url, title, marking = (
            _response_url(response),
            response.report.title,
            response_marking(response),
        )
        link_title = "Open the response"
    else:
        return []
    headline = HEADLINES[event_type]
    event = {
        "summary": f"{headline} ({deadline.rule.name}, {_day(deadline.due_on)}): {title}",
        "marking": marking or None,
        "actor": None,
        "organisation": {"code": deadline.force.code, "name": deadline.force.name},
        "deadline": facts,
        **subject,
        "url": url,
        "teams": {
            "headline": f"{headline} – {deadline.force.short_name}",
            "marking": marking,
            "summary": title,
            "lines": [("Deadline", deadline.rule.name), ("Due", _day(deadline.due_on) or "")],
            "url": url,
            "link_title": link_title,
        },
    }
    return _record(
        endpoints=endpoints,
        event_type=event_type,
        key=f"{event_type.value}:{deadline.uuid}:v{deadline.version}:{step}",
        now=now,
        event=event,
        title=title,
    )


def reminders_recorded(reminders: Iterable[Reminder], *, now: datetime.datetime) -> int:
    """The reminder sweep is sending these reminders (in its settling transaction): each
    deadline step is one event (approaching before the deadline, missed after), however many
    people are reminded of it."""
    reminders = list(reminders)
    if not reminders or not WebhookEndpoint.objects.enabled().exists():
        return 0  # the usual case: no query per deadline when nobody listens
    seen: set[tuple[int, str]] = set()
    made = 0
    for reminder in reminders:
        key = (reminder.deadline_id, reminder.step)
        if key in seen:
            continue
        seen.add(key)
        made += len(_deadline_event(reminder.deadline, reminder.step, now))
    return made


def response_published_recorded(
    *, response: StatutoryResponse, version: ResponseVersion, by: Any, now: datetime.datetime
) -> list[WebhookDelivery]:
    """A statutory response (or a new version of it) is published: its local policing
    body's endpoints hear of it."""
    endpoints = _listeners(WebhookEventType.RESPONSE_PUBLISHED, {response.body_id})
    if not endpoints:
        return []
    facts = _response_facts(response)
    marking = version.marking_label
    headline = HEADLINES[WebhookEventType.RESPONSE_PUBLISHED]
    event = {
        "summary": f"{headline}: {response.report.title} (version {version.number})",
        "marking": marking or None,
        "actor": _person(by),
        "organisation": facts["body"],
        "response": {**facts, "version": version.number, "published_url": version.url or None},
        "report": facts["report"],
        "url": facts["url"],
        "teams": {
            "headline": f"{headline} – {response.body.short_name}",
            "marking": marking,
            "summary": response.report.title,
            "lines": [
                ("Force", response.force.name),
                ("Version", str(version.number)),
                ("Published", _day(version.published_on) or ""),
            ],
            "url": facts["url"],
            "link_title": "Open the response",
        },
    }
    return _record(
        endpoints=endpoints,
        event_type=WebhookEventType.RESPONSE_PUBLISHED,
        key=f"response.published:{response.uuid}:v{version.number}",
        now=now,
        event=event,
        title=response.report.title,
    )
