"""Scanned PDFs are read by text recognition (OCR): the pages without a text layer, and only
those, go through Tesseract, and the text comes out in the same shape as a text layer's, so
the extraction rules find the same findings. Without Tesseract, a plain message says what
to install.

The texts are composed for these tests (invented wording, in the shape of a PEEL 2023-25
report). Each page read by OCR takes a few seconds, so the scans are short and each is read
once per module. No database.
"""

import io
import logging
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.conf import settings

from tracker.extraction import ExtractionError, extract, read_document
from tracker.extraction.contained import ReadingLimits, read_contained
from tracker.extraction.samples import text_to_pdf, text_to_scanned_pdf

logging.getLogger("weasyprint").setLevel(logging.WARNING)

FORCES = ["Durham Constabulary", "West Midlands Police", "Kent Police"]
DEMO_SCAN = Path(settings.FIXTURES_DIR) / "samples" / "west-midlands-peel-2023-scan.pdf"
MB = 1024 * 1024

DURHAM = """PEEL 2023–25

An inspection of Durham Constabulary

Published 21 January 2025

# Investigating crime

Requires improvement

Durham Constabulary investigates most crimes well, but it takes too long to examine the
mobile phones and computers seized in its investigations, and victims wait for news.

In the cases we reviewed, officers gathered evidence promptly and arrested suspects when
they should have. But some investigations stalled while devices waited in a queue for
examination, and in several of these cases nobody told the victim why.

# Cause of concern

The constabulary does not examine digital devices quickly enough, and it does not tell
victims when the examination of their case will be delayed.

# Recommendations

Within three months, the constabulary should make sure that every device awaiting
examination is assessed for the risk that a delay poses to the victim.

Within six months, the constabulary should reduce the number of devices that wait more
than three months to be examined.

# Areas for improvement

- The constabulary should improve how it records the needs of victims.
- The constabulary should make sure that supervisors review investigation plans:
  - at the start of each investigation; and
  - whenever a suspect is released on bail.

# Protecting vulnerable people

Good

The constabulary works well with the local authorities and health services to protect
vulnerable people. Its staff understand the risks that victims of domestic abuse face,
and they complete risk assessments at the scene. Specialist officers review every case
assessed as high risk within a day, and they make safety plans with the victims.

The constabulary has trained its call handlers to recognise vulnerability, and the calls
we listened to were handled with care. Callers were asked about children in the home and
about any previous incidents, and their answers were recorded for the officers sent.

Officers use the powers they have to protect people, such as domestic violence
protection notices, and supervisors check that they are used when they should be. The
constabulary shares what it learns from reviews of serious cases with its partners.
"""

COVER = """A covering note from the office of the Police and Crime Commissioner

This note was typed, and the pages after it were scanned. The commissioner asked the
chief constable for a response to the report by the end of March.
"""


def findings(text: str) -> list[tuple]:
    result = extract(text, known_forces=FORCES)
    return [(f.kind, f.text, f.parts, f.parent, f.target_text) for f in result.findings]


