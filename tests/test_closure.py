import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_finding, make_item
from tracker import services
from tracker.models import ClosureDecision, ClosureProposal, Status, TrackedItem


def propose(world, by=None):
    return services.closure_propose(
        item=world.item, by=by or world.owner, summary="Backlog reviewed and cleared."
    )


def refreshed(world):
    return TrackedItem.objects.get(pk=world.item.pk)


def test_the_owner_can_propose_closure(world):
    proposal = propose(world)
    item = refreshed(world)
    assert item.status == Status.PROPOSED_FOR_CLOSURE
    assert proposal.proposed_by == world.owner
    assert item.status_changes.last().reason == "Backlog reviewed and cleared."


def test_nobody_approves_their_own_proposal(world):
    services.item_assign(item=world.item, by=world.coordinator, owner=world.coordinator)
    propose(world, by=world.coordinator)

    with pytest.raises(ValidationError, match="someone else must approve"):
        services.closure_decide(item=world.item, by=world.coordinator, approve=True)
    assert refreshed(world).status == Status.PROPOSED_FOR_CLOSURE
    assert not ClosureDecision.objects.exists()


def test_the_pcc_office_can_approve(world):
    propose(world)
    decision = services.closure_decide(
        item=world.item, by=world.pcc, approve=True, reason="Evidence seen at the board."
    )
    item = refreshed(world)
    assert item.status == Status.CLOSED
    assert item.closed_at == decision.decided_at
    assert decision.proposal.proposed_by == world.owner
    assert decision.decided_by == world.pcc


def test_the_coordinator_can_return_with_a_reason(world):
    propose(world)
    services.closure_decide(
        item=world.item, by=world.coordinator, approve=False, reason="Attach the audit results."
    )
    item = refreshed(world)
    assert item.status == Status.IN_PROGRESS
    assert item.closed_at is None
    assert "Attach the audit results." in item.status_changes.last().reason


def test_returning_needs_a_reason(world):
    propose(world)
    with pytest.raises(ValidationError, match="why the proposal is returned"):
        services.closure_decide(item=world.item, by=world.coordinator, approve=False)
    assert refreshed(world).status == Status.PROPOSED_FOR_CLOSURE


def test_a_colleague_cannot_approve(world):
    propose(world)
    with pytest.raises(ValidationError, match="cannot approve"):
        services.closure_decide(item=world.item, by=world.colleague, approve=True)


def test_another_forces_coordinator_cannot_approve(world):
    propose(world)
    with pytest.raises(ValidationError, match="cannot approve"):
        services.closure_decide(item=world.item, by=world.outsider, approve=True)


def test_closure_cannot_be_proposed_on_a_closed_item(world):
    propose(world)
    services.closure_decide(item=world.item, by=world.pcc, approve=True)
    with pytest.raises(ValidationError, match="already closed"):
        propose(world)
    assert ClosureProposal.objects.count() == 1


def test_closure_cannot_be_proposed_twice(world):
    propose(world)
    with pytest.raises(ValidationError, match="already been proposed"):
        propose(world)


def test_a_colleague_cannot_propose(world):
    with pytest.raises(ValidationError, match="cannot propose"):
        propose(world, by=world.colleague)
    assert refreshed(world).status == Status.NOT_STARTED


def test_deciding_with_nothing_proposed_is_refused(world):
    with pytest.raises(ValidationError, match="no closure proposal"):
        services.closure_decide(item=world.item, by=world.pcc, approve=True)


def test_evidence_from_another_item_cannot_support_a_proposal(world):
    other = make_item(make_finding(world.report), world.wmp, owner=world.owner)
    evidence = services.evidence_attach(
        item=other,
        by=world.owner,
        uploaded_file=SimpleUploadedFile("a.txt", b"notes", content_type="text/plain"),
    )
    with pytest.raises(ValidationError, match="this item's files"):
        services.closure_propose(
            item=world.item, by=world.owner, summary="Done", evidence_ids=[evidence.pk]
        )
