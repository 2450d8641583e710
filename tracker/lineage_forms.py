"""Forms for lineage across inspections (issue 18): adding a link by hand, and confirming or
dismissing a suggested one. The rules a link must follow (same force, not to itself, no
circle, the later finding later) are the service's (tracker/lineage.py), whose refusals the
views put on these forms."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import LinkRelation

RELATION_HELP = _(
    "Repeats: the same issue raised again. Continues: the later finding takes the earlier "
    "one further. Supersedes: the later finding replaces it, and the earlier item is closed "
    "as “Superseded”."
)


def _relation_field(**kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("How the later finding relates to the earlier one"),
        choices=LinkRelation.choices,
        widget=forms.RadioSelect,
        help_text=RELATION_HELP,
        error_messages={"required": _("Choose how the findings are related.")},
        **kwargs,
    )


def _note_field() -> forms.CharField:
    return forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkAddForm(forms.Form):
    """A link added by hand: one of the force's earlier findings (`choices`: key and label,
    from lineage_reads.earlier_choices) and how this one relates to it."""

    earlier_key = forms.ChoiceField(
        label=_("Earlier finding"),
        help_text=_("Findings of this force's earlier reports, newest first."),
        error_messages={
            "required": _("Choose the earlier finding."),
            "invalid_choice": _("Choose an earlier finding of this force from the list."),
        },
    )
    relation = _relation_field()
    note = _note_field()

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["earlier_key"])
        field.choices = [("", _("Choose a finding")), *choices]


class LinkDecideForm(forms.Form):
    """Confirm a suggested link (with how the findings relate) or dismiss it."""

    CONFIRM, DISMISS = "confirm", "dismiss"

    decision = forms.ChoiceField(
        label=_("Is the later finding linked to the earlier one?"),
        choices=[
            (CONFIRM, _("Yes: confirm the link")),
            (DISMISS, _("No: dismiss the suggestion")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to confirm or dismiss the link.")},
    )
    relation = _relation_field(required=False)
    note = _note_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.CONFIRM and not data.get("relation"):
            self.add_error("relation", _("Choose how the findings are related."))
        return data
