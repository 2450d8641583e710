"""Tags for the email templates, which are rendered without a request: links must carry the
site's address (SITE_URL), and a rule's name decides whether it "is" or "are" due."""

from django import template
from django.conf import settings
from django.urls import reverse

from tracker.reminders.plan import name_is_plural

register = template.Library()


@register.simple_tag
def absolute_url(view_name: str, *args: object) -> str:
    """The full address of a page, for a link in an email:
    `{% absolute_url "accounts:email_settings" %}`."""
    return settings.SITE_URL.rstrip("/") + reverse(view_name, args=args or None)


@register.filter
def is_or_are(name: str) -> str:
    """ "are" after a plural name ("Chief officer's comments to the PCC"), else "is"."""
    return "are" if name_is_plural(name) else "is"
