"""Sign-in with an organisation's OpenID Connect provider (issue 15): going to the provider.
The way back (the callback) is accounts.views.oidc_callback, beside the other sign-in steps
whose session it shares."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts import oidc_client, oidc_forms, oidc_providers, oidc_secrets
from accounts.identity_providers import IdentityProvider
from tracker import policy

log = logging.getLogger(__name__)


def safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def unreachable(request, provider: IdentityProvider) -> HttpResponse:
    """The provider did not answer: say so, and offer the password where it is allowed."""
    return render(
        request,
        "accounts/oidc/unreachable.html",
        {"provider": provider, "password_allowed": provider.password_sign_in_allowed},
        status=503,
    )


@require_GET
def start(request, pk: int) -> HttpResponse:
    """Off to the provider's sign-in page, with a new state, nonce and PKCE challenge. A link,
    not a form, leads here: a form's redirect to another site is refused by the page's
    Content Security Policy (form-action 'self')."""
    provider = IdentityProvider.objects.filter(pk=pk, enabled=True).first()
    if provider is None:
        raise Http404("No such provider")
    next_url = safe_next(request, request.GET.get("next"))
    try:
        oidc_secrets.client_secret(
            env_name=provider.client_secret_env, encrypted=provider.client_secret_encrypted
        )
        url = oidc_client.authorization_url(request, provider, next_url=next_url)
    except oidc_secrets.SecretUnavailable as exc:
        log.error("oidc provider %s has no usable client secret: %s", provider.pk, exc)
        return not_set_up(request, provider)
    except oidc_client.ProviderUnreachable as exc:
        log.warning("oidc provider %s unreachable: %s", provider.pk, exc)
        return unreachable(request, provider)
    return redirect(url)


def not_set_up(request, provider: IdentityProvider) -> HttpResponse:
    """The provider's client secret is missing or unreadable: the administrator must act."""
    why = gettext(
        "Sign-in with %(provider)s is not completely set up in the tracker (its client secret "
        "is missing). Tell your administrator."
    ) % {"provider": provider.name}
    return render(
        request, "accounts/oidc/refused.html", {"provider": provider, "why": why}, status=503
    )


# Administrators set up providers (the Django admin offers the same, audited too) --------------


def _check_may_manage(request) -> None:
    if not policy.can_manage_identity_providers(request.user):
        raise PermissionDenied("Only an administrator can set up sign-in providers.")


@login_required
@require_GET
def providers(request) -> HttpResponse:
    _check_may_manage(request)
    rows = IdentityProvider.objects.select_related("organisation").order_by("organisation__name")
    return render(request, "accounts/oidc/providers.html", {"providers": rows})


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, pk: int | None = None) -> HttpResponse:
    """Add a provider (no pk) or change one: one form, one service, a redirect."""
    _check_may_manage(request)
    provider = get_object_or_404(IdentityProvider, pk=pk) if pk is not None else None
    initial = (
        oidc_forms.initial_for(provider, oidc_providers.mapping_of(provider)) if provider else None
    )
    form = oidc_forms.ProviderForm(
        request.POST if request.method == "POST" else None, initial=initial, provider=provider
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = oidc_providers.ProviderSettings(
            name=data["name"].strip(),
            issuer=data["issuer"].strip(),
            client_id=data["client_id"].strip(),
            client_secret_env=data["client_secret_env"].strip(),
            role_claims=data["role_claims"].strip(),
            email_claim=data["email_claim"].strip(),
            trust_email_claim=bool(data.get("trust_email_claim")),
            mfa_acr_values=data["mfa_acr_values"].strip(),
            password_sign_in_allowed=data["password_sign_in_allowed"],
            enabled=data["enabled"],
        )
        try:
            saved = oidc_providers.provider_save(
                by=request.user,
                provider=provider,
                organisation=provider.organisation if provider else data["organisation"],
                values=values,
                domains=form.domain_list(),
                mapping=form.mapping(),
                secret=data["client_secret"],
            )
        except ValidationError as exc:
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for field, errors in by_field.items():
                target = "domains" if field == "domains" else None
                if field in form.fields and field != "mapping":
                    target = field
                for error in errors:
                    form.add_error(target, error)
        else:
            messages.success(
                request,
                gettext("Sign-in with %(provider)s is saved") % {"provider": saved.name},
            )
            return redirect("oidc:providers")
    context = {
        "form": form,
        "provider": provider,
        "redirect_uri": oidc_client.redirect_uri(),
        "secret_status": _secret_status(provider),
    }
    return render(
        request, "accounts/oidc/provider_form.html", context, status=400 if form.errors else 200
    )


def _secret_status(provider: IdentityProvider | None) -> str:
    if provider is None:
        return ""
    if provider.client_secret_env:
        return gettext("Read from the environment variable %(name)s.") % {
            "name": provider.client_secret_env
        }
    if provider.client_secret_encrypted:
        return gettext("A secret is saved (encrypted; it is not shown).")
    return gettext("No secret is saved.")
