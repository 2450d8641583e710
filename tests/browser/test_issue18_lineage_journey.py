"""Issue 18 in a real browser, with axe on every page: the West Midlands PCC office opens the
2017 report (it says one of its findings was raised before), then the 2017 cause of concern,
whose item page shows the chain back to the 2015 area for improvement and the 2014 letter;
on the lineage page it dismisses a suggestion (a first try without a choice shows the error
summary) and sees the rest."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in
from tracker.models import Finding, FindingLink, LinkState, TrackedItem

pytestmark = pytest.mark.browser

PCC = "daniel.hughes@pcc.example"
COC = "peel-effectiveness-2017-west-midlands:coc-1"


def test_the_pcc_office_sees_raised_before_on_the_2017_cause_of_concern(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    item = TrackedItem.objects.get(finding__key=COC, force__code="west-midlands-police")
    pending = FindingLink.objects.filter(
        later=item.finding, force=item.force, state=LinkState.SUGGESTED
    )
    if not pending.exists():  # the demo's suggestions follow the measure's thresholds
        FindingLink.objects.create(
            later=item.finding,
            earlier=Finding.objects.get(key="core-business-2014:f-6"),
            force=item.force,
            score=0.31,
            reason="Shared words: vulnerable, victim, repeat (similarity 0.31)",
            suggested_at=timezone.now(),
        )
    sign_in(page, base, PCC)

    page.goto(f"{base}/reports/{item.finding.report.key}/")
    expect(main).to_contain_text("1 of its findings was raised before")
    check_accessibility(page, "issue18-report-raised-before")

    page.goto(f"{base}/items/{item.uuid}/")
    section = page.locator("#lineage")
    expect(section).to_have_text("Raised before")
    expect(main).to_contain_text("Continues: February 2016 area for improvement")
    expect(main).to_contain_text("Repeats: 4 September 2014 finding, closed 12 May 2015")
    check_accessibility(page, "issue18-item-raised-before")

    follow(page, "Lineage: ", exact=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Lineage of this finding")
    expect(main).to_contain_text("Suggested earlier findings")
    expect(main).to_contain_text("Shared words")
    check_accessibility(page, "issue18-lineage-page")

    first = pending.order_by("-score", "id").first()
    page.goto(f"{base}/items/{item.uuid}/lineage/{first.pk}/")
    check_accessibility(page, "issue18-decide")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose whether to confirm or dismiss the link"
    )
    check_accessibility(page, "issue18-decide-error")
    page.get_by_label("No: dismiss the suggestion").check()
    page.get_by_label("Note (optional)").fill("Attendance policy, not the same issue.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lineage of this finding")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The suggestion has been dismissed"
    )
    first.refresh_from_db()
    assert first.state == LinkState.DISMISSED
    assert first.decided_by.email == PCC
