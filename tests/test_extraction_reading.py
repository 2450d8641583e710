"""Reading uploaded files: formats decided by content, and plain messages for bad files.

No database: pytest-django refuses database access in these tests, so they also show that
reading and extracting never touch it.
"""

import io
import json
import logging
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib

import docx
import pypdfium2 as pdfium
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from tracker.extraction import ExtractionError, extract, read_document
from tracker.extraction import reading as reading_module
from tracker.extraction.reading import check_size, describe_size
from tracker.extraction.samples import text_to_pdf

logging.getLogger("weasyprint").setLevel(logging.WARNING)  # not every page it lays out

FORCES = ["Kent Police", "Surrey Police", "West Midlands Police", "Dyfed-Powys Police"]

LETTER = """Chief Constable
Kent Police

2 June 2014

Dear Alan

Crime data integrity: force findings

Attached are the findings for your force.

Recording crime

- The force does not record all reported crime promptly.
- Audits are carried out, but their findings are not acted on:
  - the audit team is small; and
  - results are not reported to the chief officer team.

Yours sincerely

A Inspector
"""


def error_for(data: bytes, name: str = "", **kwargs) -> str:
    with pytest.raises(ExtractionError) as caught:
        read_document(data, name, **kwargs)
    return caught.value.message


def png(width: int = 40, height: int = 40) -> bytes:
    """A grey PNG, made by hand so the test needs no imaging library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# Bad input ---------------------------------------------------------------------------------


def test_it_refuses_an_empty_file():
    assert error_for(b"", "report.pdf") == "The file is empty: there is nothing in it to read."
    assert "empty" in error_for(b"  \n\t\n")


def test_it_refuses_an_oversized_file_before_reading_it():
    message = error_for(b"x" * 3000, "big.pdf", max_bytes=2048)
    assert message.startswith("The file is 3 KB; the largest file this service reads is 2 KB.")


def test_the_size_message_names_both_sizes_in_megabytes():
    with pytest.raises(ExtractionError) as caught:
        check_size(200 * 1024 * 1024)
    assert caught.value.message.startswith(
        "The file is 200 MB; the largest file this service reads is 50 MB."
    )
    assert describe_size(3_670_016) == "3.5 MB"


def test_the_limit_is_one_constant(monkeypatch):
    monkeypatch.setattr(reading_module, "MAX_BYTES", 10)
    assert "largest file this service reads" in error_for(b"%PDF-1.7 and more", "a.pdf")


def test_it_refuses_more_text_than_any_report_has(monkeypatch):
    monkeypatch.setattr(reading_module, "MAX_TEXT_CHARS", 30_000)
    message = error_for(b"The force should act. " * 5000, "compilation.txt")
    assert message.startswith("This document has about 36 pages of text; the longest")


def test_it_says_plainly_when_a_pdf_is_not_a_pdf():
    message = error_for(b"<h1>Page not found</h1> sorry", "report.pdf")
    assert "is named as a PDF but is not one" in message


def test_it_says_a_damaged_pdf_is_damaged():
    assert "damaged" in error_for(b"%PDF-1.7\n1 0 obj garbage", "report.pdf")


def test_it_explains_a_password_protected_pdf():
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(text_to_pdf(LETTER))))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    message = error_for(buffer.getvalue(), "locked.pdf")
    assert "protected by a password" in message
    assert "remove the password" in message


def test_it_says_a_scanned_pdf_has_no_text_layer():
    image = "data:image/png;base64," + __import__("base64").b64encode(png()).decode()
    pdf = HTML(string=f'<img src="{image}" style="width:15cm">' * 3).write_pdf()
    message = error_for(pdf, "scan.pdf")
    assert message.startswith("This PDF has no text layer: it looks like a scanned image.")


def test_it_refuses_binary_data_that_is_not_a_document():
    assert "binary data" in error_for(bytes(range(256)) * 20, "data.bin")


def test_it_refuses_an_old_word_file_and_a_zip():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert "older Microsoft Office file" in error_for(ole, "report.doc")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", "hello")
    assert "not a Word document" in error_for(buffer.getvalue(), "report.docx")


def test_a_pdf_of_more_than_1000_pages_is_refused_at_once_with_what_to_do():
    document = pdfium.PdfDocument.new()
    for _ in range(1001):
        document.new_page(595, 842)
    buffer = io.BytesIO()
    document.save(buffer)
    started = time.monotonic()
    message = error_for(buffer.getvalue(), "compilation.pdf")
    assert time.monotonic() - started < 2
    assert message.startswith(
        "This PDF has 1,001 pages; the most this service reads is 1,000. Upload the inspection "
        "report on its own"
    )
    assert "split the PDF" in message
    assert reading_module.MAX_PAGES == 1000


# Text encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        "Dear Alan – “quoted” £5".encode(),
        "\ufeffDear Alan – “quoted” £5".encode(),
        "Dear Alan – “quoted” £5".encode("utf-16"),
        "Dear Alan – “quoted” £5".encode("utf-16-le"),
        "Dear Alan – “quoted” £5".encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 with BOM", "utf-16 without BOM", "windows-1252"],
)
def test_it_reads_text_in_the_encodings_publishers_use(encoded):
    source = read_document(encoded, "letter.txt")
    assert source.format == "text"
    assert source.text.strip() == "Dear Alan – “quoted” £5"


def test_a_file_named_txt_that_is_a_pdf_is_read_as_a_pdf():
    source = read_document(text_to_pdf(LETTER), "notes.txt")
    assert source.format == "pdf"
    assert "Recording crime" in source.text


# Formats -----------------------------------------------------------------------------------


def test_it_reads_a_pdf_text_layer_with_bullets_and_without_running_lines():
    filler = "".join(
        f"- Finding {n}: the force has not reviewed its approach to recording crime in "
        "every district, and the review that is planned has no date.\n"
        for n in range(60)
    )
    letter = LETTER.replace("Yours sincerely", f"Other findings\n\n{filler}\nYours sincerely")
    pdf = text_to_pdf(letter, header="Crime data integrity", footer="Kent Police | page")
    source = read_document(pdf, "letter.pdf")
    assert source.format == "pdf"
    assert source.pages >= 3
    assert "- The force does not record all reported crime promptly." in source.text
    assert "  - the audit team is small; and" in source.text
    assert "Crime data integrity\n" not in source.text.split("Dear Alan")[0]
    assert "| page" not in source.text
    result = extract(source.text, known_forces=FORCES)
    assert len(result.findings) == 62


def test_it_reads_a_web_page_without_its_scripts():
    page = """<!DOCTYPE html><html><head><title>x</title><style>p{}</style></head><body>
    <script>var findings = 99;</script>
    <h2>Areas for improvement</h2>
    <ul><li>The force should improve X.</li><li>The force should improve Y.
      <ul><li>first part</li></ul></li></ul>
    <table><tr><td>Investigating crime</td><td>Adequate</td></tr></table>
    </body></html>"""
    source = read_document(page.encode(), "page.html")
    assert source.format == "html"
    assert "var findings" not in source.text
    assert "# Areas for improvement" in source.text
    assert "- The force should improve X." in source.text
    assert "  - first part" in source.text
    assert "Investigating crime\tAdequate" in source.text


SAVED_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Cleveland Fire Brigade | HMICFRS</title>
<script>window.dataLayer = [];</script></head>
<body>
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div id="cookie-banner" class="cookie-notice"><p>We use cookies to make this site work.</p>
  <p>The service should accept our cookies.</p><button>Accept recommended cookies</button></div>
<header id="masthead" class="site-header"><div class="logo">Inspectorate home</div>
  <nav class="primary-menu"><ul><li><a href="/">Home</a><li><a href="/publications">Publications</a>
  </ul></nav>
  <form role="search"><label>Search this site</label><input name="s"><button>Search</button></form>
</header>
<div class="breadcrumbs"><a href="/">Home</a> &gt; Publications &gt; Cleveland</div>
%(content)s
<section class="feedback"><p>Is this page useful? Yes No</p></section>
<div role="contentinfo"><p>Contact us. Privacy notice. Accessibility statement.</p></div>
<footer id="colophon"><p>Copyright the inspectorate. All rights reserved.</p></footer>
</body></html>"""

