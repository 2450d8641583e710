"""Signing in, in a real browser with axe on every page: repeated wrong passwords lock the
account; a person sets up two-factor authentication from the key the page shows, saves the
recovery codes, and signs in again with a code; a forgotten password is reset by email."""

import re

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.pages import PASSWORD, check_accessibility, follow, sign_in

pytestmark = pytest.mark.browser


def test_five_wrong_passwords_lock_the_account(page, live_server, demo, settings):
    base = live_server.url
    page.goto(f"{base}/account/sign-in/")
    check_accessibility(page, "sign-in")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Email address").fill("priya.shah@wmp.example")
        page.get_by_label("Password").fill(f"not the password {attempt}")
        page.get_by_role("button", name="Sign in").click()
        if attempt < settings.AXES_FAILURE_LIMIT - 1:
            expect(page.locator(".govuk-error-summary")).to_contain_text(
                "Enter a correct email address and password"
            )
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is locked for now")
    check_accessibility(page, "sign-in-locked")
    # The right password does not help while the lock lasts.
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Email address").fill("priya.shah@wmp.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is locked for now")


def test_a_person_sets_up_two_factor_and_signs_in_with_a_code(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "tom.ellis@wmp.example")
    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.locator("main")).to_contain_text("Two-factor authentication")
    check_accessibility(page, "security")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.locator("main svg")).to_be_visible()  # the QR code, drawn on the server
    check_accessibility(page, "two-factor-setup")

    # Type the key into "the app" (pyotp), as a person without a camera would.
    key = page.locator(".app-secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication is on")
    codes = page.locator(".app-recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", c) for c in codes)
    check_accessibility(page, "recovery-codes")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email address").fill("tom.ellis@wmp.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    check_accessibility(page, "sign-in-code")
    page.get_by_label("Code from your authenticator app").fill(codes[0])  # a recovery code
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".app-account-bar")).to_contain_text("Tom Ellis")
    expect(page.locator("main")).to_contain_text("You signed in with a recovery code")


def test_a_forgotten_password_is_reset_by_email(page, live_server, demo):
    base = live_server.url
    page.goto(f"{base}/account/sign-in/")
    follow(page, "Forgotten your password?")
    check_accessibility(page, "password-reset")
    page.get_by_label("Email address").fill("tom.ellis@wmp.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    link = re.search(r"http://\S+/account/reset/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page.goto(base + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check_accessibility(page, "password-reset-new")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Type the new password again").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("too short")
    new = "a long new password for tom 2026"
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Type the new password again").fill(new)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is saved")
    page.get_by_role("link", name="Sign in with your new password").click()
    page.get_by_label("Email address").fill("tom.ellis@wmp.example")
    page.get_by_label("Password").fill(new)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".app-account-bar")).to_contain_text("Tom Ellis")
