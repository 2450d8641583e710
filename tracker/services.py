"""Every change to tracked data goes through a function here.

Each service takes keyword arguments, validates, writes inside one transaction, appends the
history row(s) the domain keeps (status changes, revisions, updates, closure decisions) and an
audit event, and touches the item's last activity time. Errors are django ValidationErrors
with messages written for the person using the form; nothing is saved when one is raised.
"""

import datetime
import hashlib
import uuid as uuidlib
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organisation
from tracker import handoffs, policy, webhooks
from tracker.audit import audit_record
from tracker.conflicts import check_version
from tracker.evidence import EvidenceRejected, check_evidence, evidence_path, evidence_write
from tracker.files import StorageError
from tracker.models import (
    CHOOSABLE_STATUSES,
    AuditEvent,
    ClosureDecision,
    ClosureProposal,
    DueDateRevision,
    Evidence,
    Finding,
    ProgressReview,
    ProgressUpdate,
    Status,
    StatusChange,
    TrackedItem,
)
from tracker.reminders.plan import coordinators
from tracker.reminders.sync import deadlines_sync_item

MAX_TEXT = 20_000

# For item_assign: leave the owner or the lead as it is (None means "nobody").
UNCHANGED: Any = object()


# The inspectorate was HMIC until 19 July 2017, then HMICFRS.
HMICFRS_FROM = datetime.date(2017, 7, 19)


def unique_key(model, base: str) -> str:
    """`base`, or `base-2`, `base-3`...: the first key the model does not use (one query)."""
    taken = set(model.objects.filter(key__startswith=base).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def default_inspectorate() -> Organisation | None:
    """The inspectorate new reports are filed under (HMICFRS), or None if none is set up."""
    inspectorates = Organisation.objects.filter(kind=Organisation.Kind.INSPECTORATE)
    return inspectorates.filter(code="hmicfrs").first() or inspectorates.order_by("id").first()


def _clean_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(f"Enter {what}.")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            f"{what[0].upper()}{what[1:]} must be {MAX_TEXT:,} characters or fewer."
        )
    return text


MAX_YEARS_AHEAD = 25


def item_check_due_date(*, report, due_date: datetime.date | None) -> None:
    """The rules every item's due date follows, when it is set and when it is revised (also
    when a bulk import plans one): on or after the report's publication, and within
    MAX_YEARS_AHEAD years of it."""
    if due_date is None:
        return
    if due_date < report.published_on:
        raise ValidationError(
            "The due date must be on or after the report's publication date, "
            f"{report.published_display}."
        )
    if due_date.year > report.published_on.year + MAX_YEARS_AHEAD:
        raise ValidationError(
            f"The due date must be within {MAX_YEARS_AHEAD} years of the report's publication."
        )


def item_lock(*, item: TrackedItem) -> TrackedItem:
    """Re-read the item under a row lock so concurrent changes queue rather than interleave.

    Services take the time of their change after this (`now or timezone.now()`): a change
    that waited for the lock is then timed after the change it waited for, so the history,
    sorted by time, reads in the order the changes were committed."""
    return (
        TrackedItem.objects.select_for_update(of=("self",))
        .select_related("finding__report")
        .get(pk=item.pk)
    )


def _touch(item: TrackedItem, now: datetime.datetime, *, new_version=False, **fields) -> None:
    """Write `fields` and the last activity time; `new_version` for a change to what the
    item's forms show (status, due date, owner, lead), which makes their pages out of date."""
    fields["last_activity_at"] = now
    values: dict[str, Any] = dict(fields)
    if new_version:
        values["version"] = F("version") + 1
    TrackedItem.objects.filter(pk=item.pk).update(**values)
    for name, value in fields.items():
        setattr(item, name, value)
    if new_version:
        item.version += 1


