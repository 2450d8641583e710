"""The form of a bulk action (tracker.bulk_actions): the action and what it sets, the same
for every item chosen (one owner and lead, one due date and reason, one status...)."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tracker import bulk_actions
from tracker.filters import DATE_INPUT_FORMATS
from tracker.models import CHOOSABLE_STATUSES, Status

KEEP = "keep"
NOBODY = "none"


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[],
        error_messages={
            "required": _("Choose an action"),
            "invalid_choice": _("Choose an action from the list"),
        },
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, choices=[])
    lead = forms.ChoiceField(label=_("Accountable lead"), required=False, choices=[])
    new_date = forms.DateField(
        label=_("Due date"),
        help_text=_("The same date for every item. For example, 27/03/2027 or 27 March 2027"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": _("Enter the due date as a real date, for example 27/03/2027")},
    )
    to_status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[(s.value, s.label) for s in Status if s in CHOOSABLE_STATUSES],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select a status from the list")},
    )
    decision = forms.ChoiceField(
        label=_("Your decision"),
        required=False,
        choices=[("approve", _("Approve closure")), ("return", _("Return to the force"))],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select whether to approve or return the proposals")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("One reason for every item; it is recorded on each."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )
    message = forms.CharField(
        label=_("Message to the owners (optional)"),
        help_text=_("Say what you want to know, and by when."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )

    # The fields each action shows, in order, after the action itself.
    FIELDS = {
        bulk_actions.ASSIGN: ("owner", "lead", "new_date", "reason"),
        bulk_actions.DUE_DATE: ("new_date", "reason"),
        bulk_actions.STATUS: ("to_status", "reason"),
        bulk_actions.DECIDE: ("decision", "reason"),
        bulk_actions.REQUEST_UPDATE: ("message",),
    }
    REASON_LABELS = {
        bulk_actions.ASSIGN: _("Why is the due date being set or changed? (with a due date only)"),
        bulk_actions.DUE_DATE: _("Why is the due date being set or changed?"),
        bulk_actions.STATUS: _("Why is the status changing?"),
        bulk_actions.DECIDE: _("Reason or comments (required when you return the proposals)"),
    }

    def __init__(
        self, *args: Any, user: Any, people: list[User] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people or []}
        self.choice("action").choices = [
            ("", _("Choose an action")),
            *bulk_actions.actions_for(user),
        ]
        names = [(pk, p.full_name or p.email) for pk, p in self.people.items()]
        self.choice("owner").choices = [
            (KEEP, _("Leave as it is")),
            (NOBODY, _("No owner")),
            *names,
        ]
        self.choice("lead").choices = [(KEEP, _("Leave as it is")), (NOBODY, _("No lead")), *names]
        for name in ("owner", "lead"):
            self.fields[name].error_messages["invalid_choice"] = _("Choose someone from the list")
        action = self.data.get("action") if self.is_bound else self.initial.get("action")
        if action in self.REASON_LABELS:
            self.fields["reason"].label = self.REASON_LABELS[action]
        if action == bulk_actions.ASSIGN:
            self.fields["new_date"].label = _("Due date (optional)")

    def choice(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def shown(self) -> list[forms.BoundField]:
        """The fields of the chosen action, for the page."""
        action = self.data.get("action") if self.is_bound else self.initial.get("action")
        return [self[name] for name in self.FIELDS.get(action or "", ())]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == bulk_actions.ASSIGN:
            unchanged = data.get("owner", KEEP) == KEEP and data.get("lead", KEEP) == KEEP
            if unchanged and not data.get("new_date") and "new_date" not in self.errors:
                self.add_error(
                    "owner", gettext("Choose an owner, an accountable lead or a due date")
                )
            if data.get("new_date") and not (data.get("reason") or "").strip():
                self.add_error("reason", gettext("Enter why the due date is being set or changed"))
        elif action == bulk_actions.DUE_DATE:
            if not data.get("new_date") and "new_date" not in self.errors:
                self.add_error("new_date", gettext("Enter the due date"))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", gettext("Enter why the due date is being set or changed"))
        elif action == bulk_actions.STATUS:
            if not data.get("to_status"):
                self.add_error("to_status", gettext("Select the new status"))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", gettext("Enter why the status is changing"))
        elif action == bulk_actions.DECIDE:
            if not data.get("decision"):
                self.add_error(
                    "decision", gettext("Select whether to approve or return the proposals")
                )
            elif data["decision"] == "return" and not (data.get("reason") or "").strip():
                self.add_error("reason", gettext("Enter why the proposals are returned"))
        return data

    def person(self, value: str) -> Any:
        if value in ("", KEEP):
            return bulk_actions.UNCHANGED
        return None if value == NOBODY else self.people[value]

    def params(self) -> dict[str, Any]:
        """What the action sets, for tracker.bulk_actions (after is_valid)."""
        data = self.cleaned_data
        return {
            "owner": self.person(data.get("owner") or KEEP),
            "lead": self.person(data.get("lead") or KEEP),
            "new_date": data.get("new_date"),
            "to_status": data.get("to_status") or "",
            "approve": data.get("decision") == "approve",
            "reason": (data.get("reason") or "").strip(),
            "message": (data.get("message") or "").strip(),
        }