def join_pdfs(*pdfs: bytes) -> bytes:
    out = pdfium.PdfDocument.new()
    for pdf in pdfs:
        out.import_pages(pdfium.PdfDocument(pdf))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def text_layer_characters(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    return sum(len(document[i].get_textpage().get_text_range()) for i in range(len(document)))


@pytest.fixture(scope="module")
def scan() -> bytes:
    return text_to_scanned_pdf(DURHAM, header="PEEL 2023–25 | Durham", footer="Page")


@pytest.fixture(scope="module")
def scan_read(scan):
    return read_document(scan, "scan.pdf")


# A scan reads as its text does -------------------------------------------------------------


def test_a_scanned_pdf_has_no_text_layer_of_its_own(scan):
    assert text_layer_characters(scan) == 0
    assert len(pdfium.PdfDocument(scan)) == 2


def test_a_scan_is_read_by_ocr_and_says_which_pages(scan_read):
    assert scan_read.format == "pdf"
    assert scan_read.pages == 2
    assert scan_read.ocr_pages == [1, 2]
    assert "# Cause of concern" in scan_read.text  # large type is still a heading
    assert "- The constabulary should make sure that supervisors review" in scan_read.text
    assert "  - at the start of each investigation; and" in scan_read.text  # and nested
    assert "PEEL 2023–25 | Durham" not in scan_read.text  # the running header is dropped


def test_a_scan_gives_the_same_findings_as_its_text(scan_read):
    from_text = read_document(text_to_pdf(DURHAM, header="PEEL 2023–25 | Durham", footer="Page"))
    assert from_text.ocr_pages == []
    expected = findings(from_text.text)
    assert [kind for kind, *_ in expected] == [
        "cause_of_concern",
        "recommendation",
        "recommendation",
        "area_for_improvement",
        "area_for_improvement",
    ]
    assert findings(scan_read.text) == expected


def test_only_the_pages_without_text_are_read_by_ocr():
    mixed = join_pdfs(text_to_pdf(COVER), text_to_scanned_pdf(DURHAM.split("# Areas")[0]))
    source = read_document(mixed, "mixed.pdf")
    assert source.pages == 2
    assert source.ocr_pages == [2]
    assert source.text.index("covering note") < source.text.index("Durham Constabulary")
    assert "digital devices quickly enough" in source.text


def test_the_demo_sample_is_a_scan_that_imports_through_ocr():
    data = DEMO_SCAN.read_bytes()
    assert len(data) < 400 * 1024
    assert text_layer_characters(data) == 0
    source = read_document(data, DEMO_SCAN.name)
    assert source.ocr_pages == list(range(1, source.pages + 1))
    assert 2 <= source.pages <= 3
    result = extract(source.text, known_forces=FORCES)
    assert result.forces == ["West Midlands Police"]
    kinds = [f.kind for f in result.findings]
    assert kinds.count("cause_of_concern") == 1
    assert kinds.count("recommendation") == 2
    assert kinds.count("area_for_improvement") == 2
    cause = kinds.index("cause_of_concern")
    assert all(f.parent == cause for f in result.findings if f.kind == "recommendation")
    assert [f.target_text for f in result.findings if f.kind == "recommendation"] == [
        "Within three months",
        "Within six months",
    ]


# In the reading process, with its time limit ---------------------------------------------


def test_the_reading_process_allows_time_for_ocr_and_returns_the_ocr_pages(scan, scan_read):
    # Less time than reading two pages by OCR takes: the process says it will read them by
    # OCR, and the worker waits for them.
    limits = ReadingLimits(
        memory_bytes=1024 * MB, seconds=3, max_pages=1000, max_expanded_bytes=200 * MB
    )
    assert limits.most_seconds(2) == 3 + 2 * limits.ocr_seconds_per_page
    assert read_contained(scan, "scan.pdf", limits=limits) == scan_read


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["TESSERACT_CMD", "PATH"])
def test_without_tesseract_the_message_says_it_is_a_scan_and_what_to_install(
    monkeypatch, tmp_path, scan, how
):
    if how == "TESSERACT_CMD":
        monkeypatch.setenv("TESSERACT_CMD", str(tmp_path / "no-such-tesseract"))
    else:
        monkeypatch.delenv("TESSERACT_CMD", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        read_document(scan, "scan.pdf")
    assert time.monotonic() - started < 5
    message = caught.value.message
    assert message.startswith("This PDF is a scan: its pages are pictures of text with no text")
    assert "Tesseract, is not installed" in message
    assert "sudo apt-get install tesseract-ocr tesseract-ocr-eng" in message


def test_a_scan_longer_than_the_ocr_limit_is_refused_before_any_page_is_read(scan):
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        read_document(scan, "scan.pdf", max_ocr_pages=1)
    assert time.monotonic() - started < 5
    assert caught.value.message.startswith(
        "This PDF is a scan: 2 of its pages have no text layer, and text recognition (OCR) "
        "reads at most 1 page of a scan"
    )
    assert "Upload the pages that hold the findings" in caught.value.message


def test_a_pdf_of_blank_pages_says_so_without_ocr(monkeypatch, tmp_path):
    monkeypatch.setenv("TESSERACT_CMD", str(tmp_path / "not-needed"))
    blank = pdfium.PdfDocument.new()
    for _ in range(3):
        blank.new_page(595, 842)
    buffer = io.BytesIO()
    blank.save(buffer)
    with pytest.raises(ExtractionError) as caught:
        read_document(buffer.getvalue(), "blank.pdf")
    assert caught.value.message.startswith(
        "This PDF has no text layer and its pages are blank, so there is nothing in it to read."
    )
