"""The inspectorate's status of an item, entered by hand (issue 18)."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.filters import DATE_INPUT_FORMATS, DayField
from tracker.models import InspectorateStatus


class InspectorateStatusForm(forms.Form):
    """What the inspectorate said of the item's recommendation, when, and where it said it.
    `today` (the form's day) refuses a date in the future."""

    status = forms.ChoiceField(
        label=_("The inspectorate's status"),
        choices=InspectorateStatus.Status.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the status the inspectorate gave"),
            "invalid_choice": _("Choose one of the inspectorate's statuses listed"),
        },
    )
    stated_on = DayField(
        label=_("Date the inspectorate gave it"),
        help_text=_("Today or earlier, for example 14/03/2024 or 14 March 2024"),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "required": _("Enter the date the inspectorate gave this status"),
            "invalid": _("Enter the date as a real date, for example 14/03/2024"),
        },
    )
    source = forms.CharField(
        label=_("Where it was stated"),
        help_text=_('For example "HMICFRS recommendation register, entry 6989" or a letter'),
        max_length=300,
        error_messages={
            "required": _("Enter where the inspectorate stated it"),
            "max_length": _("Keep the source to 300 characters or fewer"),
        },
    )
    note = forms.CharField(
        label=_("The inspectorate's own words (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5_000,
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_stated_on(self) -> datetime.date:
        day = self.cleaned_data["stated_on"]
        if day > self.today:
            raise forms.ValidationError(
                _("The date cannot be in the future: enter today or an earlier date")
            )
        return day

    def clean_source(self) -> str:
        source = " ".join(self.cleaned_data["source"].split())
        if not source:
            raise forms.ValidationError(_("Enter where the inspectorate stated it"))
        return source
