"""The report page's "Public progress" part for the PCC office (issue 18): for each of the
report's forces the person may publish progress for, the address of the office's page and
the latest version published (templates/tracker/_report_progress.html)."""

from typing import Any

from django import template
from django.utils import timezone

from accounts.models import Role
from tracker import policy
from tracker.models import Report
from tracker.public_progress_reads import progress_latest

register = template.Library()


@register.simple_tag
def progress_forces(report: Report, user: Any) -> list[dict[str, Any]]:
    """The report's forces this person may publish progress for, each with the latest
    version its body published (None before the first). Empty for anyone but a PCC office,
    read without a query for them."""
    if not (user.is_authenticated and user.has_role(Role.PCC_OFFICE)):
        return []
    today = timezone.localdate()
    ids = policy.visible_force_ids(user, today)
    forces = report.forces.all() if ids is None else report.forces.filter(pk__in=ids)
    return [
        {
            "force": force,
            "body": user.organisation,
            "latest": progress_latest(body=user.organisation, force=force, report=report),
        }
        for force in forces
        if policy.can_publish_progress(user, force.pk, today)
    ]
