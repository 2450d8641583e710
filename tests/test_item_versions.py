"""An item carries a version, so a change made from a page someone else has changed since is
caught, shown and not saved (issue 19, defect 5), and a form writes only what the person
changed. One request after another, so these run on SQLite as well as PostgreSQL;
tests/test_concurrent_history.py makes the same changes at once on PostgreSQL."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.factories import make_user
from tracker import conflicts, forms, selectors, services
from tracker.models import AuditEvent, Status, StatusChange, TrackedItem

SAVE_AGAIN = "Your changes have not been saved; check them and save again."


def url(name, item):
    return reverse(f"tracker:{name}", args=[item.uuid])


def version_of(item) -> int:
    return TrackedItem.objects.get(pk=item.pk).version


class FormReader(HTMLParser):
    """The values a browser would send from the page's form (hidden inputs, selected
    options, checked radios, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        kind = a.get("type")
        if tag == "input" and (kind == "hidden" or (kind == "radio" and "checked" in a)):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
            self.values.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in a:
            self.values[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.values[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "textarea":
            self.textarea = None


def form_on(response) -> dict[str, str]:
    reader = FormReader()
    reader.feed(response.content.decode())
    reader.values.pop("csrfmiddlewaretoken", None)
    return reader.values


def at(item) -> str:
    """The time of the item's latest change, as the page gives it."""
    latest = AuditEvent.objects.filter(object_id=str(item.uuid)).order_by("-id").first()
    return timezone.localtime(latest.at).strftime("%H:%M")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def ada(world):
    """A second coordinator in West Midlands."""
    return make_user("Ada Brennan", world.wmp, Role.FORCE_COORDINATOR)


# The version ---------------------------------------------------------------------------------


def test_a_new_item_starts_at_version_one(world):
    assert version_of(world.item) == 1


def test_each_change_to_the_item_adds_one_to_its_version(world):
    item = world.item
    services.item_change_status(
        item=item, by=world.owner, to_status=Status.IN_PROGRESS, reason="Started"
    )
    assert version_of(item) == 2
    services.item_revise_due_date(
        item=item,
        by=world.coordinator,
        new_date=item.due_date + datetime.timedelta(days=7),
        reason="Supplier delay",
    )
    assert version_of(item) == 3
    services.item_assign(item=item, by=world.coordinator, lead=world.coordinator)
    assert version_of(item) == 4
    services.closure_propose(item=item, by=world.owner, summary="Done.")
    assert version_of(item) == 5
    services.closure_decide(item=item, by=world.coordinator, approve=False, reason="More")
    assert version_of(item) == 6


def test_adding_an_update_evidence_or_a_view_leaves_the_version(world):
    """They add to the item without changing what a form shows, so they never make someone
    else's page out of date."""
    services.item_add_update(item=world.item, author=world.owner, text="Halfway.")
    services.evidence_attach(
        item=world.item,
        by=world.owner,
        uploaded_file=SimpleUploadedFile("notes.txt", b"Minutes of the board."),
    )
    services.item_record_view(item=world.item, by=world.pcc, rating="green", text="Fine.")
    assert version_of(world.item) == 1


# A stale page ---------------------------------------------------------------------------------


def test_a_status_change_from_a_stale_page_is_not_saved_and_says_what_changed(client, world):
    client.force_login(world.owner)
    page = form_on(client.get(url("item_change_status", world.item)))
    before = world.item.due_date
    services.item_revise_due_date(
        item=world.item,
        by=world.coordinator,
        new_date=before + datetime.timedelta(days=14),
        reason="Supplier delay",
    )
    page.update(status="in_progress", reason="We started the review on Monday.")
    response = client.post(url("item_change_status", world.item), page)

    assert response.status_code == 409
    after = before + datetime.timedelta(days=14)
    assert (
        f"Grace Okafor changed this item at {at(world.item)}: due date from "
        f"{before:%-d %B %Y} to {after:%-d %B %Y}. {SAVE_AGAIN}"
    ) in text_of(response)
    assert TrackedItem.objects.get(pk=world.item.pk).status == Status.NOT_STARTED
    assert not StatusChange.objects.filter(reason__startswith="We started").exists()
    # What they typed is kept, and the page now carries the current version.
    kept = form_on(response)
    assert kept["reason"].strip() == "We started the review on Monday."
    assert kept["status"] == "in_progress"
    assert kept["version"] == "2"
    # Saving again from that page works.
    assert client.post(url("item_change_status", world.item), kept).status_code == 302
    assert TrackedItem.objects.get(pk=world.item.pk).status == Status.IN_PROGRESS


def test_an_owner_change_and_a_lead_change_from_one_page_keep_both(client, world, ada):
    """Grace and Ada open the same page; Grace changes the owner and saves, then Ada changes
    the lead and saves. Ada is told what Grace changed and nothing of hers is saved; her page
    shows Grace's owner with her own lead, and saving it keeps both."""
    path = url("item_assign", world.item)
    client.force_login(world.coordinator)
    grace = form_on(client.get(path))
    client.force_login(ada)
    ada_page = form_on(client.get(path))
    assert grace == ada_page

    client.force_login(world.coordinator)
    grace["owner"] = str(world.colleague.pk)
    assert client.post(path, grace).status_code == 302

    client.force_login(ada)
    ada_page["lead"] = str(ada.pk)
    response = client.post(path, ada_page)
    assert response.status_code == 409
    assert (
        f"Grace Okafor changed this item at {at(world.item)}: owner from Priya Shah to "
        f"Tom Ellis. {SAVE_AGAIN}"
    ) in text_of(response)
    item = TrackedItem.objects.get(pk=world.item.pk)
    assert (item.owner, item.lead) == (world.colleague, None)

    merged = form_on(response)
    assert merged["owner"] == str(world.colleague.pk)  # Grace's change, not undone
    assert merged["lead"] == str(ada.pk)  # what Ada chose, kept
    assert merged["version"] == "2"
    assert client.post(path, merged).status_code == 302
    item = TrackedItem.objects.get(pk=world.item.pk)
    assert (item.owner, item.lead) == (world.colleague, ada)


def test_the_assign_page_carries_the_version_and_the_values_it_shows(client, world):
    client.force_login(world.coordinator)
    assert form_on(client.get(url("item_assign", world.item))) == {
        "version": "1",
        "initial-owner": str(world.owner.pk),
        "owner": str(world.owner.pk),
        "initial-lead": "",
        "lead": "",
    }


def test_your_own_change_in_another_tab_is_called_yours(client, world):
    client.force_login(world.coordinator)
    stale = form_on(client.get(url("item_assign", world.item)))
    services.item_assign(item=world.item, by=world.coordinator, lead=world.coordinator)
    stale["owner"] = str(world.colleague.pk)
    response = client.post(url("item_assign", world.item), stale)
    assert response.status_code == 409
    assert (
        f"You changed this item at {at(world.item)}: accountable lead from nobody to Grace Okafor."
    ) in text_of(response)


def test_several_changes_are_each_named(world):
    services.item_change_status(
        item=world.item, by=world.owner, to_status=Status.IN_PROGRESS, reason="Started"
    )
    services.item_assign(item=world.item, by=world.coordinator, owner=world.colleague)
    with pytest.raises(conflicts.ItemChanged) as caught:
        services.item_revise_due_date(
            item=world.item,
            by=world.coordinator,
            new_date=world.item.due_date + datetime.timedelta(days=3),
            reason="x",
            version=1,
        )
    text = caught.value.message(world.pcc)
    assert re.fullmatch(
        r"Priya Shah changed this item at \d\d:\d\d: status from Not started to In progress\. "
        r"Grace Okafor changed this item at \d\d:\d\d: owner from Priya Shah to Tom Ellis\. "
        + re.escape(SAVE_AGAIN),
        text,
    ), text
    assert version_of(world.item) == 3
    assert not world.item.revisions.exists()


def test_a_change_from_the_current_version_is_saved(world):
    services.item_change_status(
        item=world.item,
        by=world.owner,
        to_status=Status.IN_PROGRESS,
        reason="Started",
        version=1,
    )
    assert version_of(world.item) == 2


def test_a_page_that_sends_no_version_still_saves(client, world):
    """A page opened before versions existed (or a script) sends no version: it is saved as
    before, and an assignment still writes only what differs from the item now."""
    client.force_login(world.coordinator)
    response = client.post(
        url("item_assign", world.item), {"owner": world.owner.pk, "lead": world.coordinator.pk}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_id=str(world.item.uuid)).order_by("-id").first()
    assert event.changes == {"lead": [None, world.coordinator.email]}


# Only what changed ------------------------------------------------------------------------


def test_a_change_of_lead_never_rewrites_the_owner(world):
    """The caller read the item before someone changed its owner; changing only the lead
    leaves that new owner in place."""
    stale = TrackedItem.objects.get(pk=world.item.pk)
    services.item_assign(item=world.item, by=world.coordinator, owner=world.colleague)
    services.item_assign(item=stale, by=world.coordinator, lead=world.coordinator)
    item = TrackedItem.objects.get(pk=world.item.pk)
    assert (item.owner, item.lead) == (world.colleague, world.coordinator)
    event = AuditEvent.objects.filter(object_id=str(world.item.uuid)).order_by("-id").first()
    assert event.changes == {"lead": [None, world.coordinator.email]}


def test_the_assign_form_names_only_the_fields_changed_from_the_page(world):
    people = selectors.force_people(force=world.wmp)
    form = forms.AssignForm(
        {
            "version": "3",
            "initial-owner": str(world.owner.pk),
            "owner": str(world.owner.pk),
            "initial-lead": "",
            "lead": str(world.coordinator.pk),
        },
        people=people,
        initial={"owner": world.colleague.pk, "lead": None},  # the item has changed since
    )
    assert form.is_valid(), form.errors
    assert form.changes() == {"lead": world.coordinator}


def test_many_changes_are_counted_and_the_latest_named(world):
    for n in range(7):
        services.item_revise_due_date(
            item=world.item,
            by=world.coordinator,
            new_date=world.item.due_date + datetime.timedelta(days=n + 1),
            reason=f"Revision {n}",
        )
    with pytest.raises(conflicts.ItemChanged) as caught:
        services.item_assign(item=world.item, by=world.coordinator, lead=world.owner, version=1)
    text = caught.value.message(world.coordinator)
    assert text.startswith(
        "This item has been changed 7 times since you opened this page; the latest 5 changes: "
        "You changed this item at "
    )
    assert text.count("You changed this item") == 5
    assert text.endswith(SAVE_AGAIN)
    assert TrackedItem.objects.get(pk=world.item.pk).lead is None
