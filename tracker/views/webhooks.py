"""Webhook endpoints (issue 15): the list, registering one (its secret shown once), editing,
disabling or enabling, deleting, and each endpoint's delivery log.

Who: `policy.can_manage_webhooks` (a force's coordinators, a PCC office, an administrator of
an organisation); others get 403. Another organisation's endpoint is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import policy, webhook_delivery, webhook_endpoints
from tracker.models import WebhookEndpoint
from tracker.webhook_addresses import shown_address
from tracker.webhook_forms import WebhookEndpointForm

SHOWN_ONCE = "webhook_secret_once"  # the session key holding a new secret


def _may_manage(request) -> None:
    if not policy.can_manage_webhooks(request.user):
        raise PermissionDenied(
            _("Webhooks are managed by a force's coordinators and the PCC office.")
        )


def _form_errors(form: WebhookEndpointForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def webhook_list(request) -> HttpResponse:
    _may_manage(request)
    endpoints = webhook_endpoints.endpoint_list(user=request.user)
    return render(request, "tracker/webhooks/list.html", {"endpoints": endpoints})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_add(request) -> HttpResponse:
    _may_manage(request)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhook_endpoints.endpoint_register(
                by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            # Shown once, on the next page, then gone from the session.
            request.session[SHOWN_ONCE] = {"endpoint": str(endpoint.uuid), "secret": secret}
            messages.success(request, _("Endpoint registered. Copy its secret now."))
            return redirect("integrations:webhook_detail", uuid=endpoint.uuid)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "tracker/webhooks/form.html", {"form": form, "endpoint": None}, status=status
    )


@login_required
@require_GET
def webhook_detail(request, uuid) -> HttpResponse:
    _may_manage(request)
    endpoint = webhook_endpoints.endpoint_get(user=request.user, uuid=uuid)
    shown = request.session.get(SHOWN_ONCE)
    secret = None
    if shown and shown.get("endpoint") == str(endpoint.uuid):
        secret = shown["secret"]
        del request.session[SHOWN_ONCE]
    response = render(
        request,
        "tracker/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "address": shown_address(endpoint.url),
            "secret": secret,
            "deliveries": webhook_endpoints.endpoint_deliveries(endpoint),
            "signature_header": webhook_delivery.SIGNATURE_HEADER,
            "delivery_header": webhook_delivery.DELIVERY_HEADER,
        },
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request, uuid) -> HttpResponse:
    _may_manage(request)
    endpoint = webhook_endpoints.endpoint_get(user=request.user, uuid=uuid)
    # The address is not filled in: its query may be a credential (blank keeps it).
    initial = {"name": endpoint.name, "target": endpoint.target, "events": endpoint.events}
    form = WebhookEndpointForm(
        request.POST or None,
        initial=initial,
        editing=True,
        shown_url=shown_address(endpoint.url),
    )
    if request.method == "POST" and form.is_valid():
        try:
            webhook_endpoints.endpoint_update(
                endpoint=endpoint, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("integrations:webhook_detail", uuid=endpoint.uuid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "tracker/webhooks/form.html",
        {"form": form, "endpoint": endpoint},
        status=status,
    )


@login_required
@require_POST
def webhook_enable(request, uuid) -> HttpResponse:
    """Disable an endpoint, or enable it again (`enabled` = "1" or "0")."""
    _may_manage(request)
    endpoint: WebhookEndpoint = webhook_endpoints.endpoint_get(user=request.user, uuid=uuid)
    enabled = request.POST.get("enabled") == "1"
    webhook_endpoints.endpoint_set_enabled(endpoint=endpoint, by=request.user, enabled=enabled)
    messages.success(
        request, _("Endpoint enabled.") if enabled else _("Endpoint disabled: nothing is sent.")
    )
    return redirect("integrations:webhook_detail", uuid=endpoint.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request, uuid) -> HttpResponse:
    _may_manage(request)
    endpoint = webhook_endpoints.endpoint_get(user=request.user, uuid=uuid)
    if request.method == "POST":
        webhook_endpoints.endpoint_delete(endpoint=endpoint, by=request.user)
        messages.success(request, _("Endpoint “%(name)s” deleted.") % {"name": endpoint.name})
        return redirect("integrations:webhook_list")
    return render(request, "tracker/webhooks/delete.html", {"endpoint": endpoint})
