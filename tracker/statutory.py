"""The PCC office's statutory responses (s55 Police Act 1996), from request to publication.

A response moves through stages worked out from what is recorded (never stored, so it cannot
disagree with the record): not started; the chief constable's comments requested, then
received; the PCC's comments drafted; approved; published; copies sent to the inspectorate
and the Home Secretary.

The per-recommendation responses live on the force's tracked item for that recommendation
(`force_response`, `pcc_response`), so the item page and the response document show the same
words. Publishing takes a snapshot of the document's content (`ResponseVersion`): later edits
make a new version and never change what was published.

Every write is a service here: keyword arguments, validation with messages for the person
using the form, one transaction, an audit event. Nothing is saved when one is refused.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role, User
from tracker import deadlines, policy, reminders
from tracker.audit import audit_record
from tracker.models import (
    AuditEvent,
    Deadline,
    DeadlineState,
    Finding,
    FindingKind,
    Notification,
    Report,
    ResponseVersion,
    StatutoryResponse,
    TrackedItem,
)

MAX_TEXT = 50_000
ANSWERED_KINDS = [FindingKind.CAUSE_OF_CONCERN, FindingKind.RECOMMENDATION]

STATUTORY_BASIS = (
    "Section 55 of the Police Act 1996 requires the local policing body to publish its "
    "comments on an inspection report about its force, with any comments of the chief officer "
    "and its response to them. For reports published on or after 2 May 2017 they must be "
    "published within 56 days beginning with the day the report is published (s55(5A), "
    "inserted by the Policing and Crime Act 2017). For each recommendation, the comments must "
    "explain what action has been or will be taken, or why no action will be taken (s55(5B)). "
    "A copy is sent to the inspectors of constabulary and the Home Secretary (s55(6))."
)
COPYRIGHT = (
    "Report texts quoted here are Crown copyright, published under the Open Government "
    "Licence v3.0."
)


# Stages ----------------------------------------------------------------------------------

STAGES = [
    ("not_started", "Not started"),
    ("comments_requested", "Chief constable's comments requested"),
    ("comments_received", "Chief constable's comments received"),
    ("drafted", "PCC comments drafted"),
    ("approved", "Approved"),
    ("published", "Published"),
    ("copies_sent", "Copies sent"),
]
STAGE_LABELS = dict(STAGES)


def stage_of(response: StatutoryResponse | None, *, drafted: bool, published: bool) -> str:
    """The furthest stage the record shows. `drafted`: any PCC text is written;
    `published`: a version has been published."""
    if response is None:
        return "not_started"
    if published:
        if response.sent_to_inspectorate_on and response.sent_to_home_secretary_on:
            return "copies_sent"
        return "published"
    if response.approved_at:
        return "approved"
    if drafted:
        return "drafted"
    if response.chief_officer_comments_received_on:
        return "comments_received"
    if response.chief_officer_comments_requested_on:
        return "comments_requested"
    return "not_started"


# The introduction: a small template with named fields ------------------------------------

DEFAULT_INTRODUCTION = (
    "On {{ report_published }} {{ inspectorate }} published its report "
    "“{{ report_title }}”. This is the response of the {{ body }}.\n\n"
    "The report makes {{ recommendations }}. The response of {{ force }} and of the "
    "{{ body }} to each is set out below."
)
FIELD_PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
FIELD_HELP = {
    "report_title": "the report's title",
    "report_published": "the day the report was published",
    "inspectorate": "HMIC or HMICFRS, as it was when it published",
    "force": "the force's name",
    "body": "the local policing body's name",
    "deadline": "the deadline for this response",
    "recommendations": "how many recommendations, in words (“2 recommendations”)",
}


def introduction_render(template: str, values: dict[str, str]) -> str:
    """Fill in {{ field }}s. An unknown field or a stray brace is refused with a message
    that names it and lists the fields there are."""
    known = ", ".join("{{ " + name + " }}" for name in FIELD_HELP)
    for tag in ("{%", "%}", "{#", "#}"):
        if tag in template:
            raise ValidationError(
                f"The introduction cannot use “{tag}”: only fields like {{{{ report_title }}}}. "
                f"Fields you can use: {known}."
            )
    for name in FIELD_PATTERN.findall(template):
        if name not in FIELD_HELP:
            raise ValidationError(
                f"The introduction uses {{{{ {name} }}}}, which is not a field. "
                f"Fields you can use: {known}."
            )
    filled = FIELD_PATTERN.sub(lambda m: str(values[m.group(1)]), template)
    rest = FIELD_PATTERN.sub("", template)
    if "{{" in rest or "}}" in rest:
        raise ValidationError(
            "The introduction has a {{ without a matching }} (or the other way round). "
            f"Write fields like this: {known}."
        )
    return filled


# What the document says --------------------------------------------------------------------


@dataclass
class Entry:
    finding: Finding
    item: TrackedItem | None

    @property
    def is_recommendation(self) -> bool:
        return self.finding.kind == FindingKind.RECOMMENDATION


def answered_findings(report: Report, force) -> list[Finding]:
    """Causes of concern and recommendations the force must answer, in published order."""
    return list(
        report.findings.filter(kind__in=ANSWERED_KINDS)
        .filter(Q(force__isnull=True) | Q(force=force))
        .order_by("order", "id")
    )


def response_entries(response: StatutoryResponse) -> list[Entry]:
    findings = answered_findings(response.report, response.force)
    items = {
        i.finding_id: i
        for i in TrackedItem.objects.filter(
            finding__in=findings, force_id=response.force_id
        ).select_related("owner")
    }
    return [Entry(f, items.get(f.id)) for f in findings]


def _judgements(response: StatutoryResponse):
    return list(
        response.report.judgements.filter(Q(force__isnull=True) | Q(force_id=response.force_id))
    )


def _long_date(day: datetime.date | None) -> str:
    return deadlines.format_day(day) if day else ""


def statutory_deadline(response: StatutoryResponse) -> Deadline | None:
    """The deadline the law (or the office's local target) sets for the PCC's comments."""
    if response.pk is None:
        return None
    rows = [d for d in response.deadlines.all() if d.state != DeadlineState.WITHDRAWN]
    for d in rows:
        if d.rule.who_must_act == "pcc_office" and d.rule.statutory:
            return d
    for d in rows:
        if d.rule.who_must_act == "pcc_office":
            return d
    return None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def intro_values(response: StatutoryResponse, entries: list[Entry]) -> dict[str, str]:
    report = response.report
    deadline = statutory_deadline(response)
    count = sum(1 for e in entries if e.is_recommendation)
    return {
        "report_title": report.title,
        "report_published": report.published_display,
        "inspectorate": report.inspectorate_label,
        "force": response.force.name,
        "body": response.body.name,
        "deadline": _long_date(deadline.due_on) if deadline else "no statutory deadline",
        "recommendations": "no recommendations" if not count else _plural(count, "recommendation"),
    }


def response_content(response: StatutoryResponse, entries: list[Entry] | None = None) -> dict:
    """Everything the response document shows, as plain JSON-ready data. The same content
    feeds the HTML page, the .docx and the PDF, and is what a published version keeps."""
    report = response.report
    entries = response_entries(response) if entries is None else entries
    judgements = _judgements(response)
    grade_by_area = {j.area: j.grade for j in judgements}
    deadline = statutory_deadline(response)
    areas: list[dict] = []
    for entry in entries:
        finding, item = entry.finding, entry.item
        if not areas or areas[-1]["area"] != finding.area:
            areas.append(
                {"area": finding.area, "grade": grade_by_area.get(finding.area, ""), "entries": []}
            )
        areas[-1]["entries"].append(
            {
                "kind": finding.kind,
                "kind_label": finding.get_kind_display(),
                "reference": finding.reference,
                "text": finding.text,
                "force_response": item.force_response if item else "",
                "pcc_response": item.pcc_response if item else "",
            }
        )
    template = response.introduction or DEFAULT_INTRODUCTION
    try:
        introduction = introduction_render(template, intro_values(response, entries))
    except ValidationError:
        introduction = introduction_render(DEFAULT_INTRODUCTION, intro_values(response, entries))
    body = response.body
    return {
        "schema": 1,
        "body": body.name,
        "body_short": body.short_name,
        "body_role": f"Comments of the {body.name}",
        "force": response.force.name,
        "report": {
            "title": report.title,
            "inspectorate_label": report.inspectorate_label,
            "published": report.published_display,
            "published_on": report.published_on.isoformat(),
            "report_type": report.get_report_type_display(),
            "url": report.url,
        },
        "deadline": _long_date(deadline.due_on) if deadline else "",
        # A draft is the next version; once published, with_publication() fills these in.
        "version": _next_version(response),
        "published_on": None,
        "published": "",
        "first_published": _long_date(response.published_on),
        "url": "",
        "introduction": introduction,
        "judgements": [
            {"area": j.area, "grade": j.grade, "direction": j.direction or "", "note": j.note}
            for j in judgements
        ],
        "pcc_comments": response.pcc_comments,
        "chief_officer_comments": response.chief_officer_comments,
        "recommendation_count": sum(1 for e in entries if e.is_recommendation),
        "areas": areas,
        "statutory_basis": STATUTORY_BASIS,
        "copyright": COPYRIGHT,
    }


def _next_version(response: StatutoryResponse) -> int:
    if response.pk is None:
        return 1
    latest = response.versions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


PUBLICATION_KEYS = ("version", "published_on", "published", "first_published", "url")


def fingerprint(content: dict) -> str:
    """A hash of what the document says (not when it was published), to tell whether what
    is about to be published is what was approved, and whether a draft differs from the
    published version."""
    words = {k: v for k, v in content.items() if k not in PUBLICATION_KEYS}
    return hashlib.sha256(json.dumps(words, sort_keys=True).encode()).hexdigest()


def with_publication(content: dict, version: ResponseVersion, first_on: datetime.date) -> dict:
    return {
        **content,
        "version": version.number,
        "published_on": version.published_on.isoformat(),
        "published": _long_date(version.published_on),
        "first_published": _long_date(first_on),
        "url": version.url,
    }


# Completeness ------------------------------------------------------------------------------


def response_problems(response: StatutoryResponse, entries: list[Entry] | None = None) -> list:
    """What stops the response being marked ready, each as (what, where to fix it).
    s55(5B): every recommendation needs an explanation of the action taken or proposed, or
    of why none will be taken."""
    entries = response_entries(response) if entries is None else entries
    problems = []
    if not response.pcc_comments.strip():
        problems.append(("Write the PCC's overall comments on the report.", "id_pcc_comments"))
    number = 0
    for entry in entries:
        if not entry.is_recommendation:
            continue
        number += 1
        if entry.item is None or not entry.item.pcc_response.strip():
            problems.append(
                (
                    f"Explain the action taken or proposed on recommendation {number} "
                    f"(“{entry.finding.summary[:80]}”), or why no action will be taken.",
                    f"id_pcc_response_{entry.finding.pk}",
                )
            )
    try:
        introduction_render(
            response.introduction or DEFAULT_INTRODUCTION, intro_values(response, entries)
        )
    except ValidationError as exc:
        problems.append((exc.messages[0], "id_introduction"))
    return problems


# Services ----------------------------------------------------------------------------------


def _audit(by, response, now, changes, note=""):

    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=response,
        at=now,
        changes=changes,
        note=note,
    )


def response_for(*, report: Report, force: Organisation, now=None) -> StatutoryResponse:
    """The force's response row for the report, started if there is none yet (two people
    starting it at once get the same row)."""
    response = report.statutory_responses.filter(force=force).first()
    if response is not None:
        return response
    body = reminders.policing_body_on(force, report.published_on)
    if body is None:
        raise ValidationError(f"No local policing body is recorded for {force}.")
    try:
        with transaction.atomic():
            response = StatutoryResponse.objects.create(report=report, body=body, force=force)
    except IntegrityError:
        return report.statutory_responses.get(force=force)
    reminders.deadlines_sync_response(response=response, now=now or timezone.now())
    return response


def response_unsaved(*, report: Report, force: Organisation) -> StatutoryResponse | None:
    """What a response not started yet would be, to show its form without starting it (a page
    visit changes nothing). None when the force has no local policing body on record."""
    body = reminders.policing_body_on(force, report.published_on)
    if body is None:
        return None
    return StatutoryResponse(report=report, body=body, force=force)


def _locked(response: StatutoryResponse) -> StatutoryResponse:
    return (
        StatutoryResponse.objects.select_for_update(of=("self",))
        .select_related("report", "body", "force")
        .get(pk=response.pk)
    )


def _require_pcc_office(by, response, today, what: str, *, now=None) -> None:
    """Only the office of the force's local policing body today may act. When the body has
    changed since the report (a police authority replaced by a PCC, a PCC by a mayor), the
    office in post takes the response over before it is first published, so the document and
    the public page carry its name; after publication, only the body that published it may
    publish new versions (its earlier versions stay on its public page)."""
    if not policy.is_pcc_office_for(by, response.force_id, today):
        raise ValidationError(f"Only the PCC office for {response.force} can {what}.")
    if by.organisation_id == response.body_id:
        return
    if response.versions.exists():
        raise ValidationError(
            f"This response was published by {response.body}; only its office can publish a "
            "new version."
        )
    before = response.body
    response.body = by.organisation
    response.save(update_fields=["body"])
    _audit(
        by,
        response,
        now or timezone.now(),
        {"body": (before, by.organisation)},
        note="Taken over by the local policing body in post",
    )


def _text(value: str, what: str, *, required=False) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise ValidationError(f"Enter {what}.")
    if len(value) > MAX_TEXT:
        raise ValidationError(f"The {what} must be {MAX_TEXT:,} characters or fewer.")
    return value


def _published_version(response) -> ResponseVersion | None:
    return response.versions.order_by("-number").first()


def _response_link(response) -> str:
    return reverse("tracker:response_detail", args=[response.report.key, response.force.code])


REQUEST_SUBJECT = "The PCC office asks for the chief constable's comments"


@transaction.atomic
def response_request_comments(
    *, response: StatutoryResponse, by, due_on: datetime.date, now=None
) -> StatutoryResponse:
    """Ask the chief constable for comments by a date (s55(4)); the force coordinators are
    told at once and reminded before the date by the reminder engine."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    response = _locked(response)
    _require_pcc_office(by, response, today, "ask for the chief constable's comments", now=now)
    if _published_version(response):
        raise ValidationError("The comments on this report have already been published.")
    if due_on < today:
        raise ValidationError("The date for the chief constable's comments must be today or later.")
    if (due_on - today).days > 366:
        raise ValidationError("The date for the chief constable's comments must be within a year.")
    deadline = statutory_deadline(response)
    if deadline and deadline.due_on and deadline.due_on >= today and due_on > deadline.due_on:
        raise ValidationError(
            "The chief constable's comments must be due on or before the deadline for "
            f"publishing the PCC's comments, {_long_date(deadline.due_on)}, so there is time "
            "to publish them."
        )
    before = (response.chief_officer_comments_requested_on, response.chief_officer_comments_due_on)
    response.chief_officer_comments_requested_on = today
    response.chief_officer_comments_due_on = due_on
    response.save(
        update_fields=["chief_officer_comments_requested_on", "chief_officer_comments_due_on"]
    )
    _audit(
        by,
        response,
        now,
        {
            "chief_officer_comments_requested_on": (before[0], today),
            "chief_officer_comments_due_on": (before[1], due_on),
        },
    )
    reminders.deadlines_sync_response(response=response, now=now)
    # A new date replaces the earlier request: its notices no longer stand.
    Notification.objects.filter(
        url=_response_link(response), subject__startswith=REQUEST_SUBJECT, read_at__isnull=True
    ).update(read_at=now)
    reminders.notify(
        reminders.coordinators(response.force_id),
        subject=(f"{REQUEST_SUBJECT} by {_long_date(due_on)} – {response.report.title}"),
        body=(
            f"{response.body.name} asks for the chief constable's comments on the report "
            f"“{response.report.title}” by {_long_date(due_on)}, with the force's response "
            "to each recommendation."
        ),
        url=_response_link(response),
        now=now,
    )
    return response


