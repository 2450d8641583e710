"""Sign-in (password, then the authenticator code where one is set up), password reset,
two-factor set-up and the person's own settings."""

import datetime
import hashlib
import logging
import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import (
    oidc_client,
    oidc_secrets,
    oidc_sign_in,
    oidc_tokens,
    services,
    two_factor,
)
from accounts.forms import (
    CodeForm,
    LanguageForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    ReminderDeliveryForm,
    SignInForm,
)
from accounts.identity_providers import IdentityProvider
from accounts.models import User
from tracker import handoffs, policy
from tracker.demo import PEOPLE
from tracker.reminders.unsubscribe import OVERDUE_DIGEST_OFF, WEEKLY_DIGEST_OFF

PENDING = "two_factor_pending"
PENDING_SECONDS = 5 * 60
SETUP_SECRET = "two_factor_setup_secret"  # noqa: S105 - a session key's name, not a secret
VERIFIED = "two_factor_ok"
# People signed in through a provider are then read back by the ordinary model backend.
OIDC_BACKEND = "django.contrib.auth.backends.ModelBackend"

log = logging.getLogger(__name__)


def _start_session(request, user, backend: str, *, two_factor_done: bool) -> None:
    login(request, user, backend=backend)
    request.session["seen_at"] = time.time()
    request.session[VERIFIED] = two_factor_done


