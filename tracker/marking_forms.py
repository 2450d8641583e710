"""Forms for choosing a protective marking (issue 21): on a report, an item or a statutory
response, and at publication. The choices are the markings in use; a marking that has left
the list, or is no longer in use, is refused with a message that says so."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ProtectiveMarking
from tracker import forms as tracker_forms
from tracker.markings import active_markings

INHERIT = ""


def _choice_label(marking: ProtectiveMarking) -> str:
    return f"{marking.label}: {marking.description}" if marking.description else marking.label


class MarkingField(forms.ChoiceField):
    """Radios over the markings in use (by label), and one blank choice (inherit, or none).
    Cleans to a ProtectiveMarking or None."""

    widget = forms.RadioSelect

    def __init__(self, *, blank_label: str, **kwargs: Any) -> None:
        self.markings = {m.label: m for m in active_markings()}
        choices = [(INHERIT, blank_label)] + [
            (m.label, _choice_label(m)) for m in self.markings.values()
        ]
        super().__init__(choices=choices, required=False, **kwargs)

    def validate(self, value: Any) -> None:
        if value == INHERIT or value in self.markings:
            return
        inactive = ProtectiveMarking.objects.filter(label=value, active=False).exists()
        if inactive:
            raise forms.ValidationError(
                _("“%(label)s” is no longer in use: choose another marking."),
                code="inactive",
                params={"label": value},
            )
        raise forms.ValidationError(_("Choose a marking from the list."), code="invalid_choice")

    def clean(self, value: Any) -> ProtectiveMarking | None:
        label = super().clean(value)
        return self.markings.get(label) if label else None


class MarkingForm(forms.Form):
    """The marking of a report, an item or a response: one of the list, or blank to inherit
    (`inherited` says what the blank choice means now)."""

    def __init__(self, *args: Any, inherited: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = (
            _("No marking of its own: inherit %(label)s") % {"label": inherited}
            if inherited
            else _("No marking of its own: inherit (none at present)")
        )
        self.fields["marking"] = MarkingField(
            label=_("Protective marking"),
            help_text=_(
                "Printed on its documents, exports and emails. Choose the highest that applies."
            ),
            blank_label=str(blank),
        )


class PublishWithMarkingForm(tracker_forms.PublishForm):
    """Recording publication, with the marking the published document carries (usually none:
    a published response is public). The marking is kept with the version, unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"] = MarkingField(
            label=_("Protective marking of the published document"),
            help_text=_(
                "A published response is public, so usually it carries no marking. "
                "The document keeps the marking chosen here."
            ),
            blank_label=str(_("No marking")),
        )
