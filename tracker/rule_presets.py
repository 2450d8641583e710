"""The deadline rules the product ships with (DOMAIN.md: statutory and other windows).

Installed by migration 0003 and again by `load_seed_data`; both only add the rules that are
missing, so an administrator's edits are never overwritten.
"""

import datetime

from django.db.models import Model

PRESETS = [
    {
        "key": "s55-pcc-comments",
        "name": "PCC's comments on the report",
        "subject": "statutory_response",
        "trigger": "report_published",
        "source": "rule",
        "length": 56,
        "unit": "calendar_days",
        "counting": "beginning_with",
        "applies_from": datetime.date(2017, 5, 2),
        "who_must_act": "pcc_office",
        "statutory": True,
        "legal_basis": "s55(5A) Police Act 1996",
        "description": "The local policing body publishes its comments on the report, any "
        "comments of the chief officer and its response to them, within 56 days beginning "
        "with the day the report is published (the publication day is day 1). Reports "
        "published before 2 May 2017 have no statutory period.",
        "extendable": False,
        "reminder_offsets": "28, 14, 7, 3, 1, 0",
        "repeat_after_missed_days": 7,
        "coordinator_from_days": 7,
        "oversight_from_missed": 1,
    },
    {
        "key": "chief-officer-comments",
        "name": "Chief officer's comments to the PCC",
        "subject": "statutory_response",
        "trigger": "report_published",
        "source": "chief_officer_due_date",
        "length": 28,
        "unit": "calendar_days",
        "counting": "after",
        "who_must_act": "force",
        "statutory": True,
        "legal_basis": "s55(4) Police Act 1996 (the date the PCC office sets)",
        "description": "The chief officer comments on the report to the local policing body "
        "by the date it sets. The length is the default when the PCC office asks for "
        "comments without choosing a date.",
        "extendable": True,
        "reminder_offsets": "14, 7, 3, 1, 0",
        "repeat_after_missed_days": 7,
        "coordinator_from_days": None,
        "oversight_from_missed": 1,
    },
    {
        "key": "local-target",
        "name": "PCC's comments: local target",
        "subject": "statutory_response",
        "trigger": "report_published",
        "source": "local_target",
        "length": 0,
        "unit": "calendar_days",
        "counting": "after",
        "who_must_act": "pcc_office",
        "statutory": False,
        "description": "Where the law sets no period (reports published before 2 May 2017), "
        "the PCC office may set itself a target for its comments.",
        "extendable": False,
        "reminder_offsets": "14, 7, 1, 0",
        "repeat_after_missed_days": 7,
        "coordinator_from_days": None,
        "oversight_from_missed": None,
    },
    {
        "key": "iopc-recommendation",
        "name": "Response to an IOPC recommendation",
        "subject": "item",
        "trigger": "recommendation_made",
        "source": "rule",
        "length": 56,
        "unit": "calendar_days",
        "counting": "beginning_with",
        "report_types": "iopc_recommendations",
        "who_must_act": "item_owner",
        "statutory": True,
        "legal_basis": "para 28B Sch 3 Police Reform Act 2002",
        "description": "A written response saying what action has been or will be taken, or "
        "why none, within 56 days beginning with the day the recommendation was made. It can "
        "be extended on application before it expires, and pauses during a judicial review.",
        "extendable": True,
        "reminder_offsets": "28, 14, 7, 3, 1, 0",
        "repeat_after_missed_days": 7,
        "coordinator_from_days": 7,
        "oversight_from_missed": 1,
    },
    {
        "key": "coroner-pfd",
        "name": "Response to a Prevention of Future Deaths report",
        "subject": "item",
        "trigger": "report_published",
        "source": "rule",
        "length": 56,
        "unit": "calendar_days",
        "counting": "after",
        "report_types": "prevention_of_future_deaths",
        "who_must_act": "item_owner",
        "statutory": True,
        "legal_basis": "Coroners (Investigations) Regulations 2013, regs 28 and 29",
        "description": "The addressee responds to the coroner within 56 days of the report "
        "being sent; the coroner may extend the period.",
        "extendable": True,
        "reminder_offsets": "28, 14, 7, 3, 1, 0",
        "repeat_after_missed_days": 7,
        "coordinator_from_days": 7,
        "oversight_from_missed": 1,
    },
    {
        "key": "report-target",
        "name": "Target set by the report",
        "subject": "item",
        "trigger": "recommendation_made",
        "source": "report_target",
        "length": 0,
        "unit": "calendar_days",
        "counting": "after",
        "who_must_act": "item_owner",
        "statutory": False,
        "description": 'The target the report states for a recommendation ("immediately", '
        '"within six months", "by 31 March 2023"), counted from publication.',
        "extendable": False,
        "reminder_offsets": "28, 7, 0",
        "repeat_after_missed_days": 0,
        "coordinator_from_days": 0,
        "oversight_from_missed": None,
    },
    {
        "key": "action-due-date",
        "name": "Action due date",
        "subject": "item",
        "trigger": "item_created",
        "source": "item_due_date",
        "length": 0,
        "unit": "calendar_days",
        "counting": "after",
        "who_must_act": "item_owner",
        "statutory": False,
        "description": "The date the force set for the item. The force coordinator revises "
        "it on the item page; each revision is kept.",
        "extendable": False,
        "reminder_offsets": "28, 14, 7, 3, 1, 0",
        "repeat_after_missed_days": 7,
        "coordinator_from_days": 3,
        "oversight_from_missed": 2,
    },
    {
        "key": "progress-update",
        "name": "Next progress update",
        "subject": "item",
        "trigger": "last_update",
        "source": "rule",
        "length": 30,
        "unit": "calendar_days",
        "counting": "after",
        "who_must_act": "item_owner",
        "statutory": False,
        "description": "An open item gets a progress update at least every 30 days.",
        "extendable": False,
        "reminder_offsets": "3, 0",
        "repeat_after_missed_days": 14,
        "coordinator_from_days": None,
        "oversight_from_missed": None,
    },
]


def presets_install(rule_model: type[Model]) -> int:
    """Add the preset rules that are missing. Returns how many were added.

    Migrations pass their historical DeadlineRule, everything else today's model (this module
    imports no model, so migrations can use it)."""
    added = 0
    for preset in PRESETS:
        _, created = rule_model._default_manager.get_or_create(key=preset["key"], defaults=preset)
        added += int(created)
    return added
