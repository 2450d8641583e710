"""Reads. Each starts from what the person may see (tracker.policy) and then narrows.

Lists that people filter take the filter values as they came (the request's query string)
and apply the list's FilterSet (tracker.filters) here; the page only passes them on and shows
the FilterSet's form and errors.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import (
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404

from accounts.models import POLICING_BODY_KINDS, Organisation, PolicingBodyTerm, User
from tracker import policy
from tracker.filters import (
    ItemFilter,
    ReportFilter,
    ResponseFilter,
    ScopedFilterSet,
    owner_choices,
)
from tracker.histories import (  # noqa: F401  (re-exported: the pages read them here)
    AUDIT_TRAIL_LIMIT,
    TimelineEntry,
    item_audit_trail,
    item_timeline,
    report_audit_trail,
)
from tracker.models import (
    ClosureDecision,
    ClosureProposal,
    Deadline,
    DeadlineChange,
    DeadlineState,
    Evidence,
    Finding,
    Judgement,
    Notification,
    ProgressReview,
    Report,
    ResponseVersion,
    Status,
    StatutoryResponse,
    TrackedItem,
    TrackedItemQuerySet,
)
from tracker.statutory.content import STAGE_LABELS, stage_of, statutory_deadline

# The filter values chosen: the request's query string (or a dict, in tests and commands).
FilterValues = QueryDict | dict[str, Any]
FilterSetT = TypeVar("FilterSetT", bound=ScopedFilterSet)


def filtered(
    filter_class: type[FilterSetT],
    queryset: QuerySet,
    *,
    filters: FilterValues | None,
    user,
    today: datetime.date,
    lenient: bool = False,
) -> FilterSetT:
    """A list's FilterSet bound to the values chosen (none chosen: unbound, the whole list).

    Values that do not validate are ignored by the FilterSet's `qs`; its errors say which,
    for the page to show. `lenient` (exports, which show no errors) leaves them out of the
    values altogether."""
    filterset = filter_class(filters or None, queryset=queryset, user=user, today=today)
    if lenient and filters and filterset.is_bound and not filterset.is_valid():
        data = filters.copy()
        for name in filterset.errors:
            data.pop(name, None)
        filterset = filter_class(data, queryset=queryset, user=user, today=today)
    return filterset


def item_list(*, user, today: datetime.date) -> TrackedItemQuerySet:
    force_ids = policy.visible_force_ids(user, today)
    return (
        TrackedItem.objects.for_forces(force_ids)
        .select_related("finding__report", "finding__parent", "force", "owner")
        .order_by("-last_activity_at", "-id")
    )


def my_item_list(*, user, today: datetime.date) -> TrackedItemQuerySet:
    return item_list(user=user, today=today).owned_by(user)


# What the item lists never show: the responses' text and the owner's sign-in details (a
# page of rows reads neither).
LIST_DEFERRED = (
    "force_response",
    "pcc_response",
    "owner__password",
    "owner__last_login",
    "owner__is_superuser",
)


def listed(items: QuerySet[TrackedItem]) -> QuerySet[TrackedItem]:
    """The item lists' rows: the columns a page shows (item_list's joins, less
    LIST_DEFERRED)."""
    return items.defer(*LIST_DEFERRED)


def item_filter(*, user, today: datetime.date, filters: FilterValues | None) -> ItemFilter:
    """All the items the person may see, with the filters chosen."""
    return filtered(
        ItemFilter,
        listed(item_list(user=user, today=today)),
        filters=filters,
        user=user,
        today=today,
    )


def my_item_filter(*, user, today: datetime.date, filters: FilterValues | None) -> ItemFilter:
    """The items the person owns, with the filters chosen."""
    return filtered(
        ItemFilter,
        listed(my_item_list(user=user, today=today)),
        filters=filters,
        user=user,
        today=today,
    )


def item_export_list(
    *, user, today: datetime.date, filters: FilterValues | None
) -> QuerySet[TrackedItem]:
    """The items to export, with the filters chosen (values that do not validate are left
    out, as the lists ignore them). "mine=1" exports the My items list (what the person
    owns), as on that page. Scoped like the lists: the filters only narrow."""
    filters = filters or {}
    lister = my_item_list if filters.get("mine") == "1" else item_list
    queryset = lister(user=user, today=today).select_related("lead")
    return filtered(ItemFilter, queryset, filters=filters, user=user, today=today, lenient=True).qs


OWNER_NAMES_SHOWN = 20


def owner_names(*, user, today: datetime.date, text: str) -> list[str]:
    """For the owner filter's type-ahead: the names of people in the person's scope who can
    own items, containing the text typed (any case), at most OWNER_NAMES_SHOWN, names that
    start with it first. From the filters' cached choices: no query when they are cached."""
    needle = " ".join(text.split()).casefold()
    if not needle:
        return []
    names = sorted(
        {name for _pk, name in owner_choices(policy.visible_force_ids(user, today))},
        key=lambda name: (not name.casefold().startswith(needle), name.casefold()),
    )
    return [name for name in names if needle in name.casefold()][:OWNER_NAMES_SHOWN]


