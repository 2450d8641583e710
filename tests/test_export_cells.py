"""Exports ready for a meeting (issue 14): file names that say what they hold, and an Excel
sheet read back with openpyxl: frozen header, filter, column widths, real dates (months for
month-precision dates), hyperlinks to each item, the latest update; the CSV with the same
columns; and a fixed number of queries however many items there are."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from tests.factories import make_finding, make_item, make_org, make_report
from tracker import exports, services, xlsx
from tracker.bulk_import.apply import items_import
from tracker.models import ProgressUpdate, Report, TrackedItem
from tracker.reminders.sync import responses_ensure

TODAY = timezone.localdate


@pytest.fixture
def meeting(world):
    """West Midlands with a month-precision report (published "February 2016") whose item has
    two progress updates, an overdue item, and a Staffordshire item; short names as the seed
    data has them."""
    Organisation.objects.filter(pk=world.wmp.pk).update(short_name="West Midlands")
    Organisation.objects.filter(pk=world.staffs.pk).update(short_name="Staffordshire")
    world.old = make_report(
        forces=[world.wmp], title="Crime data integrity", published_on=datetime.date(2016, 2, 1)
    )
    Report.objects.filter(pk=world.old.pk).update(published_precision=Report.Precision.MONTH)
    world.monthly = make_item(
        make_finding(world.old, "Record every crime reported to the force. " * 4),
        world.wmp,
        owner=world.owner,
        due=TODAY() + datetime.timedelta(days=40),
    )
    earlier = timezone.now() - datetime.timedelta(days=9)
    services.item_add_update(
        item=world.monthly, author=world.owner, text="First look at the backlog.", now=earlier
    )
    services.item_add_update(
        item=world.monthly, author=world.owner, text="Backlog\ncleared,  audit booked."
    )
    TrackedItem.objects.filter(pk=world.item.pk).update(due_date=TODAY() - datetime.timedelta(12))
    theirs = make_report(forces=[world.staffs], title="Staffordshire report")
    world.theirs = make_item(make_finding(theirs, "Staffordshire's finding"), world.staffs)
    return world


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def sheet_of(body: bytes):
    return openpyxl.load_workbook(io.BytesIO(body)).active


# The protective marking is the first row (issue 21); the column names the second.
HEAD = 2


def column(sheet, heading):
    headings = [c.value for c in sheet[HEAD]]
    return headings.index(heading) + 1


def row_of(sheet, text):
    """The sheet row whose Finding starts with this text."""
    finding = column(sheet, "Finding")
    return next(
        r
        for r in range(HEAD + 1, sheet.max_row + 1)
        if sheet.cell(r, finding).value.startswith(text)
    )


ITEMS_XLSX = reverse("tracker:item_export", args=["xlsx"])
ITEMS_CSV = reverse("tracker:item_export", args=["csv"])


# ------------------------------------------------------------------------------ Excel


def test_the_header_row_is_frozen_and_bold_with_a_filter_over_every_row(meeting, client):
    client.force_login(meeting.coordinator)
    _, body = download(client, ITEMS_XLSX)
    sheet = sheet_of(body)
    assert sheet.freeze_panes == "A3"  # the marking and the column names stay in view
    assert sheet["A1"].value == "OFFICIAL"
    assert [c.value for c in sheet[HEAD]] == exports.COLUMNS
    assert all(c.font.bold for c in sheet[HEAD])
    assert sheet.max_row == 4  # the marking, the header and West Midlands' two items
    assert sheet.auto_filter.ref == f"A2:P{sheet.max_row}"


def test_an_export_of_nothing_still_has_its_filter_on_the_header(meeting, client):
    client.force_login(meeting.coordinator)
    sheet = sheet_of(download(client, ITEMS_XLSX + "?q=nothing-matches-this")[1])
    assert sheet.max_row == 2
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:P2"


def test_columns_are_as_wide_as_their_content_up_to_a_limit(meeting, client):
    client.force_login(meeting.coordinator)
    sheet = sheet_of(download(client, ITEMS_XLSX)[1])
    widths = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[HEAD]}
    assert all(xlsx.WIDTH_MIN <= w <= xlsx.WIDTH_MAX for w in widths.values())
    assert sum(widths.values()) <= xlsx.TABLE_WIDTH  # printed one page wide, readable
    assert widths["Owner"] == len("Priya Shah") + 2
    assert widths["Kind"] == len("Recommendation") + 2
    # The header wraps, so it asks only for its longest word: the dates decide.
    assert widths["Report published"] == len("February 2016") + 2
    # The long columns give way (their text wraps), never below WIDTH_SHRUNK.
    assert xlsx.WIDTH_SHRUNK <= widths["Finding"] < xlsx.WIDTH_MAX  # 170 characters of text
    assert xlsx.WIDTH_SHRUNK <= widths["Force"] <= len("West Midlands Police") + 2
    month, day = exports.Month(datetime.date(2016, 9, 1)), datetime.date(2016, 9, 30)
    assert exports.column_widths([["When", "Day"], [month, day]]) == [
        len("September 2016") + 2,
        len("30 Sep 2016") + 2,
    ]


def test_wide_columns_give_way_in_proportion_when_the_table_is_too_wide():
    header = [f"Column {n}" for n in range(8)]
    widths = xlsx.column_widths([header, ["x" * 100] * 7 + ["short"]])
    # 7 columns at the most (50) and one of 8: 358; 78 too many, taken from the 7 alike.
    assert widths == [38] * 7 + [xlsx.WIDTH_MIN]
    assert sum(widths) <= xlsx.TABLE_WIDTH


def test_dates_are_date_cells_and_a_month_precision_date_shows_as_its_month(meeting, client):
    client.force_login(meeting.coordinator)
    sheet = sheet_of(download(client, ITEMS_XLSX)[1])
    published = column(sheet, "Report published")
    monthly = sheet.cell(row_of(sheet, "Record every crime"), published)
    assert monthly.is_date
    assert monthly.value.date() == datetime.date(2016, 2, 1)
    assert monthly.number_format == "mmmm yyyy"
    daily = sheet.cell(row_of(sheet, meeting.finding.text[:20]), published)
    assert daily.is_date
    assert daily.value.date() == datetime.date(2018, 3, 22)
    assert daily.number_format == xlsx.DAY_FORMAT
    for heading in ("Due date", "Last activity", "Latest update on"):
        cell = sheet.cell(row_of(sheet, "Record every crime"), column(sheet, heading))
        assert cell.is_date, heading
        assert cell.number_format == xlsx.DAY_FORMAT
    due = sheet.cell(row_of(sheet, "Record every crime"), column(sheet, "Due date"))
    assert due.value.date() == TODAY() + datetime.timedelta(days=40)
    days = sheet.cell(row_of(sheet, meeting.finding.text[:20]), column(sheet, "Days overdue"))
    assert days.value == 12
    assert days.data_type == "n"


def test_each_item_links_to_its_page_with_a_hyperlink(meeting, client):
    client.force_login(meeting.coordinator)
    sheet = sheet_of(download(client, ITEMS_XLSX)[1])
    link = sheet.cell(row_of(sheet, "Record every crime"), column(sheet, "Link"))
    url = f"{settings.SITE_URL.rstrip('/')}/items/{meeting.monthly.uuid}/"
    assert url.startswith("http")
    assert link.value == url
    assert link.hyperlink is not None
    assert link.hyperlink.target == url
    assert link.font.underline == "single"
    links = [
        sheet.cell(r, column(sheet, "Link")).hyperlink for r in range(HEAD + 1, sheet.max_row + 1)
    ]
    assert all(h is not None and h.target.startswith(settings.SITE_URL) for h in links)


def test_the_latest_updates_date_and_text_are_columns(meeting, client):
    client.force_login(meeting.coordinator)
    sheet = sheet_of(download(client, ITEMS_XLSX)[1])
    row = row_of(sheet, "Record every crime")
    assert sheet.cell(row, column(sheet, "Latest update")).value == "Backlog cleared, audit booked."
    latest = ProgressUpdate.objects.filter(item=meeting.monthly).latest("written_at")
    on = sheet.cell(row, column(sheet, "Latest update on")).value
    assert on.date() == timezone.localdate(latest.written_at)
    none = row_of(sheet, meeting.finding.text[:20])
    assert sheet.cell(none, column(sheet, "Latest update")).value is None
    assert sheet.cell(none, column(sheet, "Latest update on")).value is None


def test_an_excel_export_with_a_month_precision_report_imports_back_unchanged(meeting, client):
    client.force_login(meeting.coordinator)
    _, body = download(client, ITEMS_XLSX)
    result = items_import(user=meeting.coordinator, data=body, name="items.xlsx")
    assert not result.changed
    assert result.counts["unchanged"] == 2


# ------------------------------------------------------------------------------ CSV


def test_the_csv_has_the_same_columns_iso_dates_and_months_in_utf8_without_a_bom(meeting, client):
    client.force_login(meeting.coordinator)
    _, body = download(client, ITEMS_CSV)
    assert body.startswith(b"Force,Report,")  # no byte-order mark, no marking line (issue 21)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == exports.COLUMNS
    by_finding = {r[6][:18]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    monthly = by_finding["Record every crime"]
    assert monthly["Report published"] == "2016-02"
    assert monthly["Due date"] == (TODAY() + datetime.timedelta(days=40)).isoformat()
    assert monthly["Latest update"] == "Backlog cleared, audit booked."
    assert monthly["Latest update on"] == TODAY().isoformat()
    assert monthly["Link"] == f"{settings.SITE_URL.rstrip('/')}/items/{meeting.monthly.uuid}/"
    daily = by_finding[meeting.finding.text[:18]]
    assert daily["Report published"] == "2018-03-22"
    assert daily["Latest update"] == daily["Latest update on"] == ""


# ------------------------------------------------------------------------------ responses


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_responses_export_shows_months_and_links(meeting, client, fmt):
    responses_ensure(report=meeting.old)
    client.force_login(meeting.pcc)
    _, body = download(client, reverse("tracker:response_export", args=[fmt]))
    url = f"{settings.SITE_URL.rstrip('/')}/responses/{meeting.old.key}/{meeting.wmp.code}/"
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        row = next(r for r in rows if r[0] == "Crime data integrity")
        assert row[1] == "2016-02"
        assert row[-1] == url
        return
    sheet = sheet_of(body)
    assert sheet.title == "Statutory responses"
    assert sheet.freeze_panes == "A3"
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "Crime data integrity")
    assert row[1].is_date
    assert row[1].number_format == "mmmm yyyy"
    assert row[-1].hyperlink.target == url


# ------------------------------------------------------------------------------ file names


def attachment_name(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    plain = header.split('filename="', 1)[1].split('"', 1)[0]
    assert f"filename*=UTF-8''{plain}" in header  # RFC 6266: both forms, the same name
    return plain


NAMES = [
    # (who, export, query, name before the date)
    ("coordinator", "item_export", "?overdue=true", "west-midlands-overdue"),
    ("coordinator", "item_export", "", "west-midlands-items"),
    ("coordinator", "item_export", "?force=STAFFS", "west-midlands-items"),  # tampered: ignored
    ("owner", "item_export", "?mine=1", "west-midlands-my-items"),
    ("owner", "item_export", "?mine=1&overdue=1", "west-midlands-my-overdue-items"),
    ("pcc", "item_export", "?overdue=true", "west-midlands-overdue"),
    ("reader", "item_export", "?overdue=true", "all-forces-overdue"),
    ("reader", "item_export", "?force=STAFFS", "staffordshire-items"),
    ("reader", "item_export", "?force=999999", "all-forces-items"),  # no such force
    ("pcc", "response_export", "", "west-midlands-responses"),
    ("pcc", "response_export", "?state=late", "west-midlands-late-responses"),
    ("reader", "response_export", "?force=STAFFS", "staffordshire-responses"),
    ("reader", "response_export", "?state=published", "all-forces-published-responses"),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("who", "export", "query", "stem"), NAMES)
def test_the_file_name_says_whose_items_and_which_list(
    meeting, client, who, export, query, stem, fmt
):
    client.force_login(getattr(meeting, who))
    url = reverse(f"tracker:{export}", args=[fmt]) + query.replace("STAFFS", str(meeting.staffs.pk))
    response, _ = download(client, url)
    assert attachment_name(response) == f"{stem}-{TODAY().isoformat()}.{fmt}"


def test_a_name_is_ascii_and_short_for_several_forces_and_accented_names(db):
    day = datetime.date(2026, 12, 4)
    accented = make_org("Gwasanaeth Heddlu Dyfed-Powys Ŵ", code="dyfed-powys")
    accented.short_name = "Dyfed–Powys Ŵ"
    two = [make_org("West Mercia Police"), make_org("Warwickshire Police")]
    assert (
        exports.file_name([accented], "items", day, "csv") == "dyfed-powys-w-items-2026-12-04.csv"
    )
    assert exports.file_name(two, "overdue", day, "xlsx") == (
        "west-mercia-police-and-warwickshire-police-overdue-2026-12-04.xlsx"
    )
    assert (
        exports.file_name([*two, accented], "items", day, "csv") == "3-forces-items-2026-12-04.csv"
    )
    assert exports.file_name(None, "overdue", day, "xlsx") == "all-forces-overdue-2026-12-04.xlsx"
    assert exports.file_name([], "items", day, "csv") == "items-2026-12-04.csv"
    header = exports.content_disposition("caf\u00e9.csv")
    assert header == "attachment; filename=\"caf-.csv\"; filename*=UTF-8''caf%C3%A9.csv"


# ------------------------------------------------------------------------------ queries


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_makes_the_same_number_of_queries_for_many_items(meeting, client, fmt):
    client.force_login(meeting.coordinator)
    # The filters' choices are cached per scope (issue 16): count with the cache warm.
    download(client, reverse("tracker:item_export", args=[fmt]))
    with CaptureQueriesContext(connection) as few:
        download(client, reverse("tracker:item_export", args=[fmt]))
    for n in range(30):
        item = make_item(
            make_finding(meeting.report, f"more {n}"), meeting.wmp, owner=meeting.owner
        )
        TrackedItem.objects.filter(pk=item.pk).update(lead=meeting.coordinator)
        services.item_add_update(item=item, author=meeting.owner, text=f"update {n}")
    download(client, reverse("tracker:item_export", args=[fmt]))
    with CaptureQueriesContext(connection) as many:
        _, body = download(client, reverse("tracker:item_export", args=[fmt]))
    assert len(many) == len(few)
    # The session, the person, their roles, their force; the forces for the file name; the
    # items with their latest update (one query, streamed). For Excel also: the count that
    # decides whether the file is made in the background; the protective marking (the list of
    # markings, the highest among the items, the person's organisation's default); the forces
    # for the "About this file" sheet. 6 for CSV, 11 for Excel.
    assert len(many) <= (6 if fmt == "csv" else 11)
    if fmt == "xlsx":
        sheet = sheet_of(body)
        texts = [sheet.cell(r, column(sheet, "Latest update")).value for r in range(3, 35)]
    else:
        table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        texts = [r[exports.COLUMNS.index("Latest update")] for r in table[1:]]
    assert len(texts) == 32
    assert {f"update {n}" for n in range(30)} <= set(texts)


def test_a_csv_export_with_a_month_precision_report_imports_back_unchanged(meeting, client):
    client.force_login(meeting.coordinator)
    _, body = download(client, ITEMS_CSV)
    result = items_import(user=meeting.coordinator, data=body, name="items.csv")
    assert not result.changed
    assert result.counts["unchanged"] == 2


def test_rows_past_the_hyperlink_limit_keep_the_address_as_text(monkeypatch):
    # openpyxl holds each hyperlink until the file is finished: past the limit, memory stays
    # flat and the cell still has the address.
    monkeypatch.setattr(xlsx, "HYPERLINK_ROWS", 2)
    links = [exports.Link(f"https://tracker.example/items/{n}/") for n in range(3)]
    handle = exports.xlsx_file([["Link"], *([link] for link in links)])
    sheet = sheet_of(handle.read())
    assert [sheet.cell(r, 1).value for r in (2, 3, 4)] == [link.url for link in links]
    assert sheet.cell(2, 1).hyperlink.target == links[0].url
    assert sheet.cell(3, 1).hyperlink.target == links[1].url
    assert sheet.cell(4, 1).hyperlink is None
    assert sheet.auto_filter.ref == "A1:A4"


def test_the_rows_read_as_values_are_the_rows_read_from_the_items(meeting):
    # The export reads plain values (issue 16: several times faster); item_row reads the items
    # themselves. Both give the same table: an overdue item, a month-precision report, an
    # item with no owner, updates, another force's item.
    TrackedItem.objects.filter(pk=meeting.theirs.pk).update(lead=meeting.coordinator)
    items = TrackedItem.objects.select_related(
        "finding__report", "force", "owner", "lead"
    ).order_by("-last_activity_at", "-id")
    site = "https://tracker.example"
    from_items = list(exports.rows(exports.with_latest_update(items), TODAY(), site))
    from_values = list(exports.item_values_rows(items, TODAY(), site))
    assert len(from_values) == 4
    assert from_values == from_items


def test_text_that_xml_treats_specially_reads_back_as_written():
    text = '<b>Tom & "Jerry"</b> — it\'s 100% 😀 \ufffe done'
    url = "https://tracker.example/items/1/?a=1&b=<2>"
    handle = exports.xlsx_file([["Text", "Link"], [exports.clean(text), exports.Link(url)]])
    data = handle.read()
    assert data == exports.xlsx_file([["Text", "Link"], [text, exports.Link(url)]]).read()
    sheet = sheet_of(data)
    assert sheet.cell(2, 1).value == text.replace("\ufffe", "")
    assert sheet.cell(2, 2).value == url
    assert sheet.cell(2, 2).hyperlink.target == url
    read_only = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    assert list(read_only.iter_rows(values_only=True))[1] == (text.replace("\ufffe", ""), url)
