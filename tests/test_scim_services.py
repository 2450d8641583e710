"""accounts.services with a SystemActor (a SCIM token) in place of an administrator: it
manages only its own organisation's people, and what it does is audited under its name."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Role, User
from tracker.models import AuditEvent, OutboxMessage


def actor_of(organisation):
    return services.SystemActor(
        label=f"SCIM token Test of {organisation}", organisation_id=organisation.pk
    )


def test_a_system_actor_cannot_reach_another_organisations_people(world):
    wmp = actor_of(world.wmp)
    megan = world.outsider  # Staffordshire
    with pytest.raises(ValidationError, match="only the people of its organisation"):
        services.person_deactivate(by=wmp, person=megan)
    with pytest.raises(ValidationError, match="only the people of its organisation"):
        services.person_update(
            by=wmp,
            person=megan,
            full_name="X",
            organisation=megan.organisation,
            roles=[Role.FORCE_STAFF],
        )
    with pytest.raises(ValidationError, match="only the people of its organisation"):
        services.person_update(
            by=wmp,
            person=world.colleague,
            full_name="Tom Ellis",
            organisation=world.staffs,  # moving someone out is not its to do either
            roles=[Role.FORCE_STAFF],
        )
    with pytest.raises(ValidationError, match="only the people of its organisation"):
        services.person_create(
            by=wmp,
            email="new@example.org",
            full_name="New",
            organisation=world.staffs,
            roles=[Role.FORCE_STAFF],
        )
    assert User.objects.get(pk=megan.pk).is_active
    assert not User.objects.filter(email="new@example.org").exists()


def test_a_system_actor_deactivates_with_the_same_hand_over_audited_under_its_name(world):
    items = services.person_deactivate(by=actor_of(world.wmp), person=world.owner)
    assert [i.pk for i in items] == [world.item.pk]
    event = AuditEvent.objects.get(object_id=world.owner.email, changes__has_key="is_active")
    assert event.actor is None
    assert event.note == (
        "SCIM token Test of West Midlands Police: Deactivated; 1 open item left for the "
        "coordinator; 0 sessions ended"
    )


def test_a_system_actor_adds_people_without_a_password_email(world):
    person = services.person_create(
        by=actor_of(world.wmp),
        email="Jo@WMP.example",
        full_name="Jo Bloggs",
        organisation=world.wmp,
        roles=[Role.FORCE_STAFF],
    )
    assert person.email == "jo@wmp.example"
    emails = OutboxMessage.objects.filter(task_name=services.SEND_SET_PASSWORD_EMAIL)
    assert not emails.exists()
    services.person_create(
        by=User.objects.create_superuser("a@example.org", "x" * 16, full_name="Ann Admin"),
        email="kim@wmp.example",
        full_name="Kim",
        organisation=world.wmp,
        roles=[Role.FORCE_STAFF],
    )
    assert emails.count() == 1  # an administrator's addition is emailed, as before
    made = AuditEvent.objects.get(object_id=person.email)
    assert made.note == "Added by SCIM token Test of West Midlands Police"
