"""Issue 18 in a real browser, with axe on every page: West Midlands' coordinator (Grace)
shares a closed item's closing summary with every force (a mistake on the form first), and
Staffordshire's coordinator (Megan) finds it from her own similar finding, seeing nothing of
West Midlands' unshared work; then Grace stops sharing it and it is gone from Megan's page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in
from tracker.demo_learning import SAMPLE_REPORT, UNSHARED_FINDING
from tracker.models import SharedLearning, TrackedItem

pytestmark = pytest.mark.browser

ROLE = "Strategic lead for crime prevention"


def test_a_shared_summary_is_found_by_another_force_from_a_similar_finding(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    strategy = TrackedItem.objects.get(
        finding__key=UNSHARED_FINDING, force__code="west-midlands-police"
    )
    megans = TrackedItem.objects.get(finding__key=f"{SAMPLE_REPORT}:afi-1")

    # Megan sees the summary the demo shared, and nothing of the unshared closed item.
    sign_in(page, base, "megan.price@staffs.example")
    page.goto(f"{base}/items/{megans.uuid}/")
    similar = page.locator("#similar-learning").locator("xpath=..")
    expect(similar).to_contain_text("How other forces answered similar findings")
    expect(similar).to_contain_text("Head of Force Contact training")
    expect(main).not_to_contain_text("not shared outside the force")
    expect(main).not_to_contain_text(ROLE)
    check_accessibility(page, "issue18-learning-megan-before")
    page.context.clear_cookies()

    # Grace shares the closed strategy item: the form starts from its closing summary.
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/items/{strategy.uuid}/")
    check_accessibility(page, "issue18-learning-item-unshared")
    follow(page, "Share what worked with other forces")
    expect(page.get_by_role("heading", level=1)).to_have_text("Share what worked with other forces")
    expect(page.get_by_label("What was done")).to_have_value(
        re.compile("A force crime prevention strategy was written and agreed")
    )
    check_accessibility(page, "issue18-learning-share-form")
    page.get_by_label("What was done").fill(
        "A crime prevention strategy with a named lead in every neighbourhood team."
    )
    page.get_by_label("What evidence showed that it worked").fill(
        "Repeat burglary fell by a fifth in the year after."
    )
    page.get_by_role("button", name="Share with every force").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a contact role")
    check_accessibility(page, "issue18-learning-share-error")
    assert not SharedLearning.objects.filter(item=strategy).exists()
    page.get_by_label("Contact role").fill(ROLE)
    page.get_by_role("button", name="Share with every force").click()
    expect(main).to_contain_text("The closing summary is shared with every force")
    expect(main).to_contain_text("has been shared with every force since")
    check_accessibility(page, "issue18-learning-item-shared")
    page.context.clear_cookies()

    # Megan finds it beside her similar finding, and in the list of shared learning.
    sign_in(page, base, "megan.price@staffs.example")
    page.goto(f"{base}/items/{megans.uuid}/")
    expect(similar).to_contain_text(ROLE)
    expect(similar).to_contain_text("Repeat burglary fell by a fifth")
    expect(similar).to_contain_text("West Midlands Police")
    check_accessibility(page, "issue18-learning-megan-after")
    follow(page, "All shared learning")
    expect(main).to_contain_text("2 shared summaries")
    expect(main).to_contain_text(ROLE)
    check_accessibility(page, "issue18-learning-list")
    page.get_by_label("Words in the summary, its finding or its force").fill("burglary fifth")
    main.get_by_role("button", name="Search").click()
    expect(main).to_contain_text("1 shared summary matches")
    check_accessibility(page, "issue18-learning-list-search")
    page.context.clear_cookies()

    # Grace stops sharing it: Megan's page no longer shows it.
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/items/{strategy.uuid}/")
    page.get_by_role("button", name="Stop sharing it").click()
    expect(main).to_contain_text("The summary is no longer shared")
    check_accessibility(page, "issue18-learning-withdrawn")
    page.context.clear_cookies()
    sign_in(page, base, "megan.price@staffs.example")
    page.goto(f"{base}/items/{megans.uuid}/")
    expect(similar).to_contain_text("Head of Force Contact training")
    expect(main).not_to_contain_text(ROLE)
