"""The kinds of row in an export file: for each, the model it is written to, the natural key
that finds it again, and its fields with how each is checked and read (fields.py).

check.py checks a file and load.py writes it with this table, so a new field is added here
once. The file's layout is described in docs/export-format.md; export.py writes it.
"""

from dataclasses import dataclass

from django.db import models

from accounts.models import Language, Organisation, PolicingBodyTerm, ProtectiveMarking, User
from tracker.models import (
    AddresseeKind,
    AuditEvent,
    ClosureDecision,
    ClosureProposal,
    DeadlineChange,
    DueDateRevision,
    Evidence,
    Finding,
    FindingKind,
    FindingLink,
    FunctionTransfer,
    GradingScale,
    InspectorateStatus,
    Judgement,
    LinkRelation,
    LinkState,
    ProgressReview,
    ProgressUpdate,
    Report,
    ReportEdition,
    ReportType,
    ResponseVersion,
    Status,
    StatusChange,
    StatutoryResponse,
    TrackedItem,
    WelshResponseText,
)
from tracker.transfer.checker import INSPECTED
from tracker.transfer.fields import (
    Changes,
    Choice,
    Content,
    Date,
    Email,
    EvidenceList,
    Field,
    FileContent,
    FindingKey,
    Flag,
    IpAddress,
    Mapping,
    Marking,
    Org,
    OrgList,
    Person,
    Ref,
    Roles,
    StoredName,
    Text,
    Timestamp,
    Uuid,
    VersionNumber,
    Whole,
    clipped,
)

FORMAT = "inspection-tracker"
# Version 2 (issues 21 and 22) adds protective markings, the Welsh texts and editions, the
# organisations' Welsh fields, people's language and transfers of functions. A version 1 file
# is read as a version 2 file without them: what it leaves out is left as it is. Issue 17 adds
# keys a version 2 file may carry (findings' addressees, items' inspectorate statuses, fire and
# rescue services among the organisations) without a new version: a file without them is read
# as before, and every key is optional.
VERSION = 2
VERSIONS_READ = (1, 2)
RESPONSE_DATES = (
    "chief_officer_comments_requested_on",
    "chief_officer_comments_due_on",
    "chief_officer_comments_received_on",
    "published_on",
    "sent_to_inspectorate_on",
    "sent_to_home_secretary_on",
)

# A reference of the kind FORCE is a police force only (a statutory response's: section 55 of
# the Police Act 1996 is about police forces); one of the kind INSPECTED is any organisation
# whose items are tracked, a police force or a fire and rescue service (issue 17), where the
# model takes either (checker.INSPECTED).
FORCE = Organisation.Kind.FORCE
BODY = Organisation.Kind.LOCAL_POLICING_BODY


@dataclass(frozen=True)
class Kind:
    """One kind of row. Rows are found again by their natural key (model fields, given by the
    file or by the row they belong to). Append-only rows (history) are found by uuid and
    created once; other rows are created, or updated field by field."""

    model: type[models.Model]
    listed_as: str  # the list holding these rows in the file (for a decision, the object)
    counted_as: str  # what the import's summary calls them
    fields: tuple[Field, ...]  # in the order they are checked
    key: tuple[str, ...] = ("uuid",)  # model fields
    append_only: bool = False

    def field(self, attr: str) -> Field:
        return next(f for f in self.fields if f.attr == attr)


