"""Lineage reads (issue 18): an item's chain of earlier findings, its suggestions, a report's
count of findings raised before, the recurring findings the dashboards count. Scoped to what
the person may see first (`policy.visible_force_ids`); lineage never crosses forces, so an
item's chain is read within the item's own force.

The chain is followed back through confirmed links in Python over the force's confirmed
links (one query), to MAX_DEPTH steps: the page costs the same few queries however long the
chain is.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker import exports, filters, policy
from tracker.models import (
    Finding,
    FindingLink,
    LinkRelation,
    LinkState,
    Report,
    TrackedItem,
)

MAX_DEPTH = 10
# How a link reads on the later finding's page (its chain back) and on the earlier one's.
EARLIER_LABELS: dict[str, Any] = {
    LinkRelation.REPEATS: _("Repeats"),
    LinkRelation.CONTINUES: _("Continues"),
    LinkRelation.SUPERSEDES: _("Supersedes"),
}
LATER_LABELS: dict[str, Any] = {
    LinkRelation.REPEATS: _("Repeated by"),
    LinkRelation.CONTINUES: _("Continued by"),
    LinkRelation.SUPERSEDES: _("Superseded by"),
}


@dataclass(frozen=True)
class LinkedFinding:
    """One finding of the chain (or a later finding, or a suggestion), as the page shows it:
    "February 2016 · Area for improvement (AFI 2) · closed 12 May 2017"."""

    finding: Finding
    relation: str  # LinkRelation value; "" for a suggestion
    depth: int  # 1: linked to the item's finding directly; 2: to that one; ...
    link: FindingLink
    item: TrackedItem | None  # the force's item of that finding, if it tracks it

    forward: bool = False  # a later finding linking to the item's (read the other way)

    @property
    def relation_label(self) -> str:
        """ "Continues" for an earlier finding of the chain; "Continued by" for a later one."""
        if not self.relation:
            return ""
        return str((LATER_LABELS if self.forward else EARLIER_LABELS)[self.relation])

    @property
    def closed_on(self) -> datetime.date | None:
        if self.item is None or self.item.closed_at is None:
            return None
        return timezone.localdate(self.item.closed_at)


@dataclass
class Lineage:
    """What the item page shows of its lineage."""

    earlier: list[LinkedFinding] = field(default_factory=list)  # the chain, nearest first
    later: list[LinkedFinding] = field(default_factory=list)  # later findings linking to it
    suggestions: list[LinkedFinding] = field(default_factory=list)  # only for deciders
    can_decide: bool = False
    pending: int = 0  # suggestions waiting for a decision (shown to deciders)

    @property
    def empty(self) -> bool:
        return not (self.earlier or self.later or self.suggestions)


def _force_links(force_id: int) -> list[tuple[int, int, int, str]]:
    """The force's confirmed links as (id, later, earlier, relation): one query."""
    return list(
        FindingLink.objects.confirmed()
        .filter(force_id=force_id)
        .order_by()
        .values_list("pk", "later_id", "earlier_id", "relation")
    )


def chain_back(
    start_id: int, links: list[tuple[int, int, int, str]], depth: int = MAX_DEPTH
) -> list[tuple[int, int, str, int]]:
    """The findings `start` comes after, through confirmed links, breadth first:
    (finding id, depth, relation, link id), each finding once, at most `depth` steps."""
    earlier_of: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for pk, later, earlier, relation in links:
        earlier_of[later].append((earlier, relation, pk))
    seen = {start_id}
    found: list[tuple[int, int, str, int]] = []
    frontier = [start_id]
    for level in range(1, depth + 1):
        following = []
        for finding_id in frontier:
            for earlier, relation, pk in earlier_of.get(finding_id, ()):
                if earlier not in seen:
                    seen.add(earlier)
                    found.append((earlier, level, relation, pk))
                    following.append(earlier)
        if not following:
            break
        frontier = following
    return found


def item_lineage(item: TrackedItem, user: Any, today: datetime.date) -> Lineage | None:
    """What the item page shows of the item's lineage (None: nothing to show). The caller
    has loaded the item through the scoped loader, so the person sees its force; the chain
    stays within that force. Six queries at most, whatever the chain's length."""
    force_id = item.force_id
    links = _force_links(force_id)
    back = chain_back(item.finding_id, links)
    forward = [
        (pk, later, relation)
        for pk, later, earlier, relation in links
        if earlier == item.finding_id
    ]
    can_decide = policy.can_decide_lineage(user, force_id, today)
    suggested: list[FindingLink] = []
    if can_decide:
        suggested = list(
            FindingLink.objects.filter(
                later_id=item.finding_id, force_id=force_id, state=LinkState.SUGGESTED
            ).order_by("-score", "id")
        )
    if not back and not forward and not suggested:
        return Lineage(can_decide=can_decide) if can_decide else None
    finding_ids = (
        {f for f, _, _, _ in back}
        | {later for _, later, _ in forward}
        | {s.earlier_id for s in suggested}
    )
    findings = Finding.objects.select_related("report").in_bulk(finding_ids)
    items = {
        i.finding_id: i
        for i in TrackedItem.objects.filter(finding_id__in=finding_ids, force_id=force_id).only(
            "pk", "uuid", "finding_id", "force_id", "status", "closed_at", "superseded_by_id"
        )
    }
    link_rows = FindingLink.objects.select_related("decided_by").in_bulk(
        {pk for _, _, _, pk in back} | {pk for pk, _, _ in forward}
    )
    earlier = [
        LinkedFinding(findings[f], relation, depth, link_rows[pk], items.get(f))
        for f, depth, relation, pk in back
        if f in findings
    ]
    later = sorted(
        (
            LinkedFinding(findings[f], relation, 1, link_rows[pk], items.get(f), forward=True)
            for pk, f, relation in forward
            if f in findings
        ),
        key=lambda e: e.finding.report.published_on,
    )
    suggestions = [
        LinkedFinding(findings[s.earlier_id], "", 1, s, items.get(s.earlier_id))
        for s in suggested
        if s.earlier_id in findings
    ]
    return Lineage(
        earlier=earlier,
        later=later,
        suggestions=suggestions,
        can_decide=can_decide,
        pending=len(suggestions),
    )


