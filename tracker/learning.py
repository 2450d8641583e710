"""Learning shared between forces (issue 18): sharing a closed item's closing summary with
every force, withdrawing it, and working out which other forces' findings it answers.

Forces see nothing of each other by default, and that stays: a summary is seen by other
forces only while `SharedLearning.shared` is true (tracker/learning_reads.py reads nothing
else). Sharing and withdrawing are audited on the item.

Matching (the heavy part, run in the worker through the outbox): the findings of other forces'
items most like the shared item's finding, ranked by tracker/similarity.py's `Index` (TF-IDF
over word stems and stem pairs, cosine similarity; see its docstring for why) and stored as
`LearningMatch` rows, so the item page reads stored neighbours and never ranks.

1. `learning_match(learning)`: one index over every finding that has an item of a force
   other than the sharer's; the best MATCHES findings scoring at least SIMILAR_MIN_SCORE
   replace the summary's matches. The shared item's own finding is in the pool when another
   force has an item on it (a national finding: identical text, so score 1).
2. `learning_match_finding(finding)`: a new finding is ranked against every summary shared
   now, with the same pool (so the same weights), and added to those it is like; each
   summary keeps its best MATCHES.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tracker import background, policy, similarity
from tracker.audit import audit_record
from tracker.models import (
    ClosureDecision,
    ClosureProposal,
    Finding,
    LearningMatch,
    SharedLearning,
    Status,
    TrackedItem,
)
from tracker.outbox import send_on_commit
from tracker.services import item_lock

MATCHES = 50  # the findings kept per shared summary (the page shows the best 5 of an item's)
MAX_TEXT = 5_000
MAX_ROLE = 200


def approved_closure(item: TrackedItem) -> ClosureProposal | None:
    """The closure proposal whose approval closed the item (the latest approved one)."""
    return (
        ClosureProposal.objects.filter(
            item=item, decision__outcome=ClosureDecision.Outcome.APPROVED
        )
        .select_related("decision")
        .prefetch_related("evidence")
        .order_by("-proposed_at", "-id")
        .first()
    )


def share_initial(item: TrackedItem) -> dict[str, str]:
    """What the share form starts with: the words shared before, if any; otherwise the
    approved closure's summary as what was done, and what the closure rested on (its evidence
    files, or why none was needed, and the approver's reason) as the evidence it worked."""
    existing = SharedLearning.objects.filter(item=item).first()
    if existing is not None:
        return {
            "what_was_done": existing.what_was_done,
            "evidence_of_effect": existing.evidence_of_effect,
            "contact_role": existing.contact_role,
        }
    proposal = approved_closure(item)
    if proposal is None:
        return {"what_was_done": "", "evidence_of_effect": "", "contact_role": ""}
    evidence = [e.description or e.original_name for e in proposal.evidence.all()]
    parts = [*evidence, proposal.no_evidence_reason, proposal.decision.reason]
    return {
        "what_was_done": proposal.summary,
        "evidence_of_effect": "\n".join(p.strip() for p in parts if p and p.strip()),
        "contact_role": "",
    }