# The table is laid out by hand, a paragraph to a kind of row, its fields in the order they are
# checked.
# fmt: off
PROTECTIVE_MARKING = Kind(
    ProtectiveMarking, "protective_markings", "protective markings", key=("label",),
    fields=(
        Text("label", required=True, max_length=60), Text("description", max_length=300),
        Whole("rank", required=True), Flag("active", default=True),
    ),
)
ORGANISATION = Kind(
    Organisation, "organisations", "organisations", key=("code",),
    fields=(
        Text("code", required=True, max_length=80), Text("name", required=True, max_length=200),
        Field("short_name", convert=str), Choice("kind", Organisation.Kind.values),
        Marking("default_marking"), Flag("welsh_language_standards"),
        Text("welsh_name", max_length=200),
    ),
)
POLICING_BODY_TERM = Kind(
    PolicingBodyTerm, "policing_body_terms", "policing body terms",
    key=("force", "body", "starts_on"),
    fields=(
        Org("force", kind=INSPECTED), Org("body", kind=BODY), Date("starts_on"), Date("ends_on"),
    ),
)
PERSON = Kind(
    User, "people", "people", key=("email",),
    fields=(
        Email("email", required=True, max_length=254),
        Text("full_name", required=True, max_length=200),
        Field("job_title"), Field("department"), Org("organisation", required=False),
        Flag("is_active", default=True), Flag("is_staff", default=True),
        Flag("is_superuser", default=True),
        Timestamp("date_joined", keep_empty=False), Roles("roles"),
        Choice("language", ["", *Language.values], required=False, default=""),
    ),
)
FUNCTION_TRANSFER = Kind(
    FunctionTransfer, "function_transfers", "transfers of functions",
    fields=(
        Uuid(), Org("from_body", kind=BODY), Org("to_body", kind=BODY),
        Date("takes_effect_on", required=True), Flag("date_is_placeholder"),
        Text("legal_basis", required=True, max_length=500),
        Text("legal_basis_url", max_length=500), Flag("staff_move", default=True),
        Person("recorded_by"), Timestamp("recorded_at", required=True),
        Timestamp("carried_out_at"), Person("carried_out_by"), Mapping("outcome"),
        Timestamp("cancelled_at"), Person("cancelled_by"),
    ),
)
REPORT = Kind(
    Report, "reports", "reports", key=("key",),
    fields=(
        Text("key", required=True, max_length=120), Text("title", required=True, max_length=400),
        Org("inspectorate", kind=Organisation.Kind.INSPECTORATE), Field("inspectorate_label"),
        Choice("report_type", ReportType.values), Date("published_on", required=True),
        Choice("published_precision", Report.Precision.values, default="day"), Field("url"),
        Choice("grading_scale", GradingScale.values), Flag("national"),
        OrgList("forces", kind=INSPECTED), Field("source_document"), Field("notes"),
        Marking("marking"),
    ),
)
REPORT_EDITION = Kind(
    ReportEdition, "editions", "editions of reports", key=("report", "language"),
    fields=(
        Choice("language", ReportEdition.Language.values, default=ReportEdition.Language.WELSH),
        Text("title", required=True, max_length=400), Text("url", required=True, max_length=500),
        Person("added_by"), Timestamp("added_at", required=True),
    ),
)
JUDGEMENT = Kind(
    Judgement, "judgements", "judgements", key=("report", "area", "force"),
    fields=(
        Text("area", required=True, max_length=400), Field("reference"),
        Text("grade", required=True, max_length=40), Field("direction"), Field("note"),
        Whole("order"), Org("force", kind=INSPECTED, required=False),
    ),
)
FINDING = Kind(
    Finding, "findings", "findings", key=("key",),
    fields=(
        FindingKey("key", required=True, max_length=160), Choice("kind", FindingKind.values),
        Field("parent", stored=False), Field("reference"), Field("area"), Whole("order"),
        Text("text", required=True), Field("target_text"), Date("target_date"),
        Org("force", kind=INSPECTED, required=False),
        Text("addressee", max_length=200),
        Choice("addressee_kind", AddresseeKind.values, required=False, default=""),
    ),
)
STATUTORY_RESPONSE = Kind(
    StatutoryResponse, "statutory_responses", "statutory responses", key=("report", "force"),
    fields=(
        Uuid(required=False, unique=False, stored=False),
        Org("body", kind=BODY), Org("force", kind=FORCE), *(Date(name) for name in RESPONSE_DATES),
        Field("chief_officer_comments"), Field("pcc_comments"), Field("url"), Text("introduction"),
        Marking("marking"), Text("introduction_cy"), Text("pcc_comments_cy"),
        Text("chief_officer_comments_cy"),
    ),
)
WELSH_RESPONSE_TEXT = Kind(
    WelshResponseText, "welsh_texts", "Welsh texts of responses", key=("response", "finding"),
    fields=(
        Ref("finding", among="response_finding_keys", required=True,
            unknown="no finding with key {!r} in this report"),
        Text("force_response"), Text("pcc_response"),
    ),
)
RESPONSE_VERSION = Kind(
    ResponseVersion, "versions", "published response versions", append_only=True,
    fields=(
        Uuid(unique=False), Date("published_on", required=True),
        Timestamp("recorded_at", required=True), Text("fingerprint", required=True, max_length=64),
        VersionNumber("number"), Content("content"), Field("url"),
        Person("published_by", checked=False), Text("marking_label", max_length=60),
    ),
)
ITEM = Kind(
    TrackedItem, "items", "items", key=("finding", "force"),
    fields=(
        Uuid(required=False, stored=False),
        Ref("finding", among="finding_keys", unknown="no finding with key {!r}", required=True),
        Org("force", kind=INSPECTED), Person("owner"), Person("lead"),
        Choice("status", Status.values, default=Status.NOT_STARTED),
        Date("due_date"), Date("original_due_date"), Field("force_response"), Field("pcc_response"),
        Timestamp("created_at", keep_empty=False), Timestamp("last_activity_at", keep_empty=False),
        Timestamp("closed_at"), Marking("marking"),
        # Issue 18: the later finding that superseded a superseded item (load.py reads it).
        Ref("superseded_by", among="finding_keys", unknown="no finding with key {!r}",
            stored=False),
    ),
)
STATUS_CHANGE = Kind(
    StatusChange, "status_changes", "status changes", append_only=True,
    fields=(
        Uuid(), Choice("from", Status.values, required=False, to="from_status"),
        Choice("to", Status.values, to="to_status"), Person("by", to="changed_by"),
        Timestamp("at", required=True, to="changed_at"), Field("reason"),
    ),
)
DUE_DATE_REVISION = Kind(
    DueDateRevision, "due_date_revisions", "due date revisions", append_only=True,
    fields=(
        Uuid(), Date("previous_date"), Date("new_date", required=True),
        Text("reason", required=True), Person("approved_by"),
        Timestamp("recorded_at", required=True),
    ),
)
PROGRESS_UPDATE = Kind(
    ProgressUpdate, "updates", "progress updates", append_only=True,
    fields=(
        Uuid(), Text("text", required=True), Person("author"),
        Timestamp("written_at", required=True),
    ),
)
PROGRESS_REVIEW = Kind(
    ProgressReview, "reviews", "progress reviews", append_only=True,
    fields=(
        Uuid(),
        Choice("kind", ProgressReview.Kind.values,
               message=f"must be one of {', '.join(ProgressReview.Kind.values)}"),
        Choice("rating", ["", *ProgressReview.Rating.values], default="",
               message="must be green, amber, red or empty"),
        Text("text"), Person("by"), Timestamp("at", required=True),
    ),
)
INSPECTORATE_STATUS = Kind(
    InspectorateStatus, "inspectorate_statuses", "inspectorate statuses", append_only=True,
    fields=(
        Uuid(), Choice("status", InspectorateStatus.Status.values), Date("stated_on"),
        Choice("stated_precision", Report.Precision.values, default="day"),
        Text("source", max_length=300), Text("note"), Person("recorded_by"),
        Timestamp("recorded_at", required=True),
    ),
)
EVIDENCE = Kind(
    Evidence, "evidence", "evidence files", append_only=True,
    fields=(
        Uuid(), StoredName("stored_name", required=True),
        Text("original_name", required=True), Field("content_type"),
        Text("sha256", required=True), Whole("size"), Field("description"),
        Timestamp("uploaded_at", required=True), Person("uploaded_by"),
        FileContent("content_base64"),
    ),
)
CLOSURE_PROPOSAL = Kind(
    ClosureProposal, "closure_proposals", "closure proposals", append_only=True,
    fields=(
        Uuid(), Text("summary", required=True), Person("proposed_by"),
        Timestamp("proposed_at", required=True), EvidenceList("evidence"),
    ),
)
CLOSURE_DECISION = Kind(
    ClosureDecision, "decision", "closure decisions", append_only=True,
    fields=(
        Uuid(), Choice("outcome", ClosureDecision.Outcome.values), Person("decided_by"),
        Timestamp("decided_at", required=True), Field("reason"),
    ),
)
DEADLINE_CHANGE = Kind(
    DeadlineChange, "deadline_changes", "deadline changes", append_only=True,
    fields=(
        Uuid(),
        Ref("rule", among="rule_keys", unknown="there is no deadline rule {!r}", required=True,
            stored=False),
        Choice("kind", [k for k in DeadlineChange.Kind.values
                        if k != DeadlineChange.Kind.RECALCULATED]),
        Date("on_date", required=True), Date("previous_due_on"), Field("reason"),
        Date("applied_on"), Field("approved_by"), Date("approved_on"), Person("recorded_by"),
        Timestamp("recorded_at", required=True),
    ),
)
# Issue 18: a person's decision on a link between a force's findings (confirmed or dismissed;
# suggestions are worked out again, so not exported). load.py gives the findings.
FINDING_LINK = Kind(
    FindingLink, "finding_links", "links between findings", key=("later", "earlier", "force"),
    fields=(
        Ref("later", among="finding_keys", unknown="no finding with key {!r}", required=True),
        Ref("earlier", among="finding_keys", unknown="no finding with key {!r}", required=True),
        Org("force", kind=INSPECTED),
        Choice("relation", LinkRelation.values, default=LinkRelation.REPEATS),
        Choice("state", [LinkState.CONFIRMED, LinkState.DISMISSED]),
        Field("score", convert=lambda v: 0.0 if v in (None, "") else float(v)),
        Text("reason", max_length=300), Timestamp("suggested_at"), Person("decided_by"),
        Timestamp("decided_at"), Text("note"),
    ),
)
AUDIT_EVENT = Kind(
    AuditEvent, "audit_events", "audit events", append_only=True,
    fields=(
        Uuid(unique=False), Timestamp("at", required=True),
        Choice("action", AuditEvent.Action.values), Changes("changes"), IpAddress("ip_address"),
        Person("actor"), Field("object_type"), Field("object_id"), Field("object_repr"),
        Field("note"), Field("source", convert=clipped(20)),
        Field("request_id", convert=clipped(32)), Field("path", convert=clipped(300)),
    ),
)
# fmt: on