class SignInView(auth_views.LoginView):
    """Email and password. With an authenticator app set up, the password only gets the person
    as far as the code page; the session is not signed in until the code is right.

    An email address whose domain has an organisation's provider (issue 15) is offered
    "Sign in with <provider>" when the password is left blank; when the organisation has
    switched password sign-in off, a password is not even tried."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs) -> HttpResponse:
        email = request.POST.get("username", "").strip()
        provider = oidc_sign_in.provider_for_email(email)
        if provider is not None:
            password_given = bool(request.POST.get("password"))
            # An administrator's account in the provider's domain keeps its password
            # (policy.password_sign_in_allowed): a provider never signs it in.
            refused = not provider.password_sign_in_allowed and not oidc_sign_in.keeps_password(
                email
            )
            if not password_given or refused:
                # The address only: the password is never tried (nor counted by the lockout).
                form = self.get_form_class()(request, data={"username": email})
                form.errors.clear()
                if password_given:
                    form.add_error(
                        None,
                        gettext(
                            "%(organisation)s signs in with %(provider)s, not a tracker "
                            "password. Use the button to continue."
                        )
                        % {"organisation": provider.organisation.name, "provider": provider.name},
                    )
                context = self.get_context_data(form=form, provider=provider)
                return self.render_to_response(context, status=400 if password_given else 200)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        if not policy.password_sign_in_allowed(user):
            provider = oidc_sign_in.provider_of_organisation(user.organisation_id)
            form.add_error(
                None,
                gettext("Your organisation signs in with %(provider)s, not a tracker password.")
                % {"provider": provider.name if provider else gettext("its own provider")},
            )
            return self.form_invalid(form)
        return finish_sign_in(
            self.request,
            user,
            backend=user.backend,
            next_url=self.get_success_url(),
            two_factor_done=False,
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        provider = kwargs.get("provider")
        if provider is not None:
            context["provider_start"] = (
                reverse("oidc:start", args=[provider.pk])
                + "?"
                + urlencode({"next": self.get_success_url()})
            )
        if settings.DEMO_MODE:
            context["demo_accounts"] = [
                {"email": email, "name": name, "title": title} for email, name, title, *_ in PEOPLE
            ]
        return context


def finish_sign_in(
    request, user: User, *, backend: str, next_url: str, two_factor_done: bool
) -> HttpResponse:
    """The last step of any sign-in: the authenticator code first where the person has an app
    and the sign-in has not already given a second factor, else the session starts."""
    if not two_factor_done and two_factor.device_of(user) is not None:
        request.session.cycle_key()
        request.session[PENDING] = {
            "user": user.pk,
            "backend": backend,
            "next": next_url,
            "at": time.time(),
        }
        return redirect("accounts:sign_in_code")
    _start_session(request, user, backend, two_factor_done=two_factor_done)
    # A URL, never a view name: redirect() would try "?next=foo" as a view name.
    return HttpResponseRedirect(next_url)


@require_http_methods(["GET"])
def oidc_callback(request) -> HttpResponse:
    """Back from the organisation's provider (issue 15): the state must be one this session
    began and not yet used; the code is exchanged (with the PKCE verifier), the ID token
    checked (accounts/oidc_client.py), and the person signed in, created or refused
    (accounts/oidc_sign_in.py). The provider's second factor counts only when its token says
    so (amr/acr); otherwise the tracker's own code step follows for a person with an app."""
    attempt = oidc_client.take_state(request, request.GET.get("state", ""))
    if attempt is None:
        return _oidc_refused(
            request,
            None,
            gettext(
                "This sign-in link has already been used or has expired. Start again from the "
                "sign-in page."
            ),
        )
    provider = IdentityProvider.objects.filter(
        pk=attempt.get("provider") or 0, enabled=True
    ).first()
    if provider is None:
        raise Http404("No such provider")
    if request.GET.get("error") or not request.GET.get("code"):
        return _oidc_refused(
            request,
            provider,
            gettext("%(provider)s did not sign you in (%(error)s). Start again.")
            % {"provider": provider.name, "error": request.GET.get("error", "no code")[:100]},
        )
    try:
        tokens = oidc_client.exchange_code(
            provider, code=request.GET["code"], verifier=attempt.get("code_verifier") or ""
        )
        claims = oidc_client.verified_claims(
            provider,
            str(tokens.get("id_token") or ""),
            nonce=attempt.get("nonce") or "",
            now=timezone.now(),
        )
        signed_in = oidc_sign_in.sign_in_with_claims(provider=provider, claims=claims)
    except oidc_secrets.SecretUnavailable as exc:
        log.error("oidc provider %s has no usable client secret: %s", provider.pk, exc)
        return _oidc_refused(
            request,
            provider,
            gettext(
                "Sign-in with %(provider)s is not completely set up in the tracker (its client "
                "secret is missing). Tell your administrator."
            )
            % {"provider": provider.name},
        )
    except oidc_client.ProviderUnreachable as exc:
        log.warning("oidc provider %s unreachable: %s", provider.pk, exc)
        return render(
            request,
            "accounts/oidc/unreachable.html",
            {"provider": provider, "password_allowed": provider.password_sign_in_allowed},
            status=503,
        )
    except oidc_tokens.TokenRejected as exc:
        log.warning("oidc token refused for provider %s: %s", provider.pk, exc.reason)
        return _oidc_refused(
            request,
            provider,
            gettext(
                "The answer from %(provider)s could not be trusted (%(reason)s), so you are not "
                "signed in. Start again; if it happens again, tell your administrator."
            )
            % {"provider": provider.name, "reason": exc.reason},
        )
    except oidc_sign_in.SignInRefused as exc:
        return _oidc_refused(request, provider, exc.why)
    return finish_sign_in(
        request,
        signed_in.user,
        backend=OIDC_BACKEND,
        next_url=attempt.get("next") or "/",
        two_factor_done=signed_in.provider_did_mfa,
    )


def _oidc_refused(request, provider, why: str) -> HttpResponse:
    return render(
        request, "accounts/oidc/refused.html", {"provider": provider, "why": why}, status=403
    )


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, gettext("You have signed out."))
        return response


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request) -> HttpResponse:
    """Each reminder by email, or a daily or weekly digest of them; and which kinds of
    hand-off are emailed at all (all of them are in the app)."""
    user = request.user
    if request.method == "POST":
        form = ReminderDeliveryForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                services.person_set_reminder_delivery(
                    person=user, reminder_delivery=form.cleaned_data["reminder_delivery"]
                )
                handoffs.person_set_email_events(
                    person=user, off=form.switched_off(), digests_off=form.digests_off()
                )
            messages.success(request, gettext("Your email settings have been saved"))
            return redirect("accounts:email_settings")
    else:
        form = _reminder_delivery_form(user)
    return render(
        request,
        "accounts/email_settings.html",
        {
            "form": form,
            "language_form": LanguageForm(initial={"language": user.preferred_language}),
        },
        status=400 if form.errors else 200,
    )


