"""The coordinator's bulk import in a real browser, with axe on every page: the export
imports back with nothing to change, a file with a bad row is refused with the row and column,
and a good file is checked, confirmed and created."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.pages import check_accessibility, sign_in
from tracker.bulk_import.table import TEMPLATE_COLUMNS
from tracker.models import Finding, Report

pytestmark = pytest.mark.browser


def csv_file(rows) -> dict:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerows(rows)
    return {"name": "items.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}


def test_the_coordinator_imports_items_from_a_spreadsheet(page, live_server, demo):
    base = live_server.url
    main = page.locator("main")
    sign_in(page, base, "grace.okafor@wmp.example")
    page.goto(f"{base}/items/")
    with page.expect_download() as got:
        page.get_by_role("link", name="Download as CSV", exact=True).click()
    exported = Path(got.value.path()).read_bytes()

    page.get_by_role("link", name="Import items from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import items from a spreadsheet")
    check_accessibility(page, "import-upload")

    # Nothing chosen: the error summary links to the file field.
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a file")
    check_accessibility(page, "import-upload-error")

    # The export, imported back: nothing to change.
    page.get_by_label("Upload a file").set_input_files(
        {"name": "items.csv", "mimeType": "text/csv", "buffer": exported}
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(main).to_contain_text("Nothing to change: 0 to create, 0 to change")
    check_accessibility(page, "import-nothing-to-change")

    # A bad row: refused with its row and column, nothing saved.
    title = "Custody: a <b>joint</b> thematic inspection"
    rows = [
        ["West Midlands Police", title, "15/01/2026", "Recommendation", "1", "Custody",
         "The force should review how it records detainees' needs.", "In progress",
         "priya.shah@wmp.example", "Grace Okafor", "31/02/2027"],
        ["Staffordshire Police", title, "15/01/2026", "Recommendation", "2", "Custody",
         "The force should improve its custody records.", "", "", "", ""],
    ]  # fmt: skip
    page.goto(f"{base}/items/import/")
    page.get_by_label("Upload a file").set_input_files(csv_file(rows))
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Row 2, Due date: “31/02/2027” is not a real date. Use the form 31/01/2027 or 2027-01-31."
    )
    expect(summary).to_contain_text("Row 3, Force: You can only import items for West Midlands")
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    check_accessibility(page, "import-problems")
    assert not Report.objects.filter(title=title).exists()

    # Corrected: checked, confirmed, created.
    due = (timezone.localdate() + datetime.timedelta(days=90)).strftime("%d/%m/%Y")
    rows[0][10] = due
    rows[1][0] = "West Midlands Police"
    page.get_by_label("Upload a file").set_input_files(csv_file(rows))
    page.get_by_role("button", name="Upload and check").click()
    expect(main).to_contain_text("Items to create")
    expect(page.locator("table")).to_contain_text("New item: In progress, owner Priya Shah")
    expect(main).to_contain_text(title)  # shown as text, not markup
    check_accessibility(page, "import-preview")
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.locator(".govuk-panel")).to_contain_text("1 report, 2 findings and 2 items created")
    check_accessibility(page, "import-done")
    assert Finding.objects.filter(report__title=title).count() == 2

    page.get_by_role("link", name="Recommendation (1)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The force should review")
    expect(main).to_contain_text("Priya Shah")