def force_people(*, force: Organisation) -> QuerySet[User]:
    """Active force staff and coordinators of a force, for choosing owners and leads. A
    service account (an organisation's system reading through the API) is never one."""
    return (
        User.objects.with_role(*policy.FORCE_ROLES)
        .active()
        .filter(organisation=force, service_account__isnull=True)
        .order_by("full_name")
    )


def last_return(item: TrackedItem) -> ClosureDecision | None:
    """The latest closure decision if it returned the proposal, for the owner to act on."""
    decision = (
        ClosureDecision.objects.filter(proposal__item=item)
        .select_related("decided_by")
        .order_by("-decided_at")
        .first()
    )
    if decision and decision.outcome == ClosureDecision.Outcome.RETURNED and item.is_open:
        return decision
    return None


def awaiting_decision_count(*, user, today: datetime.date) -> int:
    """Closure proposals someone else made that this person could approve or return."""
    if not policy.decides_closures(user):
        return 0
    return (
        item_list(user=user, today=today)
        .filter(status=Status.PROPOSED_FOR_CLOSURE)
        .exclude(
            pk__in=ClosureProposal.objects.filter(decision__isnull=True, proposed_by=user).values(
                "item_id"
            )
        )
        .count()
    )


def item_get(*, user, uuid, today: datetime.date) -> TrackedItem:
    """The item, or 404 when it does not exist or is outside the person's forces."""
    try:
        return (
            item_list(user=user, today=today)
            .select_related("lead")
            .prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
                Prefetch(
                    "reviews", queryset=ProgressReview.objects.select_related("by__organisation")
                ),
            )
            .get(uuid=uuid)
        )
    except (TrackedItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such item") from None


def report_list(*, user, today: datetime.date) -> QuerySet[Report]:
    force_ids = policy.visible_force_ids(user, today)
    return Report.objects.for_forces(force_ids).select_related("inspectorate")


def report_filter(*, user, today: datetime.date, filters: FilterValues | None) -> ReportFilter:
    """The reports about the forces the person sees, with the filters chosen."""
    return filtered(
        ReportFilter, report_list(user=user, today=today), filters=filters, user=user, today=today
    )


def report_get(*, user, key: str, today: datetime.date) -> Report:
    try:
        return report_list(user=user, today=today).get(key=key)
    except Report.DoesNotExist:
        raise Http404("No such report") from None


def report_findings(*, report: Report, user, today: datetime.date) -> QuerySet[Finding]:
    """The report's findings with the items the person may see, in published order.

    Findings about one force only are shown only to those who can see that force."""
    force_ids = policy.visible_force_ids(user, today)
    items = (
        TrackedItem.objects.for_forces(force_ids)
        .select_related("force", "owner")
        .defer(*LIST_DEFERRED)
    )
    findings = (
        report.findings.select_related("parent")
        .prefetch_related(Prefetch("items", queryset=items, to_attr="visible_items"))
        .order_by("order", "id")
    )
    if force_ids is not None:
        findings = findings.filter(Q(force__isnull=True) | Q(force_id__in=force_ids))
    return findings


def report_judgements(*, report: Report, user, today: datetime.date) -> QuerySet[Judgement]:
    """Grades for the whole report, and per-force grades only for forces the person sees."""
    force_ids = policy.visible_force_ids(user, today)
    judgements = report.judgements.select_related("force")
    if force_ids is None:
        return judgements
    return judgements.filter(Q(force__isnull=True) | Q(force_id__in=force_ids))


def _deadlines_shown() -> QuerySet[Deadline]:
    return (
        Deadline.objects.exclude(state=DeadlineState.WITHDRAWN)
        .select_related("rule")
        .prefetch_related(
            Prefetch("changes", queryset=DeadlineChange.objects.select_related("recorded_by"))
        )
        .order_by("rule__name")
    )


def report_responses(*, report: Report, user, today: datetime.date) -> QuerySet[StatutoryResponse]:
    force_ids = policy.visible_force_ids(user, today)
    responses = (
        report.statutory_responses.select_related("body", "force")
        .prefetch_related(Prefetch("deadlines", queryset=_deadlines_shown()))
        .order_by("force__name")
    )
    return responses if force_ids is None else responses.filter(force_id__in=force_ids)


def item_deadlines(item: TrackedItem) -> QuerySet[Deadline]:
    return _deadlines_shown().filter(item=item)


def deadline_list(*, user, today: datetime.date) -> QuerySet[Deadline]:
    """Every deadline of the forces the person sees (the API's deadlines list, issue 15),
    withdrawn ones left out as the pages leave them out; scoped as deadline_get is."""
    force_ids = policy.visible_force_ids(user, today)
    deadlines = _deadlines_shown().select_related("force", "item", "response").order_by()
    if force_ids is not None:
        deadlines = deadlines.filter(force_id__in=force_ids)
    return deadlines


def deadline_get(*, user, uuid, today: datetime.date) -> Deadline:
    """A deadline, or 404 when it is outside the person's forces."""
    force_ids = policy.visible_force_ids(user, today)
    deadlines = Deadline.objects.select_related(
        "rule", "force", "item__finding__report", "response__report"
    )
    if force_ids is not None:
        deadlines = deadlines.filter(force_id__in=force_ids)
    try:
        return deadlines.get(uuid=uuid)
    except (Deadline.DoesNotExist, ValueError, TypeError):
        raise Http404("No such deadline") from None


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def judgement_for(finding: Finding, force_id: int) -> Judgement | None:
    """The grade the report gave the area a finding sits in, for context on the item page."""
    judgements = finding.report.judgements.filter(
        force__isnull=True
    ) | finding.report.judgements.filter(force_id=force_id)
    if finding.reference:
        match = judgements.filter(reference=finding.reference).first()
        if match:
            return match
    return judgements.filter(area=finding.area).first()


def open_update_request(item: TrackedItem) -> ProgressReview | None:
    """The PCC office's latest request for an update, while nothing has happened on the item
    since (from the reviews item_get prefetched)."""
    asks = [r for r in item.reviews.all() if r.kind == ProgressReview.Kind.UPDATE_REQUEST]
    latest = max(asks, key=lambda r: (r.at, r.id)) if asks else None
    if latest is None or not item.is_open or item.last_activity_at > latest.at:
        return None
    return latest


def latest_view(item: TrackedItem) -> ProgressReview | None:
    """The PCC office's latest view on progress (from the reviews item_get prefetched)."""
    views = [r for r in item.reviews.all() if r.kind == ProgressReview.Kind.VIEW]
    return max(views, key=lambda r: (r.at, r.id)) if views else None


# Statutory responses and the PCC office's review of progress --------------------------------


@dataclass
class ResponseRow:
    """One report about one force, with its response (if started) and where it stands."""

    report: Report
    force: Organisation
    response: StatutoryResponse | None
    deadline: Deadline | None
    stage: str
    latest_version: int
    days_left: int | None = None

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]


