"""How the API shows each thing (read), and what a change takes (write).

The write serializers only describe the request bodies for the schema and check their JSON
types; what a value must be is checked by the page's own form (tracker/forms.py) and the
service, so the API answers with the pages' messages (tracker/api/writes.py)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.models import (
    CHOOSABLE_STATUSES,
    Deadline,
    DeadlineChange,
    Evidence,
    Finding,
    ProgressUpdate,
    Report,
    StatusChange,
    StatutoryResponse,
    TrackedItem,
)

# What the API shows of a person: the name people see on the pages and the address that
# names them in the assignment endpoint.


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(source="full_name")
    email = serializers.EmailField()


class OrganisationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReportSerializer(serializers.ModelSerializer):
    inspectorate = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "key",
            "title",
            "report_type",
            "published_on",
            "url",
            "national",
            "grading_scale",
            "inspectorate",
        ]

    @extend_schema_field(serializers.CharField())
    def get_inspectorate(self, report: Report) -> str:
        if report.inspectorate_id:
            return report.inspectorate.name
        return report.inspectorate_label or ""


class FindingItemSerializer(serializers.ModelSerializer):
    force = OrganisationSerializer()

    class Meta:
        model = TrackedItem
        fields = ["uuid", "force", "status", "due_date"]


class FindingSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    force = OrganisationSerializer(allow_null=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "key",
            "kind",
            "reference",
            "area",
            "text",
            "target_text",
            "target_date",
            "parent",
            "force",
            "items",
        ]

    @extend_schema_field(FindingItemSerializer(many=True))
    def get_items(self, finding: Finding) -> list[dict[str, Any]]:
        items = getattr(finding, "visible_items", [])
        return FindingItemSerializer(items, many=True).data


class ItemSerializer(serializers.ModelSerializer):
    report = serializers.SerializerMethodField()
    finding = serializers.SerializerMethodField()
    force = OrganisationSerializer()
    owner = PersonSerializer(allow_null=True)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = TrackedItem
        fields = [
            "uuid",
            "report",
            "finding",
            "force",
            "owner",
            "status",
            "status_label",
            "due_date",
            "original_due_date",
            "created_at",
            "last_activity_at",
            "closed_at",
            "version",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"key": {"type": "string"}, "title": {"type": "string"}},
            "required": ["key", "title"],
        }
    )
    def get_report(self, item: TrackedItem) -> dict[str, str]:
        report = item.finding.report
        return {"key": report.key, "title": report.title}

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "key": {"type": "string"},
                "kind": {"type": "string"},
                "reference": {"type": "string"},
                "area": {"type": "string"},
                "text": {"type": "string"},
            },
            "required": ["key", "kind", "reference", "area", "text"],
        }
    )
    def get_finding(self, item: TrackedItem) -> dict[str, str]:
        f = item.finding
        return {
            "key": f.key,
            "kind": f.kind,
            "reference": f.reference,
            "area": f.area,
            "text": f.text,
        }


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()
    by = serializers.SerializerMethodField()
    text = serializers.CharField()
    detail = serializers.CharField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_by(self, entry: Any) -> str | None:
        by = entry.by
        if by is None:
            return None
        return getattr(by, "full_name", None) or str(by)


class ItemDetailSerializer(ItemSerializer):
    lead = PersonSerializer(allow_null=True)
    force_response = serializers.CharField()
    pcc_response = serializers.CharField()
    history = HistoryEntrySerializer(many=True, source="api_history")

    class Meta(ItemSerializer.Meta):
        fields = [
            *ItemSerializer.Meta.fields,
            "lead",
            "force_response",
            "pcc_response",
            "history",
        ]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = PersonSerializer(allow_null=True)

    class Meta:
        model = ProgressUpdate
        fields = ["uuid", "written_at", "author", "text"]


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = PersonSerializer(allow_null=True)

    class Meta:
        model = StatusChange
        fields = ["uuid", "from_status", "to_status", "changed_at", "changed_by", "reason"]


class EvidenceSerializer(serializers.ModelSerializer):
    """A file's details; never its contents (the item page's link downloads it)."""

    uploaded_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Evidence
        fields = [
            "uuid",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "uploaded_at",
            "uploaded_by",
        ]


class DeadlineChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadlineChange
        fields = ["kind", "on_date", "previous_due_on", "new_due_on", "reason", "recorded_at"]


class DeadlineSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.name")
    statutory = serializers.BooleanField(source="rule.statutory")
    force = serializers.CharField(source="force.code")
    item = serializers.UUIDField(source="item.uuid", allow_null=True, default=None)
    response = serializers.UUIDField(source="response.uuid", allow_null=True, default=None)
    changes = DeadlineChangeSerializer(many=True)

    class Meta:
        model = Deadline
        fields = [
            "uuid",
            "rule",
            "statutory",
            "force",
            "item",
            "response",
            "trigger_on",
            "original_due_on",
            "due_on",
            "state",
            "met_on",
            "changes",
        ]


class StatutoryResponseSerializer(serializers.ModelSerializer):
    report = serializers.CharField(source="report.key")
    body = OrganisationSerializer()
    force = OrganisationSerializer()
    deadlines = DeadlineSerializer(many=True)

    class Meta:
        model = StatutoryResponse
        fields = [
            "uuid",
            "report",
            "body",
            "force",
            "chief_officer_comments_requested_on",
            "chief_officer_comments_due_on",
            "chief_officer_comments_received_on",
            "published_on",
            "url",
            "sent_to_inspectorate_on",
            "sent_to_home_secretary_on",
            "deadlines",
        ]


# The changes ---------------------------------------------------------------------------

VERSION_HELP = (
    "The item's version your change is based on (from the item). If the item has changed "
    "since, nothing is saved and the answer is 409. Leave it out to skip the check."
)


class UpdateInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=20_000, help_text="What has happened since the last update."
    )


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in CHOOSABLE_STATUSES])
    reason = serializers.CharField(max_length=20_000)
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class ClosureInput(serializers.Serializer):
    summary = serializers.CharField(max_length=20_000)
    evidence = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="The uuids of the item's evidence files closure rests on.",
    )
    no_evidence = serializers.BooleanField(
        required=False, help_text="True when no evidence is needed (then say why)."
    )
    no_evidence_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20_000,
        help_text="Why no evidence is needed (only with no_evidence).",
    )
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class AssignInput(serializers.Serializer):
    owner = serializers.EmailField(
        required=False, allow_null=True, help_text="The new owner's email; null for nobody."
    )
    lead = serializers.EmailField(
        required=False,
        allow_null=True,
        help_text="The new accountable lead's email; null for nobody.",
    )
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class DueDateInput(serializers.Serializer):
    new_date = serializers.DateField(help_text="The new due date (YYYY-MM-DD).")
    reason = serializers.CharField(max_length=20_000)
    version = serializers.IntegerField(required=False, min_value=0, help_text=VERSION_HELP)


class DueDateRevisionSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    previous_date = serializers.DateField(allow_null=True)
    new_date = serializers.DateField()
    reason = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    approved_by = PersonSerializer(allow_null=True)


class ClosureProposalSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    proposed_at = serializers.DateTimeField()
    proposed_by = PersonSerializer(allow_null=True)
    summary = serializers.CharField()
    no_evidence_reason = serializers.CharField()
    evidence = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_evidence(self, proposal: Any) -> list[str]:
        return [str(e.uuid) for e in proposal.evidence.all()]


class ResponseRowSerializer(serializers.Serializer):
    """A row of the Statutory responses page: a report about one force, its response if
    started, its stage and the deadline the PCC office works to."""

    report = serializers.SerializerMethodField()
    force = OrganisationSerializer()
    response = serializers.UUIDField(source="response.uuid", allow_null=True, default=None)
    stage = serializers.CharField()
    stage_label = serializers.CharField()
    due_on = serializers.DateField(source="deadline.due_on", allow_null=True, default=None)
    days_left = serializers.IntegerField(allow_null=True)
    latest_version = serializers.IntegerField()

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"key": {"type": "string"}, "title": {"type": "string"}},
            "required": ["key", "title"],
        }
    )
    def get_report(self, row: Any) -> dict[str, str]:
        return {"key": row.report.key, "title": row.report.title}
