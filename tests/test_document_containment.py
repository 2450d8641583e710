"""Hostile and heavy documents are contained: a PDF that inflates to gigabytes, one with
thousands of pages, or one that needs more memory or time than allowed is refused with a
plain message, read in a separate process with limits, and the worker carries on. Documents
are read on a queue of their own, and every task has a time limit.

The PDFs are composed here, byte by byte: a "bomb" is a few kilobytes of zlib over zeros that
inflates to a gigabyte.
"""

import binascii
import io
import logging
import re
import resource
import sys
import time
import zipfile
import zlib
from base64 import a85encode
from pathlib import Path

import docx
import pytest
from django.conf import settings as django_settings
from pypdf._codecs._codecs import LzwCodec  # an encoder, to test the decoder

from tracker.extraction import ExtractionError, read_document
from tracker.extraction.samples import text_to_pdf
from tracker.models import ReportImport
from tracker.report_import.reading import import_start

MB = 1024 * 1024
GB = 1024 * MB
SEED = Path(django_settings.FIXTURES_DIR) / "sources" / "004_1e28ba5a3fe99e5f.excerpt.txt"


# Composing PDFs ---------------------------------------------------------------------------


def flate_zeros(inflated: int) -> bytes:
    """zlib at level 9 over `inflated` zero bytes, compressed a megabyte at a time."""
    compressor = zlib.compressobj(9)
    zeros = bytes(MB)
    parts = [compressor.compress(zeros) for _ in range(inflated // MB)]
    parts.append(compressor.flush())
    return b"".join(parts)


def compose_pdf(objects: list[bytes]) -> bytes:
    """A well-formed PDF of the given objects (numbered from 1, the first the catalog)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def one_page_pdf(stream: bytes, stream_dict: bytes = b"/Filter /FlateDecode", extra=()) -> bytes:
    """One page whose content is `stream` (already encoded for `stream_dict`'s filters)."""
    return compose_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(stream), stream_dict, stream),
            *extra,
        ]
    )


def bomb_pdf(inflated: int) -> bytes:
    return one_page_pdf(flate_zeros(inflated))