def _response_pairs(force_ids: set[int] | None) -> QuerySet[Any]:
    # Rows of Report.forces.through (a report and one of its forces), annotated; the
    # through model has no name to write in a type.
    Through = Report.forces.through
    # s55 comments are about police forces only: a fire and rescue service's report (issue 17)
    # has no statutory response.
    pairs = Through.objects.filter(organisation__kind=Organisation.Kind.FORCE)
    if force_ids is not None:
        pairs = pairs.filter(organisation_id__in=force_ids)
    responses = StatutoryResponse.objects.filter(
        report_id=OuterRef("report_id"), force_id=OuterRef("organisation_id")
    )
    # The deadline is looked up by the response's id (an index lookup per row). Joining
    # deadlines to responses by report and force instead let PostgreSQL, once it had
    # statistics, scan every deadline for every row: 14 s for 89 rows among 100,000 items.
    # Nor is the state a condition: it is part of the value (the due date of an open
    # deadline, else NULL, sorted last), so PostgreSQL cannot combine the index on the state,
    # which holds every open item's deadline (its bitmap grew with the items: 35 ms for 44
    # rows at 20,000 items, issue 16). A response has a handful of deadlines.
    due = (
        Deadline.objects.filter(
            response_id=OuterRef("response_id"), rule__who_must_act="pcc_office"
        )
        .annotate(open_due=Case(When(state=DeadlineState.OPEN, then="due_on")))
        .order_by(F("open_due").asc(nulls_last=True))
    )
    with_body = PolicingBodyTerm.objects.filter(force_id=OuterRef("organisation_id"))
    return (
        pairs.filter(Exists(with_body))
        .annotate(
            response_id=Subquery(responses.values("pk")[:1]),
            published=Exists(responses.filter(published_on__isnull=False)),
        )
        .annotate(due=Subquery(due.values("open_due")[:1]))
        .order_by(
            "published",
            F("due").asc(nulls_last=True),
            "-report__published_on",
            "report__title",
            "organisation__name",
            "report_id",
            "pk",
        )
    )


