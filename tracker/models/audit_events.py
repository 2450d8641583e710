"""The audit trail: one row for each change to tracked data (tracker/audit.py writes them)."""

from django.conf import settings
from django.db import models

from tracker.models.base import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    """One change to tracked data: who, when, what, before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=200)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    note = models.CharField(max_length=300, blank=True)
    # Where the change came from (tracker/audit_context.py): the web app, the admin site, a
    # background task, a command or an import; for web changes, which request made it.
    source = models.CharField(max_length=20, blank=True)
    request_id = models.CharField(max_length=32, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.action} {self.object_repr}"
