from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from accounts.models import ReminderDelivery
from tracker.handoffs import Event


class SignInForm(AuthenticationForm):
    """Email and password. The error never says which of the two was wrong."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account has been switched off. Ask your administrator.",
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
                    f"“{str(kind)[:60]}” is not a kind of email the tracker sends. "
                    "Tick only the kinds listed.",
                    code="invalid_choice",
                )


class ReminderDeliveryForm(forms.Form):
    """The Email settings page: how reminders and notices reach the person by email, and
    which kinds of hand-off they are emailed about at all."""

    reminder_delivery = forms.ChoiceField(
        label="How should reminders reach you by email?",
        help_text="Every reminder also appears in your notifications in the app.",
        choices=ReminderDelivery.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how reminders should reach you",
            "invalid_choice": "Select one of the options",
        },
    )
    email_events = EventChoiceField(
        label="Which changes should we email you about?",
        help_text=(
            "When work is handed to you or from you. Untick a kind to see it only in your "
            "notifications in the app; it is never sent by email then, nor put in a digest."
        ),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def switched_off(self) -> list[str]:
        """The kinds of hand-off left unticked."""
        chosen = set(self.cleaned_data.get("email_events") or [])
        return [kind for kind in Event.values if kind not in chosen]


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or (where allowed) a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code"},
    )

    def __init__(self, *args, label: str = "Code", help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        self.fields["code"].help_text = help_text


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form (it only ever emails active people with a password, and the page
    after it says the same thing whether or not the address is known), with our wording."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class NewPasswordForm(SetPasswordForm):
    error_messages = {"password_mismatch": "The two passwords do not match"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = (
            "At least 12 characters. Not a common password, not only numbers, and not like "
            "your name or email address."
        )
        self.fields["new_password2"].label = "Type the new password again"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Type the new password again"
