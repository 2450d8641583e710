"""Scoping above all (issue 18): another force's unshared item never appears, whatever the
sharing states. Hypothesis draws a state for each closed item of three forces (shared,
withdrawn after its matches were worked out, never shared) and a force to look from; the
real pages are then read through the test client as that force's coordinator: the item
pages' "How other forces answered similar findings", the shared learning list and its count,
the item list, its export, search, and the REST API with a token."""

import datetime

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts import api_token_services
from accounts.api_tokens import ApiToken
from accounts.models import Role
from tests.factories import make_finding, make_force_with_body, make_item, make_report, make_user
from tracker import learning, learning_reads, services
from tracker.models import LearningMatch, SharedLearning, TrackedItem

STATES = ("shared", "withdrawn", "never")

# Findings alike across forces: one national finding every force has an item on (identical
# text), and one of each force's own, in its own words.
NATIONAL = (
    "Forces should give crime prevention training to staff who deal frequently with victims "
    "of crime and anti-social behaviour."
)
OWN = (
    "The force has given no crime prevention training to contact centre staff who deal with "
    "victims of crime.",
    "Staff dealing with victims of anti-social behaviour lack crime prevention training.",
    "Crime prevention advice to victims of burglary is not given by call handlers, who have "
    "had no training.",
)


def build(w):
    """A third force, a coordinator and a member of staff for each, and two closed items for
    each force (the national finding and its own), each with a marker in its words."""
    w.third, _body = make_force_with_body("Warwickshire")
    forces = [w.wmp, w.staffs, w.third]
    w.coordinators = {
        w.wmp.pk: w.coordinator,
        w.staffs.pk: w.outsider,
        w.third.pk: make_user("Wendy Warks", w.third, Role.FORCE_COORDINATOR),
    }
    staff = {
        w.wmp.pk: w.owner,
        w.staffs.pk: make_user("Sid Staffs", w.staffs, Role.FORCE_STAFF),
        w.third.pk: make_user("Will Warks", w.third, Role.FORCE_STAFF),
    }
    national = make_finding(make_report(forces=forces, national=True), text=NATIONAL)
    w.closed = []
    now = timezone.now() - datetime.timedelta(days=30)
    for force, own_text in zip(forces, OWN, strict=True):
        own = make_finding(make_report(forces=[force]), text=own_text, force=force)
        for finding in (national, own):
            item = make_item(finding, force, owner=staff[force.pk])
            marker = f"zq{item.pk}x"
            services.closure_propose(
                item=item, by=staff[force.pk], summary=f"closure-{marker}", now=now
            )
            services.closure_decide(
                item=item,
                by=w.coordinators[force.pk],
                approve=True,
                now=now + datetime.timedelta(days=1),
                today=timezone.localdate(now),
            )
            item.refresh_from_db()
            w.closed.append((item, marker))
    return w


def apply_states(w, states):
    for (item, marker), state in zip(w.closed, states, strict=True):
        if state == "never":
            continue
        learning.learning_share(
            item=item,
            by=w.coordinators[item.force_id],
            what_was_done=f"done-{marker}",
            evidence_of_effect=f"effect-{marker}",
            contact_role=f"role-{marker}",
        )
    learning.learning_match_all()  # what the worker does after each share
    for (item, _marker), state in zip(w.closed, states, strict=True):
        if state == "withdrawn":
            learning.learning_withdraw(item=item, by=w.coordinators[item.force_id])


def api_uuids(user) -> set[str]:
    _token, raw = api_token_services.token_create(
        user=user,
        by=user,
        name="Scoping",
        scope=ApiToken.Scope.READ,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    client, url, seen = Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), "/api/v1/items/", set()
    while url:
        body = client.get(url).json()
        seen |= {row["uuid"] for row in body["results"]}
        url = body.get("next")
    return seen


