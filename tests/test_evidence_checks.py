"""The evidence file checks, without a database or files on disk."""

import io
import zipfile

import pytest

from tracker.evidence import EvidenceRejected, check_evidence

MB = 1024 * 1024


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def check(name, data, max_bytes=10 * MB):
    return check_evidence(name, len(data), data, max_bytes)


def test_it_accepts_a_real_pdf():
    assert check("minutes.PDF", b"%PDF-1.7\n...\n%%EOF\n").content_type == "application/pdf"


def test_it_accepts_a_real_docx():
    assert check("plan.docx", docx_bytes()).extension == "docx"


def test_it_rejects_a_program_renamed_as_pdf():
    with pytest.raises(EvidenceRejected, match="is not a real PDF"):
        check("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100)


def test_it_rejects_a_zip_renamed_as_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("payload.js", "alert(1)")
    with pytest.raises(EvidenceRejected, match="not a real Word document"):
        check("plan.docx", buffer.getvalue())


def test_it_rejects_an_exe_by_extension():
    with pytest.raises(EvidenceRejected, match="must be a PDF"):
        check("setup.exe", b"MZ")


def test_it_rejects_a_file_with_no_extension():
    with pytest.raises(EvidenceRejected, match="must be a PDF"):
        check("README", b"hello")


def test_it_rejects_an_oversized_file():
    with pytest.raises(EvidenceRejected, match="smaller than 1 MB"):
        check("big.txt", b"a" * (MB + 1), max_bytes=MB)


def test_it_rejects_an_empty_file():
    with pytest.raises(EvidenceRejected, match="empty"):
        check("empty.txt", b"")


def test_it_rejects_binary_data_called_txt():
    with pytest.raises(EvidenceRejected, match="not a real text file"):
        check("notes.txt", b"abc\x00def")


def test_it_rejects_a_gif_called_png():
    with pytest.raises(EvidenceRejected, match="not a real PNG image"):
        check("photo.png", b"GIF89a....")


def test_it_rejects_a_program_with_a_pdf_header_stuck_on():
    elf = b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 40
    with pytest.raises(EvidenceRejected, match="is not a real PDF"):
        check("polyglot.pdf", b"%PDF-1.4\n" + elf)


def test_a_zip_bomb_named_docx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(EvidenceRejected, match="not a real Word document"):
        check_evidence("bomb.docx", len(data), data, max_bytes=10 * 1024 * 1024)