@transaction.atomic
def response_record_comments(
    *, response: StatutoryResponse, by, text: str, received_on: datetime.date, now=None
) -> StatutoryResponse:
    """Record the chief constable's comments: the force coordinator sends them, or the PCC
    office records what it received."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    response = _locked(response)
    if not policy.can_write_force_response(by, response.force_id, today):
        raise ValidationError("Only the force coordinator or the PCC office can record these.")
    text = _text(text, "the chief constable's comments", required=True)
    if received_on > today:
        raise ValidationError("The date received cannot be in the future.")
    if received_on < response.report.published_on:
        raise ValidationError(
            "The date received must be on or after the day the report was published, "
            f"{response.report.published_display}."
        )
    changes = {}
    for name, value in (
        ("chief_officer_comments", text),
        ("chief_officer_comments_received_on", received_on),
    ):
        if getattr(response, name) != value:
            changes[name] = (getattr(response, name), value)
            setattr(response, name, value)
    if changes:
        response.save(update_fields=list(changes))
        _audit(by, response, now, changes)
        _withdraw_approval(response)
        reminders.deadlines_sync_response(response=response, now=now)
        if by.organisation_id == response.force_id:
            reminders.notify(
                [
                    u
                    for u in User.objects.filter(
                        organisation=response.body, role_assignments__role=Role.PCC_OFFICE
                    )
                ],
                subject=f"The chief constable's comments are in – {response.report.title}",
                body=f"{by.full_name} sent the chief constable's comments for {response.force}.",
                url=_response_link(response),
                now=now,
            )
    return response


@transaction.atomic
def response_save_draft(
    *,
    response: StatutoryResponse,
    by,
    introduction: str | None = None,
    pcc_comments: str | None = None,
    force_responses: dict[int, str] | None = None,
    pcc_responses: dict[int, str] | None = None,
    now=None,
) -> list[str]:
    """Save the wording: the introduction and the PCC's overall comments (PCC office), and
    per recommendation (by finding id) the force's response (force coordinator or PCC office)
    and the PCC's response (PCC office only). Only what changed is written and audited.
    Returns the names of what changed."""
    from tracker import services

    now = now or timezone.now()
    today = timezone.localdate(now)
    response = _locked(response)
    pcc = policy.is_pcc_office_for(by, response.force_id, today)
    force_side = policy.can_write_force_response(by, response.force_id, today)
    pcc_side = introduction is not None or pcc_comments is not None or bool(pcc_responses)
    if pcc_side and not pcc:
        raise ValidationError("Only the PCC office can write the PCC's comments and responses.")
    if pcc_side:
        _require_pcc_office(by, response, today, "write the PCC's response", now=now)
    if force_responses and not force_side:
        raise ValidationError("Only the force coordinator or the PCC office can do this.")
    changed: list[str] = []
    changes = {}
    entries = response_entries(response)
    if introduction is not None:
        introduction = _text(introduction, "introduction")
        if introduction == DEFAULT_INTRODUCTION.strip():
            introduction = ""
        if introduction:
            introduction_render(introduction, intro_values(response, entries))
        if introduction != response.introduction:
            changes["introduction"] = (response.introduction, introduction)
            response.introduction = introduction
    if pcc_comments is not None:
        pcc_comments = _text(pcc_comments, "PCC's comments")
        if pcc_comments != response.pcc_comments:
            changes["pcc_comments"] = (response.pcc_comments, pcc_comments)
            response.pcc_comments = pcc_comments
    if changes:
        response.save(update_fields=list(changes))
        _audit(by, response, now, changes)
        changed.extend(changes)
    by_finding = {e.finding.pk: e for e in entries}
    for field, answers in (("force_response", force_responses), ("pcc_response", pcc_responses)):
        for finding_id, value in (answers or {}).items():
            entry = by_finding.get(finding_id)
            if entry is None:
                raise ValidationError("That finding is not part of this report's response.")
            label = "force's response" if field == "force_response" else "PCC's response"
            value = _text(value, label)
            item = entry.item
            if item is None:
                if not value:
                    continue
                item = services.item_create(
                    finding=entry.finding, force=response.force, created_by=by, now=now
                )
                entry.item = item
            before = getattr(item, field)
            if before == value:
                continue
            TrackedItem.objects.filter(pk=item.pk).update(**{field: value})
            setattr(item, field, value)
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=item,
                at=now,
                changes={field: (before, value)},
                note=f"Statutory response on {response.report.title}"[:300],
            )
            changed.append(f"{field}:{finding_id}")
    if changed:
        _withdraw_approval(response)
    return changed


def _withdraw_approval(response: StatutoryResponse) -> None:
    """A change after approval needs approval again; the list and the steps then say so."""
    if response.approved_at:
        response.approved_at = None
        response.approved_fingerprint = ""
        response.save(update_fields=["approved_at", "approved_fingerprint"])


@transaction.atomic
def response_approve(*, response: StatutoryResponse, by, now=None) -> StatutoryResponse:
    """Mark the response ready to publish. Refused while anything s55 requires is missing;
    the approval covers exactly the words approved (a later change needs approval again)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    response = _locked(response)
    _require_pcc_office(by, response, today, "approve the response", now=now)
    entries = response_entries(response)
    problems = response_problems(response, entries)
    if problems:
        raise ValidationError([p[0] for p in problems])
    content = response_content(response, entries)
    print_ = fingerprint(content)
    before = (response.approved_at, response.approved_fingerprint)
    response.approved_at = now
    response.approved_by = by
    response.approved_fingerprint = print_
    response.save(update_fields=["approved_at", "approved_by", "approved_fingerprint"])
    _audit(
        by,
        response,
        now,
        {"approved_at": (before[0], now), "approved_fingerprint": (before[1], print_)},
        note="Approved for publication",
    )
    return response


