"""Administrators manage people: list, add, change, deactivate (handing items over), reactivate.

Personas from tests.factories.World (force staff, a colleague, the coordinator, the PCC office,
another force, a national reader) and an administrator.
"""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts import role_rules, services
from accounts.models import Organisation, Role, User
from tests.factories import PASSWORD, World, make_finding, make_item, make_user
from tracker import services as tracker_services
from tracker.models import AuditEvent, Notification, Status, TrackedItem


@pytest.fixture
def admin(world):
    return World.admin()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _signs_in(client, email, password) -> bool:
    client.post(reverse("accounts:sign_in"), {"username": email, "password": password})
    return "_auth_user_id" in client.session


def _url(name, world):
    return reverse(f"accounts:{name}", args=[world.owner.pk] if name.startswith("person_") else [])


PAGES = [
    "people",
    "person_detail",
    "person_edit",
    "person_deactivate",
    "person_reactivate",
]


# Who may use the pages --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "coordinator", "pcc", "reader", "outsider"])
@pytest.mark.parametrize("name", [*PAGES, "person_add"])
def test_everyone_but_administrators_gets_403(client, world, persona, name):
    client.force_login(getattr(world, persona))
    url = reverse(f"accounts:{name}", args=[] if name in ("people", "person_add") else [1])
    assert client.get(url).status_code == 403
    if name not in ("people", "person_detail"):  # GET only: 405 for POST
        assert client.post(url, {"full_name": "Taken over"}).status_code == 403


def test_a_forged_deactivation_by_a_coordinator_changes_nothing(client, world):
    client.force_login(world.coordinator)
    response = client.post(reverse("accounts:person_deactivate", args=[world.owner.pk]))
    assert response.status_code == 403
    world.owner.refresh_from_db()
    assert world.owner.is_active


