"""The read endpoints. Every queryset comes from tracker.selectors, scoped by tracker.policy
exactly as the pages are: what the person may not see answers 404, like something that does
not exist."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import selectors
from tracker.api import serializers
from tracker.api.common import (
    NOT_FOR_THE_API,
    PAGING_PARAMS,
    ReadList,
    check_params,
    today,
    with_etag,
)
from tracker.api.problems import Problem
from tracker.filters import ItemFilter, ReportFilter, ResponseFilter, ScopedFilterSet
from tracker.models import ClosureProposal, Evidence, TrackedItem

ITEM_FILTERS = frozenset(ItemFilter.base_filters) - NOT_FOR_THE_API
REPORT_FILTERS = frozenset(ReportFilter.base_filters)

NOT_MODIFIED = {304: None}


def _filter_parameters(filterset: type[ScopedFilterSet], names: frozenset[str]) -> list:
    return [
        OpenApiParameter(
            name,
            OpenApiTypes.STR,
            description=str(filterset.base_filters[name].label or name),
        )
        for name in sorted(names)
    ]


def _checked(filterset: ScopedFilterSet) -> QuerySet:
    """The filtered rows; a filter value that does not validate is refused (the pages show
    it beside the filter and ignore it; an API client would not see that)."""
    if filterset.is_bound and not filterset.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
        raise Problem(
            400,
            " ".join(m for ms in errors.values() for m in ms),
            errors=errors,
        )
    return filterset.qs


def _filters(request: Request, names: frozenset[str]) -> dict[str, Any] | None:
    chosen = {k: v for k, v in request.query_params.items() if k in names}
    return chosen or None


# Reports -------------------------------------------------------------------------------


@extend_schema(
    summary="Reports about the forces you may see",
    parameters=_filter_parameters(ReportFilter, REPORT_FILTERS),
)
class ReportList(ReadList):
    serializer_class = serializers.ReportSerializer
    filter_params = REPORT_FILTERS

    def get_queryset(self) -> QuerySet:
        filterset = selectors.report_filter(
            user=self.request.user,
            today=today(),
            filters=_filters(self.request, REPORT_FILTERS),
        )
        return _checked(filterset)


@extend_schema(summary="A report", responses={200: serializers.ReportSerializer, **NOT_MODIFIED})
class ReportDetail(generics.GenericAPIView):
    serializer_class = serializers.ReportSerializer

    def get(self, request: Request, key: str) -> Response:
        report = selectors.report_get(user=request.user, key=key, today=today())
        return with_etag(request, self.get_serializer(report).data)


@extend_schema(summary="A report's findings, with the items you may see")
class ReportFindings(ReadList):
    serializer_class = serializers.FindingSerializer

    def get_queryset(self) -> QuerySet:
        user, day = self.request.user, today()
        report = selectors.report_get(user=user, key=self.kwargs["key"], today=day)
        return selectors.report_findings(report=report, user=user, today=day)


@extend_schema(summary="A report's statutory responses (forces you may see)")
class ReportResponses(ReadList):
    serializer_class = serializers.StatutoryResponseSerializer

    def get_queryset(self) -> QuerySet:
        user, day = self.request.user, today()
        report = selectors.report_get(user=user, key=self.kwargs["key"], today=day)
        return selectors.report_responses(report=report, user=user, today=day)


RESPONSE_FILTERS = frozenset(ResponseFilter.base_filters)


@extend_schema(
    summary="Statutory responses: each report about each force you may see, most urgent first",
    parameters=_filter_parameters(ResponseFilter, RESPONSE_FILTERS),
)
class ResponseList(ReadList):
    """The Statutory responses page's rows (selectors.response_filter, response_rows), in a
    fixed order a cursor can follow."""

    serializer_class = serializers.ResponseRowSerializer
    filter_params = RESPONSE_FILTERS

    def get_queryset(self) -> QuerySet:
        filterset = selectors.response_filter(
            user=self.request.user,
            today=today(),
            filters=_filters(self.request, RESPONSE_FILTERS),
        )
        return _checked(filterset)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check_params(request, self.filter_params | PAGING_PARAMS)
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.response_rows(page, today=today())
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


# Items ---------------------------------------------------------------------------------


MINE = OpenApiParameter(
    "mine",
    OpenApiTypes.BOOL,
    description="true: only the items you own (the My items page); false or left out: all "
    "the items you may see (the Items page).",
)


@extend_schema(
    summary="Items you may see, with the items page's filters",
    parameters=[MINE, *_filter_parameters(ItemFilter, ITEM_FILTERS)],
)
class ItemList(ReadList):
    serializer_class = serializers.ItemSerializer
    filter_params = ITEM_FILTERS | {"mine"}

    def get_queryset(self) -> QuerySet:
        mine = self.request.query_params.get("mine", "")
        if mine not in ("", "true", "false", "1", "0"):
            raise Problem(
                400,
                _("mine must be true or false."),
                errors={"mine": [_("Enter true or false")]},
            )
        chooser = selectors.my_item_filter if mine in ("true", "1") else selectors.item_filter
        filterset = chooser(
            user=self.request.user,
            today=today(),
            filters=_filters(self.request, ITEM_FILTERS),
        )
        return _checked(filterset)


def item_for(request: Request, uuid: Any) -> TrackedItem:
    """The item, or 404 when it does not exist or is outside the person's forces."""
    return selectors.item_get(user=request.user, uuid=uuid, today=today())


