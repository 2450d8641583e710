from django.urls import path

from tracker import import_views as iv
from tracker import report_import_views as riv
from tracker import statutory_views as sv
from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/mine/", views.my_items, name="my_items"),
    path("items/", views.item_list, name="item_list"),
    path("items/export.<str:fmt>", views.item_export, name="item_export"),
    path("items/import/", iv.item_import, name="item_import"),
    path("items/import/template.<str:fmt>", iv.item_import_template, name="item_import_template"),
    path("items/import/done/", iv.item_import_done, name="item_import_done"),
    path("items/import/<slug:token>/", iv.item_import_preview, name="item_import_preview"),
    path("overdue/", views.overdue, name="overdue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("board-pack/", views.board_pack, name="board_pack"),
    path("board-pack.pdf", views.board_pack_pdf, name="board_pack_pdf"),
    path("items/<uuid:uuid>/", views.item_detail, name="item_detail"),
    path("items/<uuid:uuid>/update/", views.item_add_update, name="item_add_update"),
    path("items/<uuid:uuid>/status/", views.item_change_status, name="item_change_status"),
    path("items/<uuid:uuid>/evidence/", views.item_add_evidence, name="item_add_evidence"),
    path(
        "items/<uuid:uuid>/evidence/<uuid:evidence_uuid>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("items/<uuid:uuid>/owner/", views.item_assign, name="item_assign"),
    path("items/<uuid:uuid>/due-date/", views.item_revise_due_date, name="item_revise_due_date"),
    path("items/<uuid:uuid>/closure/", views.item_propose_closure, name="item_propose_closure"),
    path(
        "items/<uuid:uuid>/closure/decision/", views.item_decide_closure, name="item_decide_closure"
    ),
    path("deadlines/<uuid:uuid>/change/", views.deadline_change, name="deadline_change"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("reminders/health/", views.reminders_health, name="reminders_health"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/import/", riv.report_import_upload, name="report_import"),
    path("reports/import/<uuid:uuid>/", riv.report_import_detail, name="report_import_detail"),
    path(
        "reports/import/<uuid:uuid>/status.json",
        riv.report_import_status,
        name="report_import_status",
    ),
    path("reports/<slug:key>/", views.report_detail, name="report_detail"),
    path("reports/<slug:key>/local-target/", views.report_local_target, name="report_local_target"),
    path("responses/", sv.response_list, name="response_list"),
    path("responses/export.<str:fmt>", sv.response_export, name="response_export"),
    path("responses/<slug:key>/<slug:force_code>/", sv.response_detail, name="response_detail"),
    path(
        "responses/<slug:key>/<slug:force_code>/request/",
        sv.response_request_comments,
        name="response_request_comments",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/chief-constable/",
        sv.response_record_comments,
        name="response_record_comments",
    ),
    path("responses/<slug:key>/<slug:force_code>/edit/", sv.response_edit, name="response_edit"),
    path(
        "responses/<slug:key>/<slug:force_code>/approve/",
        sv.response_approve,
        name="response_approve",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/publish/",
        sv.response_publish,
        name="response_publish",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/copies/",
        sv.response_copies,
        name="response_copies",
    ),
    path(
        "responses/<slug:key>/<slug:force_code>/document.<str:fmt>",
        sv.response_document,
        name="response_document",
    ),
    path("review/", sv.review, name="review"),
    path("items/<uuid:uuid>/request-update/", sv.item_request_update, name="item_request_update"),
    path("items/<uuid:uuid>/view/", sv.item_record_view, name="item_record_view"),
    path("public/", sv.public_index, name="public_index"),
    path("public/<slug:body_code>/", sv.public_body, name="public_body"),
    path("public/<slug:body_code>/<uuid:uuid>/", sv.public_response, name="public_response"),
    path(
        "public/<slug:body_code>/<uuid:uuid>/v<int:number>/",
        sv.public_response,
        name="public_response_version",
    ),
    path(
        "public/<slug:body_code>/<uuid:uuid>/v<int:number>/document.<str:fmt>",
        sv.public_document,
        name="public_document",
    ),
]
