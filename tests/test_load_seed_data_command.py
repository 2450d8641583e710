import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from tracker.models import ClosureProposal, Report, Status, StatusChange, TrackedItem


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True


def test_it_creates_every_stage_once(db, capsys, demo_mode):
    call_command("load_seed_data", "--demo")
    # The seven of the West Midlands story, and Dyfed-Powys' policy officer (tracker/demo_wales.py),
    # are people; West Midlands' "Power BI" is a service account (tracker/demo_api.py).
    assert User.objects.filter(service_account__isnull=True).count() == 8
    assert User.objects.filter(service_account__isnull=False).count() == 1
    statuses = set(TrackedItem.objects.values_list("status", flat=True))
    assert statuses == {
        Status.NOT_STARTED,
        Status.IN_PROGRESS,
        Status.PROPOSED_FOR_CLOSURE,
        Status.CLOSED,
    }
    assert TrackedItem.objects.overdue(timezone.localdate()).exists()
    revised = TrackedItem.objects.filter(revisions__isnull=False).distinct()
    assert any(i.original_due_date != i.due_date for i in revised)
    before = (
        TrackedItem.objects.count(),
        ClosureProposal.objects.count(),
        StatusChange.objects.count(),
    )

    call_command("load_seed_data", "--demo")
    assert "Demo accounts already exist" in capsys.readouterr().out
    assert (
        TrackedItem.objects.count(),
        ClosureProposal.objects.count(),
        StatusChange.objects.count(),
    ) == before


def test_the_closed_2018_item_ends_its_history_closed(db, demo_mode):
    call_command("load_seed_data", "--demo")
    item = TrackedItem.objects.get(finding__key="peel-effectiveness-2017-west-midlands:rec-1")
    assert item.status == Status.CLOSED
    assert item.status_changes.order_by("changed_at").last().to_status == Status.CLOSED


def test_demo_people_are_refused_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs with DEMO_MODE=1"):
        call_command("load_seed_data", "--demo")
    assert not User.objects.exists()


def test_reference_data_loads_without_demo_people(db, settings):
    settings.DEMO_MODE = False
    call_command("load_seed_data")
    assert not User.objects.exists()
    assert TrackedItem.objects.count() == 1  # the 2018 recommendation with its responses


def test_reloading_never_undoes_an_edit(db):
    call_command("load_seed_data")
    Report.objects.filter(key="core-business-2014").update(title="Edited in the app")
    TrackedItem.objects.update(force_response="Edited response")
    call_command("load_seed_data")
    assert Report.objects.get(key="core-business-2014").title == "Edited in the app"
    assert TrackedItem.objects.get().force_response == "Edited response"


def test_the_demo_staffordshire_user_sees_no_west_midlands_item(db, client, demo_mode):
    call_command("load_seed_data", "--demo")
    megan = User.objects.get(email="megan.price@staffs.example")
    client.force_login(megan)
    # Staffordshire's own items (issue 18's demo gives Megan some) are hers to see.
    own = TrackedItem.objects.filter(force=megan.organisation)
    for item in TrackedItem.objects.exclude(force=megan.organisation):
        assert client.get(f"/items/{item.uuid}/").status_code == 404
    assert client.get("/items/").context["page"].paginator.count == own.count()