@extend_schema(
    summary="An item, with its history",
    responses={200: serializers.ItemDetailSerializer, **NOT_MODIFIED},
)
class ItemDetail(generics.GenericAPIView):
    serializer_class = serializers.ItemDetailSerializer

    def get(self, request: Request, uuid: Any) -> Response:
        item = item_for(request, uuid)
        item.api_history = selectors.item_timeline(item)  # type: ignore[attr-defined]
        return with_etag(request, self.get_serializer(item).data)


class ItemChildList(ReadList):
    """A list of one of an item's histories (the item scoped as the item page is)."""

    def item(self) -> TrackedItem:
        return item_for(self.request, self.kwargs["uuid"])


@extend_schema(summary="An item's progress updates, newest first")
class ItemUpdates(ItemChildList):
    serializer_class = serializers.ProgressUpdateSerializer

    def get_queryset(self) -> QuerySet:
        return self.item().updates.select_related("author")


@extend_schema(summary="An item's status changes, newest first")
class ItemStatusChanges(ItemChildList):
    serializer_class = serializers.StatusChangeSerializer

    def get_queryset(self) -> QuerySet:
        return self.item().status_changes.select_related("changed_by")


@extend_schema(summary="An item's evidence files: their details, never their contents")
class ItemEvidence(ItemChildList):
    serializer_class = serializers.EvidenceSerializer

    def get_queryset(self) -> QuerySet:
        return Evidence.objects.filter(item=self.item()).select_related("uploaded_by")


@extend_schema(summary="An item's deadlines")
class ItemDeadlines(ItemChildList):
    serializer_class = serializers.DeadlineSerializer

    def get_queryset(self) -> QuerySet:
        return (
            selectors.item_deadlines(self.item())
            .select_related("force", "item", "response")
            .order_by()
        )


@extend_schema(summary="An item's due date revisions, newest first")
class ItemRevisions(ItemChildList):
    serializer_class = serializers.DueDateRevisionSerializer

    def get_queryset(self) -> QuerySet:
        return self.item().revisions.select_related("approved_by")


@extend_schema(summary="An item's closure proposals, newest first")
class ItemClosureProposals(ItemChildList):
    serializer_class = serializers.ClosureProposalSerializer

    def get_queryset(self) -> QuerySet:
        return (
            ClosureProposal.objects.filter(item=self.item())
            .select_related("proposed_by")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.only("uuid", "item")))
        )


# Deadlines -----------------------------------------------------------------------------


@extend_schema(summary="Deadlines of the forces you may see (items' and responses')")
class DeadlineList(ReadList):
    serializer_class = serializers.DeadlineSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.deadline_list(user=self.request.user, today=today())


@extend_schema(
    summary="A deadline", responses={200: serializers.DeadlineSerializer, **NOT_MODIFIED}
)
class DeadlineDetail(generics.GenericAPIView):
    serializer_class = serializers.DeadlineSerializer

    def get(self, request: Request, uuid: Any) -> Response:
        deadline = selectors.deadline_get(user=request.user, uuid=uuid, today=today())
        return with_etag(request, self.get_serializer(deadline).data)


@extend_schema(exclude=True)
class NotFound(generics.GenericAPIView):
    """Any other address under /api/v1/ (a misspelt endpoint, an id that is not a uuid): a
    problem, like every other answer, not the pages' HTML 404."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise Http404("No such endpoint")
