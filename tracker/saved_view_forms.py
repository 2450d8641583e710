"""The form that names a saved view of an item list (tracker.saved_views saves it)."""

from django import forms

from tracker.models import SavedViewList


class SavedViewForm(forms.Form):
    name = forms.CharField(
        label="Name this view",
        help_text="For example, “Overdue recommendations for the 2024 PEEL report”",
        max_length=100,
        error_messages={
            "required": "Enter a name for this view",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    shared = forms.BooleanField(required=False, label="Share this view with my colleagues")
    list_name = forms.ChoiceField(choices=SavedViewList.choices, widget=forms.HiddenInput)
    query = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.HiddenInput,
        error_messages={"max_length": "These filters are too long to save: choose fewer"},
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter a name for this view")
        return name