def response_pairs(*, user, today: datetime.date) -> QuerySet[Any]:
    """Every report about the forces the person sees (a row per report and force), most
    urgent first: unpublished with the nearest (or most overdue) deadline, then unpublished
    with no deadline, then published, newest report first."""
    return _response_pairs(policy.visible_force_ids(user, today)).select_related(
        "report", "organisation"
    )


def response_filter(*, user, today: datetime.date, filters: FilterValues | None) -> ResponseFilter:
    """The statutory responses list (response_pairs), with the filters chosen."""
    return filtered(
        ResponseFilter,
        response_pairs(user=user, today=today),
        filters=filters,
        user=user,
        today=today,
    )


def response_export_pairs(
    *, user, today: datetime.date, filters: FilterValues | None
) -> QuerySet[Any]:
    """The statutory responses list to export, with the filters chosen (values that do not
    validate are left out)."""
    return filtered(
        ResponseFilter,
        response_pairs(user=user, today=today),
        filters=filters,
        user=user,
        today=today,
        lenient=True,
    ).qs


def response_rows(page: Iterable[Any], *, today: datetime.date) -> list[ResponseRow]:
    """The rows of one page of response_pairs, with each response, its deadline and stage.
    A fixed number of queries."""
    keys = [(p.report_id, p.organisation_id) for p in page]
    drafted_items = TrackedItem.objects.filter(
        finding__report_id=OuterRef("report_id"), force_id=OuterRef("force_id")
    ).exclude(pcc_response="")
    responses = {
        (r.report_id, r.force_id): r
        for r in StatutoryResponse.objects.filter(
            report_id__in={k[0] for k in keys}, force_id__in={k[1] for k in keys}
        )
        .annotate(
            drafted_item=Exists(drafted_items),
            latest_version=Max("versions__number"),
        )
        .prefetch_related(
            Prefetch(
                "deadlines",
                queryset=Deadline.objects.exclude(state=DeadlineState.WITHDRAWN).select_related(
                    "rule"
                ),
            )
        )
    }
    rows = []
    for pair in page:
        response = responses.get((pair.report_id, pair.organisation_id))
        deadline = None
        if response is not None:
            deadline = statutory_deadline(response)
        latest = (response.latest_version or 0) if response else 0
        drafted = bool(response and (response.drafted_item or response.pcc_comments.strip()))
        rows.append(
            ResponseRow(
                report=pair.report,
                force=pair.organisation,
                response=response,
                deadline=deadline,
                stage=stage_of(response, drafted=drafted, published=latest > 0),
                latest_version=latest,
                days_left=deadline.days_left(today) if deadline else None,
            )
        )
    return rows


