"""The Deadline rules page's reads: every rule, and each rule's history as the audit trail
recorded it (an administrator's edits in the admin site are audited with the fields before
and after, tracker/admin_audit.py). Two queries whatever the number of rules or edits."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tracker.audit import natural_key
from tracker.models import AuditEvent, DeadlineRule

RULE_OBJECT_TYPE = "tracker.DeadlineRule"


@dataclass
class RuleChange:
    """One edit of a rule: when, by whom, and each field's value before and after."""

    event: AuditEvent
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)


def rules_in_order() -> list[DeadlineRule]:
    """Every rule, the statutory ones first, then by name."""
    return list(DeadlineRule.objects.order_by("-statutory", "-active", "name"))


def rule_histories(rules: list[DeadlineRule]) -> dict[int, list[RuleChange]]:
    """Each rule's edits, newest first, with the fields named as the admin names them."""
    by_key = {natural_key(rule): rule for rule in rules}
    labels = {str(f.name): str(f.verbose_name) for f in DeadlineRule._meta.concrete_fields}
    events = (
        AuditEvent.objects.filter(object_type=RULE_OBJECT_TYPE, object_id__in=list(by_key))
        .select_related("actor")
        .order_by("-at", "-id")
    )
    histories: dict[int, list[RuleChange]] = defaultdict(list)
    for event in events:
        rule = by_key[event.object_id]
        changes = event.changes if isinstance(event.changes, dict) else {}
        rows = []
        for name, values in sorted(changes.items()):
            before, after = values if isinstance(values, list | tuple) else (None, values)
            rows.append((labels.get(name, str(name)), before, after))
        histories[rule.pk].append(RuleChange(event, rows))
    return dict(histories)