def check(w, states, viewer_force, client):
    today = timezone.localdate()
    viewer = w.coordinators[viewer_force.pk]
    states_by_item = {item.pk: state for (item, _m), state in zip(w.closed, states, strict=True)}
    mine = [(i, m) for i, m in w.closed if i.force_id == viewer_force.pk]
    others = [(i, m) for i, m in w.closed if i.force_id != viewer_force.pk]
    hidden = [m for i, m in others if states_by_item[i.pk] != "shared"]
    shared = [m for i, m in w.closed if states_by_item[i.pk] == "shared"]
    other_uuids = {str(i.uuid) for i, _m in others}

    def assert_nothing_hidden(text: str, where: str) -> None:
        for marker in hidden:
            for words in ("done", "effect", "role", "closure"):
                assert f"{words}-{marker}" not in text, f"{marker} (unshared) in {where}"

    client.force_login(viewer)
    # 1. "How other forces answered similar findings": shared, other forces, only.
    for item, _marker in mine:
        shown = learning_reads.item_learning(item, viewer, today)
        for match in shown.similar:
            assert match.learning.shared
            assert match.learning.force_id != viewer_force.pk
            assert states_by_item[match.learning.item_id] == "shared"
        if item.finding.report.national:
            # Every other force's shared answer to the same national finding is there.
            expected = {
                i.pk
                for i, _m in others
                if i.finding_id == item.finding_id and states_by_item[i.pk] == "shared"
            }
            assert expected <= {m.learning.item_id for m in shown.similar}
        page = client.get(reverse("tracker:item_detail", args=[item.uuid]))
        assert page.status_code == 200
        assert_nothing_hidden(page.content.decode(), "an item page")
    # 2. The shared learning list, its count, and its search.
    listed = client.get(reverse("tracker:learning_list")).content.decode()
    assert_nothing_hidden(listed, "the learning list")
    for marker in shared:
        assert f"done-{marker}" in listed
    count = learning_reads.learning_list(user=viewer, today=today).count()
    assert count == len(shared) == SharedLearning.objects.filter(shared=True).count()
    for marker in hidden:
        found = client.get(reverse("tracker:learning_list"), {"q": marker}).content.decode()
        assert "0 shared summaries" in found
        assert_nothing_hidden(found, "the learning list's search")
    # 3. The item list, its export and search: another force's items never, shared or not.
    pages = {
        "the item list": client.get(reverse("tracker:item_list")),
        "the export": client.get(reverse("tracker:item_export", args=["csv"])),
        "search": client.get(reverse("tracker:search"), {"q": "zq"}),
        "search for closure": client.get(reverse("tracker:search"), {"q": "closure"}),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        assert_nothing_hidden(text, where)
        for uuid in other_uuids:
            assert uuid not in text, f"another force's item in {where}"
    # 4. The REST API.
    seen = api_uuids(viewer)
    assert seen == {str(i.uuid) for i in TrackedItem.objects.filter(force=viewer_force)}
    assert not seen & other_uuids


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_unshared_item_of_another_force_ever_appears(world, client, data):
    w = world
    if not hasattr(w, "closed"):
        build(w)
    states = data.draw(
        st.lists(st.sampled_from(STATES), min_size=len(w.closed), max_size=len(w.closed))
    )
    viewer_force = data.draw(st.sampled_from([w.wmp, w.staffs, w.third]))
    with transaction.atomic():
        apply_states(w, states)
        check(w, states, viewer_force, client)
        transaction.set_rollback(True)


def test_matches_of_a_withdrawn_summary_stay_stored_but_unread(world):
    w = build(world)
    item, _marker = next((i, m) for i, m in w.closed if i.force_id == w.wmp.pk)
    apply_states(w, ["withdrawn" if i.pk == item.pk else "never" for i, _m in w.closed])
    withdrawn = SharedLearning.objects.get(item=item)
    assert LearningMatch.objects.filter(learning=withdrawn).exists()
    staffs_item = next(i for i, _m in w.closed if i.force_id == w.staffs.pk)
    assert learning_reads.item_learning(staffs_item, w.outsider, timezone.localdate()).similar == []
