"""The form for sharing a closed item's closing summary with every force (issue 18)."""

from django import forms
from django.utils.translation import gettext_lazy as _

# The service's limits (tracker/learning.py), which checks them again.
MAX_TEXT = 5_000
MAX_ROLE = 200


class ShareLearningForm(forms.Form):
    what_was_done = forms.CharField(
        label=_("What was done"),
        help_text=_(
            "What the force did to answer the finding. Other forces will read this: leave "
            "out people's names and anything they should not see."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT,
        error_messages={"required": _("Enter what was done")},
    )
    evidence_of_effect = forms.CharField(
        label=_("What evidence showed that it worked"),
        help_text=_("For example, figures before and after, an audit, or a later inspection."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT,
        error_messages={"required": _("Enter what evidence showed that it worked")},
    )
    contact_role = forms.CharField(
        label=_("Contact role"),
        help_text=_(
            "A role other forces may contact to learn more, not a person's name, for "
            "example “Head of crime prevention”."
        ),
        max_length=MAX_ROLE,
        error_messages={"required": _("Enter a contact role")},
    )


class LearningSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words in the summary, its finding or its force"),
        required=False,
        max_length=200,
    )
