"""The admin: reference data can be edited (every edit is audited); history cannot."""

from django import forms
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


class TrackedItemAdminForm(forms.ModelForm):
    class Meta:
        model = TrackedItem
        fields = ["owner", "lead", "force_response", "pcc_response"]

    def clean(self):
        cleaned = super().clean()
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

    def has_add_permission(self, request):
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
    list_display = ["report", "body", "published_on"]
    list_select_related = ["report", "body"]


HISTORY_COLUMNS = {
    StatusChange: ["changed_at", "item", "from_status", "to_status", "changed_by"],
    DueDateRevision: ["recorded_at", "item", "previous_date", "new_date", "approved_by"],
    ProgressUpdate: ["written_at", "item", "author"],
    Evidence: ["uploaded_at", "item", "original_name", "size", "uploaded_by"],
    ClosureProposal: ["proposed_at", "item", "proposed_by"],
    ClosureDecision: ["decided_at", "proposal", "outcome", "decided_by"],
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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "note"]
    list_select_related = ["actor"]
