"""History is append-only, and revising a due date keeps the original."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tracker import services
from tracker.models import (
    AppendOnlyError,
    AuditEvent,
    DueDateRevision,
    ProgressUpdate,
    Status,
    StatusChange,
    TrackedItem,
)


def test_a_status_change_cannot_be_edited(world):
    change = world.item.status_changes.get()
    change.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        change.save()
    assert StatusChange.objects.get(pk=change.pk).reason == "Item created"


def test_a_status_change_cannot_be_deleted(world):
    change = world.item.status_changes.get()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        StatusChange.objects.filter(pk=change.pk).delete()
    with pytest.raises(AppendOnlyError):
        StatusChange.objects.filter(pk=change.pk).update(reason="x")
    assert StatusChange.objects.filter(pk=change.pk).exists()


def test_updates_and_audit_events_are_append_only(world):
    update = services.item_add_update(item=world.item, author=world.owner, text="Started.")
    with pytest.raises(AppendOnlyError):
        ProgressUpdate.objects.filter(pk=update.pk).update(text="Changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_each_status_change_records_who_when_from_to_and_why(world):
    services.item_change_status(
        item=world.item, by=world.owner, to_status=Status.IN_PROGRESS, reason="Work started"
    )
    change = world.item.status_changes.last()
    assert (change.from_status, change.to_status) == (Status.NOT_STARTED, Status.IN_PROGRESS)
    assert change.changed_by == world.owner
    assert change.reason == "Work started"
    assert change.changed_at is not None


def test_revising_the_due_date_keeps_the_original(world):
    original = world.item.due_date
    first = original + datetime.timedelta(days=30)
    second = original + datetime.timedelta(days=60)
    services.item_revise_due_date(
        item=world.item, by=world.coordinator, new_date=first, reason="Waiting for the new system"
    )
    services.item_revise_due_date(
        item=world.item, by=world.coordinator, new_date=second, reason="Supplier delay"
    )

    item = TrackedItem.objects.get(pk=world.item.pk)
    assert item.original_due_date == original
    assert item.due_date == second
    revisions = list(
        DueDateRevision.objects.filter(item=item).values_list(
            "previous_date", "new_date", "reason", "approved_by"
        )
    )
    assert revisions == [
        (original, first, "Waiting for the new system", world.coordinator.pk),
        (first, second, "Supplier delay", world.coordinator.pk),
    ]


def test_only_the_coordinator_revises_due_dates(world):
    with pytest.raises(ValidationError, match="Only the force coordinator"):
        services.item_revise_due_date(
            item=world.item,
            by=world.owner,
            new_date=world.item.due_date + datetime.timedelta(1),
            reason="More time",
        )


def test_a_revised_date_before_publication_is_refused(world):
    with pytest.raises(ValidationError, match="publication date"):
        services.item_revise_due_date(
            item=world.item, by=world.coordinator, new_date=datetime.date(2017, 1, 1), reason="Typo"
        )
    assert not DueDateRevision.objects.exists()


def test_an_unknown_status_is_refused(world):
    with pytest.raises(ValidationError, match="Choose a status"):
        services.item_change_status(
            item=world.item, by=world.owner, to_status="finished", reason="Done"
        )


def test_closed_cannot_be_chosen_directly(world):
    with pytest.raises(ValidationError, match="propose closure"):
        services.item_change_status(
            item=world.item, by=world.owner, to_status=Status.CLOSED, reason="Done"
        )
    assert TrackedItem.objects.get(pk=world.item.pk).status == Status.NOT_STARTED


def test_an_empty_update_is_refused(world):
    with pytest.raises(ValidationError, match="Enter what has happened"):
        services.item_add_update(item=world.item, author=world.owner, text="   \n ")
    assert not ProgressUpdate.objects.exists()
