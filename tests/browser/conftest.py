"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server.

Playwright's sync API runs an event loop in this thread, so Django's async-safety check has to
be told that the test's own database calls are fine.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. Install Debian's package "
            "(apt-get install chromium) or set CHROMIUM; the test command does this "
            "for you when run as root."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that also fails the test if the Content Security Policy blocked anything.

    axe-core is loaded as an init script (Playwright adds it outside the page's own scripts),
    because the policy rightly refuses any inline script, the test's included."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    blocked = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    assert blocked == [], "The Content Security Policy blocked:\n" + "\n".join(blocked)


def check_accessibility(page, name):
    """Run axe-core on the current page; fail listing every WCAG 2.2 AA violation."""
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    assert violations == [], f"axe found problems on {name}:\n" + "\n".join(violations)


PASSWORD = "a-demo-password-for-tests"


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEMO_PASSWORD = PASSWORD
    settings.DEMO_MODE = True
    call_command("load_seed_data", "--demo")


def sign_in(page, base, email):
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/account/sign-in/code/" in page.url:
        enter_two_factor_code(page, email)


def enter_two_factor_code(page, email):
    """The second sign-in step for an account with an authenticator app: the code the app
    would show now (pyotp, from the stored key), as a person would type it."""
    from django.utils import timezone

    from accounts.models import TwoFactorDevice
    from accounts.two_factor import next_usable_code

    device = TwoFactorDevice.objects.get(user__email=email)
    code = next_usable_code(device, at=timezone.now())
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
