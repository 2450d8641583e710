"""The note on a local policing body's public page once its functions have passed to a
successor (issue 22): the page stays, with its published responses, and points to the new
body's page."""

from django import template
from django.utils import timezone

from accounts.models import Organisation
from tracker.models import FunctionTransfer

register = template.Library()


@register.simple_tag
def functions_passed_to(body: Organisation) -> FunctionTransfer | None:
    """The transfer that passed this body's functions on, once its day has come; None if
    none has."""
    return (
        FunctionTransfer.objects.in_effect(timezone.localdate())
        .filter(from_body=body)
        .select_related("to_body")
        .first()
    )
