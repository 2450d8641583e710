"""The REST API's endpoints (issue 15; docs/api.md). Every name here has a row in
tests/test_api_permission_matrix.py."""

from django.urls import path, re_path

from tracker.api import docs, reads, writes

app_name = "api"

urlpatterns = [
    path("reports/", reads.ReportList.as_view(), name="report_list"),
    path("reports/<slug:key>/", reads.ReportDetail.as_view(), name="report_detail"),
    path("reports/<slug:key>/findings/", reads.ReportFindings.as_view(), name="report_findings"),
    path("reports/<slug:key>/responses/", reads.ReportResponses.as_view(), name="report_responses"),
    path("responses/", reads.ResponseList.as_view(), name="response_list"),
    path("items/", reads.ItemList.as_view(), name="item_list"),
    path("items/<uuid:uuid>/", reads.ItemDetail.as_view(), name="item_detail"),
    path("items/<uuid:uuid>/updates/", writes.ItemUpdates.as_view(), name="item_updates"),
    path(
        "items/<uuid:uuid>/status-changes/",
        writes.ItemStatusChanges.as_view(),
        name="item_status_changes",
    ),
    path(
        "items/<uuid:uuid>/closure-proposals/",
        writes.ItemClosureProposals.as_view(),
        name="item_closure_proposals",
    ),
    path(
        "items/<uuid:uuid>/due-date-revisions/",
        writes.ItemRevisions.as_view(),
        name="item_due_date_revisions",
    ),
    path("items/<uuid:uuid>/assignment/", writes.ItemAssignment.as_view(), name="item_assignment"),
    path("items/<uuid:uuid>/evidence/", reads.ItemEvidence.as_view(), name="item_evidence"),
    path("items/<uuid:uuid>/deadlines/", reads.ItemDeadlines.as_view(), name="item_deadlines"),
    path("deadlines/", reads.DeadlineList.as_view(), name="deadline_list"),
    path("deadlines/<uuid:uuid>/", reads.DeadlineDetail.as_view(), name="deadline_detail"),
    path("schema/", docs.Schema.as_view(), name="schema"),
    path("docs/", docs.Reference.as_view(), name="docs"),
    # Anything else under /api/v1/: a 404 problem, not the pages' HTML. [\s\S], so a path
    # holding a newline (which `.` alone does not match) is caught too.
    re_path(r"^[\s\S]*$", reads.NotFound.as_view(), name="not_found"),
]
