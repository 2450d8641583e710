"""Coordinators and the PCC office: landing page, decisions waiting, assigning owners."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import make_finding, make_item, make_user
from tracker import selectors, services
from tracker.models import AuditEvent, TrackedItem


def url(name, item):
    return reverse(f"tracker:{name}", kwargs={"uuid": item.uuid})


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner", "tracker:my_items"),
        ("coordinator", "tracker:item_list"),
        ("pcc", "tracker:response_list"),
        ("reader", "tracker:dashboard"),
    ],
)
def test_each_role_lands_where_its_work_is(client, world, persona, expected):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("tracker:home"))["Location"] == reverse(expected)


def test_a_coordinator_who_owns_an_item_still_lands_on_all_items(client, world):
    services.item_assign(item=world.item, by=world.coordinator, owner=world.coordinator)
    client.force_login(world.coordinator)
    assert client.get(reverse("tracker:home"))["Location"] == reverse("tracker:item_list")


def test_deciders_see_how_many_closures_wait_for_them(client, world):
    services.closure_propose(item=world.item, by=world.owner, summary="Done")
    for persona in ("coordinator", "pcc"):
        client.force_login(getattr(world, persona))
        page = client.get(reverse("tracker:item_list")).content.decode()
        assert "1 closure proposal waiting for a decision" in page
    client.force_login(world.owner)
    page = client.get(reverse("tracker:my_items")).content.decode()
    assert "waiting for a decision" not in page


def test_the_owner_sees_why_a_closure_was_returned(client, world):
    services.closure_propose(item=world.item, by=world.owner, summary="Done")
    services.closure_decide(
        item=world.item, by=world.pcc, approve=False, reason="Show the audit results"
    )
    client.force_login(world.owner)
    page = client.get(url("item_detail", world.item)).content.decode()
    assert "Closure returned" in page
    assert "Show the audit results" in page


def test_a_colleague_is_told_who_can_change_the_item(client, world):
    client.force_login(world.colleague)
    page = client.get(url("item_detail", world.item)).content.decode()
    assert "Only the owner, Priya Shah, and the West Midlands Police force coordinator" in page


class TestAssign:
    def test_the_coordinator_changes_owner_and_lead(self, client, world):
        client.force_login(world.coordinator)
        response = client.post(
            url("item_assign", world.item),
            {"owner": world.colleague.pk, "lead": world.coordinator.pk},
        )
        assert response.status_code == 302
        item = TrackedItem.objects.get(pk=world.item.pk)
        assert (item.owner, item.lead) == (world.colleague, world.coordinator)
        event = AuditEvent.objects.filter(object_id=str(item.uuid)).latest("at")
        assert event.changes["owner"] == [world.owner.email, world.colleague.email]
        page = client.get(url("item_detail", world.item)).content.decode()
        assert "Owner or lead changed" in page
        assert "Owner: Tom Ellis" in page

    def test_someone_from_another_force_cannot_be_chosen(self, client, world):
        client.force_login(world.coordinator)
        response = client.post(url("item_assign", world.item), {"owner": world.outsider.pk})
        assert response.status_code == 400
        assert "Choose someone from the list" in response.content.decode()
        assert TrackedItem.objects.get(pk=world.item.pk).owner == world.owner

    def test_the_owner_cannot_reassign(self, client, world):
        client.force_login(world.owner)
        response = client.post(url("item_assign", world.item), {"owner": world.colleague.pk})
        assert response.status_code == 403

    def test_a_switched_off_person_is_not_offered(self, client, world):
        leaver = make_user("Lee Ver", world.wmp, Role.FORCE_STAFF)
        leaver.is_active = False
        leaver.save()
        client.force_login(world.coordinator)
        page = client.get(url("item_assign", world.item)).content.decode()
        assert "Lee Ver" not in page
        assert "Tom Ellis" in page


def test_a_refused_due_date_is_shown_at_the_field(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        url("item_revise_due_date", world.item), {"new_date": "01/01/2017", "reason": "Typo"}
    )
    page = response.content.decode()
    assert 'id="id_new_date-error"' in page
    assert 'href="#id_new_date"' in page


def test_a_new_due_date_in_the_past_is_refused(client, world):
    client.force_login(world.coordinator)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        url("item_revise_due_date", world.item),
        {"new_date": yesterday.strftime("%d/%m/%Y"), "reason": "Late"},
    )
    assert response.status_code == 400
    assert "today or in the future" in response.content.decode()


def test_dates_can_be_written_in_words(client, world):
    client.force_login(world.coordinator)
    target = world.item.due_date + datetime.timedelta(days=40)
    response = client.post(
        url("item_revise_due_date", world.item),
        {"new_date": target.strftime("%-d %B %Y"), "reason": "Supplier"},
    )
    assert response.status_code == 302
    assert TrackedItem.objects.get(pk=world.item.pk).due_date == target


def test_sign_out_says_so(client, world):
    client.force_login(world.owner)
    response = client.post(reverse("accounts:sign_out"), follow=True)
    assert "You have signed out." in response.content.decode()


def test_the_demo_sign_in_page_lists_the_accounts(client, db, settings):
    settings.DEMO_MODE = True
    page = client.get(reverse("accounts:sign_in")).content.decode()
    assert "priya.shah@wmp.example" in page
    assert settings.DEMO_PASSWORD in page
    settings.DEMO_MODE = False
    page = client.get(reverse("accounts:sign_in")).content.decode()
    assert "priya.shah@wmp.example" not in page


def test_the_waiting_count_includes_a_second_proposal_after_a_return(client, world):
    services.item_assign(item=world.item, by=world.coordinator, owner=world.coordinator)
    services.closure_propose(item=world.item, by=world.coordinator, summary="Done")
    services.closure_decide(item=world.item, by=world.pcc, approve=False, reason="More")
    other = make_item_for(world)
    services.closure_propose(item=other, by=world.owner, summary="Done too")

    assert (
        selectors.awaiting_decision_count(user=world.coordinator, today=timezone.localdate()) == 1
    )
    services.item_assign(item=world.item, by=world.coordinator, owner=world.owner)
    services.closure_propose(item=world.item, by=world.owner, summary="Done again")
    assert (
        selectors.awaiting_decision_count(user=world.coordinator, today=timezone.localdate()) == 2
    )


def make_item_for(world):
    return make_item(
        make_finding(world.report, text="Another finding"), world.wmp, owner=world.owner
    )


def test_only_force_staff_and_coordinators_can_own_items(client, world):
    reader_in_force = make_user("Rita Reader", world.wmp, Role.NATIONAL_READER)
    client.force_login(world.coordinator)
    page = client.get(url("item_assign", world.item)).content.decode()
    assert "Rita Reader" not in page
    response = client.post(url("item_assign", world.item), {"owner": reader_in_force.pk})
    assert response.status_code == 400
