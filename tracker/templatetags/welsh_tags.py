"""`{% load welsh_tags %}`: the Welsh edition of a report on its page (issue 22): a row of
the report's summary list with the edition's title (lang="cy") and, for those who may, a
link to attach or change it. Nothing for a report with no edition, to those who may not."""

from typing import Any

from django import template
from django.utils import timezone

from tracker import policy
from tracker.models import Report, ReportEdition

register = template.Library()


@register.inclusion_tag("tracker/_welsh_edition_row.html", takes_context=True)
def welsh_edition_row(context: dict[str, Any], report: Report) -> dict[str, Any]:
    user = context.get("user")
    edition = ReportEdition.objects.filter(
        report=report, language=ReportEdition.Language.WELSH
    ).first()
    may = bool(
        user is not None
        and policy.can_import_reports(user)
        and policy.can_update_report_by_import(user, report, timezone.localdate())
    )
    return {"report": report, "edition": edition, "may_attach": may}
