"""The dashboards' cached figures (tracker.figures) equal a fresh count after every kind of
change: status, owner, due date, closure, import, QuerySet.update (which no signal sees), an
edit and a removal through the admin's forms, a report's publication date, a statutory
deadline met, a deletion, and the passing of midnight.

These tests commit (transaction=True): figures are cached only outside a transaction, so a
test wrapped in one would never read the cache.
"""

import datetime
import zoneinfo
from collections.abc import Callable
from itertools import count

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Organisation, PolicingBodyTerm
from tests.factories import World, make_finding, make_item, make_org, make_report
from tracker import dashboards, figures, policy, services
from tracker.bulk_import.apply import items_import
from tracker.bulk_import.table import TEMPLATE_COLUMNS
from tracker.models import CLOSED_STATUSES, Deadline, DeadlineState, Report, Status, TrackedItem
from tracker.reminders.sync import responses_ensure

LONDON = zoneinfo.ZoneInfo(settings.TIME_ZONE)
START = datetime.datetime(2026, 12, 3, 11, 0, tzinfo=LONDON)
_n = count(1)


def viewers(w) -> list[tuple]:
    """(person, one force or None, grouping): every kind of dashboard."""
    return [
        (w.reader, None, "force"),
        (w.reader, None, "owner"),
        (w.reader, w.wmp, "owner"),
        (w.coordinator, None, "owner"),
        (w.pcc, None, "owner"),
        (w.pcc, None, "force"),
        (w.owner, None, "owner"),
    ]


def both(w) -> list[tuple[dict, dict]]:
    """Each dashboard's figures through the cache, and counted afresh."""
    today = timezone.localdate()
    pairs = []
    for person, force, by in viewers(w):
        kind = policy.dashboard_kind(person)
        args = (person, today)
        options = {"kind": kind, "force": force, "by": by}
        pairs.append(
            (
                dashboards.dashboard_figures(*args, **options),
                dashboards.count_figures(*args, **options),
            )
        )
    return pairs


PAGES = ["/dashboard/", "/dashboard/?by=owner&sort=-overdue", "/board-pack/"]


def pages(w) -> list[str]:
    """The dashboard pages and board pack as the national reader and the PCC office see them
    (their figures are kept rendered in the cache with the figures)."""
    shown = []
    for person in (w.reader, w.pcc):
        client = Client()
        client.force_login(person)  # afresh: the clock moves on past sessions' idle limit
        for page in PAGES:
            response = client.get(page)
            assert response.status_code == 200, response
            html = response.content.decode()
            # The dashboard itself (the page's header has a per-request form token).
            shown.append(html[html.index("<h1") : html.index("</main>")])
    return shown


def fill_the_cache(w) -> None:
    for cached, _fresh in both(w):
        assert cached is not None
    pages(w)


def assert_fresh(w, what: str) -> None:
    for (cached, fresh), viewer in zip(both(w), viewers(w), strict=True):
        assert cached == fresh, f"after {what}: {viewer[0].full_name}, {viewer[1:]}"
    kept = pages(w)
    cache.clear()
    assert kept == pages(w), f"after {what}: a page"


@pytest.fixture
def w(transactional_db):
    with time_machine.travel(START, tick=False) as clock:
        world = World.build()
        world.clock = clock
        world.admin = World.admin()
        # A second West Midlands report with items in several bands, and a statutory
        # response deadline for the PCC office.
        world.recent = make_report(
            forces=[world.wmp, world.staffs],
            title="Recent",
            published_on=timezone.localdate() - datetime.timedelta(days=70),
        )
        for n, force in enumerate([world.wmp, world.wmp, world.staffs, world.wmp]):
            make_item(
                make_finding(world.recent, f"recent {n}"),
                force,
                owner=world.colleague if force == world.wmp else None,
                due=timezone.localdate() + datetime.timedelta(days=n * 20),
            )
        responses_ensure(report=world.recent)
        yield world


def some_item(w, data, *, open_only=False) -> TrackedItem | None:
    items = TrackedItem.objects.filter(force=w.wmp).order_by("pk")
    if open_only:
        # Open, and not waiting for a decision (a superseded item is closed too, issue 18).
        items = items.filter(status__in=[Status.NOT_STARTED, Status.IN_PROGRESS])
    # Draw an index whatever there is to choose from: what hypothesis draws must not depend
    # on the database, which the examples before this one have changed.
    i = data.draw(st.integers(min_value=0, max_value=10_000))
    items = list(items)
    return items[i % len(items)] if items else None


