from django.urls import path

from tracker.throttle import document_kind, limited
from tracker.views import (
    bulk,
    dashboards,
    deadlines,
    editions,
    evidence,
    exports,
    function_transfers,
    imports,
    items,
    learning,
    lineage,
    markings,
    national,
    notifications,
    public,
    public_progress,
    report_imports,
    reports,
    responses,
    review,
    rules,
    search,
)

app_name = "tracker"

# Per-person limits on expensive requests (tracker/throttle.py): over one, a 429 page.
pdf = limited("pdf", methods=("GET", "HEAD"))
export = limited("export", methods=("GET", "HEAD"))
document = limited(document_kind, methods=("GET", "HEAD"))  # PDF a PDF; Word, HTML exports
upload = limited("upload", methods=("POST",))
export_job = limited("export", methods=("POST",))  # asking for a large export
spreadsheet = limited("import", methods=("GET", "POST"))  # checking or confirming an import

urlpatterns = [
    path("", items.home, name="home"),
    path("items/mine/", items.my_items, name="my_items"),
    path("items/", items.item_list, name="item_list"),
    path("items/owners/", items.owner_names, name="owner_names"),
    path("items/bulk/", bulk.bulk_action, name="bulk_action"),
    path("items/export.<str:fmt>", export(exports.item_export), name="item_export"),
    path("exports/", export_job(exports.export_start), name="export_start"),
    path("exports/<uuid:uuid>/", exports.export_job, name="export_job"),
    path("exports/<uuid:uuid>/status", exports.export_job_status, name="export_job_status"),
    path(
        "exports/<uuid:uuid>/download",
        export(exports.export_job_download),
        name="export_job_download",
    ),
    path("items/import/", upload(imports.item_import), name="item_import"),
    path(
        "items/import/template.<str:fmt>",
        imports.item_import_template,
        name="item_import_template",
    ),
    path("items/import/done/", imports.item_import_done, name="item_import_done"),
    path(
        "items/import/<slug:token>/",
        spreadsheet(imports.item_import_preview),
        name="item_import_preview",
    ),
    path("overdue/", dashboards.overdue, name="overdue"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("board-pack/", dashboards.board_pack, name="board_pack"),
    path("board-pack.pdf", pdf(dashboards.board_pack_pdf), name="board_pack_pdf"),
    path("items/<uuid:uuid>/", items.item_detail, name="item_detail"),
    path("items/<uuid:uuid>/update/", items.item_add_update, name="item_add_update"),
    path("items/<uuid:uuid>/status/", items.item_change_status, name="item_change_status"),
    path("items/<uuid:uuid>/evidence/", upload(items.item_add_evidence), name="item_add_evidence"),
    path(
        "items/<uuid:uuid>/evidence/<uuid:evidence_uuid>/",
        items.evidence_download,
        name="evidence_download",
    ),
    path(
        "items/<uuid:uuid>/evidence/<uuid:evidence_uuid>/view/",
        export(evidence.evidence_preview),
        name="evidence_preview",
    ),
    path(
        "items/<uuid:uuid>/evidence/<uuid:evidence_uuid>/view/image/",
        export(evidence.evidence_image),
        name="evidence_image",
    ),
    path("items/<uuid:uuid>/owner/", items.item_assign, name="item_assign"),
    path("items/<uuid:uuid>/marking/", markings.item_marking, name="item_marking"),
    path(
        "items/<uuid:uuid>/due-date/",
        items.item_revise_due_date,
        name="item_revise_due_date",
    ),
    path(
        "items/<uuid:uuid>/closure/",
        items.item_propose_closure,
        name="item_propose_closure",
    ),
    path(
        "items/<uuid:uuid>/closure/decision/",
        items.item_decide_closure,
        name="item_decide_closure",
    ),
    # The Deadline rules page (issue 22): every rule explained, for everyone signed in.
    path("rules/", rules.rule_list, name="rules"),
    path(
        "deadlines/<uuid:uuid>/change/",
        deadlines.deadline_change,
        name="deadline_change",
    ),
    path("notifications/", notifications.notifications, name="notifications"),
    path(
        "notifications/<int:pk>/",
        notifications.notification_open,
        name="notification_open",
    ),
    path("reminders/health/", notifications.reminders_health, name="reminders_health"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/import/", upload(report_imports.report_import_upload), name="report_import"),
    path(
        "reports/import/<uuid:uuid>/",
        report_imports.report_import_detail,
        name="report_import_detail",
    ),
    path(
        "reports/import/<uuid:uuid>/status.json",
        report_imports.report_import_status,
        name="report_import_status",
    ),
    path("reports/<slug:key>/", reports.report_detail, name="report_detail"),
    # Welsh editions of reports (issue 22): attached to the English report, never imported.
    path("reports/<slug:key>/welsh-edition/", editions.report_edition, name="report_edition"),
    path(
        "reports/import/<uuid:uuid>/welsh-edition/",
        editions.report_import_edition,
        name="report_import_edition",
    ),
    path("reports/<slug:key>/marking/", markings.report_marking, name="report_marking"),
    path(
        "reports/<slug:key>/local-target/",
        reports.report_local_target,
        name="report_local_target",
    ),
    path("responses/", responses.response_list, name="response_list"),
    path("responses/export.<str:fmt>", export(exports.response_export), name="response_export"),
    path(
        "responses/<slug:key>/<slug:force_code>/",
        responses.response_detail,
        name="response_detail",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/start/",
        responses.response_start,
        name="response_start",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/request/",
        responses.response_request_comments,
        name="response_request_comments",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/chief-constable/",
        responses.response_record_comments,
        name="response_record_comments",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/edit/",
        responses.response_edit,
        name="response_edit",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/approve/",
        responses.response_approve,
        name="response_approve",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/marking/",
        markings.response_marking,
        name="response_marking",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/publish/",
        responses.response_publish,
        name="response_publish",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/copies/",
        responses.response_copies,
        name="response_copies",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/document.<str:fmt>",
        document(responses.response_document),
        name="response_document",
    ),
    path("review/", review.review, name="review"),
    path("search/", search.search, name="search"),
    path("saved-views/", search.saved_view_list, name="saved_views"),
    path("saved-views/new/", search.saved_view_new, name="saved_view_new"),
    path("saved-views/<int:pk>/", search.saved_view_open, name="saved_view_open"),
    path("saved-views/<int:pk>/delete/", search.saved_view_delete, name="saved_view_delete"),
    path(
        "items/<uuid:uuid>/request-update/",
        review.item_request_update,
        name="item_request_update",
    ),
    path("items/<uuid:uuid>/view/", review.item_record_view, name="item_record_view"),
    # Transfers of functions to a successor body (issue 22).
    path("transfers/", function_transfers.function_transfer_list, name="function_transfer_list"),
    path("transfers/new/", function_transfers.function_transfer_new, name="function_transfer_new"),
    path(
        "transfers/<uuid:uuid>/",
        function_transfers.function_transfer_detail,
        name="function_transfer_detail",
    ),
    path(
        "transfers/<uuid:uuid>/carry-out/",
        function_transfers.function_transfer_carry_out,
        name="function_transfer_carry_out",
    ),
    path(
        "transfers/<uuid:uuid>/cancel/",
        function_transfers.function_transfer_cancel,
        name="function_transfer_cancel",
    ),
    path("public/", public.public_index, name="public_index"),
    path("public/<slug:body_code>/", public.public_body, name="public_body"),
    path(
        "public/<slug:body_code>/<uuid:uuid>/",
        public.public_response,
        name="public_response",
    ),
    path(
        "public/<slug:body_code>/<uuid:uuid>/v<int:number>/",
        public.public_response,
        name="public_response_version",
    ),
    path(
        "public/<slug:body_code>/<uuid:uuid>/v<int:number>/document.<str:fmt>",
        document(public.public_document),
        name="public_document",
    ),
    # Issue 18: lineage across inspections (tracker/views/lineage.py).
    path("items/<uuid:uuid>/lineage/", lineage.item_lineage, name="item_lineage"),
    path("items/<uuid:uuid>/lineage/add/", lineage.item_lineage_add, name="item_lineage_add"),
    path(
        "items/<uuid:uuid>/lineage/<int:link_id>/",
        lineage.item_lineage_decide,
        name="item_lineage_decide",
    ),
    path("lineage/export.csv", export(lineage.lineage_export), name="lineage_export"),
    # Issue 18: national recommendations across forces, the inspectorate's status by hand
    # (tracker/views/national.py).
    path("national/", national.national_list, name="national_list"),
    path("national/<str:finding_key>/", national.national_detail, name="national_detail"),
    path(
        "national/<str:finding_key>/export.<str:fmt>",
        export(national.national_export),
        name="national_export",
    ),
    path(
        "items/<uuid:uuid>/inspectorate-status/",
        national.item_inspectorate_status,
        name="item_inspectorate_status",
    ),
    # Issue 18: learning shared between forces (tracker/views/learning.py).
    path("items/<uuid:uuid>/share/", learning.item_share, name="item_share"),
    path(
        "items/<uuid:uuid>/share/withdraw/",
        learning.item_share_withdraw,
        name="item_share_withdraw",
    ),
    path("learning/", learning.learning_list, name="learning_list"),
    # Issue 18: the public progress register (tracker/views/public_progress.py).
    path(
        "reports/<slug:key>/progress/<slug:force_code>/",
        public_progress.progress_publish,
        name="progress_publish",
    ),
    path(
        "public/<slug:body_code>/progress/<slug:report_key>/",
        public_progress.public_progress,
        name="public_progress",
    ),
    path(
        "public/<slug:body_code>/progress/<slug:report_key>/v<int:number>/",
        public_progress.public_progress,
        name="public_progress_version",
    ),
]
