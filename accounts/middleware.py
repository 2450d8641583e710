"""Two-factor authentication is required for some roles (TWO_FACTOR_REQUIRED_ROLES): until
such a person has set up an authenticator app, every page sends them to the set-up page.

A session that signed in with a code is marked, so this costs no query on later requests.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import TwoFactorDevice
from tracker.policy import requires_two_factor

ALWAYS_ALLOWED = ("accounts:two_factor_setup", "accounts:sign_out")
# For load balancers and monitoring (config/health_views.py): never redirected.
MONITORING = ("healthz", "readyz", "metrics")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.TWO_FACTOR_REQUIRED_ROLES
            and not request.session.get("two_factor_ok")
            and requires_two_factor(user)
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in {reverse(name) for name in ALWAYS_ALLOWED + MONITORING}
        ):
            if TwoFactorDevice.objects.filter(user=user).exists():
                # An app is set up but this session never gave a code: sign in properly.
                logout(request)
                return redirect("accounts:sign_in")
            return redirect("accounts:two_factor_setup")
        return self.get_response(request)