@transaction.atomic
def item_create(
    *,
    finding: Finding,
    force,
    created_by=None,
    owner=None,
    lead=None,
    due_date: datetime.date | None = None,
    now: datetime.datetime | None = None,
    uuid: uuidlib.UUID | None = None,
) -> TrackedItem:
    now = now or timezone.now()
    item_check_due_date(report=finding.report, due_date=due_date)
    item_check_organisation(force)
    item_refuse_national_body(finding)
    if force not in finding_forces(finding):
        raise ValidationError(f"This finding is not about {force}.")
    if TrackedItem.objects.filter(finding=finding, force=force).exists():
        raise ValidationError(f"{force} already tracks this finding.")
    item = TrackedItem(
        finding=finding,
        force=force,
        owner=owner,
        lead=lead,
        status=Status.NOT_STARTED,
        original_due_date=due_date,
        due_date=due_date,
        created_at=now,
        last_activity_at=now,
    )
    if uuid:
        item.uuid = uuid
    item.full_clean(exclude=["finding", "force", "owner", "lead"])
    item.save()
    StatusChange.objects.create(
        item=item,
        from_status="",
        to_status=Status.NOT_STARTED,
        changed_by=created_by,
        changed_at=now,
        reason="Item created",
    )
    audit_record(
        actor=created_by,
        action=AuditEvent.Action.CREATE,
        obj=item,
        at=now,
        changes={"owner": (None, owner), "due_date": (None, due_date)},
    )
    deadlines_sync_item(item=item, now=now)
    return item


def item_check_organisation(force: Organisation) -> None:
    """Only a police force or a fire and rescue service tracks items (issue 17)."""
    if not force.is_inspected:
        raise ValidationError(
            gettext("%(organisation)s is not a police force or a fire and rescue service.")
            % {"organisation": force}
        )


def item_refuse_national_body(finding: Finding) -> None:
    """A recommendation addressed to a national body (the College of Policing, the Home
    Office) is recorded on its report for everyone to read, but no force owns it, so no
    route (a report import, the s55 response page, a spreadsheet) may give it an item."""
    if finding.for_national_body:
        raise ValidationError(national_body_message(finding))


def national_body_message(finding: Finding) -> str:
    """Why a national body's recommendation has no item, for a force coordinator."""
    return gettext(
        "This recommendation is addressed to a national body (%(addressee)s): forces do not "
        "track it as an item."
    ) % {"addressee": finding.addressee or gettext("not a police force")}


def finding_forces(finding: Finding) -> list[Organisation]:
    """The forces a finding applies to: its own force, or every force the report concerns."""
    if finding.force is not None:  # no query when the finding has no force of its own
        return [finding.force]
    return list(finding.report.forces.all())


@transaction.atomic
def items_create_for_finding(
    *,
    finding: Finding,
    created_by=None,
    due_date: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[TrackedItem]:
    """One item per force the finding applies to; forces that already track it are skipped.

    A recommendation to all forces in a national report thus gives each force its own item,
    with its own owner, status and responses.
    """
    now = now or timezone.now()
    existing = set(finding.items.values_list("force_id", flat=True))
    return [
        item_create(finding=finding, force=force, created_by=created_by, due_date=due_date, now=now)
        for force in finding_forces(finding)
        if force.id not in existing
    ]


@transaction.atomic
def item_add_update(
    *, item: TrackedItem, author, text: str, now: datetime.datetime | None = None
) -> ProgressUpdate:
    text = _clean_text(text, "what has happened since the last update")
    item = item_lock(item=item)
    now = now or timezone.now()
    if not policy.can_work_on(author, item):
        raise ValidationError("You cannot add updates to this item.")
    update = ProgressUpdate.objects.create(item=item, author=author, written_at=now, text=text)
    _touch(item, now)
    audit_record(
        actor=author,
        action=AuditEvent.Action.CREATE,
        obj=update,
        at=now,
        changes={"text": (None, text)},
        note=f"Progress update on item {item.uuid}",
    )
    deadlines_sync_item(item=item, now=now)
    return update


def item_set_status(
    *, item: TrackedItem, by, to_status: str, reason: str, now: datetime.datetime, **extra
) -> StatusChange:
    """Record a status change: its history row, the audit event, the new deadlines. The
    caller has made the checks (item_change_status, the closure services, or a bulk import's
    plan, which applies the same rules) and holds the item's lock."""
    change = StatusChange.objects.create(
        item=item,
        from_status=item.status,
        to_status=to_status,
        changed_by=by,
        changed_at=now,
        reason=reason,
    )
    before = item.status
    _touch(item, now, new_version=True, status=to_status, **extra)
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        at=now,
        changes={"status": (before, to_status)},
        note=reason,
    )
    webhooks.status_changed_recorded(item=item, change=change, by=by, now=now)
    deadlines_sync_item(item=item, now=now)
    return change