def _reminder_delivery_form(user: User) -> ReminderDeliveryForm:
    off = set(user.email_events_off or [])
    return ReminderDeliveryForm(
        initial={
            "reminder_delivery": user.reminder_delivery,
            "email_events": [kind for kind in handoffs.Event.values if kind not in off],
            "digests": [
                kind for kind in (WEEKLY_DIGEST_OFF, OVERDUE_DIGEST_OFF) if kind not in off
            ],
        }
    )


@login_required
@require_POST
def language(request) -> HttpResponse:
    """The language of the person's pages and emails, chosen on the Email settings page. A
    code that is not offered is refused there with the languages that are."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        services.person_set_language(person=request.user, language=form.cleaned_data["language"])
        # The choice applies from this response on: the message is in the new language.
        with translation.override(request.user.preferred_language):
            messages.success(request, gettext("Your language has been saved"))
        return redirect("accounts:email_settings")
    return render(
        request,
        "accounts/email_settings.html",
        {"form": _reminder_delivery_form(request.user), "language_form": form},
        status=400,
    )


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@require_http_methods(["GET", "POST"])
def sign_in_code(request) -> HttpResponse:
    """The second step: the code from the authenticator app, or a recovery code. Wrong codes
    count towards the same lockout as wrong passwords."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.info(request, gettext("Sign in again: the time to enter your code ran out."))
        return redirect("accounts:sign_in")
    credentials = {"username": user.email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(PENDING, None)
        return _locked_out(request)
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        label=gettext("Code from your authenticator app"),
        help_text=gettext(
            "The 6 numbers your app shows now. Lost your phone? Enter one of your "
            "recovery codes instead."
        ),
    )
    if request.method == "POST" and form.is_valid():
        how = two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if how is not None:
            request.session.pop(PENDING, None)
            _start_session(request, user, pending["backend"], two_factor_done=True)
            if how == "recovery code":
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    gettext(
                        "You signed in with a recovery code. You have %(left)s left: make new "
                        "ones on your sign-in and security page if you are running low."
                    )
                    % {"left": left},
                )
            return HttpResponseRedirect(pending["next"])
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.session.pop(PENDING, None)
            return _locked_out(request)
        device = two_factor.device_of(user)
        if device and two_factor.code_already_used(
            device, form.cleaned_data["code"], at=timezone.now()
        ):
            message = gettext(
                "The code is not right any more: it was already used to sign in, and each "
                "code works once. Please wait for your app to show a new code (within 30 "
                "seconds), then enter that one."
            )
        else:
            message = gettext(
                "The code is not right. Enter the 6 numbers your app shows now, or one of "
                "your recovery codes."
            )
        form.add_error("code", message)
    context: dict[str, Any] = {"form": form}
    if settings.DEMO_MODE:
        context.update(_demo_code(user))
    status = 400 if form.errors else 200
    return render(request, "accounts/sign_in_code.html", context, status=status)


def _demo_code(user) -> dict[str, Any]:
    """The demo's accounts have public keys (tracker/demo.py), so the demo shows the code:
    the one that works now, or, when the codes for now were used by the last sign-ins, the
    next one and how long until it works."""
    device = two_factor.device_of(user)
    if device is None or device.secret != two_factor.demo_secret(user.email):
        return {}
    if user.email not in {p[0] for p in PEOPLE}:
        return {}
    now = timezone.now()
    code, wait = two_factor.next_code(device, at=now)
    return {
        "demo_code": code,
        "demo_wait": wait,
        "demo_from": now + datetime.timedelta(seconds=wait),
    }


