"""The form that registers or edits a webhook endpoint (tracker/webhook_endpoints.py saves)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import WebhookEventType, WebhookTarget


class WebhookEndpointForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        help_text=_("So your colleagues know what it is, for example “Force performance hub”"),
        max_length=100,
        error_messages={
            "required": _("Enter a name for the endpoint"),
            "max_length": _("The name must be 100 characters or fewer"),
        },
    )
    target = forms.ChoiceField(
        label=_("Where the events go"),
        choices=WebhookTarget.choices,
        initial=WebhookTarget.JSON,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where the events go")},
    )
    url = forms.CharField(
        label=_("Address"),
        help_text=_(
            "The https address that receives the events. For Teams, the address of a "
            "Teams Workflows flow “Post to a channel when a webhook request is received”."
        ),
        max_length=2000,
        error_messages={
            "required": _("Enter the address that receives the events"),
            "max_length": _("The address must be 2,000 characters or fewer"),
        },
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        help_text=_("Only events about your organisation's own work are sent."),
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one event"),
            "invalid_choice": _("Choose events from the list"),
        },
    )

    def __init__(self, *args: Any, editing: bool = False, shown_url: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            # The stored address is never shown again (its query may be a credential, as a
            # Teams Workflows address's `sig=` is): blank keeps it, a new one replaces it.
            url = self.fields["url"]
            url.required = False
            url.label = _("New address (optional)")
            url.help_text = _(
                "Leave blank to keep the current address, %(address)s. The full address is "
                "not shown again: its query may hold a key. To change it, type the whole new "
                "https address."
            ) % {"address": shown_url}
