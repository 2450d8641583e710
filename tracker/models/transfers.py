"""Transfers of functions: a local policing body's functions passing to a successor on a day
(the 2028 hand-over of PCC functions to mayors and Policing and Crime Boards; issue 22).

A transfer is recorded ahead of time and carried out on its day, once
(tracker/function_transfers.py): the old body's terms end the day before, the successor's
begin, and its open work moves across. What moved is kept on the row (`outcome`).
"""

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import POLICING_BODY_KINDS, Organisation, PolicingBodyTerm

ONE_DAY = datetime.timedelta(days=1)


def term_held_on(term: PolicingBodyTerm, day: datetime.date) -> bool:
    return (term.starts_on is None or term.starts_on <= day) and (
        term.ends_on is None or term.ends_on >= day
    )


def terms_passing_among(
    terms: Iterable[PolicingBodyTerm],
    *,
    from_body_id: int,
    to_body_id: int,
    takes_effect_on: datetime.date,
) -> list[PolicingBodyTerm]:
    """THE rule for which of the old body's terms a transfer passes on, used everywhere (the
    checks, the preview, carrying it out, who may see it, who signs): a term of the old body
    passes if the old body holds it on the day before the transfer and no other body holds
    that force from the day (another body taking that force on the day, by a term of its
    own, is not this transfer's to pass). A term ending on the day before passes too: that
    is the end of the term of office the law speaks of. The successor's own term beginning on
    the day is the one the transfer makes (or made), so it does not count as another body's.

    `terms`: every term of the forces concerned (`terms_of_forces_held_by`)."""
    terms = list(terms)
    day_before = takes_effect_on - ONE_DAY
    taken = {
        t.force_id
        for t in terms
        if t.body_id not in (from_body_id, to_body_id) and term_held_on(t, takes_effect_on)
    }
    return [
        t
        for t in terms
        if t.body_id == from_body_id and term_held_on(t, day_before) and t.force_id not in taken
    ]


def terms_of_forces_held_by(body_ids: Iterable[int]) -> models.QuerySet[PolicingBodyTerm]:
    """Every term (of any body) of the forces these bodies ever answered for: what
    `terms_passing_among` needs, in one query."""
    forces = PolicingBodyTerm.objects.filter(body_id__in=list(body_ids)).values("force_id")
    return PolicingBodyTerm.objects.filter(force_id__in=forces).select_related("force")


class FunctionTransferQuerySet(models.QuerySet):
    def current(self) -> "FunctionTransferQuerySet":
        """Not cancelled."""
        return self.filter(cancelled_at__isnull=True)

    def due(self, today: datetime.date) -> "FunctionTransferQuerySet":
        """Not cancelled, not carried out, and its day has come (a range, so a day the task
        did not run is caught up the next)."""
        return self.current().filter(carried_out_at__isnull=True, takes_effect_on__lte=today)

    def in_effect(self, today: datetime.date) -> "FunctionTransferQuerySet":
        """Not cancelled, and its day has come (carried out or about to be)."""
        return self.current().filter(takes_effect_on__lte=today)

    def touching(self, *body_ids: int) -> "FunctionTransferQuerySet":
        """Transfers from or to any of these bodies."""
        return self.filter(Q(from_body_id__in=body_ids) | Q(to_body_id__in=body_ids))


class FunctionTransfer(models.Model):
    """The functions of one local policing body passing to another on a day."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    from_body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        limit_choices_to={"kind__in": POLICING_BODY_KINDS},
    )
    to_body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        limit_choices_to={"kind__in": POLICING_BODY_KINDS},
    )
    takes_effect_on = models.DateField(
        help_text="The first day the successor holds the functions; the old body's term ends "
        "the day before."
    )
    date_is_placeholder = models.BooleanField(
        default=False,
        help_text="The day is not yet fixed by law: this one is a placeholder, said on the page.",
    )
    legal_basis = models.CharField(max_length=500)
    legal_basis_url = models.URLField(blank=True, max_length=500)
    staff_move = models.BooleanField(
        default=True,
        help_text="The old body's people move to the successor with the functions (a transfer "
        "scheme); otherwise they stay where they are and stop seeing the forces.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    carried_out_at = models.DateTimeField(null=True, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank: carried out by the daily task.",
    )
    # What moved, counted; until it is carried out, why the last attempt was refused
    # ("refused_at", "refused": see `refusal`).
    outcome = models.JSONField(default=dict, blank=True, help_text="What moved, counted.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FunctionTransferQuerySet.as_manager()

    class Meta:
        ordering = ["takes_effect_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_body=models.F("to_body")), name="transfer_to_another_body"
            ),
        ]

    def __str__(self):
        return f"{self.from_body} to {self.to_body} on {self.takes_effect_on}"

    @property
    def is_carried_out(self) -> bool:
        return self.carried_out_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_due(self, today: datetime.date) -> bool:
        return not self.is_cancelled and not self.is_carried_out and self.takes_effect_on <= today

    def terms_passing(
        self, terms: Iterable[PolicingBodyTerm] | None = None
    ) -> list[PolicingBodyTerm]:
        """The old body's terms this transfer passes on (`terms_passing_among`), by force
        name; `terms` as read by `terms_of_forces_held_by` (read here when not given)."""
        if terms is None:
            terms = terms_of_forces_held_by([self.from_body_id])
        passing = terms_passing_among(
            terms,
            from_body_id=self.from_body_id,
            to_body_id=self.to_body_id,
            takes_effect_on=self.takes_effect_on,
        )
        return sorted(passing, key=lambda t: (t.force.name, t.pk))

    def force_ids(self, terms: Iterable[PolicingBodyTerm] | None = None) -> set[int]:
        """The forces whose functions this transfer passes on."""
        return {t.force_id for t in self.terms_passing(terms)}

    @property
    def refusal(self) -> dict | None:
        """Why the last attempt to carry it out was refused (the daily task's, or an
        administrator's), kept in `outcome` until it is carried out: {"at", "messages"}."""
        if self.is_carried_out or self.is_cancelled or not self.outcome.get("refused"):
            return None
        at = self.outcome.get("refused_at")
        return {
            "at": datetime.datetime.fromisoformat(at) if at else None,
            "messages": list(self.outcome["refused"]),
        }
