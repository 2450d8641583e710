"""Shared learning reads (issue 18): shared summaries only (`shared=True` first), never
another force's unshared item.

Forces see nothing of each other by default. The only way one force's work reaches another
is a summary its coordinator or PCC office chose to share (tracker/learning.py), and only
while it stays shared: every query here starts from `SharedLearning.objects.shared()` (or
filters `learning__shared=True`), so a withdrawn or never-shared item gives no row, no count
and no match.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tracker import policy
from tracker.models import LearningMatch, SharedLearning, Status, TrackedItem

SIMILAR_SHOWN = 5
MAX_QUERY = 200


@dataclass(frozen=True)
class ItemLearning:
    """What the item page shows of shared learning.

    `own`: this item's summary as shared or withdrawn (None: never shared); `can_share`:
    the person may share (or correct) it now; `can_withdraw`: may stop sharing it;
    `similar`: the best shared summaries of other forces on findings like this one."""

    own: SharedLearning | None
    can_share: bool
    can_withdraw: bool
    sees_similar: bool
    similar: list[LearningMatch]


def similar_for_item(item: TrackedItem, *, limit: int = SIMILAR_SHOWN) -> list[LearningMatch]:
    """The best matches of shared summaries of other forces to the item's finding, best
    first, one query: the stored LearningMatch rows, never a ranking."""
    return list(
        LearningMatch.objects.filter(finding_id=item.finding_id, learning__shared=True)
        .exclude(learning__force_id=item.force_id)
        .select_related("learning__force", "learning__finding__report")
        .order_by("-score", "id")[:limit]
    )


def item_learning(item: TrackedItem, user, today: datetime.date) -> ItemLearning | None:
    """What the item page shows (the person already sees the item): its own sharing state
    with the share and withdraw links the person may use, and "How other forces answered
    similar findings". Two queries, however many summaries there are; None for nobody."""
    # The person sees this item, so a force: `policy.sees_shared_learning` holds already.
    if not user.is_authenticated:
        return None
    own = SharedLearning.objects.filter(item=item).select_related("shared_by").first()
    allowed = item.status == Status.CLOSED and policy.can_share_learning(user, item, today)
    return ItemLearning(
        own=own,
        can_share=allowed,
        can_withdraw=allowed and own is not None and own.shared,
        sees_similar=True,
        similar=similar_for_item(item),
    )


def learning_list(*, user, today: datetime.date, text: str = "") -> QuerySet[SharedLearning]:
    """Every summary shared now (all forces': shared with every force on purpose), newest
    first, with the words of `text` each found in the summary, its finding or its force."""
    if not policy.sees_shared_learning(user, today):
        return SharedLearning.objects.none()
    rows = SharedLearning.objects.shared().select_related("force", "finding__report")
    for word in text[:MAX_QUERY].split():
        rows = rows.filter(
            Q(what_was_done__icontains=word)
            | Q(evidence_of_effect__icontains=word)
            | Q(contact_role__icontains=word)
            | Q(finding__text__icontains=word)
            | Q(force__name__icontains=word)
        )
    return rows.order_by("-shared_at", "id")


def shared_learning_count() -> int:
    """How many summaries are shared now (for a figure or a link)."""
    return SharedLearning.objects.shared().count()
