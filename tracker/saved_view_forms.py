"""The form that names a saved view of an item list (tracker.saved_views saves it)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.models import SavedViewList


class SavedViewForm(forms.Form):
    name = forms.CharField(
        label=_("Name this view"),
        help_text=_("For example, “Overdue recommendations for the 2024 PEEL report”"),
        max_length=100,
        error_messages={
            "required": _("Enter a name for this view"),
            "max_length": _("The name must be 100 characters or fewer"),
        },
    )
    shared = forms.BooleanField(required=False, label=_("Share this view with my colleagues"))
    list_name = forms.ChoiceField(choices=SavedViewList.choices, widget=forms.HiddenInput)
    query = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.HiddenInput,
        error_messages={"max_length": _("These filters are too long to save: choose fewer")},
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(gettext("Enter a name for this view"))
        return name
