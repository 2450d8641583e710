import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Role
from tests.factories import make_finding, make_force_with_body, make_report, make_user
from tracker import services
from tracker.models import AuditEvent, Status, StatusChange, TrackedItem


@pytest.fixture
def forces(db):
    return [make_force_with_body(name)[0] for name in ("Kent", "Essex", "Dorset")]


def test_a_national_recommendation_gives_one_item_per_force(forces):
    report = make_report(forces=forces, national=True, title="A national thematic")
    finding = make_finding(report, text="All chief constables should review their policy.")

    items = services.items_create_for_finding(finding=finding)

    assert sorted(i.force.name for i in items) == ["Dorset Police", "Essex Police", "Kent Police"]
    assert len({i.pk for i in items}) == 3
    # each has its own status and history
    assert all(i.status == Status.NOT_STARTED for i in items)
    assert StatusChange.objects.filter(item__in=items).count() == 3


def test_creating_again_skips_forces_that_already_track_it(forces):
    report = make_report(forces=forces, national=True)
    finding = make_finding(report)
    services.items_create_for_finding(finding=finding)

    assert services.items_create_for_finding(finding=finding) == []
    assert TrackedItem.objects.filter(finding=finding).count() == 3


def test_a_finding_about_one_force_gives_only_that_forces_item(forces):
    report = make_report(forces=forces, national=True)
    finding = make_finding(report, force=forces[1])

    items = services.items_create_for_finding(finding=finding)

    assert [i.force for i in items] == [forces[1]]


def test_it_refuses_a_due_date_before_publication(forces):
    report = make_report(forces=forces[:1], published_on=datetime.date(2018, 3, 22))
    finding = make_finding(report)

    with pytest.raises(ValidationError, match="on or after the report's publication date"):
        services.item_create(finding=finding, force=forces[0], due_date=datetime.date(2018, 3, 21))
    assert not TrackedItem.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_accepts_a_due_date_on_the_publication_day(forces):
    report = make_report(forces=forces[:1], published_on=datetime.date(2018, 3, 22))
    item = services.item_create(
        finding=make_finding(report), force=forces[0], due_date=datetime.date(2018, 3, 22)
    )
    assert item.original_due_date == item.due_date == datetime.date(2018, 3, 22)


def test_the_database_refuses_two_items_for_the_same_force(forces):
    report = make_report(forces=forces[:1])
    finding = make_finding(report)
    item = services.item_create(finding=finding, force=forces[0])
    with pytest.raises(IntegrityError):
        TrackedItem.objects.create(
            finding=finding,
            force=forces[0],
            created_at=item.created_at,
            last_activity_at=item.created_at,
        )


def test_creation_is_audited(forces):
    report = make_report(forces=forces[:1])
    creator = make_user("Grace Okafor", forces[0], Role.FORCE_COORDINATOR)
    item = services.item_create(finding=make_finding(report), force=forces[0], created_by=creator)
    event = AuditEvent.objects.get(object_type="tracker.TrackedItem", object_id=str(item.uuid))
    assert event.actor == creator
    assert event.action == AuditEvent.Action.CREATE