@transaction.atomic
def item_change_status(
    *,
    item: TrackedItem,
    by,
    to_status: str,
    reason: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> StatusChange:
    """Change the status. `version` is the item's version the person's page showed: when the
    item has changed since, nothing is saved (tracker.conflicts.ItemChanged)."""
    if to_status not in Status.values:
        raise ValidationError("Choose a status from the list.")
    if to_status not in CHOOSABLE_STATUSES:
        raise ValidationError(
            "To close an item, propose closure; the coordinator or PCC office then approves it."
        )
    reason = _clean_text(reason, "why the status is changing")
    item = item_lock(item=item)
    now = now or timezone.now()
    if not policy.can_work_on(by, item):
        raise ValidationError("You cannot change the status of this item.")
    check_version(item=item, version=version)
    if item.status == Status.PROPOSED_FOR_CLOSURE:
        raise ValidationError(
            "This item is waiting for a closure decision. It can change status once the "
            "proposal is approved or returned."
        )
    if item.status == to_status:
        raise ValidationError(f"The item is already “{Status(to_status).label}”.")
    return item_set_status(item=item, by=by, to_status=to_status, reason=reason, now=now)


@transaction.atomic
def item_revise_due_date(
    *,
    item: TrackedItem,
    by,
    new_date: datetime.date,
    reason: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> DueDateRevision:
    """Move the due date. The original due date never changes; each revision is kept.
    `version` as for item_change_status."""
    reason = _clean_text(reason, "the reason for the new due date")
    item = item_lock(item=item)
    now = now or timezone.now()
    if not policy.can_revise_due_date(by, item):
        raise ValidationError("Only the force coordinator can revise due dates.")
    check_version(item=item, version=version)
    item_check_due_date(report=item.finding.report, due_date=new_date)
    if new_date < timezone.localdate(now):
        raise ValidationError("The new due date must be today or in the future.")
    if new_date == item.due_date:
        raise ValidationError("The new due date is the same as the current one.")
    return item_set_due_date(item=item, by=by, new_date=new_date, reason=reason, now=now)


def item_set_due_date(
    *,
    item: TrackedItem,
    by,
    new_date: datetime.date,
    reason: str,
    now: datetime.datetime,
    sync_deadlines: bool = True,
) -> DueDateRevision:
    """Record a due date revision: the revision row, the new due date (the first date set
    also becomes the original), the audit event and the new deadlines. The caller has made
    the checks (item_revise_due_date, or a bulk import's plan) and holds the item's lock.

    `sync_deadlines=False` leaves the deadlines to the caller, for a bulk import that also
    changes the owner next: its deadlines are synced once, after both changes, so no reminder
    is planned for the former owner at the new date."""
    revision = DueDateRevision.objects.create(
        item=item,
        previous_date=item.due_date,
        new_date=new_date,
        reason=reason,
        approved_by=by,
        recorded_at=now,
    )
    before = item.due_date
    extra = {} if item.original_due_date else {"original_due_date": new_date}
    _touch(item, now, new_version=True, due_date=new_date, **extra)
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        at=now,
        changes={"due_date": (before, new_date)},
        note=reason,
    )
    if sync_deadlines:
        deadlines_sync_item(item=item, now=now)
    handoffs.due_date_changed_recorded(
        item=item, by=by, previous_date=before, reason=reason, now=now
    )
    return revision


@transaction.atomic
def evidence_attach(
    *,
    item: TrackedItem,
    by,
    uploaded_file,
    description: str = "",
    now: datetime.datetime | None = None,
) -> Evidence:
    """Check and store an evidence file. The file is written before the row and removed again
    if the transaction fails, so neither is left without the other."""
    item = item_lock(item=item)
    now = now or timezone.now()
    if not policy.can_work_on(by, item):
        raise ValidationError("You cannot add evidence to this item.")
    max_bytes = settings.EVIDENCE_MAX_BYTES
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB."
        )
    data = uploaded_file.read()
    try:
        checked = check_evidence(uploaded_file.name, len(data), data, max_bytes)
    except EvidenceRejected as exc:
        raise ValidationError(str(exc)) from None
    description = (description or "").strip()[:300]
    stored_name = f"{uuidlib.uuid4().hex}.{checked.extension}"
    try:
        path = evidence_write(stored_name, data)  # all or nothing: no partial file is left
    except StorageError as exc:
        raise ValidationError(exc.message) from None
    try:
        evidence = Evidence.objects.create(
            item=item,
            stored_name=stored_name,
            original_name=uploaded_file.name[-255:],
            content_type=checked.content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            description=description,
            uploaded_by=by,
            uploaded_at=now,
        )
        _touch(item, now)
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=evidence,
            at=now,
            changes={"file": (None, evidence.original_name)},
            note=f"Evidence on item {item.uuid}",
        )
        deadlines_sync_item(item=item, now=now)  # evidence counts as activity
        handoffs.evidence_added_recorded(item=item, evidence=evidence, by=by, now=now)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return evidence


