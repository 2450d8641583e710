"""The admin: reference data can be edited (every edit is audited); history cannot."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models

from tracker import background, outbox
from tracker.admin_audit import AuditedAdmin, ReadOnlyAdmin
from tracker.models import (
    AuditEvent,
    ClosureDecision,
    ClosureProposal,
    Deadline,
    DeadlineChange,
    DeadlineRule,
    Digest,
    DueDateRevision,
    Evidence,
    Finding,
    InspectorateStatus,
    Judgement,
    ProgressUpdate,
    Reminder,
    Report,
    StatusChange,
    StatutoryResponse,
    SweepRun,
    TrackedItem,
)
from tracker.reminders.sync import (
    deadlines_sync_item,
    deadlines_sync_report_items,
    deadlines_sync_response,
)


class JudgementInline(admin.TabularInline):
    model = Judgement
    extra = 0
    can_delete = False


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    list_display = ["title", "inspectorate_label", "published_on", "report_type", "national"]
    list_filter = ["report_type", "national", "grading_scale"]
    search_fields = ["title", "key"]
    filter_horizontal = ["forces"]
    inlines = [JudgementInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        deadlines_sync_report_items(report=form.instance)


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ["__str__", "kind", "report", "area", "addressee"]
    list_filter = ["kind", "addressee_kind"]
    list_select_related = ["report"]
    search_fields = ["text", "key"]
    raw_id_fields = ["parent", "report", "force"]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        for item in form.instance.items.select_related("finding__report"):
            deadlines_sync_item(item=item)  # the report's target may have changed


class TrackedItemAdminForm(forms.ModelForm):
    class Meta:
        model = TrackedItem
        fields = ["owner", "lead", "force_response", "pcc_response"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        force = self.instance.force if self.instance.pk else cleaned.get("force")
        for name in ("owner", "lead"):
            person = cleaned.get(name)
            if person is not None and force is not None and person.organisation_id != force.pk:
                self.add_error(name, f"Choose someone who works for {force}.")
        return cleaned


@admin.register(TrackedItem)
class TrackedItemAdmin(AuditedAdmin):
    """Owner, lead and responses can be edited here; items are created from findings by the
    services (one per force), and their status and dates move only through the item pages."""

    form = TrackedItemAdminForm

    def has_add_permission(self, request) -> bool:
        return False

    list_display = ["__str__", "force", "owner", "status", "due_date"]
    list_filter = ["status", "force"]
    list_select_related = ["finding", "force", "owner"]
    search_fields = ["finding__text"]
    raw_id_fields = ["owner", "lead"]
    # Status, dates and closure move only through the services, which keep the history.
    readonly_fields = [
        "uuid",
        "finding",
        "force",
        "status",
        "original_due_date",
        "due_date",
        "created_at",
        "last_activity_at",
        "closed_at",
    ]


@admin.register(StatutoryResponse)
class StatutoryResponseAdmin(AuditedAdmin):
    """Publication and approval happen on the response's pages (with the completeness check
    and a published version); the admin cannot set them."""

    list_display = ["report", "body", "published_on"]
    list_select_related = ["report", "body"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        fields = ["published_on", "url", "approved_at", "approved_by", "approved_fingerprint"]
        return fields + ["body"] if obj is not None else fields

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        deadlines_sync_response(response=form.instance)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(AuditedAdmin):
    """Rules are data. Saving one works its deadlines out again in the background; each
    save is audited and shown as the rule's history on the Deadline rules page (/rules/)."""

    list_display = ["name", "subject", "length", "unit", "counting", "statutory", "active"]
    list_filter = ["subject", "statutory", "active"]
    fieldsets = [
        (None, {"fields": ["key", "name", "description", "active"]}),
        (
            "How the deadline is worked out",
            {
                "fields": [
                    "subject",
                    "trigger",
                    "source",
                    "length",
                    "unit",
                    "counting",
                    "applies_from",
                    "applies_until",
                    "report_types",
                    "who_must_act",
                    "statutory",
                    "legal_basis",
                    "legal_basis_url",
                    "legal_text",
                    "extendable",
                    "extended_by",
                    "apply_before_end",
                    "publication_by",
                    "publication_days",
                ]
            },
        ),
        (
            "Reminders and escalation",
            {
                "fields": [
                    "reminder_offsets",
                    "repeat_after_missed_days",
                    "coordinator_from_days",
                    "oversight_from_missed",
                ]
            },
        ),
    ]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        outbox.send_on_commit(background.RESYNC_RULE, form.instance.pk)


HISTORY_COLUMNS: dict[type[models.Model], list[str]] = {
    StatusChange: ["changed_at", "item", "from_status", "to_status", "changed_by"],
    DueDateRevision: ["recorded_at", "item", "previous_date", "new_date", "approved_by"],
    ProgressUpdate: ["written_at", "item", "author"],
    Evidence: ["uploaded_at", "item", "original_name", "size", "uploaded_by"],
    ClosureProposal: ["proposed_at", "item", "proposed_by"],
    ClosureDecision: ["decided_at", "proposal", "outcome", "decided_by"],
    # Issue 17: the inspectorate's statuses of an item's recommendation, from its register.
    InspectorateStatus: ["stated_on", "item", "status", "source", "recorded_by"],
}
for model, columns in HISTORY_COLUMNS.items():
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (ReadOnlyAdmin,),
            {
                "list_display": columns,
                "list_select_related": (
                    ["item__force", "item__finding"] if "item" in columns else True
                ),
            },
        ),
    )


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["rule", "force", "due_on", "original_due_on", "state", "version"]
    list_filter = ["state", "rule"]
    list_select_related = ["rule", "force"]


# Reminders and digests take their claim fields from ClaimedRow, which puts them first on the
# model; their pages list what the row is about first, then how sending it went.
@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["due_at", "step", "recipient", "state", "late", "attempts", "note"]
    list_filter = ["state", "late"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "note"]
    fields = [
        "deadline",
        "deadline_version",
        "step",
        "recipient",
        "due_at",
        "next_attempt_at",
        "state",
        "claimed_until",
        "claim_token",
        "attempts",
        "sent_at",
        "late",
        "by_email",
        "note",
    ]


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["period_start", "kind", "user", "state", "line_count", "note"]
    fields = [
        "user",
        "kind",
        "period_start",
        "state",
        "claimed_until",
        "claim_token",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "line_count",
        "note",
    ]


for model, columns in {
    DeadlineChange: ["recorded_at", "deadline", "kind", "previous_due_on", "new_due_on"],
    SweepRun: ["started_at", "via", "sent", "late", "cancelled", "retried", "failed", "error"],
}.items():
    admin.site.register(
        model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {"list_display": columns})
    )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The whole audit trail, searchable by who, what, which object and which request."""

    list_display = ["at", "actor", "action", "object_type", "object_repr", "source", "ip_address"]
    list_filter = ["action", "source", "object_type"]
    search_fields = [
        "object_repr",
        "object_id",
        "note",
        "actor__email",
        "actor__full_name",
        "request_id",
        "path",
    ]
    date_hierarchy = "at"
    list_select_related = ["actor"]


# Webhooks and calendar feeds (issue 15).
import tracker.integration_admin  # noqa: E402, F401