def approval_current(response: StatutoryResponse, content: dict | None = None) -> bool:
    if not response.approved_at or not response.approved_fingerprint:
        return False
    content = content if content is not None else response_content(response)
    return fingerprint(content) == response.approved_fingerprint


@transaction.atomic
def response_publish(
    *, response: StatutoryResponse, by, published_on: datetime.date, url: str = "", now=None
) -> ResponseVersion:
    """Record publication: a new version with a snapshot of the document. The first
    publication meets the statutory deadline; a later one is a new version, and earlier
    versions stay exactly as they were published."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    response = _locked(response)
    _require_pcc_office(by, response, today, "publish the response", now=now)
    entries = response_entries(response)
    problems = response_problems(response, entries)
    if problems:
        raise ValidationError(
            ["Every recommendation must be answered before publishing."] + [p[0] for p in problems]
        )
    content = response_content(response, entries)
    if not approval_current(response, content):
        raise ValidationError(
            "Approve the response before publishing it. If it was approved, it has changed "
            "since: check it and approve it again."
        )
    report = response.report
    if published_on < report.published_on:
        raise ValidationError(
            "The publication date must be on or after the day the report was published, "
            f"{report.published_display}."
        )
    if published_on > today:
        raise ValidationError("The publication date cannot be in the future.")
    latest = _published_version(response)
    if latest and published_on < latest.published_on:
        raise ValidationError(
            f"Version {latest.number} was published on {_long_date(latest.published_on)}; "
            "a new version cannot be published before it."
        )
    if latest and latest.fingerprint == fingerprint(content):
        raise ValidationError("Nothing has changed since the last published version.")
    url = (url or "").strip()
    number = latest.number + 1 if latest else 1
    version = ResponseVersion(
        response=response,
        number=number,
        published_on=published_on,
        url=url,
        content={},
        fingerprint=fingerprint(content),
        published_by=by,
        recorded_at=now,
    )
    first_on = response.published_on or published_on
    version.content = with_publication(content, version, first_on)
    version.full_clean(exclude=["response", "published_by", "content"])
    version.save()
    changes = {"approved_at": (response.approved_at, None)}
    response.approved_at = None
    response.approved_fingerprint = ""
    fields = ["approved_at", "approved_fingerprint"]
    if response.published_on is None:
        changes["published_on"] = (None, published_on)
        changes["url"] = (response.url, url)
        response.published_on = published_on
        response.url = url
        fields += ["published_on", "url"]
    response.save(update_fields=fields)
    _audit(by, response, now, changes, note=f"Published version {number}")
    reminders.deadlines_sync_response(response=response, now=now)
    return version


@transaction.atomic
def response_record_copies(
    *,
    response: StatutoryResponse,
    by,
    inspectorate_on: datetime.date | None,
    home_secretary_on: datetime.date | None,
    now=None,
) -> StatutoryResponse:
    """Record when copies went to the inspectors of constabulary and the Home Secretary
    (s55(6)). Only after publication, and not before it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    response = _locked(response)
    _require_pcc_office(by, response, today, "record the copies sent", now=now)
    if response.published_on is None:
        raise ValidationError("Publish the response before recording the copies sent.")
    changes = {}
    for name, value, who in (
        ("sent_to_inspectorate_on", inspectorate_on, "the inspectorate"),
        ("sent_to_home_secretary_on", home_secretary_on, "the Home Secretary"),
    ):
        if value is not None and value > today:
            raise ValidationError(f"The date sent to {who} cannot be in the future.")
        if value is not None and value < response.published_on:
            raise ValidationError(
                f"The date sent to {who} must be on or after publication, "
                f"{_long_date(response.published_on)}."
            )
        if getattr(response, name) != value:
            changes[name] = (getattr(response, name), value)
            setattr(response, name, value)
    if changes:
        response.save(update_fields=list(changes))
        _audit(by, response, now, changes)
    return response


@transaction.atomic
def versions_record_published(*, report_keys, now=None) -> int:
    """The seed reports' responses, recorded as published in the source documents, keep
    what they say as version 1, so the public page and the documents have them. Only the
    reports named: nothing else reaches the public page without approval. Returns how many
    were recorded; running it again adds none."""
    now = now or timezone.now()
    count = 0
    waiting = StatutoryResponse.objects.filter(
        report__key__in=report_keys, published_on__isnull=False, versions__isnull=True
    ).select_related("report", "body", "force")
    for response in waiting:
        content = response_content(response)
        version = ResponseVersion(
            response=response,
            number=1,
            published_on=response.published_on,
            url=response.url,
            fingerprint=fingerprint(content),
            recorded_at=now,
        )
        version.content = with_publication(content, version, response.published_on)
        version.save()
        count += 1
    return count