def response_scope_get(
    *, user, key: str, force_code: str, today: datetime.date
) -> tuple[Report, Organisation, StatutoryResponse | None]:
    """The report and force for a response page, or 404 when the person cannot see that
    force or the report is not about it. The response row may not exist yet (None)."""
    report = report_get(user=user, key=key, today=today)
    force = next((f for f in report.forces.all() if f.code == force_code), None)
    if force is None or not policy.can_see_force(user, force.id, today):
        raise Http404("No such response")
    response = (
        report.statutory_responses.filter(force=force)
        .select_related("body", "force", "report", "approved_by")
        .prefetch_related(Prefetch("deadlines", queryset=_deadlines_shown()))
        .first()
    )
    return report, force, response


def review_items(*, user, today: datetime.date) -> TrackedItemQuerySet:
    """The PCC office's review of progress: its forces' items by report, with the latest
    update request and the office's latest view (rating and date) on each."""
    reviews = ProgressReview.objects.filter(item_id=OuterRef("pk")).order_by("-at", "-id")
    views = reviews.filter(kind=ProgressReview.Kind.VIEW)
    return (
        item_list(user=user, today=today)
        .annotate(
            view_rating=Subquery(views.values("rating")[:1]),
            view_at=Subquery(views.values("at")[:1]),
            update_requested_at=Subquery(
                reviews.filter(kind=ProgressReview.Kind.UPDATE_REQUEST).values("at")[:1]
            ),
        )
        .order_by(
            "-finding__report__published_on",
            "finding__report_id",
            "force__name",
            "finding__order",
            "id",
        )
    )


def review_item_filter(*, user, today: datetime.date, filters: FilterValues | None) -> ItemFilter:
    """The PCC office's review of progress (review_items), with the filters chosen."""
    return filtered(
        ItemFilter,
        listed(review_items(user=user, today=today)),
        filters=filters,
        user=user,
        today=today,
    )


def public_bodies() -> QuerySet[Organisation]:
    """The local policing bodies that have published at least one response."""
    return Organisation.objects.filter(
        kind__in=POLICING_BODY_KINDS,
        pk__in=StatutoryResponse.objects.filter(versions__isnull=False).values("body_id"),
    )


def public_body_get(*, code: str) -> Organisation:
    """A local policing body by its code, or 404."""
    return get_object_or_404(Organisation, code=code, kind__in=POLICING_BODY_KINDS)


def public_versions(*, body) -> QuerySet[ResponseVersion]:
    """The latest published version of each of a local policing body's responses; nothing
    unpublished. For the public page (no sign-in)."""
    latest = ResponseVersion.objects.filter(response_id=OuterRef("response_id")).order_by("-number")
    return (
        ResponseVersion.objects.filter(response__body=body)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("response__report", "response__force")
        .defer("content")
        .order_by("-published_on", "-id")
    )


def public_version_get(*, body_code: str, uuid, number: int | None = None) -> ResponseVersion:
    """A published version of a response (the latest when no number is given), or 404."""
    versions = ResponseVersion.objects.filter(
        response__uuid=uuid, response__body__code=body_code
    ).select_related("response__body")
    version = (
        versions.order_by("-number").first()
        if number is None
        else versions.filter(number=number).first()
    )
    if version is None:
        raise Http404("No such published response")
    return version


def public_version_list(*, version: ResponseVersion) -> QuerySet[ResponseVersion]:
    """Every published version of the same response, newest first (without their content)."""
    return (
        ResponseVersion.objects.filter(response_id=version.response_id)
        .defer("content")
        .order_by("-number")
    )


# Managers: the overdue report -----------------------------------------------------------------

OVERDUE_GROUPS: dict[str, tuple[str, list[Any]]] = {
    # The owner's name as copied onto the item (TrackedItem.owner_name): read in this order
    # from an index of the open items, a page at a time. No owner comes last on every
    # database (as PostgreSQL sorts NULL).
    "owner": ("Owner", [F("owner_name").asc(nulls_last=True), "owner_id"]),
    # No owner and an owner with no department recorded are one group.
    "department": ("Department", ["department", F("owner_name").asc(nulls_last=True)]),
    "report": ("Report", ["-finding__report__published_on", "finding__report_id"]),
    "force": ("Force", ["force__name"]),
}