def _text(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(gettext("Enter %(what)s.") % {"what": what})
    if len(value) > limit:
        raise ValidationError(
            gettext("%(what)s must be %(limit)s characters or fewer.")
            % {"what": what[0].upper() + what[1:], "limit": f"{limit:,}"}
        )
    return value


def share_refusal(item: TrackedItem) -> str:
    """Why this item's summary cannot be shared ("" when it can): only a closed item."""
    if item.status == Status.SUPERSEDED:
        return gettext(
            "This item was superseded by a later finding, so it has no closing summary to "
            "share. Share the summary of the item that closed."
        )
    if item.status != Status.CLOSED:
        return gettext(
            "Only a closed item's summary can be shared. This item is still open: share it "
            "once its closure has been approved."
        )
    return ""


@transaction.atomic
def learning_share(
    *,
    item: TrackedItem,
    by,
    what_was_done: str,
    evidence_of_effect: str,
    contact_role: str,
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> SharedLearning:
    """Share (or share again, or correct) a closed item's closing summary with every force:
    the force's coordinator or its PCC office (policy.can_share_learning). Audited on the
    item; its matches are worked out in the background."""
    what_was_done = _text(what_was_done, gettext("what was done"), MAX_TEXT)
    evidence_of_effect = _text(
        evidence_of_effect, gettext("what evidence showed that it worked"), MAX_TEXT
    )
    contact_role = _text(contact_role, gettext("a contact role"), MAX_ROLE)
    item = item_lock(item=item)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    if not policy.can_share_learning(by, item, today):
        raise ValidationError(gettext("You cannot share this item's summary."))
    refusal = share_refusal(item)
    if refusal:
        raise ValidationError(refusal)
    learning = SharedLearning.objects.select_for_update().filter(item=item).first()
    before = {
        "learning_shared": learning.shared if learning else False,
        "what_was_done": learning.what_was_done if learning else "",
        "evidence_of_effect": learning.evidence_of_effect if learning else "",
        "contact_role": learning.contact_role if learning else "",
    }
    if learning is None:
        learning = SharedLearning(item=item, force_id=item.force_id, finding_id=item.finding_id)
    if not learning.shared or learning.pk is None:
        # Shared now (first time, or again after withdrawing): the date other forces see.
        learning.shared_at = now
        learning.shared_by = by
    learning.shared = True
    learning.withdrawn_by = None
    learning.withdrawn_at = None
    learning.what_was_done = what_was_done
    learning.evidence_of_effect = evidence_of_effect
    learning.contact_role = contact_role
    learning.updated_at = now
    learning.full_clean()
    learning.save()
    after = {
        "learning_shared": True,
        "what_was_done": what_was_done,
        "evidence_of_effect": evidence_of_effect,
        "contact_role": contact_role,
    }
    audit_record(
        actor=by,
        action="update",
        obj=item,
        changes={k: (before[k], after[k]) for k in after if before[k] != after[k]},
        at=now,
        note="Closing summary shared with every force",
    )
    send_on_commit(background.MATCH_LEARNING, learning.pk)
    return learning


@transaction.atomic
def learning_withdraw(
    *,
    item: TrackedItem,
    by,
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> SharedLearning:
    """Stop sharing an item's summary: other forces see nothing of it from now on. The row
    (its words, for sharing again) and its matches are kept, and never read while unshared."""
    item = item_lock(item=item)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    if not policy.can_share_learning(by, item, today):
        raise ValidationError(gettext("You cannot withdraw this item's summary."))
    learning = SharedLearning.objects.select_for_update().filter(item=item).first()
    if learning is None or not learning.shared:
        raise ValidationError(gettext("This item's summary is not shared."))
    learning.shared = False
    learning.withdrawn_by = by
    learning.withdrawn_at = now
    learning.updated_at = now
    learning.save(update_fields=["shared", "withdrawn_by", "withdrawn_at", "updated_at"])
    audit_record(
        actor=by,
        action="update",
        obj=item,
        changes={"learning_shared": (True, False)},
        at=now,
        note="Shared closing summary withdrawn",
    )
    return learning


# Matching ------------------------------------------------------------------------------------


def _pool(extra: Sequence[Finding] = ()) -> tuple[similarity.Index, dict[int, set[int]]]:
    """The index of every finding that has an item (and those of `extra`, which may have
    none yet: their own force stands for their items'), and each finding's items' forces."""
    forces: dict[int, set[int]] = defaultdict(set)
    for finding_id, force_id in TrackedItem.objects.values_list("finding_id", "force_id"):
        forces[finding_id].add(force_id)
    texts = dict(Finding.objects.filter(pk__in=list(forces)).values_list("pk", "text"))
    for finding in extra:
        if finding.pk not in texts:
            texts[finding.pk] = finding.text
            forces[finding.pk] = {finding.force_id} if finding.force_id else set()
    return similarity.Index(texts), forces


def _rows(learning: SharedLearning, found: list[similarity.Match]) -> list[LearningMatch]:
    return [
        LearningMatch(
            learning=learning,
            finding_id=m.key,
            score=m.score,
            reason=similarity.reason(m)[:300],
        )
        for m in found
    ]


def learning_match(
    learning: SharedLearning,
    *,
    pool: tuple[similarity.Index, dict[int, set[int]]] | None = None,
) -> int:
    """Work out the summary's matches afresh (see the module's docstring); the number kept.
    A withdrawn summary keeps the matches it has (they are never read while unshared).
    `pool` is `_pool()` built once for many summaries."""
    if not learning.shared:
        return 0
    index, forces = pool or _pool()
    others = [key for key, found in forces.items() if found - {learning.force_id}]
    text = Finding.objects.values_list("text", flat=True).get(pk=learning.finding_id)
    found = index.rank(text, limit=MATCHES, min_score=similarity.SIMILAR_MIN_SCORE, among=others)
    with transaction.atomic():
        LearningMatch.objects.filter(learning=learning).delete()
        LearningMatch.objects.bulk_create(_rows(learning, found))
    return len(found)


def learning_match_findings(findings: Sequence[Finding]) -> int:
    """Match new findings against every summary shared now (see the module's docstring),
    with one index for them all; the number of matches added. Call it once the findings'
    items exist (services ask for it with `learning_findings_added`)."""
    findings = [f for f in findings if not f.for_national_body]
    learnings = list(SharedLearning.objects.shared().select_related("finding").order_by("pk"))
    if not learnings or not findings:
        return 0
    index, forces = _pool(findings)
    added = 0
    with transaction.atomic():
        for learning in learnings:
            among = [
                f.pk
                for f in findings
                # Not a finding only the sharer's own force has an item on.
                if not forces[f.pk] or forces[f.pk] - {learning.force_id}
            ]
            found = index.rank(
                learning.finding.text,
                limit=MATCHES,
                min_score=similarity.SIMILAR_MIN_SCORE,
                among=among,
            )
            for match in found:
                LearningMatch.objects.update_or_create(
                    learning=learning,
                    finding_id=match.key,
                    defaults={"score": match.score, "reason": similarity.reason(match)[:300]},
                )
            added += len(found)
            if found:
                kept = LearningMatch.objects.filter(learning=learning).order_by("-score", "id")
                beyond = list(kept.values_list("pk", flat=True)[MATCHES:])
                if beyond:
                    LearningMatch.objects.filter(pk__in=beyond).delete()
    return added


def learning_match_finding(finding: Finding) -> int:
    """One new finding matched against the summaries shared now (learning_match_findings)."""
    return learning_match_findings([finding])


def learning_findings_added(*, finding_ids: Sequence[int]) -> None:
    """Ask the worker to match new findings against the shared summaries, once the caller's
    transaction (which creates them and their items) commits."""
    if finding_ids:
        send_on_commit(background.MATCH_FINDING_TO_LEARNING, list(finding_ids))


def learning_match_all() -> int:
    """Work out every shared summary's matches afresh (the demo, a command): the rows kept."""
    pool = _pool()
    return sum(learning_match(learning, pool=pool) for learning in SharedLearning.objects.shared())
