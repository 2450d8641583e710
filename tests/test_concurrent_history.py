"""Many people changing one item at once, on PostgreSQL with real connections (issue 19).

Each thread has its own database connection and its own transactions, as two web processes
would, and the threads start together at a barrier:

- the history reads in the order the changes were committed (defect 6: the time was taken
  before the row lock, so a change that waited for the lock could be shown before the one it
  waited for);
- two coordinators changing the owner and the lead from the same page give one saved change
  and one "someone changed this item" page, never two "saved" with one silently undone
  (defect 5).

SQLite has no row locks (it locks the whole file), so these run on PostgreSQL only;
tests/test_item_versions.py checks the version on SQLite too, one request after another.
"""

import datetime
import itertools
import re
import threading
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import World, make_user
from tracker import selectors, services
from tracker.models import (
    AuditEvent,
    DueDateRevision,
    ProgressReview,
    ProgressUpdate,
    Status,
    StatusChange,
    TrackedItem,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks: run with DATABASE_URL=postgres://...",
    ),
]

THREADS = 6
CHANGES_EACH = 12
ROUNDS = 10


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Run each job in a thread of its own (its own database connection), all starting at
    once; return what each returned, or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = job()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return results


@pytest.fixture
def world():
    w = World.build()
    w.second_coordinator = make_user("Ada Brennan", w.wmp, Role.FORCE_COORDINATOR)
    return w


# Defect 6: the history in commit order ----------------------------------------------------


def changes_by(world, n: int) -> Callable[[], int]:
    """Thread n's work: updates, status changes, due date revisions, new owners and the PCC
    office's views, each with text of its own so the test can find its history row."""
    item = TrackedItem.objects.get(pk=world.item.pk)
    today = timezone.localdate()

    def work() -> int:
        done = 0
        for k in range(CHANGES_EACH):
            tag = f"t{n}-{k}"
            try:
                match k % 5:
                    case 0:
                        services.item_add_update(item=item, author=world.coordinator, text=tag)
                    case 1:
                        current = TrackedItem.objects.get(pk=item.pk).status
                        services.item_change_status(
                            item=item,
                            by=world.coordinator,
                            to_status=Status.NOT_STARTED
                            if current == Status.IN_PROGRESS
                            else Status.IN_PROGRESS,
                            reason=tag,
                        )
                    case 2:
                        services.item_revise_due_date(
                            item=item,
                            by=world.coordinator,
                            new_date=today + datetime.timedelta(days=100 + n * 100 + k),
                            reason=tag,
                        )
                    case 3:
                        services.item_record_view(item=item, by=world.pcc, rating="amber", text=tag)
                    case 4:
                        services.item_assign(
                            item=item,
                            by=world.coordinator,
                            owner=world.colleague if (n + k) % 2 else world.owner,
                        )
                done += 1
            except ValidationError:
                pass  # another thread got there first ("already in progress"); not a fault
        return done

    return work


def commit_order(item: TrackedItem) -> dict[tuple[str, str], int]:
    """Each tagged history row, by (kind, tag), and the id of its audit event: the audit
    trail's ids are taken from one sequence while the item's row lock is held, so they are
    the order in which the changes were made."""
    events = AuditEvent.objects.filter(at__gte=item.created_at)
    by_object = {e.object_id: e.id for e in events}
    by_note = {e.note: e.id for e in events.filter(object_id=str(item.uuid)) if e.note}
    order = {}
    for u in ProgressUpdate.objects.filter(item=item):
        order["update", u.text] = by_object[str(u.uuid)]
    for r in ProgressReview.objects.filter(item=item):
        order["review", r.text] = by_object[str(r.uuid)]
    for c in StatusChange.objects.filter(item=item).exclude(from_status=""):
        order["status", c.reason] = by_note[c.reason]
    for d in DueDateRevision.objects.filter(item=item):
        order["due_date", d.reason] = by_note[d.reason]
    return order


def out_of_order_pairs(ids: list[int]) -> int:
    return sum(1 for a, b in itertools.pairwise(ids) if a > b)


