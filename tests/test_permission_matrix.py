"""The permission matrix: every URL in the URL conf, for every role and an anonymous visitor,
by GET and by POST, against the demo's data.

The list of URLs comes from the URL conf itself, so a new view without a row here fails
`test_every_url_has_a_rule`. Each row says what each persona gets:

    200  the page          400  a form with errors (the POST was allowed but empty)
    302  sent on (allowed)  L    sent to sign in      403  refused      404  "not found"
    405  method not allowed

404 is the answer wherever the existence of the thing must not leak (another force's item,
report, response, evidence or notification). Besides the exact table, three rules are
checked on their own, so a mistake in the table cannot hide a leak: an anonymous visitor
reaches nothing but the public pages, Staffordshire's coordinator gets 404 for every West
Midlands address, and a national reader can change nothing.

Each request runs in a savepoint that is rolled back, so one persona's POST does not change
what the next one sees. Print the observed table with PRINT_MATRIX=1 (pytest -s).
"""

import os
import uuid

import pytest
from django.contrib.admin import site as admin_site
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.demo_pages import ORDER, PERSONAS, url_for, url_names
from tracker.models import TrackedItem

# URL name: (GET row, POST row), one entry per persona in ORDER:
#            anon staff colleague coordinator pcc other_force national admin
MATRIX = {
    "tracker:report_import": ("L 403 403 200 200 200 403 200", "L 403 403 400 400 400 403 400"),
    "tracker:report_import_detail": (
        "L 403 403 404 404 404 403 404",
        "L 403 403 404 404 404 403 404",
    ),
    "tracker:report_import_status": (
        "L 403 403 404 404 404 403 404",
        "L 405 405 405 405 405 405 405",
    ),
    "accounts:email_settings": ("L 200 200 200 200 200 200 200", "L 400 400 400 400 400 400 400"),
    "accounts:password_reset": (
        "200 200 200 200 200 200 200 200",
        "200 200 200 200 200 200 200 200",
    ),
    "accounts:password_reset_complete": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "accounts:password_reset_confirm": (
        "200 200 200 200 200 200 200 200",
        "200 200 200 200 200 200 200 200",
    ),
    "accounts:password_reset_done": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "accounts:people": ("L 403 403 403 403 403 403 200", "L 405 405 405 405 405 405 405"),
    "accounts:person_add": ("L 403 403 403 403 403 403 200", "L 403 403 403 403 403 403 400"),
    "accounts:person_deactivate": (
        "L 403 403 403 403 403 403 200",
        "L 403 403 403 403 403 403 302",
    ),
    "accounts:person_detail": ("L 403 403 403 403 403 403 200", "L 405 405 405 405 405 405 405"),
    "accounts:person_edit": ("L 403 403 403 403 403 403 200", "L 403 403 403 403 403 403 400"),
    "accounts:person_reactivate": (
        "L 403 403 403 403 403 403 200",
        "L 403 403 403 403 403 403 302",
    ),
    "accounts:person_send_password_link": (
        "L 405 405 405 405 405 405 405",
        "L 403 403 403 403 403 403 302",
    ),
    "accounts:security": ("L 200 200 200 200 200 200 200", "L 200 200 200 400 200 200 400"),
    "accounts:sign_in": ("200 302 302 302 302 302 302 302", "200 302 302 302 302 302 302 302"),
    "accounts:sign_in_code": ("302 302 302 302 302 302 302 302", "302 302 302 302 302 302 302 302"),
    "accounts:sign_out": ("405 405 405 405 405 405 405 405", "302 302 302 302 302 302 302 302"),
    "accounts:two_factor_setup": ("L 200 200 200 302 200 200 302", "L 400 400 400 302 400 400 302"),
    "admin_sign_in": ("L 403 403 403 403 403 403 302", "L 403 403 403 403 403 403 302"),
    "tracker:board_pack": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:board_pack_pdf": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:dashboard": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:deadline_change": ("L 403 403 403 403 404 403 403", "L 403 403 403 403 404 403 403"),
    "tracker:evidence_download": ("L 200 200 200 200 404 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:home": ("L 302 302 302 302 302 302 302", "L 405 405 405 405 405 405 405"),
    "tracker:item_add_evidence": ("L 200 403 200 403 404 403 403", "L 400 403 400 403 404 403 403"),
    "tracker:item_add_update": ("L 200 403 200 403 404 403 403", "L 400 403 400 403 404 403 403"),
    "tracker:item_assign": ("L 403 403 200 403 404 403 403", "L 403 403 302 403 404 403 403"),
    "tracker:item_change_status": (
        "L 200 403 200 403 404 403 403",
        "L 400 403 400 403 404 403 403",
    ),
    "tracker:item_decide_closure": (
        "L 403 403 200 200 404 403 403",
        "L 403 403 400 400 404 403 403",
    ),
    "tracker:item_detail": ("L 200 200 200 200 404 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:item_export": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    # A large export made in the background (issue 16): asked for with a POST (empty: 400);
    # a job is its requester's only, so the demo's uuid, no one's job, is 404 for everyone.
    "tracker:export_start": ("L 405 405 405 405 405 405 405", "L 400 400 400 400 400 400 400"),
    "tracker:export_job": ("L 404 404 404 404 404 404 404", "L 405 405 405 405 405 405 405"),
    "tracker:export_job_status": (
        "L 404 404 404 404 404 404 404",
        "L 405 405 405 405 405 405 405",
    ),
    "tracker:export_job_download": (
        "L 404 404 404 404 404 404 404",
        "L 405 405 405 405 405 405 405",
    ),
    "tracker:item_list": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:item_propose_closure": (
        "L 200 403 200 403 404 403 403",
        "L 400 403 400 403 404 403 403",
    ),
    "tracker:item_record_view": ("L 403 403 403 200 404 403 403", "L 403 403 403 400 404 403 403"),
    "tracker:item_request_update": (
        "L 403 403 403 200 404 403 403",
        "L 403 403 403 302 404 403 403",
    ),
    "tracker:item_revise_due_date": (
        "L 403 403 200 403 404 403 403",
        "L 403 403 400 403 404 403 403",
    ),
    "tracker:my_items": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:notification_open": ("L 404 404 302 404 404 404 404", "L 405 405 405 405 405 405 405"),
    "tracker:notifications": ("L 200 200 200 200 200 200 200", "L 302 302 302 302 302 302 302"),
    "tracker:overdue": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:owner_names": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:public_body": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "tracker:public_document": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "tracker:public_index": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "tracker:public_response": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "tracker:public_response_version": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "tracker:reminders_health": ("L 403 403 403 403 403 403 200", "L 405 405 405 405 405 405 405"),
    "tracker:report_detail": ("L 200 200 200 200 404 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:report_list": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:report_local_target": (
        "L 403 403 403 200 404 403 403",
        "L 403 403 403 400 404 403 403",
    ),
    "tracker:response_approve": ("L 403 403 403 200 404 403 403", "L 403 403 403 302 404 403 403"),
    "tracker:response_copies": ("L 403 403 403 200 404 403 403", "L 403 403 403 400 404 403 403"),
    "tracker:response_detail": ("L 200 200 200 200 404 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:response_document": ("L 403 403 200 200 404 403 403", "L 405 405 405 405 405 405 405"),
    "tracker:response_edit": ("L 403 403 200 200 404 403 403", "L 403 403 302 302 404 403 403"),
    "tracker:response_export": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:response_list": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:response_publish": ("L 403 403 403 200 404 403 403", "L 403 403 403 400 404 403 403"),
    "tracker:response_record_comments": (
        "L 403 403 200 200 404 403 403",
        "L 403 403 400 400 404 403 403",
    ),
    "tracker:response_request_comments": (
        "L 403 403 403 200 404 403 403",
        "L 403 403 403 400 404 403 403",
    ),
    # "Respond anyway": the PCC office starts a response (the demo's is started: 302 back).
    "tracker:response_start": ("L 405 405 405 405 405 405 405", "L 403 403 403 302 404 403 403"),
    "tracker:item_import": ("L 403 403 200 403 200 403 200", "L 403 403 400 403 400 403 400"),
    "tracker:item_import_template": (
        "L 403 403 200 403 200 403 200",
        "L 405 405 405 405 405 405 405",
    ),
    "tracker:item_import_done": ("L 403 403 302 403 302 403 302", "L 405 405 405 405 405 405 405"),
    "tracker:item_import_preview": (
        "L 403 403 404 403 404 403 404",
        "L 403 403 404 403 404 403 404",
    ),
    "tracker:review": ("L 403 403 403 200 403 403 403", "L 405 405 405 405 405 405 405"),
    # For load balancers and Prometheus: open to anyone who can reach them (the metrics only
    # from METRICS_ALLOWED_IPS, loopback in tests), never written to.
    "healthz": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "readyz": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "metrics": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    # Browsers ask for it on every site: sent on to the hashed static file (issue 21).
    "favicon": ("302 302 302 302 302 302 302 302", "405 405 405 405 405 405 405 405"),
    "tracker:search": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:saved_views": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:saved_view_new": ("L 200 200 200 200 200 200 200", "L 400 400 400 400 400 400 400"),
    # Priya's view, shared with West Midlands Police: its people open it; only she deletes it.
    "tracker:saved_view_open": ("L 302 302 302 404 404 404 404", "L 405 405 405 405 405 405 405"),
    "tracker:saved_view_delete": ("L 405 405 405 405 405 405 405", "L 302 404 404 404 404 404 404"),
    # An empty selection goes back to the list with a message.
    "tracker:bulk_action": ("L 405 405 405 405 405 405 405", "L 302 302 302 302 302 403 403"),
    # The demo's evidence is a text file: shown as text, and never as an image.
    "tracker:evidence_preview": ("L 200 200 200 200 404 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:evidence_image": ("L 404 404 404 404 404 404 404", "L 405 405 405 405 405 405 405"),
    # Welsh (issue 22, welsh-infra): each person's own language, chosen on Email settings;
    # POST only, an empty choice is refused there.
    "accounts:language": ("L 405 405 405 405 405 405 405", "L 400 400 400 400 400 400 400"),
    # Transfers of functions (issue 22, hand-over): seen by those who oversee a force's work
    # (force staff refused, Staffordshire 404 for the West Midlands transfer); recorded,
    # carried out and cancelled by administrators only. The demo's transfer is not due until
    # May 2028: "carry out now" goes back to its page with the reason (302).
    "tracker:function_transfer_list": (
        "L 403 403 200 200 200 200 200",
        "L 405 405 405 405 405 405 405",
    ),
    "tracker:function_transfer_new": (
        "L 403 403 403 403 403 403 200",
        "L 403 403 403 403 403 403 400",
    ),
    "tracker:function_transfer_detail": (
        "L 403 403 200 200 404 200 200",
        "L 405 405 405 405 405 405 405",
    ),
    "tracker:function_transfer_carry_out": (
        "L 405 405 405 405 405 405 405",
        "L 403 403 403 403 404 403 302",
    ),
    "tracker:function_transfer_cancel": (
        "L 405 405 405 405 405 405 405",
        "L 403 403 403 403 404 403 302",
    ),
    # Protective marking (issue 21): the force's coordinator and its PCC office set it; force
    # staff, national readers and administrators (who keep the list in the admin) see it only.
    # An empty POST keeps the thing inheriting, as it already does: refused, nothing saved.
    "tracker:item_marking": ("L 403 403 200 200 404 403 403", "L 403 403 400 400 404 403 403"),
    "tracker:report_marking": ("L 403 403 200 200 404 403 403", "L 403 403 400 400 404 403 403"),
    "tracker:response_marking": (
        "L 403 403 200 200 404 403 403",
        "L 403 403 400 400 404 403 403",
    ),
    # Deadline rules (issue 22, rules): every rule explained, for everyone signed in; it is
    # about no force, so no one gets 404; read only.
    "tracker:rules": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    # Welsh editions of reports (issue 22, welsh-responses): attached by those who may update
    # the report by import (its force's coordinator and PCC office, administrators); force
    # staff and national readers refused; Staffordshire 404 for the West Midlands report. An
    # empty POST is refused with the fields named. Attaching an imported Welsh document is
    # POST only, and the import (here a made-up one) is the uploader's alone: 404.
    "tracker:report_edition": ("L 403 403 200 200 404 403 200", "L 403 403 400 400 404 403 400"),
    "tracker:report_import_edition": (
        "L 405 405 405 405 405 405 405",
        "L 403 403 404 404 404 403 404",
    ),
    # One-click unsubscribe (issue 21, emails): the signed link in an email is the only
    # proof, for anyone who holds it (a mail system POSTs with no cookies); a GET shows the
    # button, a POST switches that kind of email off for the person the link names.
    "accounts:unsubscribe": (
        "200 200 200 200 200 200 200 200",
        "200 200 200 200 200 200 200 200",
    ),
    # Sign-in with an organisation's provider (issue 15). The demo's provider (127.0.0.1:8901)
    # is not running in tests: everyone gets "We could not reach ..." (503). A callback without
    # a state this session began is refused (403).
    "oidc:start": ("503 503 503 503 503 503 503 503", "405 405 405 405 405 405 405 405"),
    "oidc:callback": ("403 403 403 403 403 403 403 403", "405 405 405 405 405 405 405 405"),
    # Setting up providers: administrators only.
    "oidc:providers": ("L 403 403 403 403 403 403 200", "L 405 405 405 405 405 405 405"),
    "oidc:provider_add": ("L 403 403 403 403 403 403 200", "L 403 403 403 403 403 403 400"),
    "oidc:provider_edit": ("L 403 403 403 403 403 403 200", "L 403 403 403 403 403 403 400"),
    # SCIM (issue 15): a session is not a SCIM token, so 401 for everyone.
    **{
        f"scim:{name}": ("401 401 401 401 401 401 401 401", "401 401 401 401 401 401 401 401")
        for name in (
            "users",
            "user",
            "groups",
            "group",
            "service_provider_config",
            "resource_types",
            "resource_type",
            "schemas",
            "schema",
            "not_found",
        )
    },
    # API tokens (issue 15): everyone has their own; revoking someone else's is 404.
    "accounts:api_tokens": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "accounts:api_token_create": ("L 200 200 200 200 200 200 200", "L 400 400 400 400 400 400 400"),
    "accounts:api_token_revoke": ("L 404 404 404 404 404 404 404", "L 404 404 404 404 404 404 404"),
    # Webhooks (issue 15): a force's coordinators and a PCC office; the demo's administrator
    # belongs to no organisation (403); Staffordshire gets 404 for West Midlands' endpoint.
    "integrations:webhook_list": ("L 403 403 200 200 200 403 403", "L 405 405 405 405 405 405 405"),
    "integrations:webhook_add": ("L 403 403 200 200 200 403 403", "L 403 403 400 400 400 403 403"),
    "integrations:webhook_detail": (
        "L 403 403 200 404 404 403 403",
        "L 405 405 405 405 405 405 405",
    ),
    "integrations:webhook_edit": ("L 403 403 200 404 404 403 403", "L 403 403 400 404 404 403 403"),
    "integrations:webhook_enable": (
        "L 405 405 405 405 405 405 405",
        "L 403 403 302 404 404 403 403",
    ),
    "integrations:webhook_delete": (
        "L 403 403 200 404 404 403 403",
        "L 403 403 302 404 404 403 403",
    ),
    # Calendar feeds: the unguessable address is the key (no sign-in); reset is one's own.
    "integrations:calendar_reset": (
        "L 405 405 405 405 405 405 405",
        "L 302 302 302 302 302 302 302",
    ),
    "integrations:calendar_feed": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    # Issue 18: lineage across inspections (tracker/views/lineage.py).
    "tracker:item_lineage": ("L 200 200 200 200 404 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:item_lineage_add": ("L 405 405 405 405 405 405 405", "L 403 403 400 400 404 403 403"),
    "tracker:item_lineage_decide": (
        "L 403 403 200 200 404 403 403",
        "L 403 403 400 400 404 403 403",
    ),
    "tracker:lineage_export": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    # Issue 18: national recommendations (the demo's sample one is tracked by West Midlands and
    # Staffordshire too, so every signed-in persona gets its page: counts for all, own rows only).
    "tracker:national_list": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:national_detail": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    "tracker:national_export": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    # The inspectorate's status by hand: the force's coordinator or PCC office.
    "tracker:item_inspectorate_status": (
        "L 403 403 200 200 404 403 403",
        "L 403 403 400 400 404 403 403",
    ),
    # Issue 18: sharing a closed item's summary with every force (its coordinator and PCC
    # office); another force's item is not found; the shared learning list is for everyone.
    "tracker:item_share": ("L 403 403 200 200 404 403 403", "L 403 403 400 400 404 403 403"),
    "tracker:item_share_withdraw": (
        "L 405 405 405 405 405 405 405",
        "L 403 403 302 302 404 403 403",
    ),
    "tracker:learning_list": ("L 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405"),
    # Issue 18: the PCC office's progress page (403 for those who see the force but may not
    # publish for it), the public progress pages (everyone, GET only).
    "tracker:progress_publish": (
        "L 403 403 403 200 404 403 403",
        "L 403 403 403 302 404 403 403",
    ),
    "tracker:public_progress": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "tracker:public_progress_version": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
}

# Pages anyone may see without signing in.
PUBLIC = {name for name, (get, _) in MATRIX.items() if not get.startswith("L")}
# Addresses that name a West Midlands object: Staffordshire must get 404 for every one.
WEST_MIDLANDS_OBJECTS = {
    "tracker:item_lineage",
    "tracker:item_lineage_add",
    "tracker:item_lineage_decide",
    "tracker:item_inspectorate_status",
    "tracker:item_share",
    "tracker:item_share_withdraw",
    "tracker:progress_publish",
    "tracker:item_detail",
    "tracker:item_add_update",
    "tracker:item_change_status",
    "tracker:item_add_evidence",
    "tracker:evidence_download",
    "tracker:evidence_preview",
    "tracker:evidence_image",
    "tracker:saved_view_open",
    "tracker:saved_view_delete",
    "tracker:item_assign",
    "tracker:item_revise_due_date",
    "tracker:item_propose_closure",
    "tracker:item_decide_closure",
    "tracker:deadline_change",
    "tracker:report_detail",
    "tracker:report_local_target",
    "tracker:response_detail",
    "tracker:response_request_comments",
    "tracker:response_record_comments",
    "tracker:response_edit",
    "tracker:response_approve",
    "tracker:response_publish",
    "tracker:response_copies",
    "tracker:response_document",
    "tracker:item_request_update",
    "tracker:item_record_view",
    "tracker:notification_open",
    "tracker:report_import_detail",
    "tracker:report_import_status",
    "tracker:item_marking",
    "tracker:report_marking",
    "tracker:response_marking",
    "tracker:function_transfer_detail",
    "tracker:function_transfer_carry_out",
    "tracker:function_transfer_cancel",
    "integrations:webhook_detail",
    "integrations:webhook_edit",
    "integrations:webhook_enable",
    "integrations:webhook_delete",
}
# A national reader's own account pages: the only places their POST may do anything.
OWN_ACCOUNT = {
    "tracker:notifications",
    "tracker:notification_open",
    "accounts:sign_in",
    "accounts:sign_in_code",
    "accounts:sign_out",
    "accounts:email_settings",
    "accounts:security",
    "accounts:two_factor_setup",
    "accounts:password_reset",
    "accounts:password_reset_confirm",
    "admin_sign_in",
    "accounts:api_tokens",
    "accounts:api_token_create",
    "integrations:calendar_reset",
}


@pytest.fixture(scope="module")
def observed(demo_once, django_db_blocker):
    """Every address asked as every persona, once for the module (in the demo's transaction,
    which is rolled back when the module ends): the tests below read the same answers."""
    with django_db_blocker.unblock():
        return observe(demo_once)


def outcome(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if "/account/sign-in/" in location and "next=" in location:
            return "L"
        return "302"
    return str(response.status_code)


def observe(world) -> dict[str, tuple[list[str], list[str]]]:
    clients = {}
    for persona, email in PERSONAS.items():
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        clients[persona] = client
    observed = {}
    for name in sorted(MATRIX):
        # Each address starts with no requests counted against the per-person limits
        # (tracker/throttle.py, tested on its own in tests/test_throttle.py): the matrix asks
        # for more exports in a minute than a person may.
        cache.clear()
        url = url_for(name, world)
        rows = []
        for method in ("get", "post"):
            row = []
            for persona in ORDER:
                with transaction.atomic():
                    response = getattr(clients[persona], method)(url)
                    transaction.set_rollback(True)
                row.append(outcome(response))
                if method == "post" and name == "accounts:sign_out" and PERSONAS[persona]:
                    clients[persona].force_login(User.objects.get(email=PERSONAS[persona]))
            rows.append(row)
        observed[name] = tuple(rows)
    return observed


def test_every_url_has_a_rule():
    names = url_names()
    assert names - set(MATRIX) == set(), "URLs with no row in the permission matrix"
    assert set(MATRIX) - names == set(), "rows for URLs that no longer exist"


def test_every_url_answers_each_role_as_the_matrix_says(observed, db):
    if os.environ.get("PRINT_MATRIX"):
        for name, (get, post) in observed.items():
            print(f'    "{name}": ("{" ".join(get)}", "{" ".join(post)}"),')
    problems = []
    for name, (get_row, post_row) in MATRIX.items():
        for method, expected, got in (
            ("GET", get_row.split(), observed[name][0]),
            ("POST", post_row.split(), observed[name][1]),
        ):
            for persona, want, have in zip(ORDER, expected, got, strict=True):
                if want != have:
                    problems.append(f"{method} {name} as {persona}: expected {want}, got {have}")
    assert problems == [], "\n".join(problems)


def test_no_leak_whatever_the_table_says(observed, db):
    """The three rules that matter most, checked without trusting the table."""
    problems = []
    for name, (get, post) in observed.items():
        anon = dict(zip(ORDER, get, strict=True))["anonymous"]
        anon_post = dict(zip(ORDER, post, strict=True))["anonymous"]
        if name not in PUBLIC and (anon != "L" or anon_post != "L"):
            problems.append(f"anonymous reaches {name}: GET {anon}, POST {anon_post}")
        if name in WEST_MIDLANDS_OBJECTS:
            # 405 (a method the address never takes) says nothing about the object.
            for method, row in (("GET", get), ("POST", post)):
                other = row[ORDER.index("other_force")]
                if other not in ("404", "405"):
                    problems.append(f"Staffordshire's {method} {name} got {other}, not 404")
        national_post = post[ORDER.index("national")]
        if name not in OWN_ACCOUNT and name not in PUBLIC and national_post in ("200", "302"):
            problems.append(f"a national reader's POST to {name} was accepted ({national_post})")
    assert problems == [], "\n".join(problems)


def test_the_admin_site_is_for_administrators_only(demo_world):
    urls = ["/admin/"] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin_site._registry
    ]
    for persona, email in PERSONAS.items():
        client = Client()
        if email:
            client.force_login(User.objects.get(email=email))
        for url in urls:
            response = client.get(url)
            if persona == "admin":
                assert response.status_code == 200, url
            else:
                assert response.status_code == 302, (persona, url)
                assert "/login/" in response["Location"] or "sign-in" in response["Location"]


def test_a_tampered_id_or_another_forces_filter_reveals_nothing(demo_world, client):
    """Staffordshire's coordinator asks for West Midlands data by every route a filter
    allows: the exports ignore the other force's id, and a made-up uuid is simply 404."""
    megan = User.objects.get(email=PERSONAS["other_force"])
    client.force_login(megan)
    wmp_id = demo_world["item"].force_id
    for url in (
        f"{reverse('tracker:item_export', kwargs={'fmt': 'csv'})}?force={wmp_id}",
        f"{reverse('tracker:item_list')}?force={wmp_id}",
        f"{reverse('tracker:overdue')}?force={wmp_id}",
    ):
        body = b"".join(client.get(url).streaming_content) if "export" in url else None
        if body is None:
            body = client.get(url).content
        assert b"West Midlands" not in body, url
    fake = reverse("tracker:item_detail", kwargs={"uuid": uuid.uuid4()})
    assert client.get(fake).status_code == 404
    item_url = reverse("tracker:item_add_update", kwargs={"uuid": demo_world["item"].uuid})
    before = TrackedItem.objects.get(pk=demo_world["item"].pk).last_activity_at
    response = client.post(item_url, {"text": "Forged update from another force"})
    assert response.status_code == 404
    assert TrackedItem.objects.get(pk=demo_world["item"].pk).last_activity_at == before
