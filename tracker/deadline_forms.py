"""The form for changing a deadline: an extension, a pause or its end, and the steps after a
response (provided, then published by the body that received it), where the rule allows them.

The labels follow the rule: where the law names who extends (the Director General, the
coroner), the form asks who granted the extension and the day the application was received.
The service (tracker.reminders.changes) makes every check that needs the deadline; the form
checks what was typed.
"""

from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.filters import DATE_INPUT_FORMATS, DayField

EXTEND = "extend"
PAUSE = "pause"
RESUME = "resume"
RESPONSE_SENT = "response_sent"
PUBLISHED = "published"
# What each action needs besides its date.
NEEDS_REASON = {EXTEND, PAUSE}


class DeadlineChangeForm(forms.Form):
    """Extend, pause or resume a deadline, or record a step after its response."""

    action = forms.ChoiceField(
        label=gettext_lazy("What do you want to record?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Select what you want to record"),
            "invalid_choice": gettext_lazy("Select what you want to record from the list"),
        },
    )
    on_date = DayField(
        label=gettext_lazy("Date"),
        help_text=gettext_lazy(
            "For an extension, the new deadline. For a pause, the day it starts. To resume, "
            "the day the pause ended. For a step, the day it happened. For example, 27/03/2027."
        ),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "required": gettext_lazy("Enter the date"),
            "invalid": gettext_lazy("Enter the date as a real date, for example 27/03/2027"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("For a step, any note (optional)."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    applied_on = DayField(
        label=gettext_lazy("When was the extension applied for? (extensions only)"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "invalid": gettext_lazy(
                "Enter the application date as a real date, for example 20/11/2026"
            )
        },
    )
    approved_by = forms.CharField(
        label=gettext_lazy("Who approved it (not needed to resume)"),
        help_text=gettext_lazy("Their name and role, for example “IOPC casework manager”."),
        required=False,
        max_length=200,
    )
    approved_on = DayField(
        label=gettext_lazy("When was it approved? (extensions only)"),
        help_text=gettext_lazy("For example, 20/11/2026."),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "invalid": gettext_lazy(
                "Enter the approval date as a real date, for example 20/11/2026"
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        paused: bool,
        extended_by: str = "",
        extendable: bool = True,
        steps: tuple[str, ...] = (),
        publication_by: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        if extendable:
            choices += (
                [(RESUME, _("The pause has ended: resume the deadline"))]
                if paused
                else [(EXTEND, _("An extension")), (PAUSE, _("A pause (the clock stops)"))]
            )
        if RESPONSE_SENT in steps:
            choices.append((RESPONSE_SENT, _("The response was provided")))
        if PUBLISHED in steps:
            choices.append(
                (
                    PUBLISHED,
                    _("%(who)s published the response") % {"who": capfirst(publication_by)},
                )
            )
        cast(forms.ChoiceField, self.fields["action"]).choices = choices
        if extended_by:
            self.fields["applied_on"].label = _(
                "When did %(who)s receive the application? (extensions only)"
            ) % {"who": extended_by}
            self.fields["applied_on"].help_text = _(
                "The law allows an extension only following an application; enter the day it "
                "was received. For example, 20/11/2026."
            )
            self.fields["approved_by"].label = _("Who granted it (%(who)s)") % {"who": extended_by}
            self.fields["approved_by"].help_text = _(
                "Their name and role, as the decision letter gives them."
            )
            self.fields["approved_on"].label = _("When was it granted? (extensions only)")
        else:
            del self.fields["applied_on"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") in NEEDS_REASON and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Enter the reason"))
        return cleaned
