from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from accounts.models import (
    Organisation,
    PolicingBodyTerm,
    ProtectiveMarking,
    RoleAssignment,
    User,
)
from accounts.role_rules import role_organisation_problems, where_they_belong
from accounts.two_factor import device_of, two_factor_disable
from tracker.admin_audit import AuditedAdmin


@admin.register(ProtectiveMarking)
class ProtectiveMarkingAdmin(AuditedAdmin):
    """The list of protective markings (issue 21). One in use cannot be deleted: mark it
    inactive instead, and it is no longer offered but stays where it was set."""

    list_display = ["label", "rank", "active", "description"]
    list_filter = ["active"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind", "code", "default_marking"]
    list_select_related = ["default_marking"]
    list_filter = ["kind", "default_marking"]
    search_fields = ["name", "code"]


@admin.register(PolicingBodyTerm)
class PolicingBodyTermAdmin(AuditedAdmin):
    list_display = ["force", "body", "starts_on", "ends_on"]
    list_select_related = ["force", "body"]
    search_fields = ["force__name", "body__name"]


class RoleFormSet(BaseInlineFormSet):
    """The roles a person will hold must go with the organisation they will belong to: the
    People pages' rule (accounts.role_rules). The admin validates the person's form first and
    gives this formset the person as changed there, so a change of organisation alone is
    checked against the roles they keep, and nothing is saved when it is refused."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # a row's own error first
        roles = {
            form.cleaned_data["role"]
            for form in self.forms
            if form.cleaned_data.get("role") and not form.cleaned_data.get("DELETE")
        }
        organisation = self.instance.organisation
        # Roles they already hold in the same organisation are kept; a role given anew
        # needs a policing body in office today (accounts.role_rules).
        held: set[str] = set()
        if self.instance.pk and organisation is not None:
            saved = User.objects.filter(pk=self.instance.pk, organisation=organisation)
            held = set(RoleAssignment.objects.filter(user__in=saved).values_list("role", flat=True))
        problems = role_organisation_problems(
            roles, organisation, today=timezone.localdate(), held=held
        )
        if problems:
            raise ValidationError(
                [
                    *problems,
                    f"{where_they_belong(organisation)}: change their organisation or their roles.",
                ]
            )


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    formset = RoleFormSet
    extra = 1
    can_delete = True


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    """People are switched off (active: no), never deleted, so their history keeps a name."""

    ordering = ["full_name"]
    list_display = ["full_name", "email", "organisation", "is_active"]
    list_select_related = ["organisation"]
    list_filter = ["is_active", "organisation__kind", "role_assignments__role"]
    search_fields = ["full_name", "email"]
    inlines = [RoleInline]
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor authentication (lost phone)")
    def reset_two_factor(self, request, queryset) -> None:
        """Audited on each person; they set it up again when they next sign in."""
        done = 0
        for person in queryset:
            if device_of(person) is not None:
                two_factor_disable(user=person, by=request.user)
                done += 1
        self.message_user(
            request,
            f"Two-factor authentication reset for {done} "
            f"{'person' if done == 1 else 'people'}. They set it up again when they next sign in.",
        )

    # Deactivating someone must hand their open items over (accounts.services.person_deactivate),
    # so it is done on the People pages, not by unticking a box here.
    readonly_fields = ["is_active"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title", "department", "organisation"]}),
        (
            "Access",
            {
                "fields": ["is_active", "is_staff", "is_superuser"],
                "description": (
                    "To deactivate or reactivate someone, use People in the tracker "
                    "(/account/people/): it hands their open items over and ends their sessions."
                ),
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "organisation", "password1", "password2"],
            },
        ),
    ]


# The estate integrations' admin pages (issue 15), each in its own module.
import accounts.api_token_admin  # noqa: E402, F401
import accounts.oidc_admin  # noqa: E402, F401
import accounts.scim.admin  # noqa: E402, F401
