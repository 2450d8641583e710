"""The changes force staff and coordinators make every day, each through the same form
(its messages) and service (its checks, history, audit and deadlines) as the item's page:

    POST items/{uuid}/updates/             add a progress update      (services.item_add_update)
    POST items/{uuid}/status-changes/      change the status          (item_change_status)
    POST items/{uuid}/closure-proposals/   propose closure            (closure_propose)
    POST items/{uuid}/assignment/          choose the owner and lead  (item_assign)
    POST items/{uuid}/due-date-revisions/  revise the due date        (item_revise_due_date)

1. The item comes from the scoped loader (404 for another force's item, as on the page).
2. A closed item cannot change; without the page's permission, 403.
3. The page's form checks the body: 400 with its messages, by field.
4. The service acts inside the audit context naming the token (tracker.api.common.acting):
   its refusal is 400 with its message; an item changed since `version`, 409.
"""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import conflicts, forms, policy, selectors, services
from tracker.api import reads, serializers
from tracker.api.common import acting, check_params
from tracker.api.problems import Problem
from tracker.models import TrackedItem


def _form_data(body: Any, fields: tuple[str, ...]) -> QueryDict:
    """The JSON body as the page's form would have it posted: each value as text, lists as
    repeated values, null as empty. Fields the form does not have are refused."""
    if not isinstance(body, dict):
        raise Problem(
            400, _("Send a JSON object."), errors={"non_field_errors": [_("Send a JSON object")]}
        )
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise Problem(
            400,
            _("Unknown field: %(names)s. This endpoint takes: %(fields)s.")
            % {"names": ", ".join(unknown), "fields": ", ".join(fields)},
            errors={name: [_("This endpoint has no field of this name")] for name in unknown},
        )
    data = QueryDict(mutable=True)
    for name, value in body.items():
        if isinstance(value, list):
            data.setlist(name, ["" if v is None else str(v) for v in value])
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool):
            data[name] = "on" if value else ""
        else:
            data[name] = str(value)
    return data


def _form_errors(form: django_forms.Form) -> Problem:
    errors = {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }
    return Problem(400, " ".join(m for ms in errors.values() for m in ms), errors=errors)


class ItemWrite(reads.ItemChildList):
    """An item's history list (GET) and the change that adds to it (POST)."""

    input_serializer: type = serializers.UpdateInput
    error_field = "non_field_errors"

    def allowed(self, item: TrackedItem) -> bool:
        return policy.can_work_on(self.request.user, item)

    def make_form(self, item: TrackedItem, data: QueryDict) -> django_forms.Form:
        raise NotImplementedError

    def act(self, item: TrackedItem, form: django_forms.Form) -> Any:
        raise NotImplementedError

    def created(self, item: TrackedItem, result: Any) -> dict[str, Any]:
        return self.get_serializer(result).data

    def post(self, request: Request, uuid: Any) -> Response:
        check_params(request, ())
        item = reads.item_for(request, uuid)
        fields = tuple(self.input_serializer().fields)
        data = _form_data(request.data, fields)
        if not item.is_open:
            raise Problem(400, _("This item is closed, so it cannot be changed."))
        if not self.allowed(item):
            raise Problem(403, _("You cannot do this on this item."))
        form = self.make_form(item, data)
        if not form.is_valid():
            raise _form_errors(form)
        try:
            with acting(request):
                result = self.act(item, form)
        except conflicts.ItemChanged as changed:
            raise Problem(
                409,
                changed.message(request.user),
                extra={"version": changed.item.version},
            ) from None
        except ValidationError as exc:
            messages = [str(m) for m in exc.messages]
            raise Problem(400, " ".join(messages), errors={self.error_field: messages}) from None
        item.refresh_from_db(fields=["version", "status", "due_date", "owner", "lead"])
        body = {"item": {"uuid": str(item.uuid), "version": item.version, "status": item.status}}
        body.update(self.created(item, result))
        return Response(body, status=201)


class ItemVersionSerializer(drf_serializers.Serializer):
    uuid = drf_serializers.UUIDField()
    version = drf_serializers.IntegerField()
    status = drf_serializers.CharField()


def _created_schema(serializer: type) -> type:
    """The 201 answer: what was made, and the item's version and status now."""
    name = serializer.__name__.removesuffix("Serializer") + "Created"
    attrs: dict[str, Any] = {"item": ItemVersionSerializer(), "__module__": __name__}
    meta = getattr(serializer, "Meta", None)
    if meta is not None:
        attrs["Meta"] = type("Meta", (meta,), {"fields": ["item", *meta.fields]})
    return type(name, (serializer,), attrs)


def _write_schema(summary: str, input_serializer: type, output: type) -> Callable[[Any], Any]:
    return extend_schema(
        methods=["POST"],
        summary=summary,
        request=input_serializer,
        responses={201: _created_schema(output)},
    )


