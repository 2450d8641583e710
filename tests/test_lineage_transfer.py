"""Lineage in the JSON export and import (issue 18): people's decisions on links (confirmed and
dismissed) and a superseded item's superseding finding go out and come back; a file with a
link the rules refuse is refused, nothing saved."""

import copy
import json

import pytest
from django.utils import timezone

from accounts.models import Organisation, User
from tracker import lineage
from tracker.models import FindingLink, LinkRelation, LinkState, Status, TrackedItem
from tracker.transfer.export import export_tracker
from tracker.transfer.load import import_tracker
from tracker.transfer.rows import ImportRejected

pytestmark = pytest.mark.django_db

COC = "peel-effectiveness-2017-west-midlands:coc-1"
AFI4 = "peel-effectiveness-2015-west-midlands:afi-4"


@pytest.fixture
def superseded(demo_world):
    wmp = Organisation.objects.get(code="west-midlands-police")
    lineage.link_add(
        later_item=TrackedItem.objects.get(finding__key=COC, force=wmp),
        earlier_finding_key=AFI4,
        relation=LinkRelation.SUPERSEDES,
        by=User.objects.get(email="grace.okafor@wmp.example"),
        now=timezone.now(),
    )
    return TrackedItem.objects.get(finding__key=AFI4, force=wmp)


def _decisions() -> set[tuple]:
    return set(
        FindingLink.objects.exclude(state=LinkState.SUGGESTED).values_list(
            "later__key", "earlier__key", "force__code", "relation", "state", "decided_by__email"
        )
    )


def test_links_and_superseded_by_go_out_and_come_back(superseded):
    doc = json.loads(json.dumps(export_tracker(include_files=False)))
    exported = {(r["later"], r["earlier"], r["relation"]) for r in doc["finding_links"]}
    assert (COC, AFI4, "supersedes") in exported
    assert (
        "peel-effectiveness-2017-west-midlands:coc-1",
        "peel-effectiveness-2015-west-midlands:afi-2",
        "continues",
    ) in exported
    assert not any(r["state"] == "suggested" for r in doc["finding_links"])
    row = next(i for i in doc["items"] if i["finding"] == AFI4)
    assert (row["status"], row["superseded_by"]) == ("superseded", COC)

    before = _decisions()
    FindingLink.objects.exclude(state=LinkState.SUGGESTED).delete()
    TrackedItem.objects.filter(pk=superseded.pk).update(superseded_by=None)
    import_tracker(doc)
    assert _decisions() == before
    superseded.refresh_from_db()
    assert superseded.status == Status.SUPERSEDED
    assert superseded.superseded_by.key == COC


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"earlier": COC}, "cannot be linked to itself"),
        ({"later": AFI4, "earlier": COC}, "is not published after"),
        ({"force": "staffordshire-police"}, "is not about Staffordshire"),
        ({"state": "suggested"}, "state"),
        ({"earlier": "no-such-finding"}, "no finding with key"),
    ],
)
def test_a_file_with_a_refused_link_is_refused(superseded, change, message):
    doc = json.loads(json.dumps(export_tracker(include_files=False)))
    bad = copy.deepcopy(doc)
    row = next(r for r in bad["finding_links"] if r["later"] == COC and r["earlier"] == AFI4)
    row.update(change)
    before = _decisions()
    with pytest.raises(ImportRejected) as caught:
        import_tracker(bad)
    assert message in " ".join(caught.value.problems)
    assert _decisions() == before
