"""The form for recording a transfer of functions (tracker.function_transfers): the two
bodies, the day, and the legal basis. The checks that need the database (terms, overlaps) are
the service's; the form only reads what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import POLICING_BODY_KINDS, Organisation
from tracker.filters import DayField


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        """Its name, and its kind when it is one of the successor kinds (a mayor, a board)."""
        if obj.kind == Organisation.Kind.LOCAL_POLICING_BODY:
            return obj.name
        return f"{obj.name} ({obj.get_kind_display()})"


def _bodies():
    return Organisation.objects.filter(kind__in=POLICING_BODY_KINDS).order_by("name")


class FunctionTransferForm(forms.Form):
    from_body = BodyChoiceField(
        label=_("From (the body whose functions pass on)"),
        queryset=_bodies(),
        empty_label=_("Choose a body"),
        error_messages={
            "required": _("Choose the body whose functions pass on."),
            "invalid_choice": _(
                "The body chosen does not exist. Choose the body whose functions pass on from "
                "the list."
            ),
        },
    )
    to_body = BodyChoiceField(
        label=_("To (the successor)"),
        help_text=_(
            "A mayor with PCC functions, a Policing and Crime Board or another local policing "
            "body. Add a new one in the admin site first."
        ),
        queryset=_bodies(),
        empty_label=_("Choose a body"),
        error_messages={
            "required": _("Choose the body the functions pass to."),
            "invalid_choice": _(
                "The body chosen does not exist. Choose the successor from the list, or add it "
                "in the admin site first."
            ),
        },
    )
    takes_effect_on = DayField(
        label=_("Day the functions pass"),
        help_text=_(
            "The first day the successor holds them; the old body's term ends the day before. "
            "For example, 8/5/2028 or 8 May 2028."
        ),
        error_messages={
            "required": _("Enter the day the functions pass to the successor."),
            "invalid": _("Enter the day as a real date, for example 8/5/2028."),
        },
    )
    date_is_placeholder = forms.TypedChoiceField(
        label=_("Is the day fixed by law?"),
        choices=[
            ("fixed", _("Yes, the law fixes this day")),
            ("placeholder", _("No, it is a placeholder until the law fixes the day")),
        ],
        coerce=lambda value: value == "placeholder",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the law fixes the day.")},
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        help_text=_(
            "The Act or order that transfers the functions, or what the transfer rests on until "
            "one is made."
        ),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _(
                "Enter the legal basis: the Act or order that transfers the functions, or what "
                "the transfer rests on until one is made."
            ),
            "max_length": _("The legal basis must be 500 characters or fewer."),
        },
    )
    legal_basis_url = forms.URLField(
        label=_("Link to the legal basis (optional)"),
        required=False,
        max_length=500,
        error_messages={"invalid": _("Enter a full web address, starting https://")},
    )
    staff_move = forms.TypedChoiceField(
        label=_("The old body's people"),
        choices=[
            ("yes", _("Move to the successor with the functions (a transfer scheme)")),
            ("no", _("Stay where they are (they stop seeing the forces)")),
        ],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens to the old body's people.")},
    )
