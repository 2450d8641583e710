from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tracker.bulk_import import table as bulk_import_table
from tracker.filters import DATE_INPUT_FORMATS, DayField
from tracker.models import CHOOSABLE_STATUSES, FindingKind, GradingScale, ReportType, Status
from tracker.models.reports import REFERENCE_LENGTH
from tracker.statutory.content import Entry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of a choice field, to set its choices when the form is made."""
    return cast(forms.ChoiceField, form.fields[name])


class ItemChangeForm(forms.Form):
    """A form that changes an item. It carries the item's version its page was built from,
    so the service refuses a change from a page someone else's change has made out of date
    (tracker.conflicts). Fields with `show_hidden_initial` also send back the value the
    page showed, so only what the person changed is written."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        error_messages={
            "invalid": _("This page could not be read: go back to the item and open it again"),
            "min_value": _("This page could not be read: go back to the item and open it again"),
        },
    )

    def changed_fields(self) -> list[str]:
        """The fields sent back with the value the page showed that the person changed:
        compared with that value, or, from a page that did not send it, with the item's
        value now (the form's initial)."""
        names = []
        for name, field in self.fields.items():
            if not field.show_hidden_initial:
                continue
            bound = self[name]
            if bound.html_initial_name in self.data:
                changed = name in self.changed_data
            else:
                changed = field.has_changed(self.get_initial_for_field(field, name), bound.data)
            if changed:
                names.append(name)
        return names

    def rebased(self, *, version: int, current: Mapping[str, Any]) -> QueryDict:
        """What the page sends once made again on the item as it is now (after someone else
        changed it): what the person typed and changed, the item's current values for the
        fields they left alone, and the current version."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        changed = self.changed_fields()
        for name, field in self.fields.items():
            if field.show_hidden_initial:
                now = "" if current.get(name) is None else str(current[name])
                if name not in changed:
                    data[name] = now
                data[self[name].html_initial_name] = now
        data["version"] = str(version)
        return data


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("What has happened since the last update?"),
        help_text=_("Say what was done, by whom, and what happens next."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Enter what has happened since the last update")},
        max_length=20_000,
    )


class StatusForm(ItemChangeForm):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s.value, s.label) for s in Status if s in CHOOSABLE_STATUSES],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the new status"),
            "invalid_choice": _("Select a status from the list"),
        },
    )
    reason = forms.CharField(
        label=_("Why is the status changing?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Enter why the status is changing")},
        max_length=20_000,
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a file"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.gif,.webp,.txt,.csv"}
        ),
        help_text=_(
            "PDF, Word (.docx), Excel (.xlsx), PNG, JPEG, GIF, WebP, text or CSV, smaller "
            "than 10 MB."
        ),
        error_messages={
            "required": _("Select a file"),
            "empty": _("The selected file is empty"),
        },
    )
    description = forms.CharField(
        label=_("Describe the file (optional)"),
        required=False,
        max_length=300,
    )


class AssignForm(ItemChangeForm):
    """The owner and the accountable lead. Each sends back the value the page showed, so a
    save writes only the one the person changed (`changes`)."""

    # Quoted: the form classes are generic only to the type checker.
    owner: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=None,
        empty_label=_("No owner"),
        required=False,
        help_text=_("The person who does the work and keeps the item up to date."),
        show_hidden_initial=True,
    )
    lead: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Accountable lead"),
        queryset=None,
        empty_label=_("No lead"),
        required=False,
        help_text=_("The senior person answerable for the outcome."),
        show_hidden_initial=True,
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("owner", "lead"):
            field = cast("forms.ModelChoiceField[User]", self.fields[name])
            field.queryset = people
            field.error_messages["invalid_choice"] = _("Choose someone from the list")

    def changes(self) -> dict[str, User | None]:
        """The owner and lead as chosen, for those the person changed (after is_valid)."""
        return {name: self.cleaned_data[name] for name in self.changed_fields()}


class DueDateForm(ItemChangeForm):
    new_date = DayField(
        label=_("New due date"),
        help_text=_("For example, 27/03/2027 or 27 March 2027"),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "required": _("Enter the new due date"),
            "invalid": _("Enter the new due date as a real date, for example 27/03/2027"),
        },
    )
    reason = forms.CharField(
        label=_("Why is the due date changing?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Enter why the due date is changing")},
        max_length=20_000,
    )


class ClosureProposalForm(ItemChangeForm):
    summary = forms.CharField(
        label=_("What was done, and why can this item close?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Enter what was done and why the item can close")},
        max_length=20_000,
    )
    evidence = forms.MultipleChoiceField(
        label=_("Which evidence does closure rest on?"),
        help_text=_("Choose the files the coordinator or PCC office should look at."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose evidence from this item's files")},
    )
    no_evidence = forms.BooleanField(label=_("No evidence is needed"), required=False)
    no_evidence_reason = forms.CharField(
        label=_("Why is no evidence needed?"),
        help_text=_("Only if you ticked “No evidence is needed”."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
    )

    def __init__(
        self, *args: Any, evidence_choices: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "evidence").choices = evidence_choices
        if not evidence_choices:
            self.fields["evidence"].help_text = _(
                "This item has no evidence files. Add evidence to the item first, or tick "
                "“No evidence is needed” and say why."
            )

    def clean(self) -> dict[str, Any]:
        """Closure rests on chosen evidence, or on a reason why none is needed: one of the two."""
        cleaned = super().clean() or {}
        chosen = cleaned.get("evidence") or []
        none_needed = cleaned.get("no_evidence")
        reason = (cleaned.get("no_evidence_reason") or "").strip()
        # With no files to choose from, the message sits by the box that can be ticked.
        where = "evidence" if _choice_field(self, "evidence").choices else "no_evidence"
        if "evidence" in self.errors:
            return cleaned
        if chosen and none_needed:
            self.add_error(
                where, gettext("Either choose evidence or tick “No evidence is needed”, not both")
            )
        elif not chosen and not none_needed:
            self.add_error(
                where,
                gettext(
                    "Choose the evidence closure rests on, or tick “No evidence is needed” and "
                    "say why"
                ),
            )
        elif none_needed and not reason:
            self.add_error("no_evidence_reason", gettext("Enter why no evidence is needed"))
        cleaned["no_evidence_reason"] = reason if none_needed else ""
        return cleaned


class ClosureDecisionForm(ItemChangeForm):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("approve", _("Approve closure")), ("return", _("Return to the force"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether to approve or return the proposal"),
            "invalid_choice": _("Select whether to approve or return the proposal"),
        },
    )
    reason = forms.CharField(
        label=_("Reason or comments"),
        help_text=_("Required when you return a proposal: say what more is needed."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )


# The deadline-change form (extensions, pauses, the steps after a response) is in
# tracker/deadline_forms.py (issue 22).


class LocalTargetForm(forms.Form):
    target_on = DayField(
        label=_("Local target for the PCC's comments"),
        help_text=_("For example, 27/03/2027. The office is reminded before it."),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "required": _("Enter the target date"),
            "invalid": _("Enter the target date as a real date, for example 27/03/2027"),
        },
    )


def _date_field(
    label: "StrOrPromise", help_text: "StrOrPromise", what: "StrOrPromise", required: bool = True
) -> DayField:
    messages = {
        "invalid": format_lazy(_("Enter {what} as a real date, for example 27/03/2027"), what=what)
    }
    if required:
        messages["required"] = format_lazy(_("Enter {what}"), what=what)
    return DayField(
        label=label,
        help_text=help_text,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        error_messages=messages,
    )


class RequestCommentsForm(forms.Form):
    due_on = _date_field(
        _("When do you need the chief constable's comments by?"),
        _(
            "On or before the deadline for the PCC's comments, so there is time to publish "
            "them. The force coordinator is told now and reminded before it."
        ),
        _("the date you need the comments by"),
    )


class ChiefOfficerCommentsForm(forms.Form):
    comments = forms.CharField(
        label=_("The chief constable's comments"),
        help_text=_(
            "As the chief constable wrote them. Leave a blank line between paragraphs; "
            "start a line with “- ” for a bullet."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Enter the chief constable's comments")},
        max_length=50_000,
    )
    received_on = _date_field(
        _("When were they received?"),
        _("Today or earlier, for example 17/05/2018."),
        _("the date they were received"),
    )


class ResponseDraftForm(forms.Form):
    """The wording of the response: fields appear only for what this person may write."""

    def __init__(
        self, *args: Any, entries: list[Entry], can_pcc: bool, can_force: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        if can_pcc:
            self.fields["introduction"] = forms.CharField(
                label=_("Introduction"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                max_length=50_000,
                help_text=_(
                    "The opening of the document. You can use these fields: "
                    "{{ report_title }}, {{ report_published }}, {{ inspectorate }}, {{ force }}, "
                    "{{ body }}, {{ deadline }}, {{ recommendations }}."
                ),
            )
            self.fields["pcc_comments"] = forms.CharField(
                label=_("The PCC's overall comments on the report"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 10}),
                max_length=50_000,
            )
        for entry in entries:
            fid = entry.finding.pk
            if can_force:
                self.fields[f"force_response_{fid}"] = forms.CharField(
                    label=_("The force's response"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 6}),
                    max_length=50_000,
                )
            if can_pcc:
                self.fields[f"pcc_response_{fid}"] = forms.CharField(
                    label=_("The PCC's response"),
                    help_text=_(
                        "What action has been or will be taken, or why none will be (s55(5B))."
                    )
                    if entry.is_recommendation
                    else "",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 6}),
                    max_length=50_000,
                )

    def rows(self) -> list[dict[str, Any]]:
        """Each entry with its bound fields, for the template."""
        return [
            {
                "entry": entry,
                "force_field": self[f"force_response_{entry.finding.pk}"]
                if f"force_response_{entry.finding.pk}" in self.fields
                else None,
                "pcc_field": self[f"pcc_response_{entry.finding.pk}"]
                if f"pcc_response_{entry.finding.pk}" in self.fields
                else None,
            }
            for entry in self.entries
        ]

    def answers(self, prefix: str) -> dict[int, str] | None:
        found = {
            e.finding.pk: self.cleaned_data[f"{prefix}_{e.finding.pk}"]
            for e in self.entries
            if f"{prefix}_{e.finding.pk}" in self.fields
        }
        return found or None


class PublishForm(forms.Form):
    published_on = _date_field(
        _("Date published"),
        _("The day it was published on your website: today or earlier, for example 17/05/2018."),
        _("the date published"),
    )
    url = forms.URLField(
        validators=[URLValidator(schemes=["http", "https"])],
        label=_("Web address of the published response (optional)"),
        help_text=_("Leave blank if this service's public page is where it is published."),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": _("Enter a web address, for example https://www.example.gov.uk")
        },
    )


class CopiesSentForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            not self.errors
            and not data.get("inspectorate_on")
            and not data.get("home_secretary_on")
        ):
            raise forms.ValidationError(
                gettext("Enter the date at least one of the copies was sent")
            )
        return data

    inspectorate_on = _date_field(
        _("Copy sent to the inspectorate (HMICFRS) on"),
        _("For example, 18/05/2018. Leave blank if not sent yet."),
        _("the date the copy went to the inspectorate"),
        required=False,
    )
    home_secretary_on = _date_field(
        _("Copy sent to the Home Secretary on"),
        _("For example, 18/05/2018. Leave blank if not sent yet."),
        _("the date the copy went to the Home Secretary"),
        required=False,
    )


class UpdateRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the owner (optional)"),
        help_text=_("Say what you want to know, and by when."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )


class ProgressViewForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How is the force doing on this item?"),
        choices=[
            ("green", _("Green: on track")),
            ("amber", _("Amber: at risk")),
            ("red", _("Red: off track")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select green, amber or red"),
            "invalid_choice": _("Select green, amber or red"),
        },
    )
    text = forms.CharField(
        label=_("Your view on progress"),
        help_text=_("What you have seen, and what you expect next. The force can read this."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter your view on progress")},
        max_length=20_000,
    )


class BulkImportForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        help_text=_(
            "A CSV file or an Excel workbook (.xlsx), smaller than 10 MB and with up to 5,000 rows."
        ),
        error_messages={"required": _("Select a file"), "empty": _("The selected file is empty")},
    )

    def clean_file(self) -> UploadedFile:
        max_bytes = bulk_import_table.MAX_BYTES
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes:
            raise forms.ValidationError(
                gettext("The selected file must be smaller than %(size)s MB")
                % {"size": max_bytes // 2**20}
            )
        return upload


# Importing a report from its document ---------------------------------------------------------


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Upload the report"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.html,.htm,.txt"}),
        help_text=_(
            "The published document: a PDF, a Word document (.docx), a web page saved "
            "as HTML, or a text file. Smaller than 50 MB."
        ),
        error_messages={"required": _("Select a file"), "empty": _("The selected file is empty")},
    )


class ReportDetailsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=400, error_messages={"required": _("Enter the report's title")}
    )
    inspectorate_label = forms.ChoiceField(
        label=_("Inspectorate"),
        choices=[("HMIC", "HMIC"), ("HMICFRS", "HMICFRS")],
        help_text=_("HMIC until 19 July 2017, then HMICFRS."),
    )
    report_type = forms.ChoiceField(label=_("Type of report"), choices=ReportType.choices)
    published_on = _date_field(
        _("Date published"),
        _("For example 22/03/2018. If only the month is known, use the 1st and choose 'Month'."),
        _("the date the report was published"),
    )
    published_precision = forms.ChoiceField(
        label=_("How exact is the date?"),
        choices=[("day", _("Day")), ("month", _("Month"))],
        widget=forms.RadioSelect,
    )
    grading_scale = forms.ChoiceField(label=_("Grading scale"), choices=GradingScale.choices)
    forces = forms.TypedMultipleChoiceField(
        label=_("Which forces or fire and rescue services does it apply to?"),
        help_text=_("An item is created for each finding and each force or service chosen."),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one force or fire and rescue service")},
    )

    def __init__(self, *args: Any, force_choices: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "forces").choices = force_choices

    def clean_forces(self) -> list[int]:
        return list(dict.fromkeys(self.cleaned_data["forces"]))  # a force sent twice counts once


class ImportedFindingForm(forms.Form):
    include = forms.BooleanField(label=_("Include"), required=False)
    join_previous = forms.BooleanField(label=_("Join to the finding above"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    # As published (issue 17): as long as the finding's own field.
    reference = forms.CharField(label=_("Reference"), max_length=REFERENCE_LENGTH, required=False)
    area = forms.CharField(label=_("Area"), max_length=400, required=False)
    text = forms.CharField(
        label=_("Text"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "To split it into two findings, put a line of three dashes (---) between them."
        ),
        required=False,
    )
    # Issue 17: who the recommendation is addressed to, and so who acts on it.
    addressee = forms.CharField(label=_("Addressed to"), max_length=200, required=False)
    addressee_kind = forms.ChoiceField(
        label=_("Who acts on it"),
        required=False,
        choices=[
            ("", _("The forces or services chosen")),
            ("forces", _("Every force or service chosen (addressed to them all)")),
            ("national_body", _("A national body: recorded on the report, no items")),
        ],
    )


ImportedFindingFormSet = forms.formset_factory(ImportedFindingForm, extra=0)


class ImportedJudgementForm(forms.Form):
    include = forms.BooleanField(label=_("Include"), required=False)
    area = forms.CharField(label=_("Area"), max_length=400)
    reference = forms.CharField(label=_("Reference"), max_length=20, required=False)
    grade = forms.CharField(label=_("Grade"), max_length=40)
    direction = forms.CharField(label=_("Direction of travel"), max_length=20, required=False)


ImportedJudgementFormSet = forms.formset_factory(ImportedJudgementForm, extra=0)
