import datetime

from accounts.models import PolicingBodyTerm, Role
from tests.factories import make_org, make_user
from tracker import policy

TODAY = datetime.date(2026, 11, 22)


def test_force_staff_see_only_their_force(world):
    assert policy.visible_force_ids(world.owner, TODAY) == {world.wmp.id}
    assert policy.visible_force_ids(world.outsider, TODAY) == {world.staffs.id}


def test_the_pcc_office_sees_the_force_it_is_currently_the_body_for(world):
    assert policy.visible_force_ids(world.pcc, TODAY) == {world.wmp.id}


def test_a_body_whose_term_has_ended_sees_nothing(world):
    mayor = make_org("West Midlands Mayor", kind="local_policing_body")
    PolicingBodyTerm.objects.filter(body=world.wm_pcc).update(ends_on=datetime.date(2026, 5, 6))
    PolicingBodyTerm.objects.create(
        force=world.wmp, body=mayor, starts_on=datetime.date(2026, 5, 7)
    )
    mayor_office = make_user("Mayor Staff", mayor, Role.PCC_OFFICE)

    assert policy.visible_force_ids(world.pcc, TODAY) == set()
    assert policy.visible_force_ids(world.pcc, datetime.date(2026, 5, 6)) == {world.wmp.id}
    assert policy.visible_force_ids(mayor_office, TODAY) == {world.wmp.id}


def test_national_readers_see_every_force(world):
    assert policy.visible_force_ids(world.reader, TODAY) is policy.ALL_FORCES


def test_a_person_without_a_role_sees_nothing(world):
    nobody = make_user("No Role", world.wmp)
    assert policy.visible_force_ids(nobody, TODAY) == set()


def test_a_pcc_office_role_in_a_force_grants_nothing(world):
    odd = make_user("Odd Mix", world.wmp, Role.PCC_OFFICE)
    assert policy.visible_force_ids(odd, TODAY) == set()


def test_only_the_owner_and_coordinator_work_on_an_item(world):
    assert policy.can_work_on(world.owner, world.item)
    assert policy.can_work_on(world.coordinator, world.item)
    assert not policy.can_work_on(world.colleague, world.item)
    assert not policy.can_work_on(world.pcc, world.item)
    assert not policy.can_work_on(world.reader, world.item)
    assert not policy.can_work_on(world.outsider, world.item)


def test_an_owner_who_moved_force_can_no_longer_work_on_the_item(world):
    world.owner.organisation = world.staffs
    world.owner.save()
    assert not policy.can_work_on(world.owner, world.item)
