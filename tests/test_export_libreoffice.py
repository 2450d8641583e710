"""The exports and the Word response opened by a real office suite (issue 21): LibreOffice,
headless, no browser. The items export opens with its frozen header, filter and print titles
and prints one page wide with the marking and page numbers on every page; the CSV imports with
its columns and characters intact; the Word draft shows its marking on every page.

LibreOffice is required, as Chromium is for the browser tests: scripts/test installs it
(scripts/_system.sh: Calc, Writer and python3-uno, its bridge for the system Python) when
missing and run as root; these tests fail, never skip, without it. A conversion
(`--convert-to`) has no view, so frozen panes are read by opening the file in a hidden window
through the bridge (tests/office_probe.py).
"""

import csv
import datetime
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_finding, make_item, make_report
from tests.test_documents import sample
from tracker import exports, services
from tracker.models import TrackedItem
from tracker.word_documents import render_docx

OFFICE = os.environ.get("LIBREOFFICE", "soffice")
# The Python that has LibreOffice's bridge (Debian's python3-uno is for the system Python).
OFFICE_PYTHON = os.environ.get("OFFICE_PYTHON", "/usr/bin/python3")
LONG_FINDING = (
    "The force should review how its control room assesses the risk to vulnerable callers "
    "– including repeat callers – and make sure that every call is graded consistently. "
) * 5
LONG_UPDATE = "Working group met; the new grading guide is with the trainers. " * 6


@pytest.fixture(scope="module")
def office() -> str:
    found = shutil.which(OFFICE)
    if found is None:
        pytest.fail(
            f"LibreOffice ({OFFICE}) is not installed. Install Debian's packages "
            "(apt-get install libreoffice-calc-nogui libreoffice-writer-nogui) or set "
            "LIBREOFFICE; the test command does this for you when run as root."
        )
    return found


def probe(office: str, source: Path, pdf: Path) -> dict:
    """Open the file in LibreOffice through its Python bridge (tests/office_probe.py, run by
    the system Python, which has it) and print it to `pdf`; what the window shows, as a dict."""
    script = Path(__file__).with_name("office_probe.py")
    done = subprocess.run(  # noqa: S603
        [OFFICE_PYTHON, str(script), office, str(source.parent / "probe"), str(source), str(pdf)],
        capture_output=True,
        timeout=180,
        check=False,
        text=True,
    )
    if "No module named 'uno'" in done.stderr:
        pytest.fail(f"{OFFICE_PYTHON} has no LibreOffice bridge: apt-get install python3-uno")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def convert(office: str, source: Path, to: str, *, infilter: str = "") -> Path:
    """Open `source` in LibreOffice and save it as `to` (a format name or "ext:filter"), in a
    profile of the test's own; returns the file made."""
    out = source.parent / f"out-{source.stem}-{to.split(':')[0]}"
    profile = source.parent / "profile"
    command = [
        office,
        "--headless",
        "--norestore",
        f"-env:UserInstallation=file://{profile}",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        to,
        "--outdir",
        str(out),
        str(source),
    ]
    done = subprocess.run(command, capture_output=True, timeout=180, check=False)  # noqa: S603
    made = list(out.glob("*"))
    assert done.returncode == 0, done.stderr
    assert len(made) == 1, (done.stdout, done.stderr)
    return made[0]


@pytest.fixture
def meeting(world):
    """West Midlands with forty items of long text (several printed pages) and updates."""
    report = make_report(forces=[world.wmp], title="Vulnerability – control rooms")
    for n in range(40):
        item = make_item(
            make_finding(report, f"{n + 1}. {LONG_FINDING}"),
            world.wmp,
            owner=world.owner,
            due=timezone.localdate() + datetime.timedelta(days=n - 10),
        )
        if n % 3 == 0:
            services.item_add_update(item=item, author=world.owner, text=LONG_UPDATE)
    return world


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_items_export_opens_with_frozen_header_filter_and_print_titles(
    meeting, client, office, tmp_path
):
    client.force_login(meeting.coordinator)
    source = tmp_path / "items.xlsx"
    source.write_bytes(download(client, reverse("tracker:item_export", args=["xlsx"])))
    rows = TrackedItem.objects.count()

    # Opened in a (hidden) LibreOffice window: what its view and page style say.
    shown = probe(office, source, tmp_path / "printed.pdf")
    assert shown["sheets"] == ["Items", "About this file"]
    assert shown["a1"] == "OFFICIAL"
    assert shown["frozen"]
    assert (shown["split_row"], shown["split_column"]) == (2, 0)  # the marking and header
    assert shown["autofilter"] == [1, 1 + rows, 15]  # rows 2 to the last, columns A to P
    assert shown["print_titles"] == {"on": True, "start_row": 1, "end_row": 1}  # row 2
    page = shown["page"]
    assert page["landscape"]
    assert page["width"] > page["height"]
    assert (page["pages_wide"], page["pages_high"]) == (1, 0)  # one wide, as many down
    assert page["header_on"]
    assert page["footer_on"]

    # Saved again by LibreOffice, the file keeps its filter, print setup and links.
    again = openpyxl.load_workbook(convert(office, source, "xlsx:Calc MS Excel 2007 XML"))
    sheet = again["Items"]
    assert [c.value for c in sheet[2]] == exports.COLUMNS
    assert sheet.auto_filter.ref == f"A2:P{sheet.max_row}"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.fitToWidth == 1
    assert "OFFICIAL" in sheet.oddHeader.center.text
    assert "Page &P of &N" in sheet.oddFooter.right.text
    link = sheet.cell(3, exports.COLUMNS.index("Link") + 1)
    assert link.hyperlink is not None
    assert link.hyperlink.target == link.value


