"""Spreadsheets ready to print and to work in (issue 21), read back with openpyxl: the
protective marking in the first row and in the printed header and footer, print setup
(A4 landscape, one page wide, the header row on every page, page numbers), wrapped long text
in rows tall enough for it, named sheets, the "About this file" sheet (what, filters, when, by
whom, marking); the worker's file the same as the page's; CSV without a byte-order mark
unless asked for one."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProtectiveMarking
from tests.factories import make_finding, make_item
from tracker import export_jobs, exports, xlsx
from tracker.models import Report, StatutoryResponse, TrackedItem
from tracker.models.export_jobs import ExportJob

pytestmark = pytest.mark.django_db

ITEMS_XLSX = reverse("tracker:item_export", args=["xlsx"])
LONG = "The force should make sure that every call is graded consistently. " * 20


@pytest.fixture
def marked(world):
    """The two markings of the seed list, and a long finding to wrap."""
    official, _ = ProtectiveMarking.objects.get_or_create(label="OFFICIAL", defaults={"rank": 10})
    sensitive, _ = ProtectiveMarking.objects.get_or_create(
        label="OFFICIAL-SENSITIVE", defaults={"rank": 20}
    )
    world.sensitive = sensitive
    world.long = make_item(make_finding(world.report, LONG), world.wmp, owner=world.owner)
    return world


def workbook_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(body)), response


def about_of(workbook) -> dict:
    sheet = workbook["About this file"]
    return {r[0].value: r[1].value for r in sheet.iter_rows(min_row=2) if r[1].value}


def test_the_sheet_prints_landscape_one_page_wide_with_the_header_row_on_every_page(marked, client):
    client.force_login(marked.coordinator)
    workbook, _ = workbook_of(client, ITEMS_XLSX)
    sheet = workbook["Items"]
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert setup.paperSize == 9  # A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # one wide, as many down
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.print_options.gridLines
    assert sheet.oddHeader.center.text == "OFFICIAL"
    assert sheet.oddFooter.center.text == "OFFICIAL"
    assert sheet.oddFooter.right.text == "Page &P of &N"


def test_long_text_wraps_in_a_row_tall_enough_and_the_widths_fit_a_printed_page(marked, client):
    client.force_login(marked.coordinator)
    sheet = workbook_of(client, ITEMS_XLSX)[0]["Items"]
    headings = [c.value for c in sheet[2]]
    finding = headings.index("Finding") + 1
    row = next(
        r for r in range(3, sheet.max_row + 1) if sheet.cell(r, finding).value == LONG.strip()
    )
    cell = sheet.cell(row, finding)
    assert cell.alignment.wrap_text
    assert cell.alignment.vertical == "top"
    width = sheet.column_dimensions[cell.column_letter].width
    assert sheet.row_dimensions[row].height == xlsx.row_height(xlsx.lines_of(cell.value, width))
    assert sheet.row_dimensions[row].height > 15 * 10
    short = sheet.cell(row, headings.index("Status") + 1)
    assert not short.alignment.wrap_text
    assert all(c.alignment.wrap_text for c in sheet[2])  # the header wraps, bold
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[2]]
    assert sum(widths) <= xlsx.TABLE_WIDTH
    assert max(widths) <= xlsx.WIDTH_MAX


def test_a_very_long_text_keeps_its_row_within_excels_limit():
    assert xlsx.row_height(xlsx.lines_of("word " * 5000, 30)) == xlsx.ROW_HEIGHT_MAX
    assert xlsx.lines_of("one\ntwo\nthree", 30) == 3


def test_the_about_sheet_says_what_the_file_is_its_filters_when_and_by_whom(marked, client):
    client.force_login(marked.coordinator)
    moment = datetime.datetime(2026, 12, 4, 10, 15, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        workbook, _ = workbook_of(
            client, ITEMS_XLSX + f"?overdue=true&status=not_started&owner={marked.owner.pk}"
        )
    assert workbook.sheetnames == ["Items", "About this file"]
    about = about_of(workbook)
    assert about["What this file holds"] == "Overdue items from the inspection tracker"
    assert about["Forces"] == "West Midlands Police"
    filters = about["Filters applied"].splitlines()
    assert "Status: Not started" in filters
    assert any(line.endswith(": Yes") and "verdue" in line for line in filters)
    assert any(marked.owner.full_name in line for line in filters)
    assert about["Made on"] == "4 December 2026 at 10:15 (Europe/London)"
    assert about["Made by"] == f"{marked.coordinator.full_name} ({marked.coordinator.email})"
    assert about["Protective marking"] == "OFFICIAL"
    assert about["The list online"].endswith(
        "/items/?overdue=true&status=not_started&owner=" + str(marked.owner.pk)
    )
    assert workbook["About this file"]["A1"].value == "OFFICIAL"
    assert workbook.properties.created == moment.replace(tzinfo=None)
    assert workbook.properties.title == "Items"


def test_an_export_with_no_filters_says_so(marked, client):
    client.force_login(marked.coordinator)
    about = about_of(workbook_of(client, ITEMS_XLSX)[0])
    assert about["Filters applied"] == "None: everything you may see"


def test_the_highest_marking_among_the_items_marks_the_whole_file(marked, client):
    TrackedItem.objects.filter(pk=marked.long.pk).update(marking=marked.sensitive)
    client.force_login(marked.coordinator)
    workbook, _ = workbook_of(client, ITEMS_XLSX)
    sheet = workbook["Items"]
    assert sheet["A1"].value == "OFFICIAL-SENSITIVE"
    assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    assert about_of(workbook)["Protective marking"] == "OFFICIAL-SENSITIVE"
    # Filtered down to the other items, the file is OFFICIAL again.
    workbook, _ = workbook_of(client, ITEMS_XLSX + "?q=nothing-matches-this")
    assert workbook["Items"]["A1"].value == "OFFICIAL"


def test_the_worker_fixes_the_marking_when_the_job_is_asked_for(marked, client, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path
    TrackedItem.objects.filter(pk=marked.long.pk).update(marking=marked.sensitive)
    job = export_jobs.export_job_start(
        user=marked.coordinator,
        kind="items",
        fmt="xlsx",
        filters=_query(""),
        today=timezone.localdate(),
    )
    assert job.marking_label == "OFFICIAL-SENSITIVE"
    TrackedItem.objects.filter(pk=marked.long.pk).update(marking=None)  # changed meanwhile
    assert export_jobs.export_job_run(job_id=job.pk) == ExportJob.State.READY
    job.refresh_from_db()
    workbook = openpyxl.load_workbook(export_jobs.export_job_file(job))
    assert workbook["Items"]["A1"].value == "OFFICIAL-SENSITIVE"
    assert about_of(workbook)["Made by"].startswith(marked.coordinator.full_name)


def test_the_responses_export_is_marked_and_named(marked, client):
    client.force_login(marked.pcc)
    workbook, _ = workbook_of(client, reverse("tracker:response_export", args=["xlsx"]))
    assert workbook.sheetnames == ["Statutory responses", "About this file"]
    assert workbook["Statutory responses"]["A1"].value == "OFFICIAL"
    assert about_of(workbook)["What this file holds"].startswith("Statutory responses")


def test_a_responses_export_takes_the_highest_marking_of_its_reports_and_responses(marked, client):
    Report.objects.filter(pk=marked.report.pk).update(marking=marked.sensitive)
    client.force_login(marked.pcc)
    url = reverse("tracker:response_export", args=["xlsx"])
    workbook, _ = workbook_of(client, url)  # no response yet: the report's marking
    assert workbook["Statutory responses"]["A1"].value == "OFFICIAL-SENSITIVE"
    StatutoryResponse.objects.get_or_create(
        report=marked.report, force=marked.wmp, defaults={"body": marked.wm_pcc}
    )
    Report.objects.filter(pk=marked.report.pk).update(marking=None)
    StatutoryResponse.objects.filter(report=marked.report).update(marking=marked.sensitive)
    workbook, _ = workbook_of(client, url)  # the response's own
    assert workbook["Statutory responses"]["A1"].value == "OFFICIAL-SENSITIVE"
    StatutoryResponse.objects.filter(report=marked.report).update(marking=None)
    workbook, _ = workbook_of(client, url)
    assert workbook["Statutory responses"]["A1"].value == "OFFICIAL"


def test_csv_has_no_byte_order_mark_unless_asked_for_excel(marked, client):
    client.force_login(marked.coordinator)
    plain = client.get(reverse("tracker:item_export", args=["csv"]))
    excel = client.get(reverse("tracker:item_export", args=["excel.csv"]))
    plain_body = b"".join(plain.streaming_content)
    excel_body = b"".join(excel.streaming_content)
    assert plain_body.startswith(b"Force,")
    assert excel_body == b"\xef\xbb\xbf" + plain_body
    assert excel["Content-Type"] == plain["Content-Type"] == "text/csv; charset=utf-8"
    assert excel["Content-Disposition"] == plain["Content-Disposition"]
    assert 'filename="west-midlands' in excel["Content-Disposition"]
    assert ".csv" in excel["Content-Disposition"]


def test_the_lists_offer_the_excel_csv(marked, client):
    client.force_login(marked.coordinator)
    page = client.get(reverse("tracker:item_list")).content.decode()
    assert "/items/export.excel.csv?" in page
    assert "Download as CSV for Excel (UTF-8 with BOM)" in page
    client.force_login(marked.pcc)
    page = client.get(reverse("tracker:response_list")).content.decode()
    assert "/responses/export.excel.csv?" in page


def test_the_large_export_offer_includes_the_excel_csv(marked, client, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    client.force_login(marked.coordinator)
    page = client.get(ITEMS_XLSX + "?status=not_started").content.decode()
    assert "Prepare your export" in page
    assert 'href="/items/export.csv?status=not_started"' in page
    assert 'href="/items/export.excel.csv?status=not_started"' in page


def test_a_sheet_name_excel_refuses_is_made_one_it_accepts():
    assert xlsx.sheet_title("Items: [draft]/2026?") == "Items   draft  2026"
    assert len(xlsx.sheet_title("x" * 40)) == 31
    assert xlsx.sheet_title("\x01") == "Sheet"


def test_a_marking_with_an_ampersand_prints_as_written():
    handle = xlsx.xlsx_file([["A"], ["b"]], marking="OFFICIAL & SPECIAL")
    sheet = openpyxl.load_workbook(handle)["Items"]
    assert sheet.oddHeader.center.text == "OFFICIAL && SPECIAL"  # "&&" prints one "&"
    assert sheet["A1"].value == "OFFICIAL & SPECIAL"


def test_without_a_marking_the_header_is_the_first_row_as_before():
    handle = exports.xlsx_file([["A"], ["b"]])
    sheet = openpyxl.load_workbook(handle)["Items"]
    assert sheet["A1"].value == "A"
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.oddHeader.center.text is None
    assert sheet.oddFooter.right.text == "Page &P of &N"


def _query(text):
    from django.http import QueryDict

    return QueryDict(text)