def overdue_items(*, user, today: datetime.date, group: str) -> QuerySet[TrackedItem]:
    """Open items past their due date, in the order of the chosen grouping, most overdue
    first within each group."""
    order = OVERDUE_GROUPS[group][1]
    return (
        item_list(user=user, today=today)
        .overdue(today)
        .select_related("owner", "finding__report")
        .annotate(department=Coalesce("owner__department", Value("")))
        .order_by(*order, "due_date", "id")
    )


def overdue_item_filter(
    *, user, today: datetime.date, group: str, filters: FilterValues | None
) -> ItemFilter:
    """The overdue items (overdue_items), with the filters chosen."""
    return filtered(
        ItemFilter,
        listed(overdue_items(user=user, today=today, group=group)),
        filters=filters,
        user=user,
        today=today,
    )


# The item filters that do not narrow the overdue responses (force and report do).
ITEM_ONLY_FILTERS = (
    "q",
    # Issue 18: the inspectorate's latest status, a mismatch, recurring findings.
    "inspectorate",
    "mismatch",
    "recurring",
    "status",
    "kind",
    "owner",
    "owner_name",
    "area",
    "due_after",
    "due_before",
)


def overdue_responses(
    *, user, today: datetime.date, narrowed_by: ItemFilter | None = None
) -> QuerySet[Deadline]:
    """Statutory responses (and the chief constable's comments) past their deadline; with
    `narrowed_by`, only those of the force and report chosen in the item filters."""
    force_ids = policy.visible_force_ids(user, today)
    deadlines = (
        Deadline.objects.filter(
            state=DeadlineState.OPEN,
            due_on__lt=today,
            response__isnull=False,
            rule__statutory=True,  # not a local target the office set itself
        )
        .select_related("rule", "response__report", "force")
        .order_by("due_on", "id")
    )
    if force_ids is not None:
        deadlines = deadlines.filter(force_id__in=force_ids)
    chosen = filters_chosen(narrowed_by)
    if chosen.get("force"):
        deadlines = deadlines.filter(force=chosen["force"])
    if chosen.get("report"):
        deadlines = deadlines.filter(response__report__key=chosen["report"])
    return deadlines


def filters_chosen(filterset: ScopedFilterSet | None) -> dict[str, Any]:
    """The valid values chosen in a filter set (none when it is unbound)."""
    if filterset is None or not filterset.is_bound:
        return {}
    filterset.is_valid()  # cleans the values, if the page has not already
    return filterset.form.cleaned_data


def item_only_filters_chosen(filterset: ItemFilter) -> list[Any]:
    """The labels of the item filters chosen that do not narrow the overdue responses."""
    chosen = filters_chosen(filterset)
    return [filterset.form.fields[name].label for name in ITEM_ONLY_FILTERS if chosen.get(name)]


def dashboard_scope(
    *, user, today: datetime.date
) -> tuple[policy.DashboardKind, TrackedItemQuerySet]:
    """Which dashboard a person gets (policy.dashboard_kind), and its items: force staff
    their own; the others every item of the forces they see."""
    items = TrackedItem.objects.for_forces(policy.visible_force_ids(user, today))
    kind = policy.dashboard_kind(user)
    return kind, items.owned_by(user) if kind == "own" else items


def response_deadlines(*, user, today: datetime.date) -> QuerySet[Deadline]:
    force_ids = policy.visible_force_ids(user, today)
    deadlines = Deadline.objects.filter(response__isnull=False)
    return deadlines if force_ids is None else deadlines.filter(force_id__in=force_ids)


def force_names() -> list[str]:
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.FORCE).values_list("name", flat=True)
    )


def response_figures(*, user, today: datetime.date) -> dict:
    """For the PCC office's dashboard: statutory responses not yet published and past their
    deadline, due within 30 days, and published. Three counts (PostgreSQL cannot aggregate
    over these annotations in one query)."""
    soon = today + datetime.timedelta(days=30)
    pairs = response_pairs(user=user, today=today).order_by()
    return {
        "late": pairs.filter(published=False, due__lt=today).count(),
        "due_soon": pairs.filter(published=False, due__gte=today, due__lte=soon).count(),
        "published": pairs.filter(published=True).count(),
    }