def _locked_out(request) -> HttpResponse:
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def locked_out(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) when a locked-out address signs in."""
    return _locked_out(request)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), enter a code it
    shows, and get the recovery codes, once."""
    user = request.user
    if two_factor.device_of(user) is not None:
        return redirect("accounts:security")
    secret = request.session.get(SETUP_SECRET) or two_factor.new_secret()
    request.session[SETUP_SECRET] = secret
    form = CodeForm(
        request.POST if request.method == "POST" else None,
        label=gettext("Code from your authenticator app"),
        help_text=gettext("After you add the account, your app shows 6 numbers. Enter them here."),
    )
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        codes = two_factor.two_factor_enable(user=user, secret=secret, code=code)
        if codes is not None:
            request.session.pop(SETUP_SECRET, None)
            request.session[VERIFIED] = True
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "first_time": True}
            )
        form.add_error(
            "code",
            gettext(
                "The code is not right. Check the app's clock is set automatically, and enter "
                "the 6 numbers it shows now."
            ),
        )
    uri = two_factor.provisioning_uri(secret=secret, email=user.email)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(uri),
        "key": two_factor.grouped(secret),
        "required": policy.requires_two_factor(user),
    }
    return render(
        request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def security(request) -> HttpResponse:
    """The person's sign-in and security page: two-factor status, new recovery codes,
    turning it off (where their role allows), and a link to change the password."""
    user = request.user
    device = two_factor.device_of(user)
    required = policy.requires_two_factor(user)
    action = request.POST.get("action", "")
    form = CodeForm(
        request.POST if request.method == "POST" and device is not None else None,
        label=gettext("Code from your authenticator app"),
        help_text=gettext("To make this change, enter the 6 numbers your app shows now."),
    )
    if request.method == "POST" and device is not None and form.is_valid():
        if action not in ("renew", "turn_off") or (action == "turn_off" and required):
            form.add_error("code", gettext("Choose one of the buttons on this page."))
        elif two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"]) != "app":
            form.add_error(
                "code", gettext("The code is not right. Enter the 6 numbers your app shows now.")
            )
        elif action == "renew":
            codes = two_factor.recovery_codes_renew(user=user)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "first_time": False}
            )
        else:
            two_factor.two_factor_disable(user=user, by=user)
            messages.success(request, gettext("Two-factor authentication is turned off"))
            return redirect("accounts:security")
    context = {
        "form": form,
        "device": device,
        "required": required,
        "codes_left": two_factor.recovery_codes_left(user) if device else 0,
    }
    return render(request, "accounts/security.html", context, status=400 if form.errors else 200)


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The next page says the same whether or not the address is known,
    and an unknown address is sent nothing, so the page never reveals who has an account. The
    email is sent by a task after the response (accounts.services.password_reset_request), so
    the request takes as long for an unknown address as for a known one."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form) -> HttpResponse:
        """At most one email per address every PASSWORD_RESET_EVERY seconds; the page that
        follows is the same either way, so a refusal reveals nothing either."""
        email = form.cleaned_data["email"]
        key = "password-reset:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
        if cache.add(key, 1, timeout=settings.PASSWORD_RESET_EVERY):
            services.password_reset_request(email=email)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link. Setting it clears any lockout on the
    address and is recorded in the person's audit history."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        services.password_reset_finish(person=self.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def admin_sign_in(request) -> HttpResponseRedirect:
    """The admin site signs in through the service's own sign-in (with its second step).
    Someone signed in without access to the admin site is told so, not sent round in a loop."""
    if request.user.is_authenticated:
        if not request.user.is_staff:
            raise PermissionDenied("The admin site is for administrators.")
        return redirect("admin:index")
    next_url = request.GET.get("next", reverse("admin:index"))
    return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': next_url})}")
