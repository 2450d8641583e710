"""An administrator deactivates a West Midlands person and hands their items over, in a real
browser with axe on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.pages import check_accessibility, follow, sign_in
from tracker.models import AuditEvent, TrackedItem

pytestmark = pytest.mark.browser


def test_an_administrator_deactivates_tom_and_hands_his_items_to_priya(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    tom = User.objects.get(email="tom.ellis@wmp.example")
    toms = set(TrackedItem.objects.open().filter(owner=tom).values_list("pk", flat=True))
    assert toms

    sign_in(page, base, "alex.morgan@admin.example")
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    check_accessibility(page, "people")

    # a new person's form, refused empty: the error summary and the role checkboxes
    page.get_by_role("link", name="Add a person").click()
    page.get_by_role("button", name="Add person").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their full name")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one role")
    check_accessibility(page, "person-add-errors")
    page.get_by_role("link", name="Back to people").click()

    page.get_by_label("Search name or email").fill("tom.ellis")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Tom Ellis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tom Ellis")
    expect(main).to_contain_text(f"Owns {len(toms)} open items")
    check_accessibility(page, "person-detail")

    page.get_by_role("link", name="Change details and roles").click()
    expect(page.get_by_label("Force staff")).to_be_checked()
    check_accessibility(page, "person-edit")
    page.get_by_role("link", name="Cancel").click()

    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Tom Ellis")
    expect(page.locator("table tbody tr")).to_have_count(len(toms))
    check_accessibility(page, "person-deactivate")
    page.get_by_label("Who should take over their open items?").select_option(label="Priya Shah")
    page.get_by_role("button", name="Deactivate Tom Ellis").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Tom Ellis has been deactivated"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deactivated")
    expect(main).to_contain_text("handed to Priya Shah")
    check_accessibility(page, "person-deactivated")

    tom.refresh_from_db()
    assert not tom.is_active
    priya = User.objects.get(email="priya.shah@wmp.example")
    assert set(TrackedItem.objects.filter(pk__in=toms).values_list("owner", flat=True)) == {
        priya.pk
    }
    admin = User.objects.get(email="alex.morgan@admin.example")
    assert AuditEvent.objects.filter(actor=admin, note__startswith="Handed over").count() >= len(
        toms
    )

    follow(page, "Reactivate")
    check_accessibility(page, "person-reactivate")
    page.get_by_role("button", name="Reactivate Tom Ellis").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Tom Ellis has been reactivated"
    )
    tom.refresh_from_db()
    assert tom.is_active


def test_an_administrator_adds_a_person_who_sets_a_password_and_signs_in(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "alex.morgan@admin.example")
    page.goto(f"{base}/account/people/add/")
    page.get_by_label("Email address").fill("jo.bloggs@wmp.example")
    page.get_by_label("Full name").fill("Jo Bloggs")
    page.get_by_label("Organisation").select_option(label="West Midlands Police (police force)")
    page.get_by_label("Force staff").check()
    page.get_by_role("button", name="Add person").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Jo Bloggs has been added"
    )
    expect(page.locator("main")).to_contain_text("Not set yet")
    check_accessibility(page, "person-added")

    [email] = [m for m in mail.outbox if m.to == ["jo.bloggs@wmp.example"]]
    path = re.search(r"/account/reset/\S+", email.body).group(0)
    page.get_by_role("button", name="Sign out").click()
    jo = page  # the same page (with its Content Security Policy watch), now signed out
    jo.goto(f"{base}{path}")
    expect(jo.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check_accessibility(jo, "set-password")
    jo.get_by_label("New password", exact=True).fill("a long new password 42")
    jo.get_by_label("Type the new password again").fill("a long new password 42")
    jo.get_by_role("button", name="Save the new password").click()
    expect(jo.get_by_role("heading", level=1)).to_have_text("Your password is saved")
    check_accessibility(jo, "password-set")
    jo.get_by_role("link", name="Sign in with your new password").click()
    jo.get_by_label("Email address").fill("jo.bloggs@wmp.example")
    jo.get_by_label("Password").fill("a long new password 42")
    jo.get_by_role("button", name="Sign in").click()
    expect(jo.get_by_role("heading", level=1)).to_have_text("My items")