# The changes: each makes one through the path named, with values drawn by hypothesis -----


def change_status(w, data) -> bool:
    item = some_item(w, data, open_only=True)
    if item is None:
        return False
    to = Status.IN_PROGRESS if item.status == Status.NOT_STARTED else Status.NOT_STARTED
    services.item_change_status(item=item, by=w.coordinator, to_status=to, reason="Moved")
    return True


def change_owner(w, data) -> bool:
    item = some_item(w, data, open_only=True)  # a closed item's owner stays
    owner = data.draw(st.sampled_from([w.owner, w.colleague, None]))
    if item is None or item.owner_id == (owner and owner.pk):
        return False
    services.item_assign(item=item, by=w.coordinator, owner=owner)
    return True


def revise_due_date(w, data) -> bool:
    item = some_item(w, data, open_only=True)
    days = data.draw(st.integers(min_value=0, max_value=400))
    new_date = timezone.localdate() + datetime.timedelta(days=days)
    if item is None or new_date == item.due_date:
        return False
    services.item_revise_due_date(item=item, by=w.coordinator, new_date=new_date, reason="Later")
    return True


def close(w, data) -> bool:
    item = some_item(w, data, open_only=True)
    approve = data.draw(st.booleans())
    if item is None:
        return False
    services.closure_propose(item=item, by=w.coordinator, summary="Done", no_evidence_reason="-")
    services.closure_decide(item=item, by=w.pcc, approve=approve, reason="Seen")
    return True


def update_directly(w, data) -> bool:
    """QuerySet.update: no save(), no signal."""
    item = some_item(w, data)
    days = data.draw(st.integers(min_value=-200, max_value=200))
    status = data.draw(st.sampled_from(list(Status)))
    if item is None:
        return False
    fields = {"due_date": timezone.localdate() + datetime.timedelta(days=days), "status": status}
    fields["closed_at"] = timezone.now() if status in CLOSED_STATUSES else None
    TrackedItem.objects.filter(pk=item.pk).update(**fields)
    return True


def import_items(w, data) -> bool:
    """The spreadsheet import: a new report with one item of West Midlands."""
    n = next(_n)
    days = data.draw(st.integers(min_value=1, max_value=300))
    due = (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
    published = (timezone.localdate() - datetime.timedelta(days=days)).isoformat()
    row = ["West Midlands Police", f"Imported {n}", published, "Recommendation", "1", ""]
    row += [f"Imported finding {n}", "", "", "", due]
    text = ",".join(TEMPLATE_COLUMNS) + "\n" + ",".join(row) + "\n"
    items_import(user=w.coordinator, data=text.encode(), name="items.csv")
    return True


def edit_in_the_admin(w, data) -> bool:
    """The admin's item form: a new owner."""
    item = some_item(w, data)
    owner = data.draw(st.sampled_from([w.owner, w.colleague]))
    if item is None or item.owner_id == owner.pk:
        return False
    client = Client()
    client.force_login(w.admin)
    url = reverse("admin:tracker_trackeditem_change", args=[item.pk])
    form = {"owner": owner.pk, "lead": "", "force_response": "", "pcc_response": ""}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:1000]
    return True


def take_a_force_off_a_report(w, data) -> bool:
    """A row deleted (or added) as the admin's report form does when a force is taken off
    (or put on). The admin offers no deletion of items, reports or people: their history
    PROTECTs them."""
    report = Report.objects.get(pk=w.recent.pk)
    force = data.draw(st.sampled_from([w.wmp, w.staffs]))
    if report.forces.filter(pk=force.pk).exists():
        report.forces.remove(force)
    else:
        report.forces.add(force)
    return True


def delete_rows(w, data) -> bool:
    """Deletions: a force with nothing tracked, or a PCC office's term of office."""
    if data.draw(st.booleans()):
        make_org(f"Force {next(_n)}")
        fill_the_cache(w)
        return Organisation.objects.filter(name__startswith="Force ").delete()[0] > 0
    return PolicingBodyTerm.objects.filter(force=w.staffs).delete()[0] > 0