def test_the_timeline_reads_in_commit_order_under_concurrent_changes(world):
    results = run_together([changes_by(world, n) for n in range(THREADS)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(results) > THREADS * CHANGES_EACH // 2  # most changes were made

    item = selectors.item_get(
        user=world.coordinator, uuid=world.item.uuid, today=timezone.localdate()
    )
    order = commit_order(item)
    timeline = list(reversed(selectors.item_timeline(item)))  # oldest first
    shown = [order[e.kind, e.text] for e in timeline if (e.kind, e.text) in order]
    assert len(shown) == len(order)  # every tagged change is on the timeline
    # Each kind on its own: the rows of one table, by id.
    tables = {
        "update": {u.text: u.id for u in ProgressUpdate.objects.filter(item=item)},
        "review": {r.text: r.id for r in ProgressReview.objects.filter(item=item)},
        "status": {c.reason: c.id for c in StatusChange.objects.filter(item=item)},
        "due_date": {d.reason: d.id for d in DueDateRevision.objects.filter(item=item)},
    }
    late = {}
    for kind, ids in tables.items():
        kind_shown = [ids[e.text] for e in timeline if e.kind == kind]
        assert sorted(kind_shown) == sorted(ids.values())
        late[kind] = out_of_order_pairs(kind_shown)
    # All kinds together, by the audit trail's ids.
    late["all"] = out_of_order_pairs(shown)
    assert late == dict.fromkeys(late, 0), f"adjacent pairs out of order: {late}"


def test_the_audit_trail_times_follow_commit_order(world):
    run_together([changes_by(world, n) for n in range(THREADS)])
    events = list(
        AuditEvent.objects.filter(at__gte=world.item.created_at)
        .exclude(action=AuditEvent.Action.CREATE, object_type="tracker.TrackedItem")
        .order_by("id")
    )
    assert len(events) > THREADS * CHANGES_EACH // 2
    times = [e.at for e in events]
    late = sum(1 for a, b in itertools.pairwise(times) if a > b)
    assert late == 0, f"{late} audit events are timed before the change committed before them"


# Defect 5: two coordinators, the owner and the lead, the same page -------------------------


class FormReader(HTMLParser):
    """What a browser would send from a page's form: its hidden inputs, the option selected
    in each select, and the checked radio buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        kind = a.get("type")
        if tag == "input" and (kind == "hidden" or (kind == "radio" and "checked" in a)):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
            self.values.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in a:
            self.values[self.select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def page_form(client: Client, path: str) -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader.values


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_owner_change_and_a_lead_change_from_one_page_give_one_saved_and_one_conflict(world):
    grace, ada = signed_in(world.coordinator), signed_in(world.second_coordinator)
    path = reverse("tracker:item_assign", args=[world.item.uuid])
    outcomes = []
    undone = 0
    for n in range(ROUNDS):
        start_owner, start_lead = (world.owner, world.colleague) if n % 2 else (None, None)
        TrackedItem.objects.filter(pk=world.item.pk).update(owner=start_owner, lead=start_lead)
        new_owner = world.colleague if start_owner == world.owner else world.owner
        new_lead = world.coordinator
        # Both open the page before either saves.
        grace_form, ada_form = page_form(grace, path), page_form(ada, path)
        grace_form["owner"] = str(new_owner.pk)
        ada_form["lead"] = str(new_lead.pk)
        statuses = run_together(
            [
                lambda data=grace_form: grace.post(path, data),
                lambda data=ada_form: ada.post(path, data),
            ]
        )
        codes = sorted(getattr(r, "status_code", repr(r)) for r in statuses)
        item = TrackedItem.objects.get(pk=world.item.pk)
        owner_kept = item.owner_id == new_owner.pk
        lead_kept = item.lead_id == new_lead.pk
        undone += codes == [302, 302] and not (owner_kept and lead_kept)
        outcomes.append((codes, owner_kept, lead_kept))
    summary = f"{undone} of {ROUNDS} rounds saved both and undid one: {outcomes}"
    for codes, owner_kept, lead_kept in outcomes:
        assert codes == [302, 409], summary
        assert owner_kept != lead_kept, summary  # the saved one is there, the other is not
    for r in statuses:
        if getattr(r, "status_code", None) == 409:
            page = r.content.decode()
            assert re.search(r"changed this item at \d{1,2}:\d\d", page)
            assert "Your changes have not been saved" in page