CONTENT = """<%(outer)s id="content">
  <header class="entry-header"><h1>Cleveland Fire Brigade: effectiveness, efficiency and people
  2025</h1><p>Published 3 July 2025</p></header>
  <h2>Areas for improvement</h2>
  <ul><li>The service should make sure its prevention work is aimed at the people most at risk.
  <li>The service should improve how it evaluates its protection activity.</ul>
  <table><tr><td>Preventing fires</td><td>Adequate</td></tr></table>
  <div class="share-this-page"><h3>Share this page</h3><ul><li>Share on LinkedIn</ul></div>
  <aside class="related-content"><h2>Related content</h2>
  <ul><li>The service should read our national report on protection.</li></ul></aside>
  <footer class="entry-footer"><p>Last updated 3 July 2025</p></footer>
</%(outer)s>"""

NAVIGATION_WORDS = [
    "Skip to content",
    "cookies",
    "Inspectorate home",
    "Publications",
    "Search",
    "Home",
    "useful",
    "Privacy",
    "Copyright",
    "Share",
    "Related",
    "national report",
]


@pytest.mark.parametrize("outer", ["main", "article", "div"])
def test_a_page_saved_from_the_inspectorates_site_is_read_without_its_navigation(outer):
    page = SAVED_PAGE % {"content": CONTENT % {"outer": outer}}
    source = read_document(page.encode(), "Cleveland Fire Brigade.html")
    assert source.format == "html"
    for words in NAVIGATION_WORDS:
        assert words not in source.text, words
    assert source.text.startswith(
        "# Cleveland Fire Brigade: effectiveness, efficiency and people 2025\n\n"
        "Published 3 July 2025\n\n# Areas for improvement\n\n"
        "- The service should make sure its prevention work is aimed at the people most at risk."
        "\n- The service should improve how it evaluates its protection activity.\n"
    )
    assert "\nPreventing fires\tAdequate\n" in source.text
    # A header or footer inside the content is the content's own, and kept.
    assert "Last updated 3 July 2025" in source.text
    result = extract(source.text, known_forces=FORCES)
    assert [f.text for f in result.findings] == [
        "The service should make sure its prevention work is aimed at the people most at risk.",
        "The service should improve how it evaluates its protection activity.",
    ]


