"""The page where an administrator sets up an organisation's sign-in provider (issue 15).
The client secret is write-only: the field is always empty, and blank keeps the saved one."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import oidc_secrets
from accounts.identity_providers import IdentityProvider
from accounts.models import Organisation, Role
from tracker import policy

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def _yes(value: str) -> bool:
    return value == "yes"


def mappable_role_choices() -> list[tuple[str, str]]:
    """The roles a provider's claims may give: an organisation's own people's, never an
    administrator's (the same rule as SCIM's: tracker.policy.scim_may_give_role)."""
    return [(role, label) for role, label in Role.choices if policy.scim_may_give_role(role)]


def role_field_name(role: str) -> str:
    return f"role_{role}"


class ProviderForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        error_messages={"required": _("Select the organisation")},
    )
    name = forms.CharField(
        label=_("Name people know it by"),
        help_text=_('The sign-in page says "Sign in with" this name.'),
        max_length=100,
        error_messages={"required": _("Enter a name")},
    )
    issuer = forms.CharField(
        label=_("Issuer"),
        help_text=_("Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0"),
        max_length=300,
        error_messages={"required": _("Enter the issuer")},
    )
    client_id = forms.CharField(
        label=_("Client ID"),
        help_text=_("Entra ID: the Application (client) ID."),
        max_length=200,
        error_messages={"required": _("Enter the client ID")},
    )
    client_secret_env = forms.CharField(
        label=_("Environment variable with the client secret (preferred)"),
        help_text=_(
            "Its name, which must start OIDC_CLIENT_SECRET_, like OIDC_CLIENT_SECRET_WMP. "
            "Leave blank to save the secret here."
        ),
        max_length=100,
        required=False,
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        help_text=_("Saved encrypted and never shown again. Leave blank to keep the one saved."),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    domains = forms.CharField(
        label=_("Email domains"),
        help_text=_("One a line, like westmidlands.police.uk"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    role_claims = forms.CharField(
        label=_("Claims that hold groups or app roles"),
        help_text=_("Separated by spaces. Entra ID: groups roles"),
        max_length=100,
        initial="groups roles",
    )
    email_claim = forms.CharField(
        label=_("Claim with the email address"),
        help_text=_("Only this claim is read. Entra ID: email, or upn"),
        max_length=50,
        initial="email",
    )
    trust_email_claim = forms.TypedChoiceField(
        coerce=_yes,
        required=False,
        label=_(
            "Can the provider's email claim be trusted when its token does not say it is verified?"
        ),
        help_text=_(
            "Say yes for Entra ID, whose tokens never say email_verified, only if its email "
            "addresses are set by your organisation, not by the people themselves. Otherwise "
            "only a token saying email_verified: true can link to an account or create one."
        ),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
    )
    mfa_acr_values = forms.CharField(
        label=_("acr values that mean a second factor was used (optional)"),
        help_text=_("Separated by spaces. An amr of mfa, otp, hwk, sc or fido counts anyway."),
        max_length=300,
        required=False,
    )
    password_sign_in_allowed = forms.TypedChoiceField(
        coerce=_yes,
        label=_("Can the organisation's people still sign in with a tracker password?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="yes",
    )
    enabled = forms.TypedChoiceField(
        coerce=_yes,
        label=_("Is sign-in with this provider switched on?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="yes",
    )

    def __init__(self, *args: Any, provider: IdentityProvider | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for role, label in mappable_role_choices():
            self.fields[role_field_name(role)] = forms.CharField(
                label=_("Group or app-role values that give the role: %(role)s") % {"role": label},
                help_text=_("One a line (Entra ID: group object ids, or app-role values)."),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
        if provider is None:
            field = self.fields["organisation"]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - for the type checker
            field.queryset = Organisation.objects.filter(identity_provider__isnull=True).order_by(
                "name"
            )
        else:
            del self.fields["organisation"]

    def clean_client_secret_env(self) -> str:
        name = (self.cleaned_data.get("client_secret_env") or "").strip()
        if name and not oidc_secrets.env_name_allowed(name):
            raise forms.ValidationError(oidc_secrets.ENV_NAME_RULE)
        return name

    def domain_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("domains", ""))

    def mapping(self) -> dict[str, list[str]]:
        return {
            role: _lines(self.cleaned_data.get(role_field_name(role), ""))
            for role, _label in mappable_role_choices()
        }

    def role_fields(self) -> list[forms.BoundField]:
        return [self[role_field_name(role)] for role, _label in mappable_role_choices()]


def initial_for(provider: IdentityProvider, mapping: dict[str, list[str]]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(provider, name)
        for name in ("name", "issuer", "client_id", "client_secret_env", "role_claims")
    }
    initial.update(
        email_claim=provider.email_claim,
        trust_email_claim="yes" if provider.trust_email_claim else "no",
        mfa_acr_values=provider.mfa_acr_values,
        password_sign_in_allowed="yes" if provider.password_sign_in_allowed else "no",
        enabled="yes" if provider.enabled else "no",
        domains="\n".join(provider.domains.values_list("domain", flat=True)),
    )
    for role, values in mapping.items():
        initial[role_field_name(role)] = "\n".join(values)
    return initial
