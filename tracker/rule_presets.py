"""The deadline rules the product ships with (DOMAIN.md: statutory and other windows).

Installed by migration 0003 and again by `load_seed_data`; both only add the rules that are
missing, so an administrator's edits are never overwritten. Migration 0022 brings the rules
already installed up to the law as quoted below (`UPDATES_0022`), field by field, and only
where the field still holds what the product shipped: a value an administrator changed is
kept.

Each statutory preset quotes the words it follows (`legal_text`) and links to them
(`legal_basis_url`); tests/test_deadlines_law.py works each one through.
"""

import datetime
from typing import Any

from django.db.models import Model

# The law each statutory preset follows, quoted. s55 and para 28B were checked against
# legislation.gov.uk; reg 29's words could not be retrieved and are marked so.
S55_URL = "https://www.legislation.gov.uk/ukpga/1996/16/section/55"
S55_4 = (
    "s55(4): “The local policing body shall invite the chief officer of police to submit "
    "comments on the published report to the body before such date as it may specify.”"
)
S55_5A = (
    "s55(5A) (inserted by s37 Policing and Crime Act 2017): “The comments of the local "
    "policing body, together with any comments submitted by the chief officer of police and "
    "any response to those comments by the local policing body, must be published before the "
    "end of the period of 56 days beginning with the day on which the report is published.”"
)
IOPC_URL = "https://www.legislation.gov.uk/ukpga/2002/30/schedule/3/paragraph/28B"
IOPC_BASIS = "para 28B Sch 3 Police Reform Act 2002"
PARA_28B_IN_FORCE = datetime.date(2014, 10, 1)  # inserted by s139 ASBCPA 2014
PARA_28B = (
    "para 28B(2): “The person must provide the response to the Director General before the "
    "end of the period of 56 days beginning with the day on which the recommendation was "
    "made, unless sub-paragraph (3) applies.” (3): “The Director General may extend the "
    "period of 56 days following an application received before the end of the period; and "
    "if the Director General grants an extension, the person must provide the response "
    "before the end of the extended period.” (4): “But if proceedings for judicial review of "
    "the Director General's decision to make a recommendation are started during the period "
    "allowed by sub-paragraph (2) or (3), that period is extended by however many days the "
    "proceedings are in progress.” (5): “On receiving a response, the Director General must, "
    "within the period of 21 days beginning with the day on which the Director General "
    "received it— (a) publish the response, …”"
)
IOPC_DESCRIPTION = (
    "A written response to the Director General of the IOPC saying what action has been or "
    "will be taken, or why none, before the end of 56 days beginning with the day the "
    "recommendation was made (that day is day 1). The Director General may extend the period "
    "only on an application received before it ends. Judicial review proceedings started "
    "within the period extend it by the days they are in progress. The Director General "
    "publishes the response within 21 days beginning with the day it was received."
)
PFD_URL = "https://www.legislation.gov.uk/uksi/2013/1629/regulation/29"
PFD_BASIS = "reg 29(4) and (5) Coroners (Investigations) Regulations 2013"
REGS_2013_IN_FORCE = datetime.date(2013, 7, 25)
REG_29 = (
    "reg 29(4): “The response must be provided to the coroner who made the report within 56 "
    "days of the date on which the report is sent.” (5): “The coroner may extend the period "
    "…” Not yet checked against the published text of the regulation: confirm before relying "
    "on it."
)
PFD_DESCRIPTION = (
    "The person the coroner sent the Prevention of Future Deaths report to (reg 28) gives "
    "the coroner a written response within 56 days of the date the report is sent: that "
    "day is not counted, so a report sent on 1 March 2027 is answered by 26 April 2027. The "
    "coroner may extend the period, and the regulation sets no time for asking."
)

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
        "legal_basis_url": S55_URL,
        "legal_text": S55_5A,
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
        "legal_basis_url": S55_URL,
        "legal_text": S55_4,
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
        "applies_from": PARA_28B_IN_FORCE,
        "legal_basis": IOPC_BASIS,
        "legal_basis_url": IOPC_URL,
        "legal_text": PARA_28B,
        "description": IOPC_DESCRIPTION,
        "extendable": True,
        "extended_by": "the Director General",
        "apply_before_end": True,
        "publication_by": "the Director General",
        "publication_days": 21,
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
        "applies_from": REGS_2013_IN_FORCE,
        "legal_basis": PFD_BASIS,
        "legal_basis_url": PFD_URL,
        "legal_text": REG_29,
        "description": PFD_DESCRIPTION,
        "extendable": True,
        "extended_by": "the coroner",
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
    # An early migration's model lacks the fields added since: give it only those it has.
    have = {field.name for field in rule_model._meta.concrete_fields}
    added = 0
    for preset in PRESETS:
        values = {name: value for name, value in preset.items() if name in have}
        _, created = rule_model._default_manager.get_or_create(key=preset["key"], defaults=values)
        added += int(created)
    return added


# What migration 0022 changes in the rules already installed: (what was shipped, what the law
# as quoted above says). New fields were shipped empty. Migration 0022 uses this table: leave
# it as it is, and give a later change its own table and migration.
_PFD_OLD_DESCRIPTION = (
    "The addressee responds to the coroner within 56 days of the report being sent; the "
    "coroner may extend the period."
)
_IOPC_OLD_DESCRIPTION = (
    "A written response saying what action has been or will be taken, or why none, within 56 "
    "days beginning with the day the recommendation was made. It can be extended on "
    "application before it expires, and pauses during a judicial review."
)
UPDATES_0022: dict[str, dict[str, tuple[Any, Any]]] = {
    "s55-pcc-comments": {
        "legal_basis_url": ("", S55_URL),
        "legal_text": ("", S55_5A),
    },
    "chief-officer-comments": {
        "legal_basis_url": ("", S55_URL),
        "legal_text": ("", S55_4),
    },
    "iopc-recommendation": {
        "applies_from": (None, PARA_28B_IN_FORCE),
        "legal_basis_url": ("", IOPC_URL),
        "legal_text": ("", PARA_28B),
        "description": (_IOPC_OLD_DESCRIPTION, IOPC_DESCRIPTION),
        "extended_by": ("", "the Director General"),
        "apply_before_end": (False, True),
        "publication_by": ("", "the Director General"),
        "publication_days": (None, 21),
    },
    "coroner-pfd": {
        "applies_from": (None, REGS_2013_IN_FORCE),
        "legal_basis": ("Coroners (Investigations) Regulations 2013, regs 28 and 29", PFD_BASIS),
        "legal_basis_url": ("", PFD_URL),
        "legal_text": ("", REG_29),
        "description": (_PFD_OLD_DESCRIPTION, PFD_DESCRIPTION),
        "extended_by": ("", "the coroner"),
    },
}


def presets_update(
    rule_model: type[Model], updates: dict[str, dict[str, tuple[Any, Any]]] | None = None
) -> dict[str, list[str]]:
    """Bring installed preset rules up to date, field by field: a field is set to its new
    value only while it still holds the value the product shipped, so whatever an
    administrator changed stays as they left it. Returns the fields changed, by rule key."""
    changed: dict[str, list[str]] = {}
    for key, fields in (UPDATES_0022 if updates is None else updates).items():
        rule = rule_model._default_manager.filter(key=key).first()
        if rule is None:
            continue
        names = [
            name
            for name, (shipped, new) in fields.items()
            if shipped != new and getattr(rule, name) == shipped
        ]
        for name in names:
            setattr(rule, name, fields[name][1])
        if names:
            rule.save(update_fields=names)
            changed[key] = names
    return changed
