"""Checks on evidence files: size, type by extension, and that the content really is that type;
where a stored file lives, and storing one.

The checks are pure functions over a file name, its size and its first bytes, so they are
tested without files on disk. A renamed program (an .exe called report.pdf) fails the content
check. Storing is all or nothing (tracker.files.write_atomic).
"""

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tracker.files import write_atomic

# extension -> (content type, description for messages)
ALLOWED = {
    "pdf": ("application/pdf", "PDF"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel spreadsheet",
    ),
    "png": ("image/png", "PNG image"),
    "jpg": ("image/jpeg", "JPEG image"),
    "jpeg": ("image/jpeg", "JPEG image"),
    "txt": ("text/plain", "text file"),
    "csv": ("text/csv", "CSV file"),
}
# What a Word or Excel file may unpack to, at most: real ones are a few megabytes.
MAX_UNZIPPED = 100 * 1024 * 1024
ALLOWED_LIST = "PDF, Word (.docx), Excel (.xlsx), PNG, JPEG, text or CSV"
# Files are stored under a random name the app makes; nothing else is ever opened.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(" + "|".join(ALLOWED) + ")")


class EvidenceRejected(ValueError):
    pass


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_like(extension: str, data: bytes) -> bool:
    if extension == "pdf":
        # A PDF starts with its header and ends with an end-of-file marker; a program with
        # "%PDF-" stuck on the front does not.
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]
    if extension == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if extension in ("docx", "xlsx"):
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except zipfile.BadZipFile:
            return False
        # A zip bomb (a small file that unpacks to gigabytes) is not a real document: it would
        # hang the Word or Excel of whoever opens it.
        if sum(e.file_size for e in entries) > MAX_UNZIPPED or any(
            e.file_size > 100 * max(e.compress_size, 1) for e in entries
        ):
            return False
        names = [e.filename for e in entries]
        marker = "word/" if extension == "docx" else "xl/"
        return "[Content_Types].xml" in names and any(n.startswith(marker) for n in names)
    if extension in ("txt", "csv"):
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def check_evidence(name: str, size: int, data: bytes, max_bytes: int) -> CheckedFile:
    """Return the file's checked type, or raise EvidenceRejected with a message for the user.

    `data` is the whole file (uploads are limited to max_bytes, so this is bounded).
    """
    if size == 0:
        raise EvidenceRejected("The selected file is empty.")
    if size > max_bytes:
        raise EvidenceRejected(
            f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB."
        )
    extension = extension_of(name)
    if extension not in ALLOWED:
        raise EvidenceRejected(f"The selected file must be a {ALLOWED_LIST}.")
    content_type, label = ALLOWED[extension]
    if not _looks_like(extension, data):
        raise EvidenceRejected(
            f"The selected file ends in .{extension} but is not a real {label}. "
            "Save it again in that format and upload it again."
        )
    return CheckedFile(extension=extension, content_type=content_type)


def evidence_path(stored_name: str) -> Path:
    """Where a stored evidence file lives. Refuses any name the app would not have made, so
    no stored value can point outside EVIDENCE_ROOT."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"{stored_name!r} is not a stored evidence file name")
    return Path(settings.EVIDENCE_ROOT) / stored_name


def evidence_write(stored_name: str, data: bytes) -> Path:
    """Store an evidence file under its stored name, all or nothing; where it is. Raises
    tracker.files.StorageFull (or StorageError) with a message for the person, leaving no
    file behind, when it cannot be stored."""
    path = evidence_path(stored_name)
    write_atomic(path, data)
    return path
