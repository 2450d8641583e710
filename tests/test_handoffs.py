"""Hand-offs: who is told of each event (never the actor, never another force), batches of
them, and the previous owner's notifications and reminders when an item changes hands."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from tests.factories import make_finding, make_item, make_user
from tracker import handoffs, services
from tracker.models import Notification, Reminder, ReminderState, TrackedItem
from tracker.reminders.sweeps import sweep

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVERYONE = ("owner", "colleague", "coordinator", "pcc", "outsider", "other_pcc", "reader")


@pytest.fixture
def people(world):
    """The world's personas, and the PCC office of another force."""
    world.other_pcc = make_user("Olive Grant", world.staffs_pcc, Role.PCC_OFFICE)
    return world


def told(world, since: int) -> set[str]:
    """The personas given a notification since the row id `since`."""
    ids = set(Notification.objects.filter(pk__gt=since).values_list("user_id", flat=True))
    return {name for name in EVERYONE if getattr(world, name).pk in ids}


def last_id() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def propose(w, by="owner"):
    services.closure_propose(item=w.item, by=getattr(w, by), summary="Backlog cleared")


def evidence(w, by="owner"):
    upload = SimpleUploadedFile("audit.pdf", PDF, content_type="application/pdf")
    services.evidence_attach(item=w.item, by=getattr(w, by), uploaded_file=upload)


