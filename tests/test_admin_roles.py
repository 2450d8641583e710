"""The admin's person page keeps the People page's rules: roles go with the person's
organisation (a force's staff cannot be made national readers), and saving a person
unchanged changes nothing and records no field changes."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts.models import Organisation, Role, User
from tests.factories import make_org
from tracker.models import AuditEvent


class _FormFields(HTMLParser):
    """The values a browser would send from the admin's change form, as the page shows them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(
                a.get("value") or ("on" if kind == "checkbox" else "")
            )
        elif tag == "select" and name and "disabled" not in a:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_as_shown(client, url) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    data = {k: v for k, v in parser.data.items() if not k.startswith("role_assignments-__prefix__")}
    data.pop("csrfmiddlewaretoken", None)
    return data


def _change_url(person) -> str:
    return reverse("admin:accounts_user_change", args=[person.pk])


# Roles and organisations ----------------------------------------------------------------------


def test_the_admin_refuses_to_make_force_staff_a_national_reader(admin_client, world):
    person = world.colleague  # West Midlands Police, force staff
    url = _change_url(person)
    data = form_as_shown(admin_client, url)
    data["role_assignments-1-role"] = [Role.NATIONAL_READER]  # the empty extra row
    events_before = AuditEvent.objects.filter(object_type="accounts.User").count()

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form again, with the error
    page = response.content.decode()
    assert "A national reader must belong to the inspectorate or a government department." in page
    assert "West Midlands Police is a police force: change their organisation or their roles." in (
        page
    )
    person = User.objects.get(pk=person.pk)
    assert person.roles == {Role.FORCE_STAFF}
    assert person.organisation == world.wmp
    assert AuditEvent.objects.filter(object_type="accounts.User").count() == events_before


def test_the_admin_refuses_to_move_a_national_reader_into_a_force(admin_client, world):
    hmicfrs = make_org("HMICFRS inspectors", Organisation.Kind.INSPECTORATE)
    reader = User.objects.get(pk=world.reader.pk)
    reader.organisation = hmicfrs
    reader.save()
    url = _change_url(reader)
    data = form_as_shown(admin_client, url)
    data["organisation"] = [str(world.wmp.pk)]

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "A national reader must belong to the inspectorate" in response.content.decode()
    assert User.objects.get(pk=reader.pk).organisation == hmicfrs


def test_the_admin_refuses_a_force_role_for_someone_without_a_force(admin_client, world):
    person = world.colleague
    url = _change_url(person)
    data = form_as_shown(admin_client, url)
    data["organisation"] = [""]

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert (
        "Force staff must belong to a police force or a fire and rescue service."
        in response.content.decode()
    )
    assert User.objects.get(pk=person.pk).organisation == world.wmp


def test_the_admin_refuses_a_new_person_with_a_role_their_organisation_does_not_have(
    admin_client, world
):
    url = reverse("admin:accounts_user_add")
    data = form_as_shown(admin_client, url)
    data.update(
        {
            "email": ["new.reader@wmp.example"],
            "full_name": ["New Reader"],
            "organisation": [str(world.wmp.pk)],
            "password1": ["a long enough password 1"],
            "password2": ["a long enough password 1"],
            "role_assignments-0-role": [Role.NATIONAL_READER],
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "A national reader must belong to the inspectorate" in response.content.decode()
    assert not User.objects.filter(email="new.reader@wmp.example").exists()
    data["role_assignments-0-role"] = [Role.FORCE_STAFF]  # the same form, a role that fits
    assert admin_client.post(url, data).status_code == 302
    assert User.objects.get(email="new.reader@wmp.example").roles == {Role.FORCE_STAFF}


def test_the_admin_accepts_roles_that_go_with_the_organisation(admin_client, world):
    person = world.colleague
    url = _change_url(person)
    data = form_as_shown(admin_client, url)
    data["role_assignments-1-role"] = [Role.FORCE_COORDINATOR]

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=person.pk).roles == {Role.FORCE_STAFF, Role.FORCE_COORDINATOR}


def test_administrators_may_belong_to_any_organisation_or_none(admin_client, world):
    person = world.colleague
    url = _change_url(person)
    data = form_as_shown(admin_client, url)
    data["role_assignments-0-DELETE"] = ["on"]
    data["role_assignments-1-role"] = [Role.ADMINISTRATOR]
    data["organisation"] = [""]

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    person = User.objects.get(pk=person.pk)
    assert person.roles == {Role.ADMINISTRATOR}
    assert person.organisation is None


# Saving unchanged -----------------------------------------------------------------------------


def test_saving_a_person_unchanged_records_no_field_changes(admin_client, world):
    person = User.objects.get(pk=world.colleague.pk)
    assert person.date_joined.microsecond  # as timezone.now() gave it; the page shows seconds
    url = _change_url(person)

    response = admin_client.post(url, form_as_shown(admin_client, url))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert (
        not AuditEvent.objects.filter(object_type="accounts.User", actor__isnull=False)
        .filter(note__startswith="Edited in the admin")
        .exists()
    )
    assert User.objects.get(pk=person.pk).date_joined == person.date_joined  # not truncated


def test_a_real_change_is_recorded_alone(admin_client, world):
    person = User.objects.get(pk=world.colleague.pk)
    url = _change_url(person)
    data = form_as_shown(admin_client, url)
    data["job_title"] = ["Inspector"]

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.filter(object_type="accounts.User").latest("at")
    assert event.changes == {"job_title": ["", "Inspector"]}


# One rule for both pages ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", [None, *Organisation.Kind], ids=str)
def test_the_admin_and_the_people_page_refuse_the_same_roles(world, kind):
    """Every role with every kind of organisation (and none): the admin's role formset and
    the People page's service accept and refuse exactly the same."""
    from django.forms import inlineformset_factory

    from accounts import services
    from accounts.admin import RoleFormSet
    from accounts.models import RoleAssignment

    admin = User.objects.create_superuser("root@example.org", "x" * 16, full_name="Root")
    org = make_org(f"An organisation of kind {kind}", kind) if kind else None
    formset_class = inlineformset_factory(
        User, RoleAssignment, formset=RoleFormSet, fields=["role"], extra=1
    )
    refused = set()
    for n, role in enumerate(Role):
        formset = formset_class(
            {
                "role_assignments-TOTAL_FORMS": "1",
                "role_assignments-INITIAL_FORMS": "0",
                "role_assignments-0-role": role,
            },
            instance=User(organisation=org),
        )
        refusal = None
        try:
            with transaction.atomic():
                services.person_create(
                    by=admin,
                    email=f"person{n}@example.org",
                    full_name="A Person",
                    organisation=org,
                    roles={role},
                )
                transaction.set_rollback(True)
        except ValidationError as exc:
            refusal = exc.message_dict
        assert refusal is None or set(refusal) == {"roles"}
        assert formset.is_valid() == (refusal is None), (role, kind)
        if refusal:
            refused.add(role)
    # Not a vacuous agreement: each kind refuses some roles, and none refuses administrators.
    assert refused
    assert Role.ADMINISTRATOR not in refused


def test_every_kind_of_organisation_has_words_for_the_refusal():
    from accounts import role_rules

    assert set(role_rules.KIND_PHRASE) == set(Organisation.Kind)