def item_link_get(item: TrackedItem, link_id: int) -> FindingLink | None:
    """One of the item's links (its finding the later one, for the item's force), or None."""
    return (
        FindingLink.objects.select_related("later__report", "earlier__report")
        .filter(pk=link_id, later_id=item.finding_id, force_id=item.force_id)
        .first()
    )


def earlier_choices(item: TrackedItem) -> list[tuple[str, str]]:
    """The findings the item's finding may be linked to by hand, as (key, label): findings of
    reports published before its report that the item's force tracks or that are about the
    force, newest first, leaving out those already confirmed. One query."""
    published = item.finding.report.published_on
    confirmed = FindingLink.objects.confirmed().filter(
        later_id=item.finding_id, force_id=item.force_id
    )
    rows = (
        Finding.objects.filter(Q(items__force_id=item.force_id) | Q(force_id=item.force_id))
        .filter(report__published_on__lt=published)
        .exclude(pk__in=confirmed.values("earlier_id"))
        .select_related("report")
        .distinct()
        .order_by("-report__published_on", "report_id", "order", "pk")
    )
    return [(f.key, f"{f.report.published_display} · {f.label}: {f.summary[:100]}") for f in rows]


def confirmed_links(user: Any, today: datetime.date) -> QuerySet[FindingLink]:
    """The confirmed links of the forces the person sees, for the export."""
    return (
        FindingLink.objects.confirmed()
        .for_forces(policy.visible_force_ids(user, today))
        .select_related("later__report", "earlier__report", "force", "decided_by")
        .order_by("force__name", "-later__report__published_on", "later__order", "id")
    )


def report_raised_before_count(report: Report, user: Any, today: datetime.date) -> int:
    """How many of the report's findings were raised before (a confirmed link to an earlier
    finding) for a force the person sees. One query."""
    return (
        FindingLink.objects.confirmed()
        .for_forces(policy.visible_force_ids(user, today))
        .filter(later__report=report)
        .values("later_id")
        .distinct()
        .count()
    )


def recurring_items_q() -> Q:
    """Items whose finding was raised before for the item's own force (a confirmed link to
    an earlier finding): a condition for counts (`items.filter(...)`), one EXISTS subquery,
    no joins that would count an item twice. The one definition is filters.recurring_q,
    which the dashboards and the item list's filter use."""
    return filters.recurring_q()


def recurring_finding_ids(user: Any, today: datetime.date) -> set[int]:
    """The findings raised before, for the forces the person sees."""
    return set(
        FindingLink.objects.confirmed()
        .for_forces(policy.visible_force_ids(user, today))
        .values_list("later_id", flat=True)
    )


# --- The export of confirmed links -------------------------------------------------------------

EXPORT_COLUMNS = [
    "Force",
    "Later report",
    "Later report published",
    "Later finding",
    "Later finding key",
    "Later finding text",
    "Relation",
    "Earlier report",
    "Earlier report published",
    "Earlier finding",
    "Earlier finding key",
    "Earlier finding text",
    "Similarity",
    "Reason suggested",
    "Confirmed by",
    "Confirmed on",
    "Note",
]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def export_table(user: Any, today: datetime.date) -> Iterator[list[Any]]:
    """The export's rows: the header, then a row per confirmed link of the forces the person
    sees, read in chunks. No line above the header, as the item CSV (tracker/exports.py): it
    would break every program that reads the file."""
    yield EXPORT_COLUMNS
    for link in confirmed_links(user, today).iterator(chunk_size=500):
        later, earlier = link.later, link.earlier
        row = [
            link.force.name,
            later.report.title,
            exports.published(later.report),
            later.label,
            later.key,
            _one_line(later.text),
            link.get_relation_display(),
            earlier.report.title,
            exports.published(earlier.report),
            earlier.label,
            earlier.key,
            _one_line(earlier.text),
            round(link.score, 2) if link.reason else "",
            link.reason,
            link.decided_by.full_name if link.decided_by else "",
            timezone.localdate(link.decided_at) if link.decided_at else None,
            _one_line(link.note),
        ]
        yield [exports.clean(v) for v in row]