# Each case: what happens first (not counted), the event, and who is told of it.
CASES = {
    "closure proposed by the owner": (
        None,
        propose,
        {"coordinator", "pcc"},
    ),
    "closure proposed by the coordinator": (
        None,
        lambda w: propose(w, by="coordinator"),
        {"pcc"},  # the owner is not a decider; the coordinator acted
    ),
    "closure approved by the coordinator": (
        propose,
        lambda w: services.closure_decide(item=w.item, by=w.coordinator, approve=True),
        {"owner"},
    ),
    "closure the coordinator proposed, approved by the PCC office": (
        lambda w: propose(w, by="coordinator"),
        lambda w: services.closure_decide(item=w.item, by=w.pcc, approve=True),
        {"owner", "coordinator"},
    ),
    "closure returned by the PCC office": (
        propose,
        lambda w: services.closure_decide(item=w.item, by=w.pcc, approve=False, reason="Show it"),
        {"owner"},
    ),
    "owner changed": (
        None,
        lambda w: services.item_assign(item=w.item, by=w.coordinator, owner=w.colleague),
        {"owner", "colleague"},
    ),
    "lead set": (
        None,
        lambda w: services.item_assign(item=w.item, by=w.coordinator, lead=w.colleague),
        {"colleague"},
    ),
    "the coordinator makes themself the owner": (
        None,
        lambda w: services.item_assign(item=w.item, by=w.coordinator, owner=w.coordinator),
        {"owner"},
    ),
    "due date revised": (
        None,
        lambda w: services.item_revise_due_date(
            item=w.item,
            by=w.coordinator,
            new_date=w.item.due_date + datetime.timedelta(days=30),
            reason="Supplier late",
        ),
        {"owner"},
    ),
    "evidence added to an item proposed for closure": (
        propose,
        evidence,
        {"coordinator", "pcc"},
    ),
    "update requested by the PCC office": (
        None,
        lambda w: services.item_request_update(item=w.item, by=w.pcc, message="Where is it?"),
        {"owner"},
    ),
    "update requested on an item with no owner": (
        lambda w: services.item_assign(item=w.item, by=w.coordinator, owner=None),
        lambda w: services.item_request_update(item=w.item, by=w.pcc),
        {"coordinator"},
    ),
    "evidence added to an item not proposed for closure": (
        None,
        evidence,
        set(),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_who_is_told_of_each_hand_off(people, case):
    before, event, expected = CASES[case]
    if before:
        before(people)
        people.item.refresh_from_db()
    since = last_id()

    event(people)

    assert told(people, since) == expected
    # Never twice: one notice each.
    assert Notification.objects.filter(pk__gt=since).count() == len(expected)


def test_the_person_who_acted_is_never_told(people):
    # A coordinator who owns the item revises its due date: nobody else owns it, nobody hears.
    services.item_assign(item=people.item, by=people.coordinator, owner=people.coordinator)
    people.item.refresh_from_db()
    since = last_id()
    services.item_revise_due_date(
        item=people.item,
        by=people.coordinator,
        new_date=people.item.due_date + datetime.timedelta(days=3),
        reason="Board",
    )
    assert not Notification.objects.filter(pk__gt=since).exists()


def test_a_coordinator_of_another_force_is_never_told(people):
    # Megan coordinates Staffordshire: a West Midlands closure is none of her business.
    since = last_id()
    propose(people)
    assert not Notification.objects.filter(pk__gt=since, user=people.outsider).exists()
    assert not Notification.objects.filter(pk__gt=since, user=people.other_pcc).exists()


def test_a_person_who_left_the_force_is_not_told_of_its_items(people):
    # Tom was made owner, then moved to Staffordshire: he is not told his old item moved on.
    services.item_assign(item=people.item, by=people.coordinator, owner=people.colleague)
    people.colleague.organisation = people.staffs
    people.colleague.save()
    item = TrackedItem.objects.get(pk=people.item.pk)
    since = last_id()
    services.item_hand_over(
        item=item, by=people.coordinator, owner=people.owner, lead=None, now=timezone.now()
    )
    assert told(people, since) == {"owner"}


def test_the_notice_says_what_happened_and_links_to_the_item(people):
    services.item_assign(item=people.item, by=people.coordinator, owner=people.colleague)
    new = Notification.objects.get(user=people.colleague)
    old = Notification.objects.get(user=people.owner)
    assert new.subject.startswith("Grace Okafor made you the owner of an item – ")
    assert new.url == f"/items/{people.item.uuid}/"
    assert old.subject.startswith("You are no longer the owner of an item")
    assert "Tom Ellis owns it now; its reminders go to them." in old.body


def test_a_returned_closure_tells_the_owner_why(people):
    propose(people)
    services.closure_decide(item=people.item, by=people.pcc, approve=False, reason="Show audit")
    note = Notification.objects.filter(user=people.owner).latest("pk")
    assert note.subject.startswith("Daniel Hughes returned your closure proposal")
    assert "Their reason: Show audit" in note.body


# Batches ---------------------------------------------------------------------------------


def more_items(w, n):
    items = [w.item]
    for _ in range(n - 1):
        items.append(make_item(make_finding(w.report), w.wmp, owner=w.owner, by=w.coordinator))
    return items


def test_a_batch_tells_each_person_once(people):
    items = more_items(people, 15)
    since = last_id()
    with handoffs.batched():
        for item in items:
            services.item_assign(item=item, by=people.coordinator, owner=people.colleague)

    new = Notification.objects.filter(pk__gt=since)
    assert sorted(new.values_list("user__full_name", flat=True)) == ["Priya Shah", "Tom Ellis"]
    tom = new.get(user=people.colleague)
    assert tom.subject == "Grace Okafor made you the owner of 15 items"
    assert tom.url == "/items/mine/"
    assert all(item.finding.summary in tom.body for item in items)
    assert new.get(user=people.owner).subject == "You are no longer the owner of 15 items"


def test_a_batch_of_mixed_changes_is_still_one_notice(people):
    items = more_items(people, 2)
    since = last_id()
    with handoffs.batched():
        for item in items:
            services.item_assign(item=item, by=people.coordinator, owner=people.colleague)
            item.refresh_from_db()
            services.item_revise_due_date(
                item=item,
                by=people.coordinator,
                new_date=timezone.localdate() + datetime.timedelta(days=90),
                reason="Agreed",
            )
    tom = Notification.objects.filter(pk__gt=since, user=people.colleague)
    assert tom.count() == 1
    assert tom.get().subject == "Grace Okafor made 4 changes to items you work on"


def test_nothing_is_told_when_the_batch_fails(people):
    items = more_items(people, 3)
    since = last_id()

    def refused_at_the_end():
        with handoffs.batched():
            for item in items:
                services.item_assign(item=item, by=people.coordinator, owner=people.colleague)
            raise RuntimeError("one item was refused")

    with pytest.raises(RuntimeError):
        refused_at_the_end()
    assert not Notification.objects.filter(pk__gt=since).exists()


def test_a_batch_inside_a_batch_joins_it(people):
    items = more_items(people, 2)
    since = last_id()
    with handoffs.batched():
        services.item_assign(item=items[0], by=people.coordinator, owner=people.colleague)
        with handoffs.batched():
            services.item_assign(item=items[1], by=people.coordinator, owner=people.colleague)
        assert not Notification.objects.filter(pk__gt=since).exists()  # not yet
    assert Notification.objects.filter(pk__gt=since, user=people.colleague).count() == 1


def test_outside_a_batch_each_event_is_told_at_once(people):
    items = more_items(people, 2)
    since = last_id()
    for item in items:
        services.item_assign(item=item, by=people.coordinator, owner=people.colleague)
    assert Notification.objects.filter(pk__gt=since, user=people.colleague).count() == 2


# Imports ---------------------------------------------------------------------------------


def test_items_imported_without_an_owner_tell_the_coordinators_once(people):
    second = make_user("Ruth Bell", people.wmp, Role.FORCE_COORDINATOR)
    now = timezone.now()
    for _ in range(4):
        services.item_create(
            finding=make_finding(people.report), force=people.wmp, created_by=second, now=now
        )
    since = last_id()
    handoffs.report_imported_recorded(report=people.report, by=second, now=now)

    new = Notification.objects.filter(pk__gt=since)
    assert [n.user for n in new] == [people.coordinator]  # not Ruth, who imported it
    assert new[0].subject.startswith("Ruth Bell imported a report whose new items have no owner")
    assert "4 new items have no owner yet" in new[0].body
    assert f"report={people.report.pk}" in new[0].url


# The previous owner's notifications and reminders ----------------------------------------


def remind_owner(world):
    """A sweep on the morning the item's 7-day reminder is due: Priya is reminded."""
    when = timezone.make_aware(
        datetime.datetime.combine(
            world.item.due_date - datetime.timedelta(days=7), datetime.time(9)
        )
    )
    sweep(now=when)
    return when


def test_a_new_owner_takes_over_the_reminders_and_the_old_owners_are_resolved(people):
    when = remind_owner(people)
    services.item_request_update(item=people.item, by=people.pcc, message="Where is it?")
    stale = Notification.objects.filter(user=people.owner, read_at__isnull=True)
    assert stale.filter(reminder__isnull=False).exists()
    assert stale.filter(subject__startswith="The PCC office asks for an update").exists()
    pending = Reminder.objects.filter(deadline__item=people.item, state=ReminderState.PENDING)
    assert pending.filter(recipient=people.owner).exists()

    services.item_assign(item=people.item, by=people.coordinator, owner=people.colleague, now=when)

    unread = Notification.objects.filter(user=people.owner, read_at__isnull=True)
    assert [n.subject for n in unread] == [
        f"You are no longer the owner of an item – {people.item.finding.summary}"
    ]
    assert not pending.filter(recipient=people.owner).exists()
    assert pending.filter(recipient=people.colleague).exists()
    assert (
        Reminder.objects.filter(recipient=people.owner, state=ReminderState.CANCELLED)
        .filter(note="No longer a recipient of this reminder.")
        .exists()
    )


def test_a_coordinator_who_hands_on_an_item_keeps_their_notifications(people):
    services.item_assign(item=people.item, by=people.coordinator, owner=people.coordinator)
    people.item.refresh_from_db()
    remind_owner(people)
    mine = Notification.objects.filter(user=people.coordinator, read_at__isnull=True)
    count = mine.count()
    assert count >= 1
    services.item_assign(item=people.item, by=people.coordinator, owner=people.colleague)
    assert mine.count() == count  # they still coordinate the force's items
