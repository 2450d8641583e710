"""Admin for API tokens and service accounts (issue 15).

An administrator makes an organisation's service account here (for Power BI or a force's
own systems) and its read-only tokens, each shown once on the page the action answers with.
Every token can be revoked here. Changes go through accounts.api_token_services, which
audits them; nothing is deleted."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts import api_token_services
from accounts.api_tokens import ApiToken, ServiceAccount
from accounts.models import User
from tracker.admin_audit import AuditedAdmin


def _user(request: HttpRequest) -> User:
    """The administrator (the admin site lets no one else in)."""
    return cast(User, request.user)


class ServiceAccountForm(forms.ModelForm):
    class Meta:
        model = ServiceAccount
        fields = ["organisation", "name", "description"]


@admin.register(ServiceAccount)
class ServiceAccountAdmin(AuditedAdmin):
    """Adding goes through the service (the account, its reader role, its audit row);
    changing a name or description is audited by AuditedAdmin; nothing is deleted."""

    list_display = ["name", "organisation", "user", "created_at", "created_by"]
    list_select_related = ["organisation", "user", "created_by"]
    search_fields = ["name", "organisation__name"]
    form = ServiceAccountForm
    actions = ["make_token"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["organisation", "user", "created_at", "created_by"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ServiceAccount, form: Any, change: bool
    ) -> None:
        if change:
            ServiceAccount.objects.filter(pk=obj.pk).update(
                name=obj.name, description=obj.description
            )
            return
        account = api_token_services.service_account_create(
            organisation=form.cleaned_data["organisation"],
            name=form.cleaned_data["name"],
            description=form.cleaned_data.get("description") or "",
            by=_user(request),
        )
        obj.pk = account.pk
        obj.user = account.user
        obj.created_at = account.created_at

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
        # A new account's audit row is the service's.

    @admin.action(description="Make a read-only token for each selected service account")
    def make_token(self, request: HttpRequest, queryset: QuerySet[ServiceAccount]) -> Any:
        made = []
        for account in queryset.select_related("user"):
            try:
                token, raw = api_token_services.token_create(
                    user=account.user,
                    by=_user(request),
                    name=f"{account.name} token",
                    scope=ApiToken.Scope.READ,
                    expires_on=None,
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return None
            made.append((account, token, raw))
        # Shown once, on this page only: never put in a message (which the session keeps).
        return TemplateResponse(
            request,
            "accounts/api_tokens/admin_created.html",
            {**self.admin_site.each_context(request), "made": made, "title": "New tokens"},
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "scope",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__email"]
    actions = ["revoke"]
    readonly_fields = [
        "user",
        "name",
        "scope",
        "prefix",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["token_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people make their own; service accounts' come from their action

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> HttpResponse | None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_services.token_revoke(token=token, by=_user(request))
            count += 1
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)
        return None
