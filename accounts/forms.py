from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, ReminderDelivery
from tracker.handoffs import Event
from tracker.reminders.unsubscribe import OVERDUE_DIGEST_OFF, WEEKLY_DIGEST_OFF

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SignInForm(AuthenticationForm):
    """Email and password. The error never says which of the two was wrong."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password")},
    )
    error_messages = {
        "invalid_login": _("Enter a correct email address and password"),
        "inactive": _("This account has been switched off. Ask your administrator."),
    }

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            self.user_cache = authenticate(self.request, username=email.lower(), password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class EventChoiceField(forms.MultipleChoiceField):
    """The kinds of hand-off, ticked to be emailed. A value that is not one of them (a
    tampered form) is named in the error, cut short."""

    def validate(self, value: Any) -> None:
        for kind in value:
            if not self.valid_value(kind):
                raise forms.ValidationError(
                    gettext(
                        "“%(kind)s” is not a kind of email the tracker sends. "
                        "Tick only the kinds listed."
                    )
                    % {"kind": str(kind)[:60]},
                    code="invalid_choice",
                )


class ReminderDeliveryForm(forms.Form):
    """The Email settings page: how reminders and notices reach the person by email, and
    which kinds of hand-off they are emailed about at all."""

    reminder_delivery = forms.ChoiceField(
        label=_("How should reminders reach you by email?"),
        help_text=_("Every reminder also appears in your notifications in the app."),
        choices=ReminderDelivery.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how reminders should reach you"),
            "invalid_choice": _("Select one of the options"),
        },
    )
    email_events = EventChoiceField(
        label=_("Which changes should we email you about?"),
        help_text=_(
            "When work is handed to you or from you. Untick a kind to see it only in your "
            "notifications in the app; it is never sent by email then, nor put in a digest."
        ),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    digests = forms.MultipleChoiceField(
        label=_("Which weekly emails should we send you?"),
        help_text=_(
            "Untick one to stop it. An unsubscribe link in one of these emails unticks it here."
        ),
        choices=[
            (WEEKLY_DIGEST_OFF, _("The weekly digest of reminders, if you chose it above")),
            (
                OVERDUE_DIGEST_OFF,
                _("The weekly overdue digest (coordinators, the PCC office, national readers)"),
            ),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def switched_off(self) -> list[str]:
        """The kinds of hand-off left unticked."""
        chosen = set(self.cleaned_data.get("email_events") or [])
        return [kind for kind in Event.values if kind not in chosen]

    # Sent by the page with the digests' boxes, so that a post without it (an older copy of
    # the page, a script) leaves the digests as they are instead of switching them off.
    digests_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def digests_off(self) -> list[str] | None:
        """The weekly digests left unticked; None when the page did not show them."""
        if not self.cleaned_data.get("digests_shown"):
            return None
        chosen = set(self.cleaned_data.get("digests") or [])
        return [kind for kind in (WEEKLY_DIGEST_OFF, OVERDUE_DIGEST_OFF) if kind not in chosen]


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or (where allowed) a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code")},
    )

    def __init__(
        self, *args, label: "StrOrPromise | None" = None, help_text: str = "", **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["code"].label = label
        self.fields["code"].help_text = help_text


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form (it only ever emails active people with a password, and the page
    after it says the same thing whether or not the address is known), with our wording."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )


class NewPasswordForm(SetPasswordForm):
    error_messages = {"password_mismatch": _("The two passwords do not match")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = _(
            "At least 12 characters. Not a common password, not only numbers, and not like "
            "your name or email address."
        )
        self.fields["new_password2"].label = _("Type the new password again")
        self.fields["new_password1"].error_messages["required"] = _("Enter a new password")
        self.fields["new_password2"].error_messages["required"] = _("Type the new password again")


class LanguageChoiceField(forms.ChoiceField):
    """A language among settings.LANGUAGES. A code that is not offered (a tampered form) is
    named in the error, cut short, with the languages that are."""

    def validate(self, value: Any) -> None:
        if value and not self.valid_value(value):
            raise forms.ValidationError(
                gettext(
                    "“%(code)s” is not a language the tracker offers. "
                    "Choose English (en-gb) or Cymraeg (cy)."
                )
                % {"code": str(value)[:20]},
                code="invalid_choice",
            )
        super().validate(value)


class LanguageForm(forms.Form):
    """The language of the person's pages and emails (issue 22), on the Email settings page."""

    language = LanguageChoiceField(
        label=_("Which language should the tracker use for your pages and emails?"),
        help_text=_(
            "Emails, public pages and published responses are in Welsh when you choose "
            "Cymraeg; some other pages stay in English until their translation is done."
        ),
        choices=Language.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a language")},
    )
