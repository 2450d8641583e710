"""Lineage across inspections (issue 18): suggesting, confirming, dismissing and adding links
from a later finding to the earlier findings of the same force it repeats, continues or
supersedes.

Suggestions (`suggest_for_report`, `suggest_for_findings`) rank the earlier findings of each
force a new finding is about with `similarity.earlier_suggestions` and store them as
FindingLink rows in the state "suggested", with their score and reason: the precomputed
neighbours the item page reads. A confirmed or dismissed link is a person's decision and is
never overwritten by a later suggestion.

A person's decision (`link_confirm`, `link_dismiss`, `link_add`) is checked, written and
audited in one transaction; a refusal is a ValidationError in plain English and changes
nothing. Lineage stays within one force: cross-force similarity goes only through shared
summaries (tracker/learning.py). Confirming "supersedes" closes the earlier finding's item of
that force with the status "Superseded", naming the later finding, through
`services.item_set_status` (its status change row, audit row, webhook and deadlines, which
count a superseded item's deadlines as met, as a closed item's).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from tracker import policy, services, similarity
from tracker.audit import audit_record
from tracker.models import (
    CLOSED_STATUSES,
    AuditEvent,
    Finding,
    FindingLink,
    LinkRelation,
    LinkState,
    Report,
    Status,
    TrackedItem,
)

# How far back a chain is followed (the item page, the cycle check): far more steps than
# any force has inspections of one issue.
MAX_DEPTH = 10
MAX_NOTE = 2_000


# --- Suggestions ------------------------------------------------------------------------------


def finding_force_ids(findings: Sequence[Finding]) -> dict[int, set[int]]:
    """The forces each finding is about for lineage: those it has items for, and its own
    force when it has one (one query)."""
    about: dict[int, set[int]] = {f.pk: ({f.force_id} if f.force_id else set()) for f in findings}
    for finding_id, force_id in TrackedItem.objects.filter(finding_id__in=list(about)).values_list(
        "finding_id", "force_id"
    ):
        about[finding_id].add(force_id)
    return about


def _candidates(force_id: int, before: datetime.date) -> list[similarity.Doc]:
    """The findings of reports published before `before` that the force has items for or
    that are about the force, as the measure sees them (one query)."""
    rows = (
        Finding.objects.filter(Q(items__force_id=force_id) | Q(force_id=force_id))
        .filter(report__published_on__lt=before)
        .values_list("pk", "text", "area", "report__published_on")
        .distinct()
    )
    return [
        similarity.Doc(key=pk, text=text, area=area, published_on=published, force_id=force_id)
        for pk, text, area, published in rows
    ]


@transaction.atomic
def suggest_for_findings(findings: Iterable[Finding], now: datetime.datetime | None = None) -> int:
    """Rank, for each finding and each force it is about, the earlier findings of that force
    it may repeat, continue or supersede, and store them as suggested links (replacing the
    finding's earlier suggestions for that force). Confirmed and dismissed links stay as the
    person left them. Returns the number of suggestions stored."""
    now = now or timezone.now()
    found = list(Finding.objects.filter(pk__in=[f.pk for f in findings]).select_related("report"))
    if not found:
        return 0
    about = finding_force_ids(found)
    by_force: dict[int, list[Finding]] = defaultdict(list)
    for finding in found:
        for force_id in about[finding.pk]:
            by_force[force_id].append(finding)
    stored = 0
    for force_id, later_findings in by_force.items():
        latest = max(f.report.published_on for f in later_findings)
        later_ids = [f.pk for f in later_findings]
        decided = set(
            FindingLink.objects.filter(later_id__in=later_ids, force_id=force_id)
            .exclude(state=LinkState.SUGGESTED)
            .values_list("later_id", "earlier_id")
        )
        # Suggestions are refreshed: this force's earlier ones for these findings go.
        FindingLink.objects.filter(
            later_id__in=later_ids, force_id=force_id, state=LinkState.SUGGESTED
        ).delete()
        candidates = _candidates(force_id, latest)
        if not candidates:
            continue
        # One index over the force's earlier findings, for all of this import's findings.
        index = similarity.Index({c.key: c.text for c in candidates})
        rows = []
        for finding in later_findings:
            doc = similarity.Doc(
                key=finding.pk,
                text=finding.text,
                area=finding.area,
                published_on=finding.report.published_on,
                force_id=force_id,
            )
            for suggestion in similarity.earlier_suggestions(doc, candidates, index=index):
                if (finding.pk, suggestion.key) in decided:
                    continue
                rows.append(
                    FindingLink(
                        later_id=finding.pk,
                        earlier_id=suggestion.key,
                        force_id=force_id,
                        state=LinkState.SUGGESTED,
                        score=suggestion.score,
                        reason=suggestion.reason[:300],
                        suggested_at=now,
                    )
                )
        # A suggestion made meanwhile by another run (the worker, twice) is left as it is.
        FindingLink.objects.bulk_create(rows, ignore_conflicts=True)
        stored += len(rows)
    return stored


def suggest_for_report(report: Report, now: datetime.datetime | None = None) -> int:
    """Suggestions for every finding of a new or imported report (suggest_for_findings)."""
    return suggest_for_findings(list(report.findings.all()), now)


# --- Checks ------------------------------------------------------------------------------------


def _about_force(finding: Finding, force_id: int) -> bool:
    if finding.force_id is not None:
        return finding.force_id == force_id
    return TrackedItem.objects.filter(finding=finding, force_id=force_id).exists()


def _reaches(start_id: int, target_id: int, force_id: int, *, ignore: int | None = None) -> bool:
    """Whether `start` already comes after `target` through confirmed links of the force
    (start -> its earlier findings -> theirs ... -> target). One query per step, at most
    MAX_DEPTH steps."""
    frontier, seen = {start_id}, {start_id}
    for _ in range(MAX_DEPTH * 2):
        links = FindingLink.objects.confirmed().filter(force_id=force_id, later_id__in=frontier)
        if ignore is not None:
            links = links.exclude(pk=ignore)
        following = set(links.values_list("earlier_id", flat=True))
        if target_id in following:
            return True
        frontier = following - seen
        if not frontier:
            return False
        seen |= frontier
    return False


def link_check(
    *, later: Finding, earlier: Finding, force_id: int, ignore_link: int | None = None
) -> None:
    """Refuse a link that lineage does not allow, with a message for the person: to itself,
    to or from another force's finding, a circle of links, a "later" finding that is not
    later."""
    if later.pk == earlier.pk:
        raise ValidationError(gettext("A finding cannot be linked to itself."))
    if not _about_force(later, force_id) or not _about_force(earlier, force_id):
        raise ValidationError(
            gettext(
                "These findings are not both about the same force. Lineage stays within a "
                "force: cross-force similarity goes only through shared summaries."
            )
        )
    if _reaches(earlier.pk, later.pk, force_id, ignore=ignore_link):
        raise ValidationError(
            gettext(
                "This link would make a circle: the earlier finding already repeats, "
                "continues or supersedes the later one, directly or through other links."
            )
        )
    if not earlier.report.published_on < later.report.published_on:
        raise ValidationError(
            gettext(
                "The later finding is not later: its report (%(later)s) must be published "
                "after the earlier finding's report (%(earlier)s)."
            )
            % {
                "later": later.report.published_display,
                "earlier": earlier.report.published_display,
            }
        )


def _relation(relation: str) -> str:
    if relation not in LinkRelation.values:
        raise ValidationError(gettext("Choose how the findings are related."))
    return relation


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(
            gettext("The note must be %(n)s characters or fewer.") % {"n": f"{MAX_NOTE:,}"}
        )
    return note


def _may_decide(by: User, force_id: int, today: datetime.date) -> None:
    if not policy.can_decide_lineage(by, force_id, today):
        raise ValidationError(gettext("You cannot decide on links between this force's findings."))


def _lock(link: FindingLink) -> FindingLink:
    return (
        FindingLink.objects.select_for_update(of=("self",))
        .select_related("later__report", "earlier__report")
        .get(pk=link.pk)
    )


def _earlier_item(link: FindingLink) -> TrackedItem | None:
    return TrackedItem.objects.filter(finding_id=link.earlier_id, force_id=link.force_id).first()


def _check_supersede(link: FindingLink) -> TrackedItem | None:
    """The earlier item superseding would close (None when there is none, or it is closed
    already); refused while a closure proposal waits for a decision."""
    item = _earlier_item(link)
    if item is None:
        return None
    item = services.item_lock(item=item)
    if item.status == Status.PROPOSED_FOR_CLOSURE:
        raise ValidationError(
            gettext(
                "The earlier finding's item is waiting for a closure decision. Approve or "
                "return the proposal first, then confirm that this finding supersedes it."
            )
        )
    if item.status in CLOSED_STATUSES:
        return None
    return item


def supersede_reason(later: Finding) -> str:
    """The status change's reason, naming the superseding finding."""
    return gettext("Superseded by %(label)s of “%(report)s” (%(published)s): %(summary)s") % {
        "label": later.label,
        "report": later.report.title,
        "published": later.report.published_display,
        "summary": later.summary,
    }


def _supersede(item: TrackedItem, link: FindingLink, by: User, now: datetime.datetime) -> None:
    """Close the earlier item as superseded by the link's later finding: a status change
    with the reason naming it, closed_at and superseded_by set, the audit row; its history
    is left as it is, and its deadlines are met (deadlines_sync_item, in item_set_status)."""
    services.item_set_status(
        item=item,
        by=by,
        to_status=Status.SUPERSEDED,
        reason=supersede_reason(link.later)[:2000],
        now=now,
        closed_at=now,
        superseded_by=link.later,
    )


# --- Decisions ---------------------------------------------------------------------------------


@transaction.atomic
def link_confirm(
    *,
    link: FindingLink,
    by: User,
    relation: str,
    note: str = "",
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> FindingLink:
    """Confirm a suggested (or earlier dismissed) link as repeats, continues or supersedes.
    Superseding closes the earlier finding's item of the force as "Superseded"."""
    link = _lock(link)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    _may_decide(by, link.force_id, today)
    relation = _relation(relation)
    note = _note(note)
    if link.state == LinkState.CONFIRMED:
        raise ValidationError(gettext("This link has already been confirmed."))
    link_check(later=link.later, earlier=link.earlier, force_id=link.force_id, ignore_link=link.pk)
    item = _check_supersede(link) if relation == LinkRelation.SUPERSEDES else None
    before = {"state": link.state, "relation": link.relation}
    link.state, link.relation = LinkState.CONFIRMED, relation
    link.decided_by, link.decided_at, link.note = by, now, note
    link.save(update_fields=["state", "relation", "decided_by", "decided_at", "note"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=link,
        at=now,
        changes={
            "state": (before["state"], link.state),
            "relation": (before["relation"], relation),
            "later": (None, link.later.key),
            "earlier": (None, link.earlier.key),
        },
        note=note or gettext("Link confirmed"),
    )
    if item is not None:
        _supersede(item, link, by, now)
    return link


@transaction.atomic
def link_dismiss(
    *,
    link: FindingLink,
    by: User,
    note: str = "",
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> FindingLink:
    """Dismiss a suggested link: it stays, dismissed, so it is never suggested again."""
    link = _lock(link)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    _may_decide(by, link.force_id, today)
    note = _note(note)
    if link.state != LinkState.SUGGESTED:
        raise ValidationError(
            gettext("Only a suggested link can be dismissed; this one is %(state)s.")
            % {"state": LinkState(link.state).label.lower()}
        )
    before = link.state
    link.state, link.decided_by, link.decided_at, link.note = LinkState.DISMISSED, by, now, note
    link.save(update_fields=["state", "decided_by", "decided_at", "note"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=link,
        at=now,
        changes={
            "state": (before, link.state),
            "later": (None, link.later.key),
            "earlier": (None, link.earlier.key),
        },
        note=note or gettext("Link dismissed"),
    )
    return link


@transaction.atomic
def link_add(
    *,
    later_item: TrackedItem,
    earlier_finding_key: str,
    relation: str,
    by: User,
    note: str = "",
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> FindingLink:
    """A link a person adds by hand, confirmed at once: the item's finding repeats,
    continues or supersedes the earlier finding (named by its key) for the item's force."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    force_id = later_item.force_id
    _may_decide(by, force_id, today)
    relation = _relation(relation)
    note = _note(note)
    key = (earlier_finding_key or "").strip()
    if not key:
        raise ValidationError(gettext("Enter the earlier finding's key."))
    # Only this force's findings are looked up, so the answer never tells whether another
    # force has a finding with that key (lineage stays within one force).
    earlier = (
        Finding.objects.select_related("report")
        .filter(Q(force_id=force_id) | Q(items__force_id=force_id), key=key)
        .distinct()
        .first()
    )
    if earlier is None:
        raise ValidationError(
            gettext(
                "This force has no finding with the key “%(key)s”. Lineage stays within a "
                "force: a finding can only be linked to earlier findings of the same force."
            )
            % {"key": key}
        )
    later = Finding.objects.select_related("report").get(pk=later_item.finding_id)
    link_check(later=later, earlier=earlier, force_id=force_id)
    existing = (
        FindingLink.objects.select_for_update()
        .filter(later=later, earlier=earlier, force_id=force_id)
        .first()
    )
    if existing is not None and existing.state == LinkState.CONFIRMED:
        raise ValidationError(gettext("These findings are already linked."))
    if existing is None:
        link = FindingLink(later=later, earlier=earlier, force_id=force_id)
        before_state = None
    else:
        link, before_state = existing, existing.state
    link.later, link.earlier = later, earlier
    item = _check_supersede(link) if relation == LinkRelation.SUPERSEDES else None
    link.state, link.relation = LinkState.CONFIRMED, relation
    link.decided_by, link.decided_at, link.note = by, now, note
    link.save()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE if existing is None else AuditEvent.Action.UPDATE,
        obj=link,
        at=now,
        changes={
            "state": (before_state, link.state),
            "relation": (None, relation),
            "later": (None, later.key),
            "earlier": (None, earlier.key),
        },
        note=note or gettext("Link added by hand"),
    )
    if item is not None:
        _supersede(item, link, by, now)
    return link
