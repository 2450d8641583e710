"""Making a personal access token (accounts/api_token_views.py)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.api_tokens import ApiToken

# How long a new token lasts, in days: what the form offers.
LIFETIMES = [
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        help_text=_(
            "What the token is for, so you can tell them apart. For example, “Power BI pack”."
        ),
        max_length=100,
        error_messages={
            "required": _("Enter a name for the token, so you know what it is for"),
            "max_length": _("The name must be 100 characters or fewer"),
        },
    )
    scope = forms.ChoiceField(
        label=_("What can the token do?"),
        choices=[
            (ApiToken.Scope.READ, _("Read only: see what you can see on the pages")),
            (
                ApiToken.Scope.READ_WRITE,
                _("Read and write: also make the changes you can make on the pages"),
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the token may do"),
            "invalid_choice": _("Choose what the token may do"),
        },
    )
    lifetime = forms.ChoiceField(
        label=_("How long should it work?"),
        help_text=_("It stops working at the end of its last day. You can revoke it sooner."),
        choices=LIFETIMES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how long the token should work"),
            "invalid_choice": _("Choose how long the token should work"),
        },
    )

    def expires_on(self, today: datetime.date) -> datetime.date:
        return today + datetime.timedelta(days=int(self.cleaned_data["lifetime"]))
