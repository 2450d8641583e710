"""Admin for SCIM tokens (issue 15): an administrator makes one for an organisation (the
token is shown once, on the page after saving, and only its hash is kept), sees when each
was last used, and revokes one (it stops working at once). Tokens are never edited or
deleted: a revoked one stays, so the audit trail can name it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template import engines

from accounts.models import Role
from accounts.scim import tokens
from accounts.scim_models import ScimIdentity, ScimToken
from tracker import policy

SHOWN_ONCE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}
{% block content %}
<h1>SCIM token “{{ token.name }}” for {{ token.organisation }}</h1>
<p>Copy this token into the provisioning service (Entra ID: <em>Secret Token</em>) now.
It is not shown again: only its hash is kept. If it is lost, make a new one and revoke this.</p>
<p>The token (copy all of it):</p>
<pre><code id="scim-token">{{ secret }}</code></pre>
<p>It adds only people whose address is in: {{ token.domain_list|join:", " }}.</p>
<p>Tenant URL: <code>{{ tenant_url }}</code></p>
<p><a href="{{ back }}">Back to SCIM tokens</a></p>
{% endblock %}"""
)


class ScimTokenForm(forms.ModelForm):
    default_role = forms.ChoiceField(
        choices=[(r.value, r.label) for r in Role if policy.scim_may_give_role(r)],
        help_text=ScimToken._meta.get_field("default_role").help_text,
    )
    email_domains = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="One a line (or separated by spaces): the domains of the organisation's "
        "people's addresses, e.g. westmidlands.police.uk. The service can add only people "
        "whose address is in one of them. A token's domains are fixed: for others, make a new "
        "token and revoke this one.",
    )

    class Meta:
        model = ScimToken
        fields = ["organisation", "name", "default_role", "email_domains"]

    def clean(self) -> dict:
        data = super().clean() or {}
        try:
            tokens.scim_token_check(
                organisation=data.get("organisation"),
                name=data.get("name") or "",
                default_role=data.get("default_role") or "",
                email_domains=data.get("email_domains") or "",
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    if field in self.fields and field not in self.errors:
                        self.add_error(field, error)
        return data


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    form = ScimTokenForm
    list_display = [
        "name",
        "organisation",
        "prefix",
        "default_role",
        "email_domains",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    actions = ["revoke"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_scim_tokens(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return policy.can_manage_scim_tokens(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_scim_tokens(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None and policy.can_manage_scim_tokens(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        if obj is None:
            return ("organisation", "name", "default_role", "email_domains")
        return ("organisation", "name", "default_role", "email_domains", *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if obj is None:
            return []
        return ["organisation", "name", "default_role", "email_domains", *self.readonly_fields]

    def save_model(self, request, obj, form, change) -> None:
        token, secret = tokens.scim_token_create(
            by=request.user,
            organisation=form.cleaned_data["organisation"],
            name=form.cleaned_data["name"],
            default_role=form.cleaned_data["default_role"],
            email_domains=form.cleaned_data["email_domains"],
        )
        obj.pk = token.pk
        obj.__dict__.update(
            {f.attname: getattr(token, f.attname) for f in token._meta.concrete_fields}
        )
        request._scim_secret = secret

    def response_add(self, request, obj, post_url_continue=None) -> HttpResponse:
        secret = getattr(request, "_scim_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "token": obj,
            "secret": secret,
            "tenant_url": request.build_absolute_uri("/scim/v2"),
            "back": "../",
            "title": "SCIM token made",
        }
        response = HttpResponse(SHOWN_ONCE.render(context, request))
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected SCIM tokens")
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            tokens.scim_token_revoke(by=request.user, token=token)
        messages.success(request, f"Revoked {queryset.count()} SCIM token(s): they no longer work.")


@admin.register(ScimIdentity)
class ScimIdentityAdmin(admin.ModelAdmin):
    """What the provisioning services call each person (read only)."""

    list_display = ["user", "organisation", "external_id", "updated_at"]
    list_filter = ["organisation"]
    search_fields = ["user__email", "external_id"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_manage_scim_tokens(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return policy.can_manage_scim_tokens(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
