"""The PCC office's statutory response (s55 Police Act 1996), from request to publication:
the writes.

Publishing takes a snapshot of the document's content (`ResponseVersion`, built by
tracker/statutory/content.py): later edits make a new version and never change what was
published.

Every write is a service here: keyword arguments, validation with messages for the person
using the form, one transaction, an audit event. Nothing is saved when one is refused.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Organisation, ProtectiveMarking, Role, User
from tracker import policy, webhooks
from tracker.audit import audit_record
from tracker.marking_services import marking_in_use
from tracker.models import (
    AuditEvent,
    Notification,
    Report,
    ResponseVersion,
    StatutoryResponse,
    TrackedItem,
    WelshResponseText,
)
from tracker.reminders.notices import notify
from tracker.reminders.plan import coordinators
from tracker.reminders.sync import deadlines_sync_response, policing_body_on
from tracker.services import item_create
from tracker.statutory.content import (
    DEFAULT_INTRODUCTION,
    approval_current,
    fingerprint,
    intro_values,
    introduction_render,
    long_date,
    response_content,
    response_entries,
    response_problems,
    signing_body,
    statutory_deadline,
    welsh_problems,
    with_publication,
)

MAX_TEXT = 50_000


def _audit(by, response, now, changes, note=""):

    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=response,
        at=now,
        changes=changes,
        note=note,
    )


def response_for(
    *, report: Report, force: Organisation, now: datetime.datetime | None = None
) -> StatutoryResponse:
    """The force's response row for the report, started if there is none yet (two people
    starting it at once get the same row)."""
    response = report.statutory_responses.filter(force=force).first()
    if response is not None:
        return response
    if force.kind != Organisation.Kind.FORCE:
        # Issue 17: s55 of the Police Act 1996 is about police forces.
        raise ValidationError(
            gettext(
                "%(service)s is a fire and rescue service: it has no statutory response "
                "(section 55 of the Police Act 1996 is about police forces). Its action plan "
                "is tracked through the report's items."
            )
            % {"service": force}
        )
    body = policing_body_on(force, report.published_on)
    if body is None:
        raise ValidationError(f"No local policing body is recorded for {force}.")
    try:
        with transaction.atomic():
            response = StatutoryResponse.objects.create(report=report, body=body, force=force)
    except IntegrityError:
        return report.statutory_responses.get(force=force)
    deadlines_sync_response(response=response, now=now or timezone.now())
    return response


def response_unsaved(*, report: Report, force: Organisation) -> StatutoryResponse | None:
    """What a response not started yet would be, to show its form without starting it (a page
    visit changes nothing). None when the force has no local policing body on record.
    It writes nothing, but lives beside response_for: both find the body through
    tracker.reminders, which content.py (imported by the selectors) must not import. None for
    a fire and rescue service, which has no statutory response (issue 17)."""
    if force.kind != Organisation.Kind.FORCE:
        return None
    body = policing_body_on(force, report.published_on)
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
    publish new versions (its earlier versions stay on its public page), or its successor
    after a transfer of its functions for this force (issue 22): the response stays the old
    body's, its versions unchanged, and what the successor publishes is signed by it
    (content.signing_body)."""
    if not policy.is_pcc_office_for(by, response.force_id, today):
        raise ValidationError(f"Only the PCC office for {response.force} can {what}.")
    if by.organisation_id == response.body_id:
        return
    if response.versions.exists():
        if signing_body(response, today).pk == by.organisation_id:
            return
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
    *,
    response: StatutoryResponse,
    by: User,
    due_on: datetime.date,
    now: datetime.datetime | None = None,
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
            f"publishing the PCC's comments, {long_date(deadline.due_on)}, so there is time "
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
    deadlines_sync_response(response=response, now=now)
    # A new date replaces the earlier request: its notices no longer stand.
    Notification.objects.filter(
        url=_response_link(response), subject__startswith=REQUEST_SUBJECT, read_at__isnull=True
    ).update(read_at=now)
    notify(
        coordinators(response.force_id),
        subject=(f"{REQUEST_SUBJECT} by {long_date(due_on)} – {response.report.title}"),
        body=(
            f"{response.body.name} asks for the chief constable's comments on the report "
            f"“{response.report.title}” by {long_date(due_on)}, with the force's response "
            "to each recommendation."
        ),
        url=_response_link(response),
        now=now,
    )
    return response


