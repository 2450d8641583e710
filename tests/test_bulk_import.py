"""Bulk import of findings and items from CSV and Excel: an export imports back unchanged,
a changed cell changes exactly that (audited), a hand-written file creates reports, findings
and items, every bad input is refused with its row and column and nothing is saved, and only
coordinators (their own force) and administrators may import."""

import csv
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import World, make_finding, make_item, make_report
from tracker.bulk_import import table as import_table
from tracker.bulk_import.apply import items_import
from tracker.bulk_import.plan import ImportRejected, plan_import
from tracker.bulk_import.table import TEMPLATE_COLUMNS, FileRejected, read_table
from tracker.models import (
    AuditEvent,
    Deadline,
    DueDateRevision,
    Finding,
    Reminder,
    Report,
    Source,
    Status,
    StatusChange,
    TrackedItem,
)

IMPORT = reverse("tracker:item_import")
HEADER = TEMPLATE_COLUMNS


def csv_bytes(*rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(client, fmt) -> bytes:
    response = client.get(reverse("tracker:item_export", args=[fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def snapshot():
    return (
        Report.objects.count(),
        Finding.objects.count(),
        TrackedItem.objects.count(),
        AuditEvent.objects.count(),
        StatusChange.objects.count(),
        DueDateRevision.objects.count(),
    )


def plan(data, user, name="items.csv"):
    table = read_table(data, name)
    return plan_import(table=table, user=user, today=timezone.localdate())


def problems(data, user) -> list[str]:
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        items_import(user=user, data=data, name="items.csv")
    assert snapshot() == before
    return [str(p) for p in caught.value.plan.problems]


def upload(client, data, name="items.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})


def upload_and_preview(client, data, name="items.csv"):
    response = upload(client, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(response["Location"])
    return response["Location"], preview


def fingerprint(page) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]+)"', page.content.decode()).group(1)


# --------------------------------------------------------------------------- round trip


@pytest.fixture
def busy(world):
    """A second item with a formula-like finding and a lead, and a Staffordshire item."""
    world.formula = make_item(
        make_finding(world.report, '=HYPERLINK("http://evil","click")', reference="2"),
        world.wmp,
        owner=world.colleague,
        due=timezone.localdate() + datetime.timedelta(days=5),
    )
    TrackedItem.objects.filter(pk=world.formula.pk).update(lead=world.coordinator)

    theirs = make_report(forces=[world.staffs], title="Staffordshire report")
    world.theirs = make_item(make_finding(theirs, "Staffordshire's finding"), world.staffs)
    return world


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_with_nothing_to_change(busy, client, fmt):
    client.force_login(busy.coordinator)
    data = export(client, fmt)
    before = snapshot()
    url, preview = upload_and_preview(client, data, f"items.{fmt}")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Nothing to change: 0 to create, 0 to change" in page
    assert "Confirm and import" not in page
    result = items_import(user=busy.coordinator, data=data, name=f"items.{fmt}")
    assert not result.changed
    assert result.counts["unchanged"] == 2
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_changed_status_and_due_date_change_exactly_that_and_are_audited(busy, client, fmt):
    client.force_login(busy.coordinator)
    data = export(client, fmt)
    new_due = timezone.localdate() + datetime.timedelta(days=60)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        row = next(r for r in rows if r[6] == busy.finding.text)
        row[7], row[10] = "In progress", new_due.strftime("%d/%m/%Y")
        data = csv_bytes(*rows, header=None)
    else:
        book = openpyxl.load_workbook(io.BytesIO(data))
        sheet = book.active
        row = next(r for r in sheet.iter_rows(min_row=2) if r[6].value == busy.finding.text)
        row[7].value, row[10].value = "In progress", new_due
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    audit_before = AuditEvent.objects.count()
    formula_before = TrackedItem.objects.get(pk=busy.formula.pk)

    url, preview = upload_and_preview(client, data, f"items.{fmt}")
    page = preview.content.decode()
    assert "Status: Not started → In progress" in page
    assert f"→ {new_due:%d/%m/%Y}" in page
    done = client.post(url, {"fingerprint": fingerprint(preview)})
    assert done.status_code == 302
    assert done["Location"] == reverse("tracker:item_import_done")
    assert "1 item changed" in client.get(done["Location"]).content.decode()

    item = TrackedItem.objects.get(pk=busy.item.pk)
    assert item.status == Status.IN_PROGRESS
    assert item.due_date == new_due
    assert item.original_due_date == busy.item.original_due_date  # the original stays
    change = item.status_changes.last()
    assert change.changed_by == busy.coordinator
    # The Excel export's first row is its protective marking, so its items start a row lower.
    rows = "[23]" if fmt == "csv" else "[34]"
    assert re.fullmatch(rf"Imported from items\.{fmt}, row {rows}", change.reason)
    assert item.revisions.get().new_date == new_due
    events = AuditEvent.objects.order_by("id")[audit_before:]
    assert [sorted(e.changes) for e in events] == [["status"], ["due_date"]]
    assert all(e.actor == busy.coordinator for e in events)
    # Nothing else moved.
    unchanged = TrackedItem.objects.get(pk=busy.formula.pk)
    assert unchanged.last_activity_at == formula_before.last_activity_at
    # The same file again changes nothing: the round trip.
    again = items_import(user=busy.coordinator, data=data, name="again")
    assert not again.changed


def test_the_owner_and_lead_change_by_name_or_email(busy):
    data = csv_bytes(
        [
            "West Midlands Police",
            busy.report.title,
            "2018-03-22",
            "Recommendation",
            "",
            "",
            busy.finding.text,
            "",
            busy.colleague.email.upper(),
            "grace okafor",
            "",
        ]
    )
    result = items_import(user=busy.coordinator, data=data, name="x.csv")
    assert result.counts["updated"] == 1
    item = TrackedItem.objects.get(pk=busy.item.pk)
    assert (item.owner, item.lead) == (busy.colleague, busy.coordinator)
    event = AuditEvent.objects.filter(object_id=str(item.uuid)).first()
    assert event.changes == {
        "owner": [busy.owner.email, busy.colleague.email],
        "lead": [None, busy.coordinator.email],
    }


def item_row(item, status="", owner="", lead="", due=""):
    finding = item.finding
    return ["West Midlands Police", finding.report.title, "22/03/2018", "Recommendation",
            finding.reference, "", finding.text, status, owner, lead, due]  # fmt: skip


def test_every_change_to_an_item_is_recorded_as_on_its_pages(world):
    """Status, due date, owner and lead at once: one status change, one revision and three
    audit events, each by the importer with the row as the reason; nothing else."""
    new_due = timezone.localdate() + datetime.timedelta(days=60)
    row = item_row(world.item, "In progress", "Tom Ellis", "Grace Okafor", f"{new_due:%d/%m/%Y}")
    before = snapshot()
    audit_before = AuditEvent.objects.count()
    items_import(user=world.coordinator, data=csv_bytes(row), name="x.csv")
    assert snapshot()[3:] == (before[3] + 3, before[4] + 1, before[5] + 1)
    reason = "Imported from x.csv, row 2"
    change = StatusChange.objects.latest("id")
    assert (change.item, change.from_status, change.to_status) == (
        world.item,
        Status.NOT_STARTED,
        Status.IN_PROGRESS,
    )
    assert (change.changed_by, change.reason) == (world.coordinator, reason)
    revision = DueDateRevision.objects.get()
    assert (revision.previous_date, revision.new_date) == (world.item.due_date, new_due)
    assert (revision.approved_by, revision.reason) == (world.coordinator, reason)
    events = AuditEvent.objects.order_by("id")[audit_before:]
    assert [(e.action, e.object_id, e.note) for e in events] == [
        ("update", str(world.item.uuid), reason)
    ] * 3
    assert [e.changes for e in events] == [
        {"status": ["not_started", "in_progress"]},
        {"due_date": [world.item.due_date.isoformat(), new_due.isoformat()]},
        {
            "owner": [world.owner.email, world.colleague.email],
            "lead": [None, world.coordinator.email],
        },
    ]
    item = TrackedItem.objects.get(pk=world.item.pk)
    assert (item.owner, item.lead, item.due_date) == (world.colleague, world.coordinator, new_due)
    assert item.original_due_date == world.item.original_due_date


def test_a_new_due_date_and_owner_plan_no_reminder_for_the_former_owner(world):
    """The deadlines are synced once, after both changes: no reminder is planned for the
    former owner at the new date and then cancelled."""
    new_due = timezone.localdate() + datetime.timedelta(days=60)
    row = item_row(world.item, owner="Tom Ellis", due=f"{new_due:%d/%m/%Y}")
    items_import(user=world.coordinator, data=csv_bytes(row), name="x.csv")
    moved = Deadline.objects.filter(item=world.item, rule__source=Source.ITEM_DUE_DATE)
    assert moved.exists()
    for deadline in moved:
        assert deadline.due_on == new_due
        assert deadline.version == 2
        current = Reminder.objects.filter(deadline=deadline, deadline_version=deadline.version)
        assert current.exists()
        assert not current.filter(recipient=world.owner).exists()
        assert set(current.values_list("state", flat=True)) == {"pending"}


def test_an_administrator_may_change_an_item_of_any_force(world):
    new_due = timezone.localdate() + datetime.timedelta(days=60)
    row = item_row(world.item, "In progress", "tom.ellis@example.org", due=f"{new_due:%d/%m/%Y}")
    admin = World.admin()
    result = items_import(user=admin, data=csv_bytes(row), name="x.csv")
    assert result.counts["updated"] == 1
    item = TrackedItem.objects.get(pk=world.item.pk)
    assert (item.status, item.owner, item.due_date) == (
        Status.IN_PROGRESS,
        world.colleague,
        new_due,
    )
    assert item.status_changes.latest("id").changed_by == admin
    assert item.revisions.get().approved_by == admin


def test_an_owner_can_change_while_a_lead_who_has_left_stays(world):
    """The item's pages would refuse to keep a lead who has left; an export imported back
    keeps them, and changes only what the file changes."""
    TrackedItem.objects.filter(pk=world.item.pk).update(lead=world.colleague)
    world.colleague.is_active = False
    world.colleague.save()
    audit_before = AuditEvent.objects.count()
    row = item_row(world.item, owner="Grace Okafor", lead="Tom Ellis")
    result = items_import(user=world.coordinator, data=csv_bytes(row), name="x.csv")
    assert result.counts["updated"] == 1
    item = TrackedItem.objects.get(pk=world.item.pk)
    assert (item.owner, item.lead) == (world.coordinator, world.colleague)
    [event] = AuditEvent.objects.order_by("id")[audit_before:]
    assert event.changes == {"owner": [world.owner.email, world.coordinator.email]}


# --------------------------------------------------------------------------- new data


def new_rows(title="Custody: a joint thematic inspection", published="15/01/2026"):
    due = (timezone.localdate() + datetime.timedelta(days=90)).strftime("%d/%m/%Y")
    text = "The force should review how it records detainees' needs."
    return [
        ["West Midlands Police", title, published, "Cause of concern", "CoC 1", "Custody",
         "Detainees' needs are not always met.", "", "", "", ""],
        ["West Midlands Police", title, published, "Recommendation", "1", "Custody", text,
         "In progress", "priya.shah@example.org", "Grace Okafor", due],
        ["west midlands police", title, published, "area for improvement", "AFI 1", "",
         "The force should improve its custody records.", "Not started", "", "", ""],
    ]  # fmt: skip


def test_a_hand_written_csv_creates_the_report_findings_and_items(world):
    before = AuditEvent.objects.count()
    result = items_import(user=world.coordinator, data=csv_bytes(*new_rows()), name="custody.csv")
    assert result.counts | {} == {
        "reports": 1,
        "findings": 3,
        "items": 3,
        "updated": 0,
        "unchanged": 0,
        "problem_rows": 0,
    }
    report = Report.objects.get(title="Custody: a joint thematic inspection")
    assert report.published_on == datetime.date(2026, 1, 15)
    assert list(report.forces.all()) == [world.wmp]
    assert report.inspectorate_label == "HMICFRS"
    rec = report.findings.get(kind="recommendation")
    item = rec.items.get()
    assert (item.force, item.owner, item.lead) == (world.wmp, world.owner, world.coordinator)
    assert item.status == Status.IN_PROGRESS
    assert item.due_date == item.original_due_date
    assert report.findings.get(reference="AFI 1").kind == "area_for_improvement"
    # Audited: the report, three findings, three items and one status change.
    assert AuditEvent.objects.count() - before == 8
    assert AuditEvent.objects.filter(object_id=report.key, note="Imported from custody.csv")
    # Importing the same file again changes nothing.
    again = items_import(user=world.coordinator, data=csv_bytes(*new_rows()), name="custody.csv")
    assert not again.changed
    assert again.counts["unchanged"] == 3


def test_an_excel_file_with_real_dates_and_numbers_is_read(world):
    rows = new_rows()
    rows[1][4] = 1.0  # a reference typed as a number
    # An Excel cell holds a date and time without a time zone (openpyxl refuses one).
    rows[1][2] = datetime.datetime(2026, 1, 15)  # noqa: DTZ001
    data = xlsx_bytes([HEADER, *rows])
    result = items_import(user=world.coordinator, data=data, name="custody.xlsx")
    assert result.counts["findings"] == 3
    assert result.counts["reports"] == 1
    assert Finding.objects.filter(reference="1", kind="recommendation").exists()


def test_a_windows_1252_csv_with_semicolons_and_a_byte_order_mark_variant_is_read(world):
    rows = new_rows(title="Crime data integrity – café report")
    text = ";".join(HEADER) + "\r\n" + "\r\n".join(";".join(r) for r in rows) + "\r\n"
    result = items_import(user=world.coordinator, data=text.encode("cp1252"), name="old.csv")
    assert result.counts["items"] == 3
    assert Report.objects.filter(title="Crime data integrity – café report").exists()
    bom = ("\ufeff" + ",".join(h.upper() for h in HEADER) + "\n").encode("utf-8")
    table = read_table(bom + csv_bytes(*new_rows(), header=None), "bom.csv")
    assert set(table.columns) == set(HEADER)


def test_formula_protected_text_is_restored_and_html_is_stored_literally(world, client):
    rows = new_rows()
    rows[0][6] = "'=SUM(A1:A9) is not a formula"
    rows[2][6] = "<script>alert('x')</script> & <b>bold</b>"
    data = csv_bytes(*rows)
    client.force_login(world.coordinator)
    url, preview = upload_and_preview(client, data)
    page = preview.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert "<script>alert" not in page
    client.post(url, {"fingerprint": fingerprint(preview)})
    assert Finding.objects.filter(text="=SUM(A1:A9) is not a formula").exists()
    finding = Finding.objects.get(text="<script>alert('x')</script> & <b>bold</b>")
    item_page = client.get(reverse("tracker:item_detail", args=[finding.items.get().uuid]))
    assert "&lt;script&gt;" in item_page.content.decode()
    assert "<script>alert" not in item_page.content.decode()


# --------------------------------------------------------------------------- bad input

ROW = ["West Midlands Police", "A report", "15/01/2026", "Recommendation", "1", "", "Do it."]
ROW += ["", "", "", "", ""]
FULL = [*HEADER, "Link"]


def with_cell(column, value, row=ROW):
    changed = list(row)
    changed[FULL.index(column)] = value
    return changed


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "Due date",
            "31/02/2027",
            "Row 2, Due date: “31/02/2027” is not a real date. "
            "Use the form 31/01/2027 or 2027-01-31.",
        ),
        ("Force", "Atlantis Police", "Row 2, Force: “Atlantis Police” is not a police force"),
        (
            "Force",
            "Staffordshire Police",
            "Row 2, Force: You can only import items for West Midlands Police, "
            "not Staffordshire Police.",
        ),
        ("Kind", "Suggestion", "Row 2, Kind: “Suggestion” is not a kind of finding. Use Cause"),
        ("Status", "Done-ish", "Row 2, Status: “Done-ish” is not a status. Use Not started,"),
        ("Status", "Closed", "Row 2, Status: A new item cannot start as “Closed”."),
        ("Owner", "Megan Price", "Row 2, Owner: “Megan Price” is not a person at West Midlands"),
        ("Accountable lead", "nobody@example.org", "Row 2, Accountable lead: “nobody@example"),
        ("Report published", "", "Row 2, Report published: Enter the date the report was"),
        ("Report published", "March 2018", "Row 2, Report published: “March 2018” is not a real"),
        ("Due date", "01/01/2010", "Row 2, Due date: The due date must be on or after the"),
        ("Finding", "", "Row 2, Finding: Enter the finding's text"),
        ("Link", "http://x/items/42/", "Row 2, Link: “http://x/items/42/” is not a link to an"),
    ],
)
def test_each_bad_cell_is_reported_with_its_row_and_column_and_nothing_is_saved(
    world, column, value, message
):
    good = with_cell("Reference", "2")
    found = problems(csv_bytes(good, with_cell(column, value), header=FULL), world.coordinator)
    assert len(found) == 1, found
    assert found[0].replace("Row 3", "Row 2").startswith(message), found


def test_a_coordinator_cannot_import_rows_for_another_force_even_among_good_rows(world):
    theirs = with_cell("Force", "staffordshire police", with_cell("Reference", "9"))
    found = problems(csv_bytes(ROW, theirs), world.coordinator)
    assert found == [
        "Row 3, Force: You can only import items for West Midlands Police, not "
        "Staffordshire Police."
    ]
    assert not Report.objects.filter(title="A report").exists()


def test_changes_the_item_pages_refuse_are_refused_by_import(world):
    TrackedItem.objects.filter(pk=world.item.pk).update(status=Status.CLOSED)
    row = ["West Midlands Police", world.report.title, "22/03/2018", "Recommendation", "", "",
           world.finding.text, "In progress", "", "", ""]  # fmt: skip
    assert problems(csv_bytes(row), world.coordinator) == [
        "Row 2, Status: This item is closed, so it cannot be changed."
    ]
    TrackedItem.objects.filter(pk=world.item.pk).update(status=Status.IN_PROGRESS)
    row[7] = "Closed"
    assert "Propose closure on the item's page" in problems(csv_bytes(row), world.coordinator)[0]
    row[7], row[10] = "", "01/01/2020"
    assert problems(csv_bytes(row), world.coordinator) == [
        "Row 2, Due date: A revised due date must be today or later, and 01/01/2020 has "
        "passed. Leave the due date as it is, or choose a later one."
    ]


def test_a_row_twice_and_a_link_to_another_item_are_refused(busy):
    row = ["West Midlands Police", busy.report.title, "22/03/2018", "Recommendation", "", "",
           busy.finding.text, "", "", "", ""]  # fmt: skip
    assert problems(csv_bytes(row, row), busy.coordinator) == [
        "Row 3: This is the same item as row 2. Keep one of the rows."
    ]
    linked = [*row, f"http://testserver/items/{busy.formula.uuid}/"]
    found = problems(csv_bytes(linked, header=[*HEADER, "Link"]), busy.coordinator)
    assert found[0].startswith("Row 2, Link: The link is to a different item")
    # A link to another force's item is as if it did not exist: the row matches by columns.
    linked[-1] = f"http://testserver/items/{busy.theirs.uuid}/"
    result = items_import(
        user=busy.coordinator, data=csv_bytes(linked, header=[*HEADER, "Link"]), name="x"
    )
    assert not result.changed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The selected file is empty."),
        (b"\n\n  \n", "The selected file is empty."),
        (csv_bytes(), "The file has the row of column names but no rows under it"),
        (csv_bytes(ROW[:3], header=HEADER[:3]), "The file has no “Kind” and “Finding” columns"),
        (b"Name,Email\nA,B\n", "The first row must name the columns, as the export does: Force,"),
        (csv_bytes(header=[*HEADER, "force"]), "The column “Force” appears twice."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The selected file must be a CSV file or an"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "This is an old-style Excel file"),
        (b"PK\x03\x04broken", "The selected file must be a CSV file or an Excel workbook"),
        (b"\x81\x8d\x8f\x90\x9d", "The selected file must be a CSV file or an Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_one_message(world, data, message):
    with pytest.raises(FileRejected) as caught:
        items_import(user=world.coordinator, data=data, name="f")
    assert str(caught.value).startswith(message) or message in str(caught.value)


def test_a_word_document_is_not_a_spreadsheet(world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(FileRejected, match="must be a CSV file or an Excel workbook"):
        read_table(out.getvalue(), "x.docx")


def test_too_big_and_too_many_rows_are_refused(world, client, monkeypatch):
    monkeypatch.setattr(import_table, "MAX_ROWS", 2)
    with pytest.raises(FileRejected, match="more than 2 rows"):
        read_table(csv_bytes(ROW, ROW, ROW), "x.csv")
    monkeypatch.setattr(import_table, "MAX_BYTES", 100)
    with pytest.raises(FileRejected, match="smaller than"):
        read_table(b"x" * 101, "x.csv")
    client.force_login(world.coordinator)
    response = upload(client, b"x" * 101)
    assert response.status_code == 400
    assert "The selected file must be smaller than" in response.content.decode()


def test_the_upload_page_shows_file_problems_as_a_field_error(world, client):
    client.force_login(world.coordinator)
    response = upload(client, csv_bytes())
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert 'href="#id_file"' in page
    assert "no rows under it" in page
    assert "govuk-file-upload--error" in page
    assert client.post(IMPORT, {}).status_code == 400


def test_the_preview_lists_row_problems_and_offers_no_confirmation(world, client):
    client.force_login(world.coordinator)
    url, preview = upload_and_preview(client, csv_bytes(with_cell("Kind", "Suggestion")))
    assert preview.status_code == 400
    page = preview.content.decode()
    assert "There is a problem with the file" in page
    assert 'href="#problem-1"' in page
    assert "Confirm and import" not in page
    before = snapshot()
    assert client.post(url, {"fingerprint": "0"}).status_code == 400
    assert snapshot() == before


def test_a_change_made_after_the_preview_stops_the_import(world, client):
    client.force_login(world.coordinator)
    url, preview = upload_and_preview(client, csv_bytes(*new_rows()))
    make_finding(world.report, "Someone else's new finding")  # not in the plan: harmless
    Report.objects.create(
        key="custody-same",
        inspectorate=world.report.inspectorate,
        inspectorate_label="HMICFRS",
        title="Custody: a joint thematic inspection",
        report_type="other",
        published_on=datetime.date(2026, 1, 15),
        grading_scale="none",
    ).forces.set([world.wmp])
    before = snapshot()
    response = client.post(url, {"fingerprint": fingerprint(preview)})
    assert response.status_code == 409
    assert "Someone changed the tracker since you checked this file" in response.content.decode()
    assert snapshot() == before


# --------------------------------------------------------------------------- who may import


def test_only_coordinators_and_administrators_may_import(world, client):
    template = reverse("tracker:item_import_template", args=["csv"])
    for person in (world.owner, world.pcc, world.reader):
        client.force_login(person)
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, {}).status_code == 403
        assert client.get(template).status_code == 403
        assert client.get(reverse("tracker:item_import_done")).status_code == 403
        assert (
            "Import items from a spreadsheet"
            not in client.get(reverse("tracker:item_list")).content.decode()
        )
    client.logout()
    assert client.get(IMPORT).status_code == 302  # to sign in
    for person in (world.coordinator, World.admin()):
        client.force_login(person)
        assert client.get(IMPORT).status_code == 200
        assert (
            "Import items from a spreadsheet"
            in client.get(reverse("tracker:item_list")).content.decode()
        )


def test_someone_elses_upload_is_not_found(world, client):
    client.force_login(world.coordinator)
    url, _ = upload_and_preview(client, csv_bytes(*new_rows()))
    client.force_login(world.outsider)  # another force's coordinator
    assert client.get(url).status_code == 404
    assert client.post(url, {"fingerprint": "x"}).status_code == 404
    client.force_login(world.pcc)
    assert client.get(url).status_code == 403
    client.force_login(world.coordinator)  # a new session: the upload belonged to the old one
    assert client.get(url).status_code == 404
    assert client.get(IMPORT + "not-a-token/").status_code == 404


def test_an_administrator_may_import_for_any_force(world):
    rows = new_rows()
    rows[2][0] = "Staffordshire Police"
    rows[1][8] = rows[1][9] = ""
    result = items_import(user=World.admin(), data=csv_bytes(*rows), name="x.csv")
    assert result.counts["items"] == 3
    assert result.counts["reports"] == 1
    report = Report.objects.get(title="Custody: a joint thematic inspection")
    assert {f.short_name for f in report.forces.all()} == {
        "West Midlands Police",
        "Staffordshire Police",
    }
    assert report.national


def test_the_blank_templates_have_the_header_row_only(world, client):
    client.force_login(world.coordinator)
    response = client.get(reverse("tracker:item_import_template", args=["csv"]))
    assert response.content.decode("utf-8-sig").strip() == ",".join(HEADER)
    response = client.get(reverse("tracker:item_import_template", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [HEADER]
    assert client.get(reverse("tracker:item_import_template", args=["pdf"])).status_code == 404
    assert set(import_table.USED) <= set(import_table.KNOWN.values())  # in step with the export


def test_the_preview_makes_the_same_number_of_queries_for_many_rows(world, client):
    client.force_login(world.coordinator)

    def queries(count):
        rows = [with_cell("Reference", str(n)) for n in range(count)]
        url, _ = upload_and_preview(client, csv_bytes(*rows))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few, many = queries(3), queries(60)
    assert few == many
    assert many < 25


# --------------------------------------------------------------------------- the command


def test_the_command_imports_with_a_dry_run_first(world, tmp_path):
    path = tmp_path / "custody.csv"
    path.write_bytes(csv_bytes(*new_rows()))
    out = io.StringIO()
    before = snapshot()
    call_command(
        "import_items", str(path), "--as", world.coordinator.email, "--dry-run", stdout=out
    )
    assert "3 findings and 3 items created" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert snapshot() == before
    call_command("import_items", str(path), "--as", world.coordinator.email.upper(), stdout=out)
    assert TrackedItem.objects.count() == 4
    assert "Imported: 1 report, 3 findings and 3 items created" in out.getvalue()


def test_the_command_refuses_bad_files_and_people_who_may_not_import(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(with_cell("Due date", "31/02/2027")))
    with pytest.raises(CommandError, match="Row 2, Due date: “31/02/2027” is not a real date"):
        call_command("import_items", str(path), "--as", world.coordinator.email)
    with pytest.raises(CommandError, match="cannot import"):
        call_command("import_items", str(path), "--as", world.owner.email)
    with pytest.raises(CommandError, match="Nobody has the email address"):
        call_command("import_items", str(path), "--as", "ghost@example.org")
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_items", str(tmp_path / "nope.csv"), "--as", world.coordinator.email)


def test_the_preview_warns_of_many_changes_to_items_there_but_not_of_many_new_items(
    world, client, monkeypatch
):
    from tracker.bulk_import import plan as import_plan

    monkeypatch.setattr(import_plan, "SLOW_UPDATES", 0)
    client.force_login(world.coordinator)
    warning = "can take a few minutes"
    rows = [with_cell("Reference", f"New {n}") for n in range(3)]
    _, preview = upload_and_preview(client, csv_bytes(*rows))
    assert warning not in preview.content.decode()
    due = (timezone.localdate() + datetime.timedelta(days=60)).strftime("%d/%m/%Y")
    _, preview = upload_and_preview(client, csv_bytes(item_row(world.item, due=due)))
    assert "Confirm and import" in preview.content.decode()
    assert warning in preview.content.decode()
