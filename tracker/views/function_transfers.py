"""Transfers of functions (issue 22): the list, recording one (administrators), its preview
of what it will move, and carrying it out or cancelling it (administrators).

Scope: a transfer is seen by whoever oversees the work of one of its forces (coordinators,
the PCC office, national readers, administrators); anyone who cannot see its forces gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import function_transfer_plan, function_transfers, policy
from tracker.function_transfer_forms import FunctionTransferForm
from tracker.views import common


def _may_see(request) -> None:
    if not policy.sees_function_transfers(request.user):
        raise PermissionDenied(_("Transfers of functions are for those who oversee the work."))


@login_required
@require_GET
def function_transfer_list(request) -> HttpResponse:
    _may_see(request)
    today = common.today()
    transfers = function_transfer_plan.transfers_visible(user=request.user, today=today)
    return render(
        request,
        "tracker/function_transfer_list.html",
        {
            "transfers": transfers,
            "today": today,
            "can_record": policy.can_record_function_transfers(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def function_transfer_new(request) -> HttpResponse:
    if not policy.can_record_function_transfers(request.user):
        raise PermissionDenied(_("Only an administrator can record a transfer of functions."))
    form = FunctionTransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = function_transfers.transfer_record(by=request.user, **data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Transfer recorded. Check what it will move before the day comes."),
            )
            return redirect("tracker:function_transfer_detail", uuid=transfer.uuid)
    status = 400 if request.method == "POST" else 200
    return render(request, "tracker/function_transfer_form.html", {"form": form}, status=status)


@login_required
@require_GET
def function_transfer_detail(request, uuid) -> HttpResponse:
    today = common.today()
    transfer = function_transfer_plan.transfer_get(user=request.user, uuid=uuid, today=today)
    _may_see(request)
    plan = function_transfer_plan.transfer_plan(transfer)
    can_record = policy.can_record_function_transfers(request.user)
    return render(
        request,
        "tracker/function_transfer_detail.html",
        {
            "transfer": transfer,
            "plan": plan,
            "today": today,
            "due": transfer.is_due(today),
            "can_carry_out": can_record and transfer.is_due(today) and not plan.problems,
            "can_cancel": can_record and not transfer.is_carried_out and not transfer.is_cancelled,
        },
    )


def _admin_action(request, uuid):
    today = common.today()
    transfer = function_transfer_plan.transfer_get(user=request.user, uuid=uuid, today=today)
    if not policy.can_record_function_transfers(request.user):
        raise PermissionDenied(_("Only an administrator can carry out or cancel a transfer."))
    return transfer


@login_required
@require_POST
def function_transfer_carry_out(request, uuid) -> HttpResponse:
    transfer = _admin_action(request, uuid)
    # Refused (a check, or the database), nothing is done; why stays on the page too.
    outcome, refused = function_transfers.transfer_attempt(transfer=transfer, by=request.user)
    for message in refused:
        messages.error(request, message)
    if outcome is not None:
        if outcome["changed"]:
            messages.success(
                request,
                _(
                    "Carried out: %(responses)d open response(s) and %(people)d person(s) "
                    "moved to %(body)s."
                )
                % {
                    "responses": len(outcome["responses"]),
                    "people": len(outcome["people"]),
                    "body": transfer.to_body.name,
                },
            )
        else:
            messages.info(request, _("This transfer had already been carried out."))
    return redirect("tracker:function_transfer_detail", uuid=transfer.uuid)


@login_required
@require_POST
def function_transfer_cancel(request, uuid) -> HttpResponse:
    transfer = _admin_action(request, uuid)
    try:
        function_transfers.transfer_cancel(transfer=transfer, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Transfer cancelled."))
    return redirect("tracker:function_transfer_detail", uuid=transfer.uuid)
