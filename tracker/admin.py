"""The admin: reference data can be edited (every edit is audited); history cannot."""

from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils import timezone

from tracker import services
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


class AuditedAdmin(admin.ModelAdmin):
    """Records each admin save as an audit event with the fields before and after.
    Deleting is not offered: tracked data is kept."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj)
        changes = {
            k: (before.get(k), v)
            for k, v in after.items()
            if before.get(k) != v and not isinstance(v, list)
        }
        services.audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            changes=changes,
            at=timezone.now(),
            note="Edited in the admin",
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