def move_a_publication_date(w, data) -> bool:
    days = data.draw(st.integers(min_value=0, max_value=800))
    published = timezone.localdate() - datetime.timedelta(days=days)
    Report.objects.filter(pk=w.recent.pk).update(published_on=published)
    return True


def meet_a_deadline(w, data) -> bool:
    deadlines = list(Deadline.objects.filter(response__isnull=False).order_by("pk"))
    i = data.draw(st.integers(min_value=0, max_value=10_000))
    met = data.draw(st.booleans())
    if not deadlines:
        return False
    deadline = deadlines[i % len(deadlines)]
    state = DeadlineState.MET if met else DeadlineState.OPEN
    Deadline.objects.filter(pk=deadline.pk).update(
        state=state, met_on=timezone.localdate() if met else None
    )
    return True


def pass_midnight(w, data) -> bool:
    """Just before midnight the figures are cached; a minute later (well within the cache's
    minute) it is tomorrow: overdue and the bands move."""
    now = timezone.localtime()
    before = datetime.datetime.combine(now.date(), datetime.time(23, 59, 40), tzinfo=LONDON)
    if before <= now:
        before += datetime.timedelta(days=1)
    w.clock.move_to(before)
    fill_the_cache(w)
    w.clock.shift(datetime.timedelta(seconds=30))
    return True


CHANGES: dict[str, Callable] = {
    "status": change_status,
    "owner": change_owner,
    "due date": revise_due_date,
    "closure": close,
    "QuerySet.update": update_directly,
    "import": import_items,
    "admin edit": edit_in_the_admin,
    "report's forces": take_a_force_off_a_report,
    "deletion": delete_rows,
    "publication date": move_a_publication_date,
    "deadline met": meet_a_deadline,
    "midnight": pass_midnight,
}


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_cached_figures_equal_a_fresh_count_after_any_change(w, data):
    changes = data.draw(st.lists(st.sampled_from(sorted(CHANGES)), min_size=1, max_size=5))
    for name in changes:
        fill_the_cache(w)
        CHANGES[name](w, data)
        assert_fresh(w, name)


@hypothesis_settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_kind_of_change_moves_the_figure_generation(w, data):
    """Each change but midnight (which moves the date in the key) moves the marker at once,
    whatever path made it."""
    for name, change in CHANGES.items():
        if name == "midnight":
            continue
        before = figures.generation()
        if change(w, data) is not False:
            assert figures.generation() != before, name


def test_an_unchanged_dashboard_is_read_from_the_cache(w, client):
    client.force_login(w.reader)
    page = reverse("tracker:dashboard")
    with CaptureQueriesContext(connection) as first:
        assert client.get(page).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(page).status_code == 200
    assert len(second) < len(first) - 4, "the figures were counted again"
    # A change anywhere, even one no signal sees, is counted at the next request.
    TrackedItem.objects.filter(force=w.staffs).update(
        due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    response = client.get(page)
    staffs = next(f for f in response.context["forces"] if f.id == w.staffs.pk)
    assert (
        staffs.overdue
        == TrackedItem.objects.filter(force=w.staffs).overdue(timezone.localdate()).count()
    )
    assert staffs.overdue > 0


def test_figures_are_not_kept_from_inside_a_transaction(w):
    from django.db import transaction

    fill_the_cache(w)
    with transaction.atomic():
        TrackedItem.objects.filter(force=w.wmp).update(
            status=Status.CLOSED, closed_at=timezone.now()
        )
        inside = dashboards.dashboard_figures(
            w.reader, timezone.localdate(), kind="national", force=None, by="force"
        )
        assert (
            inside["forces"][0].closed_this_quarter > 0
            or inside["forces"][1].closed_this_quarter > 0
        )
        transaction.set_rollback(True)
    assert_fresh(w, "a rolled back change")
    cache.clear()


def test_made_up_addresses_are_not_kept(w, client):
    """Only the addresses the dashboard's own links make are kept in the cache whole."""
    client.force_login(w.reader)
    for page in ["/dashboard/?by=nonsense", "/dashboard/?utm=1"]:
        client.get(page)
        with CaptureQueriesContext(connection) as again:
            assert client.get(page).status_code == 200
        assert len(again) >= 4, page  # the figures from the cache, the page made afresh
    kept = [key for key in cache._cache if "figures:" in key]  # the test's LocMemCache
    assert len(kept) == 1, kept  # the figures only, not the two pages
