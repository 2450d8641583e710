"""`{% load marking_tags %}`: the protective marking (issue 21) near the top of the page of a
report, an item or a statutory response, with a link to change it for those who may."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from tracker import markings, policy
from tracker.models import Report, StatutoryResponse, TrackedItem

register = template.Library()


def _marking_and_link(obj: Any, user: Any) -> tuple[str, str]:
    today = timezone.localdate()
    if isinstance(obj, TrackedItem):
        may = policy.can_set_marking(user, obj.force_id, today)
        url = reverse("tracker:item_marking", kwargs={"uuid": obj.uuid}) if may else ""
        return markings.item_marking(obj), url
    if isinstance(obj, StatutoryResponse):
        may = policy.can_set_marking(user, obj.force_id, today)
        url = (
            reverse(
                "tracker:response_marking",
                kwargs={"key": obj.report.key, "force_code": obj.force.code},
            )
            if may
            else ""
        )
        return markings.response_marking(obj), url
    if isinstance(obj, Report):
        force_ids = [f.id for f in obj.forces.all()]
        may = policy.can_set_report_marking(user, force_ids, today)
        url = reverse("tracker:report_marking", kwargs={"key": obj.key}) if may else ""
        return markings.report_marking(obj), url
    raise TypeError(f"No protective marking for {type(obj).__name__}")


@register.inclusion_tag("tracker/_marking_tag.html", takes_context=True)
def marking_tag(context: template.Context, obj: Any) -> dict[str, Any]:
    """The marking as a tag (nothing when there is none and the person cannot set one)."""
    user = context["request"].user
    label, change_url = _marking_and_link(obj, user)
    return {"marking": markings.marking_line(label), "change_url": change_url}
