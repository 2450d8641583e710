"""The forces a person may import a report for, and the reports an import may add to.

Who may is decided in tracker.policy (report_import_force_ids, can_update_report_by_import);
this module turns the decision into the forces' rows for the forms and the import.
"""

from django.utils import timezone

from accounts.models import Organisation, User
from tracker import policy
from tracker.models import Report


def import_forces(user: User) -> list[Organisation]:
    """The forces this person may import a report for, by name."""
    allowed = policy.report_import_force_ids(user, timezone.localdate())
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE).order_by("name")
    if allowed is policy.ALL_FORCES:
        return list(forces)
    return list(forces.filter(pk__in=allowed))  # an empty set asks the database nothing


def can_update(report: Report, user: User) -> bool:
    """An import may add to a national report (a force adds itself and its findings), or to a
    report about forces the person imports for; never to another force's own report."""
    return policy.can_update_report_by_import(user, report, timezone.localdate())
