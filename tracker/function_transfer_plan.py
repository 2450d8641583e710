"""Transfers of functions, the reads: what a transfer covers (the terms that pass, the open
responses, revisions in progress, the people and reminders that move), the checks run when it
is recorded and again when it is carried out (`transfer_problems`), its plan for the preview
page (`transfer_plan`), and the transfers a person may see. Nothing here writes: the writes are
in `tracker/function_transfers.py`.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import POLICING_BODY_KINDS, Organisation, PolicingBodyTerm, User
from tracker import deadlines as deadline_days
from tracker import policy
from tracker.models import (
    AuditEvent,
    FunctionTransfer,
    Reminder,
    ReminderState,
    ResponseVersion,
    StatutoryResponse,
    TrackedItem,
)
from tracker.models.transfers import term_held_on, terms_of_forces_held_by

ONE_DAY = datetime.timedelta(days=1)


def day_text(day: datetime.date) -> str:
    return deadline_days.format_day(day)


# What a transfer covers -------------------------------------------------------------------


def terms_passing(transfer: FunctionTransfer) -> list[PolicingBodyTerm]:
    """The old body's terms that the transfer ends, by the one rule
    (`FunctionTransfer.terms_passing`: held on the day before, and no other body holds that
    force from the day). After it is carried out they end on that day, so the same terms are
    found."""
    return transfer.terms_passing()


def transfer_force_ids(transfer: FunctionTransfer) -> set[int]:
    return transfer.force_ids()


def forces_answered_for(
    transfer: FunctionTransfer, terms: list[PolicingBodyTerm] | None = None
) -> set[int]:
    """Every force the old body answers for on the day before, passing or not (one may pass to
    another body on the day): reminders to its people about these are planned again.
    `terms` as read by `terms_of_forces_held_by` (read here when not given)."""
    if terms is None:
        terms = list(terms_of_forces_held_by([transfer.from_body_id]))
    day_before = transfer.takes_effect_on - ONE_DAY
    return {
        t.force_id
        for t in terms
        if t.body_id == transfer.from_body_id and term_held_on(t, day_before)
    }


def open_responses(transfer: FunctionTransfer, force_ids: set[int]) -> QuerySet[StatutoryResponse]:
    """The old body's statutory responses for those forces not yet published (drafts
    included): these pass to the successor. Published ones stay as they were."""
    return StatutoryResponse.objects.filter(
        body_id=transfer.from_body_id, force_id__in=force_ids, published_on__isnull=True
    ).exclude(pk__in=ResponseVersion.objects.values("response_id"))


# What a revision of a published response changes (the audit trail's field names; a Welsh
# text is "<name>_cy", per finding "<name>_cy:<finding id>").
REVISION_FIELDS = {
    "introduction",
    "pcc_comments",
    "chief_officer_comments",
    "force_response",
    "pcc_response",
    "approved_at",
}


def _revises(changes: dict) -> bool:
    return any(
        key.split(":")[0].removesuffix("_cy") in REVISION_FIELDS
        for key, (_before, after) in changes.items()
        if not (key == "approved_at" and after is None)
    )


def _published(transfer: FunctionTransfer, force_ids: set[int]) -> list[StatutoryResponse]:
    """The old body's responses for these forces that are published (they stay with it), each
    with `last_published`, when its latest version was recorded (None: no version kept)."""
    return list(
        StatutoryResponse.objects.filter(body_id=transfer.from_body_id, force_id__in=force_ids)
        .filter(Q(published_on__isnull=False) | Q(versions__isnull=False))
        .annotate(last_published=Max("versions__recorded_at"))
        .select_related("report", "force")
        .order_by("report__published_on", "pk")
    )


def _last_published(response: StatutoryResponse) -> datetime.datetime | None:
    """When its latest version was recorded (annotated by `_published`)."""
    return getattr(response, "last_published", None)


def revisions_in_progress(
    transfer: FunctionTransfer,
    force_ids: set[int],
    published: list[StatutoryResponse] | None = None,
) -> list[StatutoryResponse]:
    """The old body's published responses for these forces with a revision in progress: words
    (or their approval) changed since the latest version was published, read from the audit
    trail of the response and of its items, in three queries however many there are (two
    when `published` is given, from `_published`). They stay with the old body, like every
    published response, and their versions stay as they were; from the day the successor's
    office carries the revision on and publishes the new version, signed by the successor
    (tracker/statutory/services.py)."""
    if published is None:
        published = _published(transfer, force_ids)
    published = [r for r in published if _last_published(r) is not None]
    if not published:
        return []
    of_response: dict[str, StatutoryResponse] = {str(r.uuid): r for r in published}
    by_pair = {(r.report_id, r.force_id): r for r in published}
    for item_uuid, report_id, force_id in TrackedItem.objects.filter(
        finding__report_id__in={r.report_id for r in published},
        force_id__in={r.force_id for r in published},
    ).values_list("uuid", "finding__report_id", "force_id"):
        if (report_id, force_id) in by_pair:
            of_response[str(item_uuid)] = by_pair[(report_id, force_id)]
    revised: set[int] = set()
    for object_id, at, changes in AuditEvent.objects.filter(
        object_id__in=list(of_response),
        action=AuditEvent.Action.UPDATE,
        at__gt=min(_last_published(r) or timezone.now() for r in published),
    ).values_list("object_id", "at", "changes"):
        response = of_response[object_id]
        last = _last_published(response)
        if last is not None and at > last and isinstance(changes, dict) and _revises(changes):
            revised.add(response.pk)
    return [r for r in published if r.pk in revised]


def people_moving(transfer: FunctionTransfer) -> QuerySet[User]:
    """The old body's active people (its PCC office), who move with the functions when the
    transfer says its staff move."""
    return User.objects.active().filter(organisation_id=transfer.from_body_id).order_by("full_name")


def pending_reminders(
    transfer: FunctionTransfer, force_ids: set[int], response_ids: list[int]
) -> QuerySet[Reminder]:
    """Reminders waiting to be sent that the transfer re-addresses: those of the moving
    responses' deadlines, and those to the old body's people about the forces it answered
    for (`forces_answered_for`: a force taken by another body on the day too, as they no
    longer answer for it)."""
    return Reminder.objects.filter(state=ReminderState.PENDING).filter(
        Q(deadline__response_id__in=response_ids)
        | Q(deadline__force_id__in=force_ids, recipient__organisation_id=transfer.from_body_id)
    )


# Checks -------------------------------------------------------------------------------------


def transfer_problems(
    *,
    from_body: Organisation | None,
    to_body: Organisation | None,
    takes_effect_on: datetime.date | None,
    legal_basis: str,
    exclude: FunctionTransfer | None = None,
) -> dict[str, list[str]]:
    """What stops this transfer, by form field, in words for the administrator; empty when
    nothing does. Used when it is recorded and again when it is carried out.

    1. Both bodies exist and hold (or can hold) a local policing body's functions, and differ.
    2. The old body holds a term for a force on the day before the transfer, continuing to its
       day; a day on or before the start of that term is backwards in time.
    3. No other transfer overlaps: the old body's functions pass once; the old body does not
       receive functions on or after the day; the successor does not pass its own on before it.
    4. The successor holds no term of its own for those forces from that day.
    """
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if from_body is None:
        add("from_body", _("Choose the body whose functions pass on."))
    elif from_body.kind not in POLICING_BODY_KINDS:
        add("from_body", _("%(body)s is not a local policing body.") % {"body": from_body.name})
    if to_body is None:
        add("to_body", _("Choose the body the functions pass to."))
    elif to_body.kind not in POLICING_BODY_KINDS:
        add(
            "to_body",
            _(
                "%(body)s cannot hold a local policing body's functions: choose a PCC, a mayor "
                "or a Policing and Crime Board."
            )
            % {"body": to_body.name},
        )
    if takes_effect_on is None:
        add("takes_effect_on", _("Enter the day the functions pass to the successor."))
    if not (legal_basis or "").strip():
        add(
            "legal_basis",
            _(
                "Enter the legal basis: the Act or order that transfers the functions, or what "
                "the transfer rests on until one is made."
            ),
        )
    if from_body is not None and to_body is not None and from_body.pk == to_body.pk:
        add("to_body", _("A body's functions cannot pass to itself: choose its successor."))
    if problems or from_body is None or to_body is None or takes_effect_on is None:
        return problems

    day_before = takes_effect_on - ONE_DAY
    around = list(terms_of_forces_held_by([from_body.pk]).select_related("body").order_by("pk"))
    # The one rule (FunctionTransfer.terms_passing), as everywhere else.
    passing = FunctionTransfer(
        from_body=from_body, to_body=to_body, takes_effect_on=takes_effect_on
    ).terms_passing(around)
    if not passing:
        terms = [t for t in around if t.body_id == from_body.pk]
        held_before = [t for t in terms if term_held_on(t, day_before)]
        later = [t for t in terms if t.starts_on is not None and t.starts_on > day_before]
        earlier = [t for t in terms if t.ends_on is not None and t.ends_on < day_before]
        if held_before:
            # Every force it answers for the day before passes to another body on the day.
            taken = held_before[0]
            other = next(
                t
                for t in around
                if t.force_id == taken.force_id
                and t.body_id not in (from_body.pk, to_body.pk)
                and term_held_on(t, takes_effect_on)
            )
            add(
                "takes_effect_on",
                _(
                    "%(body)s has no functions to pass on then: from %(day)s %(force)s "
                    "answers to %(other)s."
                )
                % {
                    "body": from_body.name,
                    "day": day_text(takes_effect_on),
                    "force": taken.force.name,
                    "other": other.body.name,
                },
            )
        elif later:
            first = min(later, key=lambda t: t.starts_on or takes_effect_on)
            add(
                "takes_effect_on",
                _(
                    "That is backwards in time: %(body)s's term for %(force)s began on "
                    "%(start)s, so its functions can pass on only after that day."
                )
                % {
                    "body": from_body.name,
                    "force": first.force.name,
                    "start": day_text(first.starts_on or takes_effect_on),
                },
            )
        elif earlier:
            last = max(earlier, key=lambda t: t.ends_on or takes_effect_on)
            add(
                "takes_effect_on",
                _(
                    "%(body)s's term ended on %(end)s, before that day: it has no functions "
                    "to pass on then."
                )
                % {"body": from_body.name, "end": day_text(last.ends_on or takes_effect_on)},
            )
        else:
            add(
                "from_body",
                _("%(body)s is not the local policing body of any force.")
                % {"body": from_body.name},
            )
        return problems

    others = FunctionTransfer.objects.current().select_related("from_body", "to_body")
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others.touching(from_body.pk, to_body.pk):
        if other.from_body_id == from_body.pk:
            add(
                "from_body",
                _(
                    "This overlaps another transfer: %(body)s's functions already pass to "
                    "%(to)s on %(day)s. Cancel that transfer before recording another."
                )
                % {
                    "body": from_body.name,
                    "to": other.to_body.name,
                    "day": day_text(other.takes_effect_on),
                },
            )
        elif other.to_body_id == from_body.pk and other.takes_effect_on >= takes_effect_on:
            add(
                "takes_effect_on",
                _(
                    "This overlaps another transfer: %(body)s receives %(other)s's functions "
                    "only on %(day)s, so it cannot pass them on before then."
                )
                % {
                    "body": from_body.name,
                    "other": other.from_body.name,
                    "day": day_text(other.takes_effect_on),
                },
            )
        elif other.from_body_id == to_body.pk and other.takes_effect_on <= takes_effect_on:
            add(
                "to_body",
                _(
                    "This overlaps another transfer: %(to)s's own functions pass to "
                    "%(next)s on %(day)s, on or before this transfer would take effect."
                )
                % {
                    "to": to_body.name,
                    "next": other.to_body.name,
                    "day": day_text(other.takes_effect_on),
                },
            )
    held = (
        PolicingBodyTerm.objects.filter(body=to_body, force__in=[t.force_id for t in passing])
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=takes_effect_on))
        # A term beginning on the day is the one this transfer makes (or made).
        .exclude(starts_on=takes_effect_on)
        .select_related("force")
    )
    for term in held:
        add(
            "to_body",
            _("%(to)s already holds a term for %(force)s from %(start)s.")
            % {
                "to": to_body.name,
                "force": term.force.name,
                "start": day_text(term.starts_on) if term.starts_on else _("its beginning"),
            },
        )
    return problems


# The plan: what it will move ----------------------------------------------------------------


@dataclass
class ResponseMoving:
    response: StatutoryResponse
    drafted: bool  # PCC comments written (or approved): a draft
    deadline_count: int


@dataclass
class Plan:
    """What a transfer moves (before it is carried out) or moved (after: from its outcome)."""

    transfer: FunctionTransfer
    terms: list[PolicingBodyTerm]
    responses: list[ResponseMoving]  # open, drafts included
    revisions: list[StatutoryResponse]  # published, with a revision in progress: it moves on
    published_count: int  # the old body's published responses for these forces: unchanged
    reminder_count: int  # waiting reminders re-addressed
    reminders_by_person: list[tuple[str, int]]  # (name, count) of the old body's people
    people: list[User]
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def draft_count(self) -> int:
        return sum(1 for r in self.responses if r.drafted)

    @property
    def day_before(self) -> datetime.date:
        return self.transfer.takes_effect_on - ONE_DAY


def transfer_plan(transfer: FunctionTransfer) -> Plan:
    """What the transfer will move, read without changing anything (the preview page):
    the terms that end and begin, the open responses (and which are drafts), the waiting
    reminders re-addressed, the people who move, the published responses left as they are,
    and anything that would stop it now."""
    around = list(terms_of_forces_held_by([transfer.from_body_id]))
    terms = transfer.terms_passing(around)
    force_ids = {t.force_id for t in terms}
    responses = [
        ResponseMoving(
            response=r,
            drafted=bool(r.pcc_comments.strip() or r.approved_at),
            deadline_count=r.deadline_count,
        )
        for r in open_responses(transfer, force_ids)
        .select_related("report", "force")
        .annotate(deadline_count=Count("deadlines", distinct=True))
        .order_by("report__published_on", "pk")
    ]
    response_ids = [r.response.pk for r in responses]
    pending = pending_reminders(transfer, forces_answered_for(transfer, around), response_ids)
    by_person = (
        pending.filter(recipient__organisation_id=transfer.from_body_id)
        .values("recipient__full_name")
        .annotate(n=Count("pk"))
        .order_by("recipient__full_name")
    )
    published = _published(transfer, force_ids)
    problems: dict[str, list[str]] = {}
    if transfer.carried_out_at is None and transfer.cancelled_at is None:
        problems = transfer_problems(
            from_body=transfer.from_body,
            to_body=transfer.to_body,
            takes_effect_on=transfer.takes_effect_on,
            legal_basis=transfer.legal_basis,
            exclude=transfer,
        )
    return Plan(
        transfer=transfer,
        terms=terms,
        responses=responses,
        revisions=revisions_in_progress(transfer, force_ids, published),
        published_count=len(published),
        reminder_count=pending.count(),
        reminders_by_person=[(row["recipient__full_name"], row["n"]) for row in by_person],
        people=list(people_moving(transfer)),
        problems=problems,
    )


# Reads for the pages, scoped to what the person may see -------------------------------------


def transfers_force_ids(transfers: list[FunctionTransfer]) -> dict[int, set[int]]:
    """The forces of each transfer (by the one rule, FunctionTransfer.terms_passing), in one
    query."""
    terms = list(terms_of_forces_held_by({t.from_body_id for t in transfers}))
    return {transfer.pk: transfer.force_ids(terms) for transfer in transfers}


def transfers_visible(*, user: User, today: datetime.date) -> list[FunctionTransfer]:
    """The transfers about the forces this person may see, by day (cancelled ones last). What
    the person sees is read once, not once a transfer."""
    transfers = list(
        FunctionTransfer.objects.select_related("from_body", "to_body").order_by(
            "cancelled_at", "takes_effect_on", "pk"
        )
    )
    forces = transfers_force_ids(transfers)
    visible = policy.visible_force_ids(user, today)
    return [t for t in transfers if policy.sees_transfer_of_forces(visible, forces[t.pk])]


def transfer_get(*, user: User, uuid: Any, today: datetime.date) -> FunctionTransfer:
    """A transfer by its uuid, or 404 for anyone who cannot see any of its forces (as if it
    did not exist)."""
    transfer = (
        FunctionTransfer.objects.select_related(
            "from_body", "to_body", "recorded_by", "carried_out_by", "cancelled_by"
        )
        .filter(uuid=uuid)
        .first()
    )
    if transfer is None or not policy.can_see_function_transfer(
        user, transfer_force_ids(transfer), today
    ):
        raise Http404("No such transfer")
    return transfer
