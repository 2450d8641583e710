"""A person's API tokens (/account/api-tokens/): the list, making one (shown once) and
revoking one. Each person sees and revokes only their own; another's token is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts import api_token_services
from accounts.api_token_forms import TokenForm
from accounts.api_tokens import ApiToken
from tracker import policy


def _check(request) -> None:
    if not policy.can_have_api_tokens(request.user) or policy.is_service_account(request.user):
        raise PermissionDenied("You cannot have API tokens.")


@login_required
@require_GET
def token_list(request) -> HttpResponse:
    _check(request)
    now = timezone.now()
    tokens = [(token, token.state(now)) for token in ApiToken.objects.filter(user=request.user)]
    return render(request, "accounts/api_tokens/list.html", {"tokens": tokens})


@login_required
@require_http_methods(["GET", "POST"])
def token_create(request) -> HttpResponse:
    _check(request)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = api_token_services.token_create(
                user=request.user,
                by=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_on=form.expires_on(timezone.localdate()),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for field, messages_ in errors.items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            # Shown once, on this page; never kept, never put in the session or a message.
            return render(request, "accounts/api_tokens/created.html", {"token": token, "raw": raw})
    status = 400 if form.errors else 200
    return render(request, "accounts/api_tokens/form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int) -> HttpResponse:
    _check(request)
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is not None:
        raise Http404("This token is already revoked.")
    if request.method == "POST":
        api_token_services.token_revoke(token=token, by=request.user)
        messages.success(request, gettext("The token “%(name)s” is revoked") % {"name": token.name})
        return redirect("accounts:api_tokens")
    return render(request, "accounts/api_tokens/revoke.html", {"token": token})
