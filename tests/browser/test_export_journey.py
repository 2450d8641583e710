"""A large export in a real browser, with axe on every page (issue 16): the Excel link offers
to make the file in the background, the progress page, the ready page and the download."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.pages import check_accessibility, sign_in
from tracker import exports
from tracker.models.export_jobs import ExportJob

pytestmark = pytest.mark.browser


def test_a_coordinator_prepares_a_large_excel_export_and_downloads_it(
    page, live_server, demo, settings, tmp_path
):
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_SYNC_MAX_ROWS = 1  # the demo's lists are small: make this one "large"
    base = live_server.url
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/items/")
    page.get_by_role("link", name="Download as Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepare your export")
    check_accessibility(page, "export-large")

    page.get_by_role("button", name="Prepare the Excel file").click()
    # Tasks run inline in tests: the file is made before the progress page opens.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your export is ready")
    check_accessibility(page, "export-ready")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    # Row 1: the protective marking (the demo's items include an OFFICIAL-SENSITIVE one);
    # row 2: the column names (issue 21).
    assert sheet["A1"].value == "OFFICIAL-SENSITIVE"
    assert [c.value for c in sheet[2]] == exports.COLUMNS
    assert sheet.max_row > 3


def test_the_progress_page_while_the_export_waits(page, live_server, demo, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    base = live_server.url
    person = User.objects.get(email="grace.okafor@wmp.example")
    now = timezone.now()
    job = ExportJob.objects.create(
        requested_by=person,
        kind="items",
        format="xlsx",
        today=timezone.localdate(),
        state=ExportJob.State.RUNNING,
        rows_total=120_000,
        rows_written=48_000,
        file_name="west-midlands-items.xlsx",
        created_at=now,
        started_at=now,
        expires_at=now + datetime.timedelta(days=1),
    )
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/exports/{job.uuid}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing your export")
    expect(page.locator("main")).to_contain_text("48,000 of 120,000 rows written")
    expect(page.get_by_role("link", name="Check again")).to_be_visible()
    check_accessibility(page, "export-progress")
