"""`{% load evidence_links %}`: whether an evidence file has a "View" link beside its download."""

from django import template

from tracker.evidence import can_preview

register = template.Library()


@register.filter
def previewable(evidence) -> bool:
    """A PDF, an image or a text file (by the type it was stored as; the preview itself
    checks the bytes)."""
    return can_preview(evidence.stored_name)
