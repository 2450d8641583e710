"""The response forms of a body that publishes in Welsh and English (Welsh Language
Standards): the same forms as tracker/forms.py with a Welsh field beside each English one.

The Welsh fields carry lang="cy", so spelling checkers and screen readers read them as
Welsh; the view puts each beside its English field, the same size (neither less prominent).
"""

from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext_lazy as _

from tracker.forms import ChiefOfficerCommentsForm, ResponseDraftForm

MAX_TEXT = 50_000


def _welsh_area(label: Any, rows: int, help_text: Any = "") -> django_forms.CharField:
    return django_forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=django_forms.Textarea(attrs={"rows": rows, "lang": "cy", "spellcheck": "true"}),
        max_length=MAX_TEXT,
    )


class BilingualResponseDraftForm(ResponseDraftForm):
    """The wording of a bilingual response: each part in English and in Welsh."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "introduction" in self.fields:
            self.fields["introduction_cy"] = _welsh_area(
                _("Introduction in Welsh"),
                6,
                _(
                    "The same fields work here: {{ report_title }} becomes the title of the "
                    "report's Welsh edition when one is attached."
                ),
            )
        if "pcc_comments" in self.fields:
            self.fields["pcc_comments_cy"] = _welsh_area(
                _("The PCC's overall comments on the report, in Welsh"), 10
            )
        for entry in self.entries:
            fid = entry.finding.pk
            if f"force_response_{fid}" in self.fields:
                self.fields[f"force_response_cy_{fid}"] = _welsh_area(
                    _("The force's response, in Welsh"), 6
                )
            if f"pcc_response_{fid}" in self.fields:
                self.fields[f"pcc_response_cy_{fid}"] = _welsh_area(
                    _("The PCC's response, in Welsh"),
                    6,
                    # The same hint as the English field, so the two boxes line up.
                    self.fields[f"pcc_response_{fid}"].help_text,
                )

    def rows(self) -> list[dict[str, Any]]:
        rows = super().rows()
        for row in rows:
            fid = row["entry"].finding.pk
            row["force_field_cy"] = self._bound(f"force_response_cy_{fid}")
            row["pcc_field_cy"] = self._bound(f"pcc_response_cy_{fid}")
        return rows

    def _bound(self, name: str) -> Any:
        return self[name] if name in self.fields else None

    def welsh_value(self, name: str) -> str | None:
        """A Welsh part as typed, None when this person has no field for it."""
        return self.cleaned_data[name] if name in self.fields else None

    def welsh_answers(self, prefix: str) -> dict[int, str]:
        """The Welsh text of each finding's `prefix` ("force_response", "pcc_response")."""
        return {
            e.finding.pk: self.cleaned_data[f"{prefix}_cy_{e.finding.pk}"]
            for e in self.entries
            if f"{prefix}_cy_{e.finding.pk}" in self.fields
        }


class BilingualChiefOfficerCommentsForm(ChiefOfficerCommentsForm):
    """The chief constable's comments in English and in Welsh."""

    comments_cy = _welsh_area(
        _("The chief constable's comments, in Welsh"),
        10,
        _("As the chief constable wrote them in Welsh, or their translation."),
    )

    field_order = ["comments", "comments_cy", "received_on"]
