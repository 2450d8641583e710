"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server.

Playwright's sync API runs an event loop in this thread, so Django's async-safety check has to
be told that the test's own database calls are fine.
"""

import os
import shutil

import pytest
from django.core.management import call_command

from tests.browser.pages import AXE, PASSWORD

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


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEMO_PASSWORD = PASSWORD
    settings.DEMO_MODE = True
    call_command("load_seed_data", "--demo")