def many_pages_pdf(pages: int) -> bytes:
    """`pages` empty pages of 10 by 10 points (about 60 bytes each)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    return compose_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * pages,
        ]
    )


@pytest.fixture(scope="module")
def gigabyte_bomb():
    return bomb_pdf(GB)


@pytest.fixture(scope="module")
def seed_pdf():
    return text_to_pdf(SEED.read_text(encoding="utf-8"), header="HMIC", footer="Page")


def import_file(user, data: bytes, name: str, capture) -> ReportImport:
    """Upload as the page does; the task runs inline (CELERY_TASK_ALWAYS_EAGER) on commit."""
    with capture(execute=True):
        found = import_start(user=user, name=name, size=len(data), chunks=[data])
    found.refresh_from_db()
    return found


def peak_megabytes(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports kilobytes


# Decompressed size -------------------------------------------------------------------------


def test_a_pdf_bomb_is_refused_before_it_is_inflated_and_memory_stays_flat(gigabyte_bomb):
    assert len(gigabyte_bomb) < 3 * MB  # a small upload ...
    before = peak_megabytes(resource.RUSAGE_SELF)
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        read_document(gigabyte_bomb, "report.pdf")  # ... that inflates to 1 GB
    seconds = time.monotonic() - started
    grew = peak_megabytes(resource.RUSAGE_SELF) - before
    sys.stdout.write(f"\nin-process refusal: {seconds:.2f} s, peak memory grew {grew:.0f} MB\n")
    assert caught.value.message.startswith("This file expands to more than 200 MB when read")
    assert seconds < 5
    assert grew < 50


@pytest.mark.parametrize(
    ("encoded", "stream_dict"),
    [
        # Compressed twice: the outer layer inflates to only 300 KB.
        (lambda: zlib.compress(flate_zeros(300 * MB), 9), b"/Filter [/FlateDecode /FlateDecode]"),
        # Inside ASCII85 text, with the filter names abbreviated.
        (lambda: a85encode(flate_zeros(300 * MB), adobe=True)[2:], b"/Filter [/A85 /Fl]"),
        # Run-length: each pair of bytes is 128 bytes when read.
        (lambda: b"\x81\x00" * (2 * MB) + b"\x80", b"/Filter /RunLengthDecode"),
        # The filter named in another object.
        (lambda: flate_zeros(300 * MB), b"/Filter 5 0 R"),
    ],
    ids=["flate-twice", "ascii85-flate", "run-length", "indirect-filter"],
)
def test_every_layer_of_filters_is_counted(encoded, stream_dict):
    pdf = one_page_pdf(encoded(), stream_dict, extra=[b"[/FlateDecode]"])
    with pytest.raises(ExtractionError) as caught:
        read_document(pdf, "report.pdf", max_expanded_bytes=200 * MB)
    assert caught.value.message.startswith("This file expands to more than 200 MB when read")


@pytest.mark.parametrize(
    ("encode", "stream_dict"),
    [
        (lambda data: LzwCodec().encode(data), b"/Filter /LZWDecode"),
        (lambda data: binascii.hexlify(zlib.compress(data)) + b">", b"/Filter [/AHx /Fl]"),
    ],
    ids=["lzw", "ascii-hex-flate"],
)
def test_the_older_filters_are_counted_too(encode, stream_dict):
    pdf = one_page_pdf(encode(bytes(3 * MB)), stream_dict)
    with pytest.raises(ExtractionError) as caught:
        read_document(pdf, "report.pdf", max_expanded_bytes=2 * MB)
    assert caught.value.message.startswith("This file expands to more than 2 MB when read")
    assert "no text layer" in error_for(pdf, max_expanded_bytes=4 * MB)  # under: read as usual


def error_for(pdf: bytes, **limits) -> str:
    with pytest.raises(ExtractionError) as caught:
        read_document(pdf, "report.pdf", **limits)
    return caught.value.message


def test_an_imported_bomb_fails_with_the_message_fast_and_the_worker_carries_on(
    world, django_capture_on_commit_callbacks, gigabyte_bomb, seed_pdf, caplog
):
    caplog.set_level(logging.INFO, logger="tracker.extraction.contained")
    before = peak_megabytes(resource.RUSAGE_SELF)
    started = time.monotonic()
    found = import_file(
        world.coordinator, gigabyte_bomb, "report.pdf", django_capture_on_commit_callbacks
    )
    seconds = time.monotonic() - started
    grew = peak_megabytes(resource.RUSAGE_SELF) - before
    # The largest peak of the processes this one started, the reader among them (on Linux
    # each counts the memory it had when it was forked from this one) ...
    children = peak_megabytes(resource.RUSAGE_CHILDREN)
    # ... and the reading process's own peak after it started, as it reported it.
    reader = int(re.search(r"peak memory (\d+) MB", caplog.text)[1])
    sys.stdout.write(
        f"\nimported bomb refused in {seconds:.2f} s; the worker's peak memory grew {grew:.0f} MB;"
        f" the reading process peaked at {reader} MB (every child so far: {children:.0f} MB)\n"
    )
    assert found.state == ReportImport.State.FAILED
    assert found.message.startswith("This file expands to more than 200 MB when read")
    assert "text layer" not in found.message
    assert seconds < 10
    assert grew < 50
    assert reader < 100
    # A forked child counts the memory it shares with this process, which grows with the
    # tests run before in it (OCR tests' page images among them): bound what it added.
    assert children < max(400, peak_megabytes(resource.RUSAGE_SELF) + 150)
    # The same worker then reads a report as usual.
    after = import_file(
        world.coordinator, seed_pdf, "report.pdf", django_capture_on_commit_callbacks
    )
    assert after.state == ReportImport.State.READY


# Pages -------------------------------------------------------------------------------------


def test_a_pdf_with_more_pages_than_the_limit_is_refused_before_its_text_is_read():
    pdf = many_pages_pdf(5000)
    assert len(pdf) < MB
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        read_document(pdf, "compilation.pdf")
    assert time.monotonic() - started < 3
    assert caught.value.message.startswith(
        "This PDF has 5,000 pages; the most this service reads is 1,000."
    )


def test_the_page_limit_of_an_import_comes_from_settings(
    world, settings, django_capture_on_commit_callbacks, seed_pdf
):
    settings.REPORT_IMPORT_MAX_PAGES = 1
    found = import_file(
        world.coordinator, seed_pdf, "report.pdf", django_capture_on_commit_callbacks
    )
    assert found.state == ReportImport.State.FAILED
    assert "; the most this service reads is 1." in found.message


# The separate process and its limits -------------------------------------------------------


def test_a_normal_pdf_reads_exactly_as_before_in_its_own_process(seed_pdf):
    from tracker.extraction.contained import ReadingLimits, read_contained

    limits = ReadingLimits(memory_bytes=GB, seconds=60, max_pages=2000, max_expanded_bytes=200 * MB)
    assert read_contained(seed_pdf, "report.pdf", limits=limits) == read_document(
        seed_pdf, "report.pdf"
    )
    with pytest.raises(ExtractionError) as caught:
        read_contained(b"%PDF-1.4 not really", "report.pdf", limits=limits)
    assert "damaged" in caught.value.message


def test_an_import_reads_a_normal_pdf_as_before(
    world, django_capture_on_commit_callbacks, seed_pdf
):
    found = import_file(
        world.coordinator, seed_pdf, "report.pdf", django_capture_on_commit_callbacks
    )
    assert found.state == ReportImport.State.READY
    expected = read_document(seed_pdf, "report.pdf")
    assert (found.source_text, found.pages, found.document_format) == (
        expected.text,
        expected.pages,
        "pdf",
    )


@pytest.mark.parametrize(
    ("limit", "make_pdf"),
    [
        # PDFium stops the process when an allocation fails: 150 MB of zeros (under the limit
        # on what streams expand to) needs about twice that to read.
        (256 * MB, lambda seed_pdf: bomb_pdf(150 * MB)),
        # Less than Python needs to take in the file: it raises MemoryError.
        (30 * MB, lambda seed_pdf: seed_pdf),
    ],
    ids=["in-pdfium", "in-python"],
)
def test_a_read_that_needs_more_memory_than_allowed_fails_with_a_plain_message(
    world, settings, django_capture_on_commit_callbacks, seed_pdf, limit, make_pdf
):
    settings.REPORT_IMPORT_READ_MEMORY_BYTES = limit
    found = import_file(
        world.coordinator, make_pdf(seed_pdf), "report.pdf", django_capture_on_commit_callbacks
    )
    assert found.state == ReportImport.State.FAILED
    assert found.message.startswith(f"This file needs more than {limit // MB} MB of memory to read")
    assert "text layer" not in found.message
    # The worker carries on: with the limit back, the same worker reads a report.
    settings.REPORT_IMPORT_READ_MEMORY_BYTES = GB
    again = import_file(
        world.coordinator, seed_pdf, "report.pdf", django_capture_on_commit_callbacks
    )
    assert again.state == ReportImport.State.READY


def test_a_read_that_takes_longer_than_allowed_is_stopped_with_a_plain_message(
    world, settings, django_capture_on_commit_callbacks, seed_pdf
):
    settings.REPORT_IMPORT_READ_SECONDS = 0.05  # less than a Python process takes to start
    started = time.monotonic()
    found = import_file(
        world.coordinator, seed_pdf, "report.pdf", django_capture_on_commit_callbacks
    )
    assert time.monotonic() - started < 5
    assert found.state == ReportImport.State.FAILED
    assert found.message.startswith("Reading this file took longer than")


# Celery -------------------------------------------------------------------------------------


def test_documents_are_read_on_a_queue_of_their_own_and_every_task_has_limits():
    from config.celery import app

    def queue(task: str) -> str:
        return app.amqp.router.route({}, task)["queue"].name

    assert queue("tracker.tasks.read_report_import") == "documents"
    assert queue("tracker.tasks.sweep_reminders") == "tracker"
    assert queue("tracker.tasks.send_digests") == "tracker"
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.worker_max_memory_per_child > 0
    reader = app.tasks["tracker.tasks.read_report_import"]
    assert reader.soft_time_limit > django_settings.REPORT_IMPORT_LONGEST_READ_SECONDS
    assert reader.soft_time_limit < reader.time_limit


def word_bomb(paragraphs: int) -> bytes:
    """A Word document whose text is `paragraphs` paragraphs: a megabyte of zip, hundreds of
    megabytes of XML, gigabytes once python-docx has parsed it."""
    blank = io.BytesIO()
    docx.Document().save(blank)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(blank) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename != "word/document.xml":
                bomb.writestr(info, body)
                continue
            head, tail = body.split(b"</w:body>")
            with bomb.open(info.filename, "w", force_zip64=True) as part:
                part.write(head)
                for _ in range(paragraphs // 10_000):
                    part.write(b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 10_000)
                part.write(b"</w:body>" + tail)
    return out.getvalue()


def test_a_word_document_that_needs_more_memory_than_allowed_fails_with_a_plain_message(
    world, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_READ_MEMORY_BYTES = 512 * MB
    data = word_bomb(6_000_000)
    assert len(data) < 2 * MB
    found = import_file(world.coordinator, data, "report.docx", django_capture_on_commit_callbacks)
    assert found.state == ReportImport.State.FAILED
    assert found.message.startswith("This file needs more than 512 MB of memory to read")