@transaction.atomic
def response_record_comments(
    *,
    response: StatutoryResponse,
    by: User,
    text: str,
    received_on: datetime.date,
    text_cy: str | None = None,
    now: datetime.datetime | None = None,
) -> StatutoryResponse:
    """Record the chief constable's comments: the force coordinator sends them, or the PCC
    office records what it received. `text_cy`: their Welsh text, for a response published
    in Welsh and English (None: left as it is)."""
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
    pairs: list[tuple[str, Any]] = [
        ("chief_officer_comments", text),
        ("chief_officer_comments_received_on", received_on),
    ]
    if text_cy is not None and response.bilingual:
        pairs.append(("chief_officer_comments_cy", _text(text_cy, "Welsh text of the comments")))
    changes = {}
    for name, value in pairs:
        if getattr(response, name) != value:
            changes[name] = (getattr(response, name), value)
            setattr(response, name, value)
    if changes:
        response.save(update_fields=list(changes))
        _audit(by, response, now, changes)
        _withdraw_approval(response)
        deadlines_sync_response(response=response, now=now)
        if by.organisation_id == response.force_id:
            notify(
                # The office that signs it now (a successor's, after a transfer of functions).
                list(
                    User.objects.with_role(Role.PCC_OFFICE).filter(
                        organisation=signing_body(response, today)
                    )
                ),
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
    by: User,
    introduction: str | None = None,
    pcc_comments: str | None = None,
    force_responses: dict[int, str] | None = None,
    pcc_responses: dict[int, str] | None = None,
    welsh: "WelshDraft | None" = None,
    now: datetime.datetime | None = None,
) -> list[str]:
    """Save the wording: the introduction and the PCC's overall comments (PCC office), and
    per recommendation (by finding id) the force's response (force coordinator or PCC office)
    and the PCC's response (PCC office only). Only what changed is written and audited.
    Returns the names of what changed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    response = _locked(response)
    pcc = policy.is_pcc_office_for(by, response.force_id, today)
    force_side = policy.can_write_force_response(by, response.force_id, today)
    pcc_side = introduction is not None or pcc_comments is not None or bool(pcc_responses)
    pcc_side = pcc_side or bool(welsh and welsh.pcc_side)
    if pcc_side and not pcc:
        raise ValidationError("Only the PCC office can write the PCC's comments and responses.")
    if pcc_side:
        _require_pcc_office(by, response, today, "write the PCC's response", now=now)
    if (force_responses or (welsh and welsh.force_responses)) and not force_side:
        raise ValidationError("Only the force coordinator or the PCC office can do this.")
    if welsh and not response.bilingual:
        raise ValidationError(f"{response.body} does not publish its responses in Welsh.")
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
    if welsh:
        changes.update(_welsh_parts(response, welsh, intro_values(response, entries)))
    if changes:
        response.save(update_fields=list(changes))
        _audit(by, response, now, changes)
        changed.extend(changes)
    by_finding = {e.finding.pk: e for e in entries}
    if welsh:
        changed.extend(_welsh_answers(response, welsh, by_finding, by, now))
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
                item = item_create(
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


class WelshDraft:
    """The Welsh text of a bilingual response's parts, as typed on the response page. None
    for a part leaves it as it is; per finding id for the responses to each finding."""

    def __init__(
        self,
        *,
        introduction: str | None = None,
        pcc_comments: str | None = None,
        force_responses: dict[int, str] | None = None,
        pcc_responses: dict[int, str] | None = None,
    ) -> None:
        self.introduction = introduction
        self.pcc_comments = pcc_comments
        self.force_responses = force_responses or {}
        self.pcc_responses = pcc_responses or {}

    @property
    def pcc_side(self) -> bool:
        return (
            self.introduction is not None
            or self.pcc_comments is not None
            or bool(self.pcc_responses)
        )


def _welsh_parts(response, welsh: WelshDraft, values: dict[str, str]) -> dict:
    """Set the response's own Welsh fields (the introduction, the PCC's comments); returns
    the changes. The standard Welsh introduction is stored as blank, like the English."""
    changes = {}
    if welsh.introduction is not None:
        text = _text(welsh.introduction, "Welsh introduction")
        with translation.override("cy"):
            standard = gettext(DEFAULT_INTRODUCTION).strip()
        if text == standard and not response.introduction:
            text = ""  # the standard one, as the English (a custom English one keeps it)
        if text:
            try:
                introduction_render(text, values)
            except ValidationError as exc:
                raise ValidationError(
                    gettext("The Welsh introduction: %(problem)s") % {"problem": exc.messages[0]}
                ) from None
        if text != response.introduction_cy:
            changes["introduction_cy"] = (response.introduction_cy, text)
            response.introduction_cy = text
    if welsh.pcc_comments is not None:
        text = _text(welsh.pcc_comments, "Welsh text of the PCC's comments")
        if text != response.pcc_comments_cy:
            changes["pcc_comments_cy"] = (response.pcc_comments_cy, text)
            response.pcc_comments_cy = text
    return changes


def _welsh_answers(response, welsh: WelshDraft, by_finding: dict, by, now) -> list[str]:
    """Write the Welsh text of each finding's responses (WelshResponseText rows), audited on
    the response. Returns the names of what changed."""
    rows = {t.finding_id: t for t in response.welsh_texts.all()}
    changed: list[str] = []
    changes: dict[str, tuple[Any, Any]] = {}
    for field, answers in (
        ("force_response", welsh.force_responses),
        ("pcc_response", welsh.pcc_responses),
    ):
        for finding_id, value in answers.items():
            if finding_id not in by_finding:
                raise ValidationError("That finding is not part of this report's response.")
            value = _text(value, "Welsh text of the response")
            row = rows.get(finding_id)
            if row is None:
                if not value:
                    continue
                row = rows[finding_id] = WelshResponseText(response=response, finding_id=finding_id)
            before = getattr(row, field)
            if before == value:
                continue
            setattr(row, field, value)
            row.save()
            changes[f"{field}_cy:{finding_id}"] = (before, value)
            changed.append(f"{field}_cy:{finding_id}")
    if changes:
        _audit(by, response, now, changes, note="Welsh text")
    return changed


def _withdraw_approval(response: StatutoryResponse) -> None:
    """A change after approval needs approval again; the list and the steps then say so."""
    if response.approved_at:
        response.approved_at = None
        response.approved_fingerprint = ""
        response.save(update_fields=["approved_at", "approved_fingerprint"])


@transaction.atomic
def response_approve(
    *, response: StatutoryResponse, by: User, now: datetime.datetime | None = None
) -> StatutoryResponse:
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


@transaction.atomic
def response_publish(
    *,
    response: StatutoryResponse,
    by: User,
    published_on: datetime.date,
    url: str = "",
    marking: ProtectiveMarking | None = None,
    now: datetime.datetime | None = None,
) -> ResponseVersion:
    """Record publication: a new version with a snapshot of the document. The first
    publication meets the statutory deadline; a later one is a new version, and earlier
    versions stay exactly as they were published. `marking` is the protective marking the
    published document carries (None: no marking, as usual for a published document)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    response = _locked(response)
    _require_pcc_office(by, response, today, "publish the response", now=now)
    entries = response_entries(response)
    problems = response_problems(response, entries)
    if problems:
        # Only the Welsh (or English) text of a part missing: name the parts, nothing more.
        only_language = response.bilingual and set(problems) <= set(
            welsh_problems(response, entries)
        )
        lead = [] if only_language else ["Every recommendation must be answered before publishing."]
        raise ValidationError(lead + [p[0] for p in problems])
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
            f"Version {latest.number} was published on {long_date(latest.published_on)}; "
            "a new version cannot be published before it."
        )
    if latest and latest.fingerprint == fingerprint(content):
        raise ValidationError("Nothing has changed since the last published version.")
    url = (url or "").strip()
    number = latest.number + 1 if latest else 1
    marking = marking_in_use(marking)
    version = ResponseVersion(
        response=response,
        number=number,
        published_on=published_on,
        url=url,
        content={},
        fingerprint=fingerprint(content),
        published_by=by,
        recorded_at=now,
        marking_label=marking.label if marking is not None else "",
    )
    first_on = response.published_on or published_on
    version.content = with_publication(content, version, first_on)
    version.full_clean(exclude=["response", "published_by", "content"])
    version.save()
    changes: dict[str, tuple[Any, Any]] = {"approved_at": (response.approved_at, None)}
    response.approved_at = None
    response.approved_fingerprint = ""
    fields = ["approved_at", "approved_fingerprint"]
    if response.published_on is None:
        changes["published_on"] = (None, published_on)
        changes["url"] = (response.url, url)
        response.published_on = published_on
        response.url = url
        fields += ["published_on", "url"]
    if version.marking_label:
        changes["published_marking"] = (None, version.marking_label)
    response.save(update_fields=fields)
    _audit(by, response, now, changes, note=f"Published version {number}")
    deadlines_sync_response(response=response, now=now)
    webhooks.response_published_recorded(response=response, version=version, by=by, now=now)
    return version


@transaction.atomic
def response_record_copies(
    *,
    response: StatutoryResponse,
    by: User,
    inspectorate_on: datetime.date | None,
    home_secretary_on: datetime.date | None,
    now: datetime.datetime | None = None,
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
                f"{long_date(response.published_on)}."
            )
        if getattr(response, name) != value:
            changes[name] = (getattr(response, name), value)
            setattr(response, name, value)
    if changes:
        response.save(update_fields=list(changes))
        _audit(by, response, now, changes)
    return response


@transaction.atomic
def versions_record_published(
    *, report_keys: Iterable[str], now: datetime.datetime | None = None
) -> int:
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
        published_on = response.published_on
        if published_on is None:  # not met: chosen by published_on__isnull=False
            continue
        content = response_content(response)
        version = ResponseVersion(
            response=response,
            number=1,
            published_on=published_on,
            url=response.url,
            fingerprint=fingerprint(content),
            recorded_at=now,
        )
        version.content = with_publication(content, version, published_on)
        version.save()
        count += 1
    return count
