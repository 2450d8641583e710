"""The forces (and fire and rescue services) a person may import a report for, and the
reports an import may add to.

Who may is decided in tracker.policy (report_import_force_ids, can_update_report_by_import);
this module turns the decision into the organisations' rows for the forms and the import. A
fire and rescue service governed by a Police, Fire and Crime Commissioner stands where a force
does (issue 17): its office imports the service's reports as it imports its force's.
"""

import re

from django.utils import timezone

from accounts.models import Organisation, User
from tracker import policy
from tracker.models import INSPECTED_KINDS, Report


def import_forces(user: User) -> list[Organisation]:
    """The forces and fire and rescue services this person may import a report for, by
    name."""
    allowed = policy.report_import_force_ids(user, timezone.localdate())
    forces = Organisation.objects.filter(kind__in=INSPECTED_KINDS).order_by("name")
    if allowed is policy.ALL_FORCES:
        return list(forces)
    return list(forces.filter(pk__in=allowed))  # an empty set asks the database nothing


def can_update(report: Report, user: User) -> bool:
    """An import may add to a national report (a force adds itself and its findings), or to a
    report about forces the person imports for; never to another force's own report."""
    return policy.can_update_report_by_import(user, report, timezone.localdate())


# Words of a fire and rescue service's name that do not say where it is.
_SERVICE_WORDS = frozenset(
    ("the", "county", "fire", "and", "rescue", "service", "services", "authority", "of")
)


def service_key(name: str) -> str:
    """The place a fire and rescue service's name is about, to compare names written
    differently: "Essex County Fire & Rescue Service" and "Essex Fire and Rescue" are both
    "essex". Pure."""
    words = re.findall(r"[a-z]+", (name or "").lower().replace("&", " and "))
    return " ".join(w for w in words if w not in _SERVICE_WORDS)