@pytest.mark.parametrize("name", [*PAGES, "person_add", "person_send_password_link"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, world, name):
    url = reverse(f"accounts:{name}", args=[] if name in ("people", "person_add") else [1])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_an_administrator_sees_each_page(admin_client, world):
    world.owner.is_active = False
    world.owner.save()
    for name in PAGES:
        response = admin_client.get(_url(name, world), follow=True)
        assert response.status_code == 200, name
    assert admin_client.get(reverse("accounts:person_add")).status_code == 200


def test_a_person_who_does_not_exist_is_a_404_for_an_administrator(admin_client, world):
    assert admin_client.get(reverse("accounts:person_detail", args=[99999])).status_code == 404


def test_people_is_in_the_menu_for_administrators_only(client, admin_client, world):
    assert ">People<" in admin_client.get(reverse("accounts:people")).content.decode()
    client.force_login(world.coordinator)
    assert ">People<" not in client.get(reverse("tracker:item_list")).content.decode()


# The list -------------------------------------------------------------------------------------


def test_the_list_searches_and_filters(admin_client, world):
    response = admin_client.get(reverse("accounts:people"), {"q": "PRIYA"})
    assert list(response.context["page"].object_list) == [world.owner]
    response = admin_client.get(reverse("accounts:people"), {"role": Role.PCC_OFFICE})
    assert list(response.context["page"].object_list) == [world.pcc]
    response = admin_client.get(reverse("accounts:people"), {"organisation": world.staffs.pk})
    assert list(response.context["page"].object_list) == [world.outsider]
    world.colleague.is_active = False
    world.colleague.save()
    response = admin_client.get(reverse("accounts:people"), {"active": "no"})
    assert list(response.context["page"].object_list) == [world.colleague]


def test_a_filter_value_that_makes_no_sense_is_ignored_with_a_message(admin_client, world):
    response = admin_client.get(reverse("accounts:people"), {"role": "emperor"})
    assert response.status_code == 200
    assert "The filter “Role” was ignored" in response.content.decode()


def test_the_list_takes_the_same_queries_for_5_or_40_people(
    admin_client, world, django_assert_max_num_queries
):
    url = reverse("accounts:people")
    with django_assert_max_num_queries(12) as few:
        assert admin_client.get(url).status_code == 200
    for n in range(35):
        make_user(f"Person {n}", world.wmp, Role.FORCE_STAFF, Role.FORCE_COORDINATOR)
    with django_assert_max_num_queries(12) as many:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 42
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_list_counts_open_items_owned_and_led(admin_client, world):
    response = admin_client.get(reverse("accounts:people"), {"q": "priya"})
    [priya] = response.context["page"].object_list
    assert (priya.open_owned, priya.open_led) == (1, 0)


# Adding and changing people ----------------------------------------------------------------


def _person_data(world, **extra):
    return {
        "email": "jo.bloggs@example.org",
        "full_name": "Jo Bloggs",
        "job_title": "Analyst",
        "department": "Force Contact",
        "organisation": world.wmp.pk,
        "roles": [Role.FORCE_STAFF],
        **extra,
    }


def test_an_administrator_adds_a_person_who_sets_their_own_password(
    admin_client, admin, world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("accounts:person_add"), _person_data(world))
    jo = User.objects.get(email="jo.bloggs@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:person_detail", args=[jo.pk])
    assert not jo.has_usable_password()
    assert jo.roles == {Role.FORCE_STAFF}
    event = AuditEvent.objects.get(object_type="accounts.User", object_id=jo.email)
    assert event.actor == admin
    assert event.changes["roles"] == [None, ["force_staff"]]
    assert event.changes["organisation"] == [None, world.wmp.code]

    [email] = mail.outbox
    assert email.to == ["jo.bloggs@example.org"]
    link = re.search(r"http://\S+", email.body).group(0)
    assert link.startswith("http://127.0.0.1:8000/account/reset/")
    assert "the link works once, for 1 hour" in email.body
    path = link.removeprefix("http://127.0.0.1:8000")
    admin_client.logout()
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long new password 42", "new_password2": "a long new password 42"},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert _signs_in(client, "jo.bloggs@example.org", "a long new password 42")


def test_a_used_set_password_link_no_longer_works(client, world, admin):
    link = services.set_password_link(world.owner)
    world.owner.set_password("another password entirely")
    world.owner.save()
    response = client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    assert "This link does not work" in response.content.decode()


def test_an_email_in_use_in_another_case_is_refused(admin_client, world):
    response = admin_client.post(
        reverse("accounts:person_add"), _person_data(world, email="PRIYA.Shah@Example.org")
    )
    assert response.status_code == 400
    assert "Someone already uses this email address." in response.content.decode()
    assert User.objects.filter(email__iexact="priya.shah@example.org").count() == 1
    assert not mail.outbox


def test_a_role_that_does_not_go_with_the_organisation_is_refused(admin_client, world):
    response = admin_client.post(
        reverse("accounts:person_add"),
        _person_data(world, organisation=world.wm_pcc.pk, roles=[Role.FORCE_COORDINATOR]),
    )
    assert response.status_code == 400
    assert (
        "A force coordinator must belong to a police force or a fire and rescue service."
        in response.content.decode()
    )
    response = admin_client.post(
        reverse("accounts:person_add"),
        _person_data(world, roles=[Role.NATIONAL_READER]),
    )
    assert "A national reader must belong to the inspectorate" in response.content.decode()
    assert not User.objects.filter(email="jo.bloggs@example.org").exists()


def test_an_empty_name_and_no_role_are_refused(admin_client, world):
    response = admin_client.post(
        reverse("accounts:person_add"), _person_data(world, full_name="   ", roles=[])
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter their full name" in page
    assert "Select at least one role" in page
    assert 'href="#id_roles_0"' in page  # the error summary links to the first checkbox


def test_an_administrator_may_hold_no_organisation(admin, world):
    person = services.person_create(
        by=admin,
        email="ops@example.org",
        full_name="Ops",
        organisation=None,
        roles={Role.ADMINISTRATOR},
    )
    assert person.roles == {Role.ADMINISTRATOR}


def test_an_edit_is_saved_and_audited_with_before_and_after(admin_client, admin, world):
    response = admin_client.post(
        reverse("accounts:person_edit", args=[world.colleague.pk]),
        {
            "full_name": "Tom Ellis-Grant",
            "job_title": "DS",
            "department": "",
            "organisation": world.wmp.pk,
            "roles": [Role.FORCE_STAFF, Role.FORCE_COORDINATOR],
        },
    )
    assert response.status_code == 302
    tom = User.objects.get(pk=world.colleague.pk)
    assert tom.full_name == "Tom Ellis-Grant"
    assert tom.roles == {Role.FORCE_STAFF, Role.FORCE_COORDINATOR}
    event = AuditEvent.objects.filter(object_id=tom.email).latest("id")
    assert event.actor == admin
    assert event.changes["full_name"] == ["Tom Ellis", "Tom Ellis-Grant"]
    assert event.changes["roles"] == [["force_staff"], ["force_coordinator", "force_staff"]]
    detail = admin_client.get(reverse("accounts:person_detail", args=[tom.pk])).content.decode()
    assert "Force staff → Force coordinator, Force staff" in detail


def test_moving_someone_who_owns_open_items_to_another_force_is_refused(admin, world):
    with pytest.raises(ValidationError) as exc:
        services.person_update(
            by=admin,
            person=world.owner,
            full_name="Priya Shah",
            organisation=world.staffs,
            roles={Role.FORCE_STAFF},
        )
    assert "owns or leads 1 open item of West Midlands Police" in str(exc.value)
    world.owner.refresh_from_db()
    assert world.owner.organisation == world.wmp


def test_you_cannot_remove_your_own_administrator_role(admin, world):
    with pytest.raises(ValidationError, match="your own administrator role"):
        services.person_update(
            by=admin,
            person=admin,
            full_name="Alex",
            organisation=world.report.inspectorate,
            roles={Role.NATIONAL_READER},
        )
    assert User.objects.get(pk=admin.pk).has_role(Role.ADMINISTRATOR)


def test_names_are_shown_as_text_not_html(admin_client, admin, world):
    payload = '<script>alert("x")</script><b>Bold</b>'
    person = services.person_create(
        by=admin,
        email="x@example.org",
        full_name=payload,
        job_title=payload,
        organisation=world.wmp,
        roles={Role.FORCE_STAFF},
    )
    for url in (
        reverse("accounts:people"),
        reverse("accounts:person_detail", args=[person.pk]),
        reverse("accounts:person_edit", args=[person.pk]),
        reverse("accounts:person_deactivate", args=[person.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "<b>Bold" not in page, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, url


# Deactivating -------------------------------------------------------------------------------


@pytest.fixture
def more_items(world):
    """Priya leads one of Tom's items too, and owns one that is closed."""
    led = make_item(
        make_finding(world.report), world.wmp, owner=world.colleague, by=world.coordinator
    )
    tracker_services.item_assign(
        item=led, by=world.coordinator, owner=world.colleague, lead=world.owner
    )
    closed = make_item(
        make_finding(world.report), world.wmp, owner=world.owner, by=world.coordinator
    )
    tracker_services.closure_propose(item=closed, by=world.owner, summary="Done.")
    tracker_services.closure_decide(item=closed, by=world.coordinator, approve=True)
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
    return led, closed


def test_the_deactivate_page_lists_open_items_and_who_can_take_them(
    admin_client, world, more_items
):
    response = admin_client.get(reverse("accounts:person_deactivate", args=[world.owner.pk]))
    page = response.content.decode()
    assert world.item.finding.summary[:40] in page
    assert "Owner" in page
    assert "Accountable lead" in page
    choices = list(response.context["form"].fields["reassign_to"].queryset)
    assert choices == [world.coordinator, world.colleague]  # not Priya, not another force
    assert "Leave unassigned for the force coordinator" in page


def test_deactivating_hands_owned_and_led_open_items_to_the_chosen_person(
    admin_client, admin, world, more_items
):
    led, closed = more_items
    response = admin_client.post(
        reverse("accounts:person_deactivate", args=[world.owner.pk]),
        {"reassign_to": world.colleague.pk},
    )
    assert response.status_code == 302
    priya = User.objects.get(pk=world.owner.pk)
    assert not priya.is_active
    item = TrackedItem.objects.get(pk=world.item.pk)
    assert item.owner == world.colleague
    led.refresh_from_db()
    assert (led.owner, led.lead) == (world.colleague, world.colleague)
    closed.refresh_from_db()
    assert closed.owner == priya  # closed items keep their history as it was
    for changed, field in ((item, "owner"), (led, "lead")):
        event = AuditEvent.objects.filter(object_id=str(changed.uuid)).latest("id")
        assert event.actor == admin
        assert event.changes[field] == [priya.email, world.colleague.email]
        assert event.note == "Handed over: Priya Shah was deactivated"
    event = AuditEvent.objects.filter(object_id=priya.email).latest("id")
    assert event.changes == {"is_active": [True, False]}
    assert "2 open items handed to Tom Ellis" in event.note


def test_someone_from_another_force_is_refused_and_nothing_changes(admin_client, admin, world):
    response = admin_client.post(
        reverse("accounts:person_deactivate", args=[world.owner.pk]),
        {"reassign_to": world.outsider.pk},
    )
    assert response.status_code == 400
    assert "only active staff and coordinators of West Midlands Police" in response.content.decode()
    assert User.objects.get(pk=world.owner.pk).is_active
    assert TrackedItem.objects.get(pk=world.item.pk).owner == world.owner

    # and the service refuses it too, whatever the form allowed
    with pytest.raises(ValidationError, match="active member of staff or coordinator of West"):
        services.person_deactivate(by=admin, person=world.owner, reassign_to=world.outsider)
    with pytest.raises(ValidationError):
        services.person_deactivate(by=admin, person=world.owner, reassign_to=world.pcc)
    assert User.objects.get(pk=world.owner.pk).is_active
    assert TrackedItem.objects.get(pk=world.item.pk).owner == world.owner
    assert not AuditEvent.objects.filter(object_id=world.owner.email).exists()


def test_leaving_items_unassigned_tells_the_coordinators(admin_client, world, more_items):
    led, _ = more_items
    response = admin_client.post(
        reverse("accounts:person_deactivate", args=[world.owner.pk]), {"reassign_to": ""}
    )
    assert response.status_code == 302
    item = TrackedItem.objects.get(pk=world.item.pk)
    assert item.owner is None
    led.refresh_from_db()
    assert (led.owner, led.lead) == (world.colleague, None)
    notes = Notification.objects.filter(user=world.coordinator, subject__startswith="Choose a new")
    assert {n.url for n in notes} == {
        reverse("tracker:item_detail", args=[item.uuid]),
        reverse("tracker:item_detail", args=[led.uuid]),
    }
    assert {n.subject.split(":")[0] for n in notes} == {
        "Choose a new owner",
        "Choose a new accountable lead",
    }
    assert not Notification.objects.filter(user=world.colleague).exists()


def test_leaving_items_unassigned_needs_a_coordinator(admin, world):
    world.coordinator.is_active = False
    world.coordinator.save()
    with pytest.raises(ValidationError, match="no other active coordinator"):
        services.person_deactivate(by=admin, person=world.owner)
    assert User.objects.get(pk=world.owner.pk).is_active


def test_you_cannot_deactivate_yourself(admin_client, admin, world):
    page = admin_client.get(reverse("accounts:person_deactivate", args=[admin.pk]))
    assert "You cannot deactivate yourself" in page.content.decode()
    admin_client.post(reverse("accounts:person_deactivate", args=[admin.pk]))
    assert User.objects.get(pk=admin.pk).is_active
    with pytest.raises(ValidationError, match="cannot deactivate yourself"):
        services.person_deactivate(by=admin, person=admin)


def test_the_last_active_administrator_cannot_be_deactivated(admin, world):
    other = make_user("Bea Admin", None, Role.ADMINISTRATOR)
    services.person_deactivate(by=admin, person=other)
    # Bea's page was still open: she tries to deactivate Alex, the last one left
    with pytest.raises(ValidationError, match="last active administrator"):
        services.person_deactivate(by=other, person=admin)
    assert User.objects.get(pk=admin.pk).is_active


def test_deactivating_ends_their_sessions_and_they_cannot_sign_in(
    admin, world, client, django_user_model
):
    theirs, someone_elses = Client(), Client()
    theirs.force_login(world.owner)
    someone_elses.force_login(world.colleague)
    services.person_deactivate(by=admin, person=world.owner, reassign_to=world.colleague)
    live = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(world.owner.pk) not in live
    assert str(world.colleague.pk) in live
    response = theirs.get(reverse("tracker:my_items"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))

    assert not _signs_in(client, world.owner.email, PASSWORD)


def test_their_history_keeps_their_name(admin, world, client):
    tracker_services.item_add_update(
        item=world.item, author=world.owner, text="Started the review of the backlog."
    )
    services.person_deactivate(by=admin, person=world.owner, reassign_to=world.colleague)
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:item_detail", args=[world.item.uuid])).content.decode()
    assert "Started the review of the backlog." in page
    assert "by Priya Shah" in page


def test_reactivating_lets_them_sign_in_and_leaves_items_where_they_went(
    admin_client, admin, world, client
):
    services.person_deactivate(by=admin, person=world.owner, reassign_to=world.colleague)
    response = admin_client.post(reverse("accounts:person_reactivate", args=[world.owner.pk]))
    assert response.status_code == 302
    assert User.objects.get(pk=world.owner.pk).is_active
    assert TrackedItem.objects.get(pk=world.item.pk).owner == world.colleague
    event = AuditEvent.objects.filter(object_id=world.owner.email).latest("id")
    assert (event.actor, event.changes) == (admin, {"is_active": [False, True]})
    assert _signs_in(client, world.owner.email, PASSWORD)


def test_only_administrators_may_call_the_services(world):
    with pytest.raises(ValidationError, match="Only an administrator"):
        services.person_deactivate(by=world.coordinator, person=world.owner)
    with pytest.raises(ValidationError, match="Only an administrator"):
        services.person_create(
            by=world.coordinator,
            email="a@example.org",
            full_name="A",
            organisation=world.wmp,
            roles={Role.FORCE_STAFF},
        )


# The admin site -------------------------------------------------------------------------------


def test_the_admin_cannot_switch_someone_off_without_the_hand_over(admin_client, world):
    url = reverse("admin:accounts_user_change", args=[world.owner.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="is_active"' not in page
    assert "use People in the tracker" in page


def test_kinds_of_organisation_are_all_covered():
    assert set(role_rules.ROLE_ORGANISATIONS) == set(Role)
    assert {k for kinds in role_rules.ROLE_ORGANISATIONS.values() if kinds for k in kinds} == set(
        Organisation.Kind
    )


def test_an_administrator_can_email_a_new_set_password_link(
    admin_client, world, django_capture_on_commit_callbacks
):
    url = reverse("accounts:person_send_password_link", args=[world.owner.pk])
    assert admin_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == [world.owner.email]
    assert "/account/reset/" in email.body


def test_the_history_names_the_organisation(admin_client, admin, world):
    services.person_update(
        by=admin,
        person=world.pcc,
        full_name="Daniel Hughes",
        organisation=world.staffs_pcc,
        roles={Role.PCC_OFFICE},
    )
    page = admin_client.get(reverse("accounts:person_detail", args=[world.pcc.pk]))
    assert (
        "Organisation: West Midlands Police and Crime Commissioner → "
        "Staffordshire Police and Crime Commissioner" in page.content.decode()
    )
