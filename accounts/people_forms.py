"""Forms for the administrators' people pages. They check the shape of what was typed; the
rules (roles that go with the organisation, an address nobody else uses, who may take over
items) are the services', whose errors are shown against these fields."""

from typing import cast

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import role_rules
from accounts.models import Organisation, Role, User


class OrganisationChoiceField(forms.ModelChoiceField):
    not_in_office: set[int] = set()  # ids of policing bodies not in office today

    def label_from_instance(self, obj) -> str:
        kind = obj.get_kind_display().lower()
        if obj.pk in self.not_in_office:
            kind = gettext("%(kind)s, not in office today") % {"kind": kind}
        return f"{obj.name} ({kind})"


class PersonForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("They sign in with it, and we email them a link to set their password."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Enter their email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages={
            "required": _("Enter their full name"),
            "max_length": _("Full name must be 200 characters or fewer"),
        },
    )
    job_title = forms.CharField(
        label=_("Job title (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Job title must be 200 characters or fewer")},
    )
    department = forms.CharField(
        label=_("Department or team (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example, Force Contact."),
        error_messages={"max_length": _("Department must be 200 characters or fewer")},
    )
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("No organisation (administrators only)"),
        error_messages={"invalid_choice": _("Choose an organisation from the list")},
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        help_text=_(
            "Force staff and coordinators belong to a force, the PCC office to a local policing "
            "body, national readers to the inspectorate or a government department."
        ),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one role"),
            "invalid_choice": _("Choose roles from the list"),
        },
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["email"]  # how the audit trail names them; not changed here
        # New roles only in bodies in office today (accounts.role_rules): a new person is
        # offered none of the others; someone being edited keeps theirs (and the service
        # refuses a role given anew there).
        today = timezone.localdate()
        field = cast(OrganisationChoiceField, self.fields["organisation"])  # declared above
        if editing:
            field.not_in_office = role_rules.bodies_not_in_office(today)
        else:
            field.queryset = role_rules.organisations_for_new_roles(today)
            field.error_messages["invalid_choice"] = _(
                "Choose an organisation from the list: a local policing body no longer in "
                "office cannot be chosen for someone new"
            )


class DeactivateForm(forms.Form):
    reassign_to = forms.ModelChoiceField(
        label=_("Who should take over their open items?"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Leave unassigned for the force coordinator"),
        help_text=_(
            "Active staff and coordinators of the same force. If you leave them unassigned, "
            "the force's coordinators are told and choose someone."
        ),
    )

    def __init__(self, *args, successors, force=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["reassign_to"])  # declared above
        field.queryset = successors
        field.error_messages["invalid_choice"] = gettext(
            "Choose someone from the list: only active staff and coordinators of "
            "%(force)s can take these items"
        ) % {"force": force or gettext("the same force")}


class PeopleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search name or email"), method="search", max_length=200)
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.order_by("name"),
        label=_("Organisation"),
        empty_label=_("Any organisation"),
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices,
        label=_("Role"),
        empty_label=_("Any role"),
        method="filter_role",
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("yes", _("Active")), ("no", _("Deactivated"))],
        empty_label=_("Active and deactivated"),
        method="filter_active",
    )

    class Meta:
        model = User
        fields = ["q", "organisation", "role", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("organisation", "role", "active"):
            self.form.fields[name].error_messages["invalid_choice"] = _(
                "That is not one of the choices"
            )

    def search(self, queryset, name, value) -> QuerySet[User]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))

    def filter_role(self, queryset, name, value) -> QuerySet[User]:
        return queryset.with_role(value)

    def filter_active(self, queryset, name, value) -> QuerySet[User]:
        return queryset.filter(is_active=value == "yes")