def test_a_page_whose_main_element_is_empty_is_read_whole_without_navigation():
    page = SAVED_PAGE % {"content": "<main></main>" + CONTENT % {"outer": "section"}}
    source = read_document(page.encode(), "page.html")
    assert "- The service should improve how it evaluates its protection activity." in source.text
    assert "cookies" not in source.text


def test_hidden_elements_and_navigation_roles_are_left_out():
    page = """<html><body><div role="navigation"><p>Menu text</p></div>
    <div hidden><p>Hidden text</p></div><div aria-hidden="true">Decoration</div>
    <p style="display: none">Invisible</p><ul><li class="social-share">Tweet this<li>Kept item
    </ul><p>Kept paragraph.</p></body></html>"""
    text = read_document(page.encode(), "page.html").text
    assert text.split() == ["-", "Kept", "item", "Kept", "paragraph."]


def test_it_reads_a_word_document():
    document = docx.Document()
    document.add_heading("Areas for improvement", level=2)
    document.add_paragraph("The force should improve X.", style="List Bullet")
    document.add_paragraph("The force should improve Y.", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Investigating crime"
    table.rows[0].cells[1].text = "Adequate"
    buffer = io.BytesIO()
    document.save(buffer)
    source = read_document(buffer.getvalue(), "response")
    assert source.format == "docx"
    assert "# Areas for improvement" in source.text
    assert "- The force should improve Y." in source.text
    assert "Investigating crime\tAdequate" in source.text
    result = extract(source.text, known_forces=FORCES)
    assert [f.kind for f in result.findings] == ["area_for_improvement"] * 2


def test_it_indents_a_numbered_word_paragraph_by_its_list_level():
    document = docx.Document()
    for text, level in (("The force should improve X.", 0), ("first part", 1)):
        numbering = document.add_paragraph(text)._p.get_or_add_pPr().get_or_add_numPr()
        numbering.get_or_add_ilvl().val = level
        numbering.get_or_add_numId().val = 1
    document.add_paragraph("A plain paragraph.")
    buffer = io.BytesIO()
    document.save(buffer)
    source = read_document(buffer.getvalue(), "response")
    assert source.text.splitlines() == [
        "- The force should improve X.",
        "  - first part",
        "A plain paragraph.",
    ]


def test_a_document_with_no_findings_is_an_honest_empty_result():
    source = read_document(b"Minutes of the meeting.\n\nThe board noted the report.\n")
    result = extract(source.text, known_forces=FORCES)
    assert result.findings == []
    assert any(w.startswith("No findings were found") for w in result.warnings)


# The command -------------------------------------------------------------------------------


def test_the_command_prints_json_in_the_gold_schema(tmp_path, capsys):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER, encoding="utf-8")
    call_command("extract_report", str(path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["document"] == "letter.txt"
    assert data["forces"] == ["Kent Police"]
    assert [f["kind"] for f in data["findings"]] == ["finding", "finding"]
    last = data["findings"][1]
    assert last["text"].endswith("- results are not reported to the chief officer team.")
    assert last["parts"] == [
        "the audit team is small; and",
        "results are not reported to the chief officer team.",
    ]


def test_the_command_prints_a_readable_summary(tmp_path, capsys):
    path = tmp_path / "letter.txt"
    path.write_text(LETTER, encoding="utf-8")
    call_command("extract_report", str(path))
    out = capsys.readouterr().out
    assert "Forces:       Kent Police" in out
    assert "2. Finding: Audits are carried out" in out


def test_the_command_turns_a_bad_file_into_a_command_error(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"not a pdf at all")
    with pytest.raises(CommandError, match="is named as a PDF but is not one"):
        call_command("extract_report", str(path))


def test_the_command_exits_1_with_the_message_on_stderr(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "extract_report", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "The file is empty" in done.stderr
    assert done.stdout == ""
