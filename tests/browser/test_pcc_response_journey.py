"""The PCC office's journey in a real browser: from asking for the chief constable's comments
to publication, the force coordinator's part in between, the documents and the public page,
with axe-core on every page."""

import datetime
import io

import docx
import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, follow, sign_in
from tracker.demo import RECENT_REPORT
from tracker.models import ResponseVersion

pytestmark = pytest.mark.browser

PCC = "daniel.hughes@pcc.example"
COORDINATOR = "grace.okafor@wmp.example"
TITLE = "Sample report for the demo: West Midlands Police, published 50 days ago"


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_the_office_takes_a_report_from_request_to_publication(page, live_server, demo):
    base = live_server.url
    today = timezone.localdate()
    main = page.locator("main")

    # The office's list: the sample report is due in five days, the 2018 one published late.
    sign_in(page, base, PCC)
    page.get_by_role("link", name="Statutory responses").click()
    expect(main).to_contain_text("5 days left")
    expect(main).to_contain_text("Published 1 day late")
    check_accessibility(page, "responses-list")

    page.get_by_role("link", name="Sample report for the demo").click()
    expect(main).to_contain_text("Not started")
    check_accessibility(page, "response-not-started")

    # 1. Ask for the chief constable's comments: a date after the PCC's deadline is refused.
    follow(page, "Ask for the chief constable's comments")
    check_accessibility(page, "response-request")
    late = (today + datetime.timedelta(days=20)).strftime("%d/%m/%Y")
    page.get_by_label("When do you need the chief constable's comments by?").fill(late)
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("so there is time to publish")
    check_accessibility(page, "response-request-error")
    due = (today + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    page.get_by_label("When do you need the chief constable's comments by?").fill(due)
    page.get_by_role("button", name="Send the request").click()
    expect(main).to_contain_text("The force coordinator has been told")
    expect(main).to_contain_text("Chief constable's comments requested")
    sign_out(page)

    # 2. The coordinator sees the request and sends the comments and the force's response.
    sign_in(page, base, COORDINATOR)
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="asks for the chief constable's comments").first.click()
    expect(page.locator("h1")).to_contain_text("Statutory response")
    page.get_by_role("link", name="Record the chief constable's comments").click()
    page.get_by_label("The chief constable's comments").fill(
        "The chief constable accepts the recommendation.\n\n- Repeat callers are flagged <now>."
    )
    page.get_by_label("When were they received?").fill(today.strftime("%d/%m/%Y"))
    check_accessibility(page, "response-chief-constable")
    page.get_by_role("button", name="Save the comments").click()
    expect(main).to_contain_text("Chief constable's comments received")
    follow(page, "Write the force's response to each recommendation")
    check_accessibility(page, "response-force-side")
    page.get_by_label("The force's response").fill("A repeat-caller review board meets weekly.")
    page.get_by_role("button", name="Save").click()
    expect(main).to_contain_text("Your changes have been saved")
    sign_out(page)

    # 3. The office writes its response; the check refuses approval until it is complete.
    sign_in(page, base, PCC)
    page.goto(f"{base}/responses/{RECENT_REPORT}/west-midlands-police/approve/")
    expect(main).to_contain_text("recommendation 1")
    expect(page.get_by_role("button", name="Approve the response")).to_have_count(0)
    check_accessibility(page, "response-approve-refused")

    page.goto(f"{base}/responses/{RECENT_REPORT}/west-midlands-police/edit/")
    page.get_by_label("The PCC's overall comments on the report").fill(
        "I welcome this report and will hold the force to account."
    )
    page.get_by_label("The PCC's response").fill(
        "I will ask for a quarterly update on repeat callers at my Strategic Policing Board."
    )
    check_accessibility(page, "response-edit")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Check and approve").click()
    expect(main).to_contain_text("Every recommendation is answered")
    check_accessibility(page, "response-approve")
    page.get_by_role("button", name="Approve the response").click()
    expect(main).to_contain_text("approved and ready to publish")

    # 4. The documents say what was recorded.
    with page.expect_download() as word:
        page.get_by_role(
            "link", name="Download the approved document as a Word document (.docx)"
        ).click()
    text = "\n".join(p.text for p in docx.Document(word.value.path()).paragraphs)
    assert "The chief constable accepts the recommendation." in text
    assert "Repeat callers are flagged <now>." in text
    assert "A repeat-caller review board meets weekly." in text
    assert "quarterly update on repeat callers" in text
    assert "Approved for publication" in text
    assert "Draft" not in text
    assert word.value.suggested_filename.endswith("-v1.docx")

    # 5. Publication: a date before the report is refused, then recorded.
    page.get_by_role("link", name="Record publication").click()
    page.get_by_label("Date published").fill("01/01/2020")
    page.get_by_role("button", name="Record publication").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "on or after the day the report was published"
    )
    check_accessibility(page, "response-publish-error")
    page.get_by_label("Date published").fill(today.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Record publication").click()
    expect(main).to_contain_text("The publication has been recorded")
    expect(main).to_contain_text("Published on time")
    check_accessibility(page, "response-published")
    assert ResponseVersion.objects.filter(response__report__key=RECENT_REPORT).count() == 1

    # 6. The public page (signed out) lists it with the 2018 response; the PDF matches.
    sign_out(page)
    page.goto(f"{base}/public/west-midlands-pcc/")
    expect(main).to_contain_text("Sample report for the demo")
    expect(main).to_contain_text("PEEL: police effectiveness 2017")
    check_accessibility(page, "public-responses")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(main).to_contain_text("quarterly update on repeat callers")
    check_accessibility(page, "public-response")
    pdf_link = page.get_by_role("link", name="PDF (version 1)")
    pdf = page.request.get(base + pdf_link.get_attribute("href"))
    reader = pypdf.PdfReader(io.BytesIO(pdf.body()))
    pdf_text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "A repeat-caller review board meets weekly." in pdf_text
    assert "I welcome this report and will hold the force to account." in pdf_text


def test_the_office_reviews_progress_and_asks_for_an_update(page, live_server, demo):
    base = live_server.url
    sign_in(page, base, PCC)
    page.get_by_role("link", name="Progress review").click()
    expect(page.locator("main")).to_contain_text("PEEL: police effectiveness 2017")
    check_accessibility(page, "progress-review")
    page.locator("main table tbody a").first.click()
    page.get_by_role("link", name="Record your view on progress").click()
    page.get_by_label("Amber: at risk").check()
    page.get_by_label("Your view on progress").fill("Progress has slowed since the summer.")
    check_accessibility(page, "progress-view")
    page.get_by_role("button", name="Save your view").click()
    expect(page.locator("main")).to_contain_text("The PCC office's view on progress: Amber")
    page.get_by_role("link", name="Ask for an update").click()
    page.get_by_label("Message to the owner (optional)").fill("What changed in November?")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("main")).to_contain_text("PCC office asked for an update")
    check_accessibility(page, "item-with-pcc-review")
