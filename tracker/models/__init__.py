"""Reports, what they found, and the items each force tracks until they are done.

One module per part of the domain: base (append-only history rows), reports, items (and their
history), inspectorate (the inspectorate's dated statuses of an item), responses (statutory
responses), audit_events, deadlines, reminders (reminders, digests, notifications, sweeps)
and imports (report imports). Everything is re-exported here,
so `from tracker.models import X` works for every model and choice.
"""

from tracker.models.audit_events import AuditEvent
from tracker.models.base import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from tracker.models.calendar_feeds import *  # noqa: E402, F403 (issue 15)
from tracker.models.deadlines import (
    Deadline,
    DeadlineChange,
    DeadlineRule,
    DeadlineState,
    DeadlineSubject,
    DeadlineTrigger,
    Source,
    WhoActs,
)
from tracker.models.export_jobs import ExportJob
from tracker.models.imports import ReportImport
from tracker.models.inspectorate import InspectorateStatus
from tracker.models.items import (
    CHOOSABLE_STATUSES,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    ClosureDecision,
    ClosureProposal,
    DueDateRevision,
    Evidence,
    ProgressReview,
    ProgressUpdate,
    Status,
    StatusChange,
    TrackedItem,
    TrackedItemQuerySet,
)
from tracker.models.learning import LearningMatch, SharedLearning
from tracker.models.lineage import FindingLink, LinkRelation, LinkState
from tracker.models.outbox import OutboxMessage, OutboxQuerySet
from tracker.models.public_progress import ProgressPublication, PublicWording
from tracker.models.reminders import (
    ClaimedRow,
    Digest,
    Notification,
    Reminder,
    ReminderState,
    SweepRun,
)
from tracker.models.reports import (
    DIRECTIONS,
    GRADES,
    INSPECTED_KINDS,
    AddresseeKind,
    Finding,
    FindingKind,
    GradingScale,
    Judgement,
    Report,
    ReportEdition,
    ReportQuerySet,
    ReportType,
)
from tracker.models.responses import ResponseVersion, StatutoryResponse, WelshResponseText
from tracker.models.saved_views import SavedView, SavedViewList, SavedViewQuerySet
from tracker.models.transfers import FunctionTransfer, FunctionTransferQuerySet
from tracker.models.webhooks import *  # noqa: E402, F403 (issue 15)

__all__ = [
    "ExportJob",
    "CHOOSABLE_STATUSES",
    "DIRECTIONS",
    "GRADES",
    "INSPECTED_KINDS",
    "OPEN_STATUSES",
    "CLOSED_STATUSES",
    "FindingLink",
    "LinkRelation",
    "LinkState",
    "SharedLearning",
    "LearningMatch",
    "PublicWording",
    "ProgressPublication",
    "AddresseeKind",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "AuditEvent",
    "CalendarFeed",  # noqa: F405 (issue 15)
    "DeliveryState",  # noqa: F405 (issue 15)
    "WebhookDelivery",  # noqa: F405 (issue 15)
    "WebhookEndpoint",  # noqa: F405 (issue 15)
    "WebhookEndpointQuerySet",  # noqa: F405 (issue 15)
    "WebhookEventType",  # noqa: F405 (issue 15)
    "WebhookTarget",  # noqa: F405 (issue 15)
    "ClaimedRow",
    "ClosureDecision",
    "ClosureProposal",
    "Deadline",
    "DeadlineChange",
    "DeadlineRule",
    "DeadlineState",
    "DeadlineSubject",
    "DeadlineTrigger",
    "Digest",
    "DueDateRevision",
    "Evidence",
    "Finding",
    "FunctionTransfer",
    "FunctionTransferQuerySet",
    "FindingKind",
    "GradingScale",
    "InspectorateStatus",
    "Judgement",
    "Notification",
    "OutboxMessage",
    "OutboxQuerySet",
    "ProgressReview",
    "ProgressUpdate",
    "Reminder",
    "ReminderState",
    "Report",
    "ReportImport",
    "ReportEdition",
    "ReportQuerySet",
    "ReportType",
    "ResponseVersion",
    "SavedView",
    "SavedViewList",
    "SavedViewQuerySet",
    "Source",
    "Status",
    "StatusChange",
    "StatutoryResponse",
    "WelshResponseText",
    "SweepRun",
    "TrackedItem",
    "TrackedItemQuerySet",
    "WhoActs",
]
