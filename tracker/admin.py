"""The admin: reference data can be edited (every edit is audited); history cannot."""

from django.contrib import admin

from tracker.admin_audit import AuditedAdmin, ReadOnlyAdmin
from tracker.models import (
    AuditEvent,
    ClosureDecision,
    ClosureProposal,
    DueDateRevision,
    Evidence,
    Finding,
    Judgement,
    ProgressUpdate,
    Report,
    StatusChange,
    StatutoryResponse,
    TrackedItem,
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


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ["__str__", "kind", "report", "area"]
    list_filter = ["kind"]
    list_select_related = ["report"]
    search_fields = ["text", "key"]
    raw_id_fields = ["parent", "report", "force"]


@admin.register(TrackedItem)
class TrackedItemAdmin(AuditedAdmin):
    list_display = ["__str__", "force", "owner", "status", "due_date"]
    list_filter = ["status", "force"]
    list_select_related = ["finding", "force", "owner"]
    search_fields = ["finding__text"]
    raw_id_fields = ["finding", "owner", "lead"]
    # Status, dates and closure move only through the services, which keep the history.
    readonly_fields = [
        "uuid",
        "status",
        "original_due_date",
        "due_date",
        "created_at",
        "last_activity_at",
        "closed_at",
    ]


@admin.register(StatutoryResponse)
class StatutoryResponseAdmin(AuditedAdmin):
    list_display = ["report", "body", "published_on"]
    list_select_related = ["report", "body"]


for model in (
    StatusChange,
    DueDateRevision,
    ProgressUpdate,
    Evidence,
    ClosureProposal,
    ClosureDecision,
):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "note"]
    list_select_related = ["actor"]