def evidence_open(evidence: Evidence) -> BinaryIO:
    return evidence_path(evidence.stored_name).open("rb")


def open_proposal(item: TrackedItem) -> ClosureProposal | None:
    """The closure proposal waiting for a decision, if any."""
    return item.closure_proposals.filter(decision__isnull=True).order_by("-proposed_at").first()


@transaction.atomic
def closure_propose(
    *,
    item: TrackedItem,
    by,
    summary: str,
    evidence_ids=(),
    no_evidence_reason: str | None = None,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> ClosureProposal:
    """Propose closing the item. `version` as for item_change_status.

    A proposal rests on evidence: `evidence_ids` are the item's files it rests on, or, with
    none, `no_evidence_reason` says why none is needed (both at once is refused). The pages
    always apply this rule; `no_evidence_reason=None` (the default) is for records of past
    proposals (the demo's history), which are kept as they were made."""
    summary = _clean_text(summary, "what was done and why the item can close")
    evidence_ids = list(evidence_ids)
    if no_evidence_reason is not None:
        no_evidence_reason = no_evidence_reason.strip()
        if evidence_ids and no_evidence_reason:
            raise ValidationError(
                "Either choose the evidence closure rests on, or say that no evidence is "
                "needed, not both."
            )
        if not evidence_ids and not no_evidence_reason:
            raise ValidationError(
                "Choose the evidence closure rests on, or say why no evidence is needed."
            )
        if no_evidence_reason:
            no_evidence_reason = _clean_text(no_evidence_reason, "why no evidence is needed")
    item = item_lock(item=item)
    now = now or timezone.now()
    if item.status == Status.SUPERSEDED:
        raise ValidationError("This item was superseded by a later finding, so it is closed.")
    if item.status == Status.CLOSED:
        raise ValidationError("This item is already closed.")
    if item.status == Status.PROPOSED_FOR_CLOSURE:
        raise ValidationError("Closure has already been proposed and is waiting for a decision.")
    if not policy.can_work_on(by, item):
        raise ValidationError("You cannot propose closure of this item.")
    check_version(item=item, version=version)
    evidence = list(item.evidence.filter(pk__in=evidence_ids))
    if len(evidence) != len(set(evidence_ids)):
        raise ValidationError("Choose evidence from this item's files.")
    proposal = ClosureProposal.objects.create(
        item=item,
        proposed_by=by,
        proposed_at=now,
        summary=summary,
        no_evidence_reason=no_evidence_reason or "",
    )
    proposal.evidence.set(evidence)
    item_set_status(
        item=item, by=by, to_status=Status.PROPOSED_FOR_CLOSURE, reason=summary, now=now
    )
    handoffs.closure_proposed_recorded(item=item, proposal=proposal, by=by, now=now)
    return proposal


@transaction.atomic
def closure_decide(
    *,
    item: TrackedItem,
    by,
    approve: bool,
    reason: str = "",
    version: int | None = None,
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> ClosureDecision:
    """Approve or return the waiting closure proposal. Nobody decides on their own proposal.
    `version` as for item_change_status."""
    item = item_lock(item=item)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    proposal = open_proposal(item)
    if proposal is None or item.status != Status.PROPOSED_FOR_CLOSURE:
        raise ValidationError("There is no closure proposal waiting for a decision.")
    if proposal.proposed_by_id == by.id:
        raise ValidationError(
            "You proposed this closure, so someone else must approve or return it."
        )
    if not policy.can_decide_closure(by, item, proposal, today):
        raise ValidationError("You cannot approve or return closure proposals for this item.")
    check_version(item=item, version=version)
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError("Enter why the proposal is returned, so the owner knows what to do.")
    decision = ClosureDecision.objects.create(
        proposal=proposal,
        outcome=ClosureDecision.Outcome.APPROVED if approve else ClosureDecision.Outcome.RETURNED,
        decided_by=by,
        decided_at=now,
        reason=reason[:MAX_TEXT],
    )
    if approve:
        item_set_status(
            item=item,
            by=by,
            to_status=Status.CLOSED,
            reason=reason or "Closure approved",
            now=now,
            closed_at=now,
        )
    else:
        item_set_status(
            item=item,
            by=by,
            to_status=Status.IN_PROGRESS,
            reason=f"Closure returned: {reason}",
            now=now,
        )
    handoffs.closure_decided_recorded(item=item, decision=decision, by=by, now=now)
    return decision


@transaction.atomic
def item_assign(
    *,
    item: TrackedItem,
    by,
    owner=UNCHANGED,
    lead=UNCHANGED,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> TrackedItem:
    """Set the owner, the accountable lead or both (None for nobody); one not given stays as
    it is now, so a page that changed only the lead never writes back an owner it read
    before someone else changed it. Both must belong to the item's force. `version` as for
    item_change_status."""
    item = item_lock(item=item)
    now = now or timezone.now()
    if not policy.can_assign(by, item):
        raise ValidationError("Only the force coordinator can choose the owner and lead.")
    check_version(item=item, version=version)
    owner = item.owner if owner is UNCHANGED else owner
    lead = item.lead if lead is UNCHANGED else lead
    if owner == item.owner and lead == item.lead:
        raise ValidationError("The owner and accountable lead are already as chosen.")
    _check_people(item, owner=owner, lead=lead)
    item_set_owner_and_lead(item=item, by=by, owner=owner, lead=lead, now=now)
    return item


@transaction.atomic
def item_hand_over(
    *, item: TrackedItem, by, owner, lead, now: datetime.datetime, note: str = ""
) -> TrackedItem:
    """Move an item to a new owner and lead (or none) when its owner or lead is deactivated.

    Only for `accounts.services.person_deactivate`, which has checked that `by` may manage
    people; the same checks on the people and the same audit and reminders as `item_assign`."""
    item = item_lock(item=item)
    _check_people(item, owner=owner, lead=lead)
    item_set_owner_and_lead(item=item, by=by, owner=owner, lead=lead, now=now, note=note)
    return item


def _check_people(item: TrackedItem, *, owner, lead) -> None:
    for person, what in ((owner, "owner"), (lead, "accountable lead")):
        if person is not None and (person.organisation_id != item.force_id or not person.is_active):
            raise ValidationError(f"Choose an {what} who works for {item.force}.")


def item_set_owner_and_lead(
    *, item: TrackedItem, by, owner, lead, now: datetime.datetime, note: str = ""
) -> None:
    """Record a new owner and accountable lead: the audit event (naming only what changed)
    and the deadlines, whose reminders follow the owner. The caller has made the checks
    (item_assign, item_hand_over, or a bulk import's plan, which keeps in place an owner or
    lead who has since left) and holds the item's lock. Only what differs is written."""
    before = {"owner": item.owner, "lead": item.lead}
    changed = {k: v for k, v in (("owner", owner), ("lead", lead)) if before[k] != v}
    _touch(item, now, new_version=True, **changed)
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        at=now,
        changes={k: (before[k], v) for k, v in changed.items()},
        note=note,
    )
    deadlines_sync_item(item=item, now=now)
    handoffs.people_changed_recorded(
        item=item, by=by, previous_owner=before["owner"], previous_lead=before["lead"], now=now
    )


# The PCC office holding the force to account ----------------------------------------------


@transaction.atomic
def item_request_update(
    *, item: TrackedItem, by, message: str = "", now: datetime.datetime | None = None
) -> tuple[ProgressReview, list]:
    """The PCC office asks the force for an update on an item: the owner (or, with no active
    owner, the force coordinators) is told at once, in the app and by email. Returns the
    request and who was told; refused when there is nobody to tell."""
    item = item_lock(item=item)  # the history of one item is written one change at a time
    now = now or timezone.now()
    if not policy.can_review_progress(by, item, timezone.localdate(now)):
        raise ValidationError("Only the PCC office for this force can ask for an update.")
    if not item.is_open:
        raise ValidationError("This item is closed, so no update is needed.")
    message = (message or "").strip()
    if len(message) > MAX_TEXT:
        raise ValidationError(f"The message must be {MAX_TEXT:,} characters or fewer.")
    review = ProgressReview.objects.create(
        item=item, kind=ProgressReview.Kind.UPDATE_REQUEST, text=message, by=by, at=now
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=review,
        at=now,
        changes={"kind": (None, review.kind), "text": (None, message)},
    )
    people = [item.owner] if item.owner is not None and item.owner.is_active else []
    people = people or coordinators(item.force_id)
    if not people:
        raise ValidationError(
            f"Nobody can be asked: the item has no active owner and {item.force} has no "
            "active force coordinator."
        )
    handoffs.update_requested_recorded(item=item, by=by, message=message, now=now)
    return review, people


@transaction.atomic
def item_record_view(
    *, item: TrackedItem, by, rating: str, text: str, now: datetime.datetime | None = None
) -> ProgressReview:
    """The PCC office records its view on the force's progress, with a RAG rating."""
    item = item_lock(item=item)  # the history of one item is written one change at a time
    now = now or timezone.now()
    if not policy.can_review_progress(by, item, timezone.localdate(now)):
        raise ValidationError("Only the PCC office for this force can record its view.")
    if rating not in ProgressReview.Rating.values:
        raise ValidationError("Choose green, amber or red.")
    text = _clean_text(text, "your view on progress")
    review = ProgressReview.objects.create(
        item=item, kind=ProgressReview.Kind.VIEW, rating=rating, text=text, by=by, at=now
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=review,
        at=now,
        changes={"rating": (None, rating), "text": (None, text)},
    )
    return review
