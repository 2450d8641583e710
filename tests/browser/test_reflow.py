"""Reflow (WCAG 1.4.10) and text spacing (WCAG 1.4.12) in a real browser.

At 320 CSS pixels wide no page may scroll sideways: wide tables scroll inside their own region
instead. The pages are found the way a person finds them: from each role's landing page,
following the links on every page reached (one page for each kind of address, so item 12 and
item 13 count once), two steps deep, plus the public pages. A page that scrolls sideways fails
the test with its address and how wide it is.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}

# Links that leave the page's kind of content: downloads, sign-out, the admin, changes.
SKIP = re.compile(
    r"(/account/sign-out|/admin/|\.pdf|\.docx|\.csv|\.xlsx|format=|/download|/export|"
    r"/evidence/\d+/file|/favicon|/static/|/metrics|/healthz|/readyz|#)"
)

# WCAG 1.4.12's spacing, applied to everything, as the success criterion's test does.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def kind_of(path: str) -> str:
    """One page of each kind: ids and numbers in the address count as the same page."""
    return re.sub(r"\d+", "N", UUID.sub("ID", path))


def overflow(page: Page) -> int:
    """How many CSS pixels wider than the window the page is (0 when it fits)."""
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )


def crawl(page: Page, base: str, start: str, depth: int = 2) -> dict[str, int]:
    """Visit the pages reachable from `start`, `depth` links deep; each page's overflow."""
    seen: dict[str, int] = {}
    frontier = [start]
    for _ in range(depth + 1):
        found: list[str] = []
        for url in frontier:
            path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
            key = kind_of(urlsplit(url).path)
            if key in seen:
                continue
            try:
                response = page.goto(urljoin(base, path))
            except PlaywrightError as error:  # a link to a file: not a page
                if "Download is starting" not in str(error):
                    raise
                seen[key] = 0
                continue
            if response is None or response.status >= 400:
                seen[key] = 0
                continue
            page.wait_for_load_state("load")
            seen[key] = overflow(page)
            hrefs = page.eval_on_selector_all(
                "header a[href], main a[href], nav a[href]", "els => els.map(e => e.href)"
            )
            for href in hrefs:
                parts = urlsplit(href)
                if parts.netloc != urlsplit(base).netloc or SKIP.search(href):
                    continue
                if kind_of(parts.path) not in seen:
                    found.append(href)
        frontier = found
    return seen


@pytest.mark.parametrize(
    "email",
    [
        "grace.okafor@wmp.example",  # force coordinator
        "priya.shah@wmp.example",  # force staff
        "daniel.hughes@pcc.example",  # PCC office (two-factor)
        "sam.patel@hmicfrs.example",  # national reader
    ],
)
def test_no_page_scrolls_sideways_at_320_pixels(browser, live_server, demo, email):
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, email)
        pages = crawl(page, live_server.url, page.url)
    finally:
        context.close()
    assert len(pages) >= 8, f"only {len(pages)} kinds of page found from the landing page"
    wide = {path: px for path, px in pages.items() if px > 0}
    assert wide == {}, f"pages wider than 320 px (by how many px) for {email}: {wide}"


def test_public_pages_do_not_scroll_sideways_at_320_pixels(browser, live_server, demo):
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    try:
        pages = crawl(page, live_server.url, f"{live_server.url}/public/")
    finally:
        context.close()
    assert len(pages) >= 3, f"only {len(pages)} public pages found"
    wide = {path: px for path, px in pages.items() if px > 0}
    assert wide == {}, f"public pages wider than 320 px (by how many px): {wide}"


def test_chart_labels_are_not_cut_off_with_wider_text_spacing(browser, live_server, demo):
    """Every label of every dashboard chart stays inside its chart with WCAG 1.4.12 spacing.

    The spacing is a style sheet added by the test, as a person's own style sheet or a browser
    extension would add it; the page's Content Security Policy would rightly refuse it, so this
    browser context alone bypasses the policy."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "grace.okafor@wmp.example")
    page.goto(f"{live_server.url}/dashboard/")
    page.add_style_tag(content=TEXT_SPACING)
    outside = page.evaluate(
        """() => {
            const out = [];
            for (const svg of document.querySelectorAll('svg.app-chart__svg')) {
                const box = svg.viewBox.baseVal;
                for (const text of svg.querySelectorAll('text')) {
                    const b = text.getBBox();
                    if (b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5) {
                        out.push(text.textContent.trim());
                    }
                }
            }
            return out;
        }"""
    )
    labels = page.locator("svg.app-chart__svg text").count()
    context.close()
    assert labels >= 8
    assert outside == []
