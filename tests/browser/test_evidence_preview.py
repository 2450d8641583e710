"""Evidence previews in a real browser (issue 14): the decision page lists what the proposal
rests on and what else is on the item; a text file and an image are shown in pages checked
with axe; a PDF opens in Chromium's own viewer despite its sandboxing Content Security Policy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.pages import ARTIFACTS, check_accessibility, follow, sign_in
from tests.evidence_files import tiny_pdf, tiny_png
from tracker import services
from tracker.models import Evidence

pytestmark = pytest.mark.browser

# Chromium's PDF viewer is a built-in extension: a document it shows has a frame from it.
PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"


def test_the_coordinator_previews_the_evidence_of_a_proposal(page, live_server, demo):
    base = live_server.url
    text_file = Evidence.objects.filter(item__status="proposed_for_closure").first()
    item = text_file.item
    priya = User.objects.get(email="priya.shah@wmp.example")
    pdf = services.evidence_attach(
        item=item,
        by=priya,
        uploaded_file=SimpleUploadedFile("board-minutes.pdf", tiny_pdf("Board minutes, May")),
        description="Minutes of the May board",
    )
    services.evidence_attach(
        item=item,
        by=priya,
        uploaded_file=SimpleUploadedFile("custody-desk.png", tiny_png(320, 160)),
        description="Photo of the new custody desk",
    )
    main = page.locator("main")
    sign_in(page, base, "grace.okafor@wmp.example")

    page.goto(base + reverse("tracker:item_decide_closure", args=[item.uuid]))
    expect(main).to_contain_text("Evidence the proposal rests on")
    expect(main).to_contain_text("Also on this item")
    check_accessibility(page, "evidence-decision")

    follow(page, f"View {text_file.original_name}")
    expect(main).to_contain_text("Serious and organised crime local profile")
    check_accessibility(page, "evidence-preview-text")

    page.go_back()
    follow(page, "View custody-desk.png")
    image = page.get_by_role("img", name="Photo of the new custody desk")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 320
    check_accessibility(page, "evidence-preview-image")

    page.goto(base + reverse("tracker:evidence_preview", args=[item.uuid, pdf.uuid]))
    for _ in range(50):  # the viewer starts a moment after the document has loaded
        if any(frame.url.startswith(PDF_VIEWER) for frame in page.frames):
            break
        page.wait_for_timeout(100)
    assert any(frame.url.startswith(PDF_VIEWER) for frame in page.frames), [
        f.url for f in page.frames
    ]
    page.wait_for_timeout(4000)  # let it draw the page for the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "evidence-preview-pdf.png")
