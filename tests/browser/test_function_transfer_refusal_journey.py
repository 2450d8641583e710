"""The transfer page's two review additions (issue 22) in a real browser: a refused attempt to
carry it out, said on the page (not only in the log), and a revision of a published response
in progress, shown as moving to the successor; both checked with axe and looked at in a
screenshot."""

import datetime
import os
import zoneinfo

import pytest
from playwright.sync_api import expect

from accounts.models import PolicingBodyTerm, User
from tests.browser.pages import check_accessibility, sign_in
from tracker import function_transfers
from tracker.models import FunctionTransfer, StatutoryResponse
from tracker.statutory import services as statutory

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS", "")
ON_THE_DAY = datetime.datetime(2028, 5, 8, 0, 15, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def test_a_refusal_and_a_revision_in_progress_show_on_the_transfer_page(page, live_server, demo):
    transfer = FunctionTransfer.objects.select_related("to_body").get()
    published = (
        StatutoryResponse.objects.filter(versions__isnull=False, body=transfer.from_body)
        .distinct()
        .get()
    )
    statutory.response_save_draft(
        response=published,
        by=User.objects.get(email="daniel.hughes@pcc.example"),
        pcc_comments="A correction, not yet published.",
    )
    # Since it was recorded, the mayor was (wrongly) given the force from 1 May 2028.
    PolicingBodyTerm.objects.create(
        force=published.force, body=transfer.to_body, starts_on=datetime.date(2028, 5, 1)
    )
    assert function_transfers.transfers_carry_out_due(now=ON_THE_DAY)["refused"] == 1

    sign_in(page, live_server.url, "alex.morgan@admin.example")
    page.goto(f"{live_server.url}/transfers/{transfer.uuid}/")
    banner = page.get_by_role("region", name="Not carried out")
    expect(banner).to_contain_text("The attempt to carry it out on 8 May 2028 00:15 was refused")
    expect(banner).to_contain_text(
        "Mayor of the West Midlands already holds a term for West Midlands Police"
    )
    expect(
        page.get_by_role("heading", name="Revisions of published responses in progress")
    ).to_be_visible()
    expect(page.get_by_role("link", name=published.report.title).first).to_be_visible()
    check_accessibility(page, "function-transfer-refused")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "function-transfer-refused.png"), full_page=True)
