from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import ReminderDelivery


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

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            self.user_cache = authenticate(self.request, username=email.lower(), password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ReminderDeliveryForm(forms.Form):
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