def test_the_items_export_prints_one_page_wide_with_marking_and_page_numbers(
    meeting, client, office, tmp_path
):
    client.force_login(meeting.coordinator)
    source = tmp_path / "items.xlsx"
    source.write_bytes(download(client, reverse("tracker:item_export", args=["xlsx"])))
    pdf = tmp_path / "printed.pdf"
    probe(office, source, pdf)  # printed from the opened file, as a person prints it
    with pdfplumber.open(pdf) as document:
        pages = [(page.width, page.height, page.extract_text() or "") for page in document.pages]
    data = [p for p in pages if "Force" in p[2] and "Accountable" in p[2]]
    about = [p for p in pages if "About this file" in p[2]]
    assert len(data) >= 2  # forty long findings take several pages down
    assert len(about) == 1
    assert len(pages) == len(data) + len(about)  # nothing printed off to the side
    total = len(pages)
    for number, (width, height, text) in enumerate(data, start=1):
        assert width > height  # landscape
        # The header row on every page (print titles), from the first column to the last:
        # every page is the full width of the table.
        assert "Force" in text, number
        assert "Link" in text, number
        assert text.count("OFFICIAL") >= 2, number  # page header and footer
        assert f"Page {number} of {total}" in text
    assert "Filters applied" in about[0][2]


def test_the_csv_imports_with_its_columns_and_characters_intact(meeting, client, office, tmp_path):
    client.force_login(meeting.coordinator)
    plain = download(client, reverse("tracker:item_export", args=["csv"]))
    for_excel = download(client, reverse("tracker:item_export", args=["excel.csv"]))
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert for_excel == b"\xef\xbb\xbf" + plain
    for name, body in (("plain", plain), ("excel", for_excel)):
        source = tmp_path / f"{name}.csv"
        source.write_bytes(body)
        # Comma-separated, double quotes, UTF-8 (76), from line 1: LibreOffice's import dialog.
        made = convert(office, source, "xlsx:Calc MS Excel 2007 XML", infilter="CSV:44,34,76,1")
        sheet = openpyxl.load_workbook(made).active
        assert [c.value for c in sheet[1]] == exports.COLUMNS, name  # no "ï»¿Force"
        findings = [sheet.cell(r, 7).value for r in range(2, sheet.max_row + 1)]
        assert len(findings) == TrackedItem.objects.count()
        findings = [f for f in findings if "control room" in f]
        assert len(findings) == 40
        assert all("– including repeat callers –" in f for f in findings), name
    table = list(csv.reader(io.StringIO(plain.decode("utf-8"))))
    assert table[0] == exports.COLUMNS  # machine-readable: the header is the first line


def test_every_page_of_a_word_draft_shows_its_marking_and_that_it_is_a_draft(office, tmp_path):
    content = sample()
    content.update(published_on=None, published="", approved=False, url="")
    content["marking"] = "OFFICIAL-SENSITIVE"
    content["pcc_comments"] = "\n\n".join(f"{n}) {LONG_FINDING}" for n in range(1, 9))
    source = tmp_path / "draft.docx"
    source.write_bytes(render_docx(content))
    with pdfplumber.open(convert(office, source, "pdf")) as document:
        texts = [page.extract_text() or "" for page in document.pages]
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, number  # top and bottom
        assert "Draft – not published" in text.splitlines()[1], number
        assert f"Page {number} of {len(texts)}" in text, number
    # Word numbering, shown by LibreOffice as the numbers typed.
    assert "1) The force should review" in texts[0].replace("\n", " ")
