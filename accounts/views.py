from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.forms import ReminderDeliveryForm, SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            from tracker.demo import PEOPLE

            context["demo_accounts"] = [
                {"email": email, "name": name, "title": title} for email, name, title, *_ in PEOPLE
            ]
        return context


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request):
    """Each reminder by email, or a daily or weekly digest of them."""
    from tracker.services import audit_record  # tracker depends on accounts, not the reverse

    user = request.user
    if request.method == "POST":
        form = ReminderDeliveryForm(request.POST)
        if form.is_valid():
            before, after = user.reminder_delivery, form.cleaned_data["reminder_delivery"]
            if before != after:
                user.reminder_delivery = after
                user.save(update_fields=["reminder_delivery"])
                audit_record(
                    actor=user,
                    action="update",
                    obj=user,
                    at=timezone.now(),
                    changes={"reminder_delivery": (before, after)},
                )
            messages.success(request, "Your email settings have been saved")
            return redirect("accounts:email_settings")
    else:
        form = ReminderDeliveryForm(initial={"reminder_delivery": user.reminder_delivery})
    return render(
        request, "accounts/email_settings.html", {"form": form}, status=400 if form.errors else 200
    )
