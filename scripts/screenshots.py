"""Take the README's screenshots from a running demo (default http://127.0.0.1:8000).

Usage: .venv/bin/python scripts/screenshots.py [BASE_URL]
Uses Debian's Chromium (/usr/bin/chromium); never downloads a browser.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = os.environ.get("DEMO_PASSWORD", "inspection-demo-2026")
SEED = Path(__file__).resolve().parent.parent / "fixtures" / "sources" / "002_d8db408b9b4688bf.txt"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def sign_in(page, email, *, shot=None):
    page.goto(f"{BASE}/account/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    if "/sign-in/code/" in page.url:
        # Demo accounts with two-factor authentication: the demo shows their current code.
        if shot:
            page.screenshot(path=OUT / shot, full_page=True)
        page.fill("#id_code", page.locator(".govuk-inset-text strong").inner_text())
        page.click("button:has-text('Continue')")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{BASE}/account/sign-in/")
        page.screenshot(path=OUT / "sign-in.png", full_page=True)
        sign_in(page, "priya.shah@wmp.example")
        page.screenshot(path=OUT / "my-items.png", full_page=True)
        page.locator("main a", has_text="The force should complete its serious").first.click()
        page.screenshot(path=OUT / "item.png", full_page=True)
        page.goto(f"{BASE}/reports/peel-effectiveness-2017-west-midlands/")
        page.screenshot(path=OUT / "report.png", full_page=True)
        page.goto(f"{BASE}/notifications/")
        page.screenshot(path=OUT / "notifications.png", full_page=True)
        page.goto(f"{BASE}/account/email-settings/")
        page.screenshot(path=OUT / "email-settings.png", full_page=True)
        page.goto(f"{BASE}/account/security/two-factor/")
        page.screenshot(path=OUT / "two-factor-setup.png", full_page=True)
        page.click("button:has-text('Sign out')")
        sign_in(page, "grace.okafor@wmp.example")
        page.screenshot(path=OUT / "coordinator.png", full_page=True)
        page.goto(f"{BASE}/reports/import/")
        page.set_input_files("#id_file", str(SEED))
        page.click("button:has-text('Upload and read')")
        page.wait_for_selector("h1:has-text('Check what was found')", timeout=60_000)
        page.set_viewport_size({"width": 1200, "height": 1700})
        page.screenshot(path=OUT / "report-import.png")
        page.set_viewport_size({"width": 1200, "height": 900})
        page.goto(f"{BASE}/dashboard/")
        page.screenshot(path=OUT / "dashboard.png", full_page=True)
        page.goto(f"{BASE}/overdue/")
        page.screenshot(path=OUT / "overdue.png", full_page=True)
        # Issues 21 and 22: the rules page (its top), an item with its protective marking.
        page.set_viewport_size({"width": 1200, "height": 1500})
        page.goto(f"{BASE}/rules/")
        page.screenshot(path=OUT / "rules.png")
        page.set_viewport_size({"width": 1200, "height": 900})
        page.goto(f"{BASE}/items/?q=scenes")
        page.locator("main a[href^='/items/']").filter(has_text="scenes of crime").first.click()
        page.screenshot(path=OUT / "item-marking.png")
        # Issue 15: webhooks and an endpoint's delivery log, API tokens, the calendar address,
        # the API's reference page.
        page.goto(f"{BASE}/webhooks/")
        page.screenshot(path=OUT / "webhooks.png", full_page=True)
        page.locator("table a[href^='/webhooks/']").first.click()
        page.screenshot(path=OUT / "webhook-detail.png", full_page=True)
        page.goto(f"{BASE}/account/api-tokens/")
        page.screenshot(path=OUT / "api-tokens.png", full_page=True)
        page.goto(f"{BASE}/account/email-settings/#calendar")
        page.screenshot(path=OUT / "email-settings-calendar.png", full_page=True)
        page.goto(f"{BASE}/api/v1/docs/")
        page.wait_for_selector("text=/api/v1/items/")
        page.screenshot(path=OUT / "api-reference.png")
        page.goto(f"{BASE}/items/")
        page.click("button:has-text('Sign out')")
        # A West Midlands address: the organisation's own provider is offered.
        page.fill("#id_username", "jordan.reid@wmp.example")
        page.click("button:has-text('Sign in')")
        page.screenshot(path=OUT / "sign-in-provider.png", full_page=True)
        sign_in(page, "daniel.hughes@pcc.example", shot="sign-in-code.png")
        page.goto(f"{BASE}/reports/demo-report-published-50-days-ago/")
        page.screenshot(path=OUT / "statutory-deadline.png", full_page=True)
        page.goto(f"{BASE}/reports/peel-effectiveness-2015-west-midlands/")
        page.screenshot(path=OUT / "no-statutory-deadline.png", full_page=True)
        page.goto(f"{BASE}/responses/")
        page.screenshot(path=OUT / "statutory-responses.png", full_page=True)
        page.goto(f"{BASE}/responses/peel-effectiveness-2017-west-midlands/west-midlands-police/")
        page.screenshot(path=OUT / "response.png", full_page=True)
        page.goto(f"{BASE}/review/")
        page.screenshot(path=OUT / "progress-review.png", full_page=True)
        page.click("button:has-text('Sign out')")
        page.goto(f"{BASE}/public/west-midlands-pcc/")
        page.screenshot(path=OUT / "public-responses.png", full_page=True)
        page.click("text=PEEL: police effectiveness 2017")
        page.screenshot(path=OUT / "public-response.png", full_page=True)
        page.goto(f"{BASE}/public/dyfed-powys-pcc/?lang=cy")
        page.screenshot(path=OUT / "public-welsh.png", full_page=True)
        sign_in(page, "daniel.hughes@pcc.example")
        page.click("button:has-text('Sign out')")
        sign_in(page, "sam.patel@hmicfrs.example")
        page.goto(f"{BASE}/dashboard/")
        page.screenshot(path=OUT / "dashboard-national.png", full_page=True)
        page.click("button:has-text('Sign out')")
        sign_in(page, "alex.morgan@admin.example")
        page.goto(f"{BASE}/reminders/health/")
        page.screenshot(path=OUT / "reminder-health.png", full_page=True)
        page.goto(f"{BASE}/account/people/")
        page.screenshot(path=OUT / "people.png", full_page=True)
        page.goto(f"{BASE}/transfers/")
        page.click("text=West Midlands Police and Crime Commissioner")
        page.screenshot(path=OUT / "transfer-preview.png", full_page=True)
        browser.close()
    compress(sorted(OUT.glob("*.png")))
    print(f"Screenshots written to {OUT}")


def compress(files):
    """Keep the repository small: pngquant (lossy palette, still sharp for these flat pages)
    then optipng, when Debian's packages are installed; otherwise the files stay as taken."""
    pngquant, optipng = shutil.which("pngquant"), shutil.which("optipng")
    # The arguments are fixed options and the screenshots this script has just written.
    if pngquant:
        args = ["--quality=80-95", "--strip", "--force", "--ext", ".png"]
        subprocess.run([pngquant, *args, *files], check=False)  # noqa: S603
    if optipng:
        subprocess.run([optipng, "-quiet", "-o2", *files], check=False)  # noqa: S603


if __name__ == "__main__":
    main()
