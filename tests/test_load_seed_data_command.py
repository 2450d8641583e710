from django.core.management import call_command

from accounts.models import User
from tracker.models import ClosureProposal, Status, TrackedItem


def test_load_seed_data_creates_every_stage_once(db, capsys):
    call_command("load_seed_data", "--demo")
    assert User.objects.count() == 7
    statuses = set(TrackedItem.objects.values_list("status", flat=True))
    assert statuses == {
        Status.NOT_STARTED,
        Status.IN_PROGRESS,
        Status.PROPOSED_FOR_CLOSURE,
        Status.CLOSED,
    }
    from django.utils import timezone

    assert TrackedItem.objects.overdue(timezone.localdate()).exists()
    assert (
        TrackedItem.objects.filter(revisions__isnull=False).exclude(original_due_date=None).exists()
    )
    before = (TrackedItem.objects.count(), ClosureProposal.objects.count())

    call_command("load_seed_data", "--demo")
    out = capsys.readouterr().out
    assert "Demo accounts already exist" in out
    assert (TrackedItem.objects.count(), ClosureProposal.objects.count()) == before


def test_the_demo_staffordshire_user_sees_no_west_midlands_item(db, client):
    call_command("load_seed_data", "--demo")
    megan = User.objects.get(email="megan.price@staffs.example")
    client.force_login(megan)
    for item in TrackedItem.objects.all():
        assert client.get(f"/items/{item.uuid}/").status_code == 404
    assert client.get("/items/").context["page"].paginator.count == 0