@extend_schema(methods=["GET"], summary="An item's progress updates, newest first")
@_write_schema(
    "Add a progress update", serializers.UpdateInput, serializers.ProgressUpdateSerializer
)
class ItemUpdates(ItemWrite):
    serializer_class = serializers.ProgressUpdateSerializer
    input_serializer = serializers.UpdateInput
    error_field = "text"

    def get_queryset(self) -> Any:
        return self.item().updates.select_related("author")

    def make_form(self, item: TrackedItem, data: QueryDict) -> django_forms.Form:
        return forms.UpdateForm(data)

    def act(self, item: TrackedItem, form: django_forms.Form) -> Any:
        return services.item_add_update(
            item=item, author=self.request.user, text=form.cleaned_data["text"]
        )


@extend_schema(methods=["GET"], summary="An item's status changes, newest first")
@_write_schema("Change the status", serializers.StatusInput, serializers.StatusChangeSerializer)
class ItemStatusChanges(ItemWrite):
    serializer_class = serializers.StatusChangeSerializer
    input_serializer = serializers.StatusInput
    error_field = "reason"

    def get_queryset(self) -> Any:
        return self.item().status_changes.select_related("changed_by")

    def make_form(self, item: TrackedItem, data: QueryDict) -> django_forms.Form:
        return forms.StatusForm(data, initial={"version": item.version})

    def act(self, item: TrackedItem, form: django_forms.Form) -> Any:
        return services.item_change_status(
            item=item,
            by=self.request.user,
            to_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )


@extend_schema(methods=["GET"], summary="An item's closure proposals, newest first")
@_write_schema("Propose closure", serializers.ClosureInput, serializers.ClosureProposalSerializer)
class ItemClosureProposals(ItemWrite, reads.ItemClosureProposals):
    serializer_class = serializers.ClosureProposalSerializer
    input_serializer = serializers.ClosureInput
    error_field = "summary"

    def make_form(self, item: TrackedItem, data: QueryDict) -> django_forms.Form:
        return forms.ClosureProposalForm(
            data,
            initial={"version": item.version},
            evidence_choices=[(str(e.uuid), e.original_name) for e in item.evidence.all()],
        )

    def act(self, item: TrackedItem, form: django_forms.Form) -> Any:
        chosen = set(form.cleaned_data["evidence"])
        return services.closure_propose(
            item=item,
            by=self.request.user,
            summary=form.cleaned_data["summary"],
            evidence_ids=[e.pk for e in item.evidence.all() if str(e.uuid) in chosen],
            no_evidence_reason=form.cleaned_data["no_evidence_reason"],
            version=form.cleaned_data["version"],
        )


@extend_schema(methods=["GET"], summary="An item's due date revisions, newest first")
@_write_schema(
    "Revise the due date", serializers.DueDateInput, serializers.DueDateRevisionSerializer
)
class ItemRevisions(ItemWrite, reads.ItemRevisions):
    serializer_class = serializers.DueDateRevisionSerializer
    input_serializer = serializers.DueDateInput
    error_field = "new_date"

    def allowed(self, item: TrackedItem) -> bool:
        return policy.can_revise_due_date(self.request.user, item)

    def make_form(self, item: TrackedItem, data: QueryDict) -> django_forms.Form:
        return forms.DueDateForm(data, initial={"version": item.version})

    def act(self, item: TrackedItem, form: django_forms.Form) -> Any:
        return services.item_revise_due_date(
            item=item,
            by=self.request.user,
            new_date=form.cleaned_data["new_date"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )


@extend_schema(
    summary="Choose the owner and accountable lead (by email; null for nobody)",
    request=serializers.AssignInput,
    responses={201: _created_schema(serializers.ItemSerializer)},
)
class ItemAssignment(ItemWrite):
    """Only the names given change: leave `lead` out to keep the lead as it is."""

    serializer_class = serializers.ItemSerializer
    input_serializer = serializers.AssignInput
    error_field = "owner"
    http_method_names = ["post", "options"]

    def allowed(self, item: TrackedItem) -> bool:
        return policy.can_assign(self.request.user, item)

    def make_form(self, item: TrackedItem, data: QueryDict) -> django_forms.Form:
        people = selectors.force_people(force=item.force)
        by_email = {u.email.lower(): u.pk for u in people}
        posted = QueryDict(mutable=True)
        current = {"owner": item.owner_id, "lead": item.lead_id}
        for name in ("owner", "lead"):
            shown = "" if current[name] is None else str(current[name])
            posted[f"initial-{name}"] = shown
            if name in data:
                email = str(data.get(name, "")).strip().lower()
                # An address that is not one of the force's people: the form's own message.
                posted[name] = str(by_email.get(email, email)) if email else ""
            else:
                posted[name] = shown
        if "version" in data:
            posted["version"] = str(data.get("version", ""))
        return forms.AssignForm(posted, people=people, initial={**current, "version": item.version})

    def act(self, item: TrackedItem, form: django_forms.Form) -> Any:
        if not isinstance(form, forms.AssignForm):  # make_form's: for the type checker
            raise TypeError(form)
        changes = form.changes()
        return services.item_assign(
            item=item,
            by=self.request.user,
            owner=changes.get("owner", services.UNCHANGED),
            lead=changes.get("lead", services.UNCHANGED),
            version=form.cleaned_data["version"],
        )

    def created(self, item: TrackedItem, result: Any) -> dict[str, Any]:
        fresh = reads.item_for(self.request, item.uuid)
        return dict(self.get_serializer(fresh).data)
