"""Issue 14's wording fixes in a real browser, with axe-core: the PCC office previews the
introduction as it will read, and the progress review says which rating is whose."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in

pytestmark = pytest.mark.browser

PCC = "daniel.hughes@pcc.example"


def test_the_office_previews_the_introduction_and_reads_the_review_labels(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    sign_in(page, base, PCC)
    page.goto(f"{base}/responses/")
    page.get_by_role("link", name="Sample report for the demo").click()
    follow(page, "Write the response")
    page.get_by_label("Introduction").fill("Our response to “{{ report_title }}”, for {{ force }}.")
    page.get_by_role("button", name="Preview the introduction").click()
    preview = page.locator("#introduction-preview")
    expect(preview).to_contain_text("Our response to “Sample report for the demo")
    expect(preview).to_contain_text("for West Midlands Police.")
    expect(page.get_by_label("Introduction")).to_have_value(
        "Our response to “{{ report_title }}”, for {{ force }}."
    )
    check_accessibility(page, "issue14-introduction-preview")

    page.goto(f"{base}/review/")
    expect(main).to_contain_text("Tracker’s assessment")
    expect(main).to_contain_text("Your office’s rating")
    check_accessibility(page, "issue14-review-labels")
