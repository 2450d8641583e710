"""Every list, review and report page (issue 16) reads a fixed number of queries, for every
role, however many items, people and reports there are; and the filter form shows the
choices in scope without reading them row by row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import make_finding, make_item, make_report, make_user

PAGES = {
    "owner": ["my_items", "item_list", "overdue", "report_list", "response_list"],
    "coordinator": [
        "my_items",
        "item_list",
        "overdue",
        "overdue?group=report",
        "overdue?group=force",
        "overdue?group=department",
        "report_list",
        "response_list",
        "report",
    ],
    "pcc": ["item_list", "overdue", "review", "review?sort=-activity", "response_list", "report"],
    "reader": [
        "item_list",
        "item_list?overdue=true&kind=recommendation",
        "item_list?sort=owner",
        "overdue",
        "overdue?group=force",
        "report_list",
        "response_list",
        "report",
    ],
}


def url(world, page):
    name, _, query = page.partition("?")
    if name == "report":
        return reverse("tracker:report_detail", args=[world.report.key])
    return reverse(f"tracker:{name}") + (f"?{query}" if query else "")


def grow(world, n):
    """More of everything a list reads: items (overdue, owned, unowned), people, reports."""
    today = timezone.localdate()
    for i in range(n):
        person = make_user(f"Extra Person {world.grown + i}", world.wmp, Role.FORCE_STAFF)
        report = make_report(forces=[world.wmp]) if i % 3 == 0 else world.report
        for j, owner in enumerate((person, world.owner, None)):
            make_item(
                make_finding(report, text=f"Grown {world.grown + i}-{j}"),
                world.wmp,
                owner=owner,
                due=today - datetime.timedelta(days=i + j + 1),
            )
    world.grown += n


@pytest.mark.parametrize("who", sorted(PAGES))
def test_list_pages_read_a_fixed_number_of_queries_as_data_grows(client, world, who):
    world.grown = 0
    grow(world, 2)
    client.force_login(getattr(world, who))
    counts = {}
    for page in PAGES[who]:
        client.get(url(world, page))  # the filters' choices are cached for a minute after
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, page)).status_code == 200, page
        counts[page] = len(ctx.captured_queries)
    grow(world, 12)
    for page, count in counts.items():
        client.get(url(world, page))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, page)).status_code == 200, page
        assert len(ctx.captured_queries) == count, (page, [q["sql"] for q in ctx.captured_queries])


def test_the_item_lists_read_no_password_hashes(client, world):
    world.grown = 0
    """The rows' owners are read without their sign-in details (selectors.LIST_DEFERRED)."""
    grow(world, 1)
    client.force_login(world.reader)
    for page in ("item_list", "overdue", "overdue?group=force"):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url(world, page))
        rows = [
            q["sql"] for q in ctx.captured_queries if '"tracker_trackeditem"."uuid"' in q["sql"]
        ]
        assert rows
        assert not [sql for sql in rows if '"accounts_user"."password"' in sql], page


def test_the_filters_choices_are_those_in_scope(client, world):
    other = make_report(forces=[world.staffs], title="About Staffordshire only")
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:item_list")).content.decode()
    assert f'<option value="{world.wmp.pk}">{world.wmp.name}</option>' in page
    assert f">{world.staffs.name}</option>" not in page
    assert f'<option value="{world.report.key}">' in page
    assert f'value="{other.key}"' not in page
    response = client.get(reverse("tracker:item_list"), {"report": other.key})
    assert "That is not one of the choices you can see" in response.content.decode()
    response = client.get(reverse("tracker:item_list"), {"report": world.report.key})
    assert f'<option value="{world.report.key}" selected>' in response.content.decode()
    assert [i.pk for i in response.context["page"].object_list] == [world.item.pk]


# TrackedItem.owner_name (the owner's name copied onto the item, which the overdue report
# groups by and the lists sort by) is right after every kind of write.


def _has_batches() -> bool:
    import importlib.util

    return importlib.util.find_spec("tracker.item_batches") is not None


def names_agree():
    from tracker.models import TrackedItem

    for item in TrackedItem.objects.select_related("owner"):
        expected = item.owner.full_name if item.owner_id else None
        assert item.owner_name == expected, (item.pk, item.owner_name, expected)
    return True


def test_the_owners_name_on_the_item_is_kept_on_every_write(world):
    from tracker import services
    from tracker.models import TrackedItem

    # Many at once: tracker.item_batches (issue 16's batched creation), or services before it.
    batches = pytest.importorskip("tracker.item_batches") if _has_batches() else services

    assert world.item.owner_name == "Priya Shah"
    assert names_agree()
    # Created one by one (item_create), and many at once (items_create: bulk_create), with
    # the owner as a person or only as an id.
    lone = make_item(make_finding(world.report, text="Lone"), world.wmp, owner=world.colleague)
    many = batches.items_create(
        new=[
            batches.NewItem(
                finding=make_finding(world.report, text=f"Many {i}"),
                force=world.wmp,
                owner=owner,
            )
            for i, owner in enumerate((world.owner, None, world.colleague))
        ]
    )
    assert [i.owner_name for i in many] == ["Priya Shah", None, "Tom Ellis"]
    assert names_agree()
    # A change of owner (the service writes with QuerySet.update), to someone and to nobody.
    services.item_assign(item=lone, by=world.coordinator, owner=world.owner, version=lone.version)
    assert names_agree()
    lone.refresh_from_db()
    services.item_assign(item=lone, by=world.coordinator, owner=None, version=lone.version)
    assert names_agree()
    # update() by id and by person; save() as the admin does, whole or by fields.
    TrackedItem.objects.filter(pk=many[1].pk).update(owner_id=world.colleague.pk)
    TrackedItem.objects.filter(pk=many[0].pk).update(owner=None)
    assert names_agree()
    item = TrackedItem.objects.get(pk=many[2].pk)
    item.owner = world.owner
    item.save()
    item.owner_id = world.colleague.pk
    item.save(update_fields=["owner"])
    assert names_agree()
    # A person renamed: their items follow.
    world.colleague.full_name = "Tom Ellis-Wright"
    world.colleague.save()
    assert TrackedItem.objects.filter(owner_name="Tom Ellis-Wright").exists()
    assert names_agree()
    # Written behind the model's back (as the old version during a rolling upgrade): the
    # names are copied afresh.
    TrackedItem.objects.filter(pk=lone.pk).update(owner_name="Stale")
    TrackedItem.objects.copy_owner_names()
    assert names_agree()


def test_the_overdue_report_by_owner_orders_by_the_copied_name(client, world):
    today = timezone.localdate()
    late = [
        make_item(
            make_finding(world.report, text=f"Late {n}"),
            world.wmp,
            owner=owner,
            due=today - datetime.timedelta(days=3),
        )
        for n, owner in enumerate((world.owner, None, world.colleague))
    ]
    world.owner.full_name = "Zara Shah"  # renamed: now sorts last of the named
    world.owner.save()
    client.force_login(world.coordinator)
    response = client.get(reverse("tracker:overdue"))
    assert [i.pk for i in response.context["page"].object_list] == [
        late[2].pk,  # Tom Ellis
        late[0].pk,  # Zara Shah
        late[1].pk,  # no owner: last
    ]
