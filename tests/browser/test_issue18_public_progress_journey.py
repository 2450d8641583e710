"""The public progress register in a real browser (issue 18), with axe-core on every page:
the West Midlands PCC office approves new words for the 2017 PEEL report's recommendation
and publishes them as version 3; then, signed out, the public page of the West Midlands PCC
lists the progress, shows the new words (a script in them shown as text), the version
history and the Welsh page."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in
from tracker.demo_public_progress import REPORT
from tracker.models import ProgressPublication, TrackedItem

pytestmark = pytest.mark.browser

PCC = "daniel.hughes@pcc.example"
FORCE = "west-midlands-police"
WORDS = "Control rooms audited again in 2026 <script>alert('x')</script>"


def test_the_office_publishes_progress_and_the_public_sees_it(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    item = TrackedItem.objects.get(finding__key=f"{REPORT}:rec-1", force__code=FORCE)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    sign_in(page, base, PCC)
    page.goto(f"{base}/reports/{REPORT}/progress/{FORCE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Publish progress on your public page"
    )
    expect(main).to_contain_text("Version 2 was published on")
    check_accessibility(page, "progress-publish")

    # Nothing changed: publishing is refused with a clear message.
    page.get_by_role("button", name="Publish progress").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Nothing has changed since version 2"
    )
    check_accessibility(page, "progress-publish-nothing-changed")

    # New words, saved, then published as version 3.
    box = page.locator(f"#id_words_{item.pk}")
    box.fill(WORDS)
    page.get_by_role("button", name="Save wording").click()
    expect(main).to_contain_text("Publish progress to show them")
    expect(main).to_contain_text("have changed since")
    page.get_by_role("button", name="Publish progress").click()
    expect(main).to_contain_text("Progress published on the public page: version 3")
    assert ProgressPublication.objects.filter(report__key=REPORT).count() == 3
    page.get_by_role("button", name="Sign out").click()

    # The public page, signed out: the body's page lists it, the progress page shows it.
    page.goto(f"{base}/public/west-midlands-pcc/")
    expect(main).to_contain_text("Progress on the recommendations")
    check_accessibility(page, "public-body-with-progress")
    progress = page.get_by_role("region", name="Published progress table")
    progress.get_by_role("link", name="progress on the recommendations").click()
    page.wait_for_url(f"{base}/public/west-midlands-pcc/progress/{REPORT}/")
    expect(main).to_contain_text("Version 3,")
    expect(main).to_contain_text(WORDS)  # the script is text, never run
    expect(main).to_contain_text("Closed")
    assert dialogs == []
    check_accessibility(page, "public-progress")

    # An earlier version, kept as it was.
    follow(page, "Version 1, published", exact=False)
    expect(main).to_contain_text("A later version has been published")
    expect(main).not_to_contain_text(WORDS)
    check_accessibility(page, "public-progress-version-1")

    # In Welsh.
    page.goto(f"{base}/public/west-midlands-pcc/progress/{REPORT}/?lang=cy")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(main).to_contain_text(WORDS)
    check_accessibility(page, "public-progress-cy")
