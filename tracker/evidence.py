"""Checks on evidence files: size, type by extension, and that the content really is that type;
where a stored file lives, and storing one; how a stored file may be previewed.

The checks are pure functions over a file name, its size and its first bytes, so they are
tested without files on disk. A renamed program (an .exe called report.pdf) fails the content
check. Storing is all or nothing (tracker.files.write_atomic).

Previews (`preview_of`) are decided from the stored file's own bytes, and only when they agree
with the type the file was stored as: a PDF is shown by the browser's own viewer, an image in
a page, text as escaped text in a page; anything else (Word, Excel, a file whose content does
not match its name, anything that looks like HTML or SVG) is offered as a download only.
"""

import codecs
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
    "gif": ("image/gif", "GIF image"),
    "webp": ("image/webp", "WebP image"),
    "txt": ("text/plain", "text file"),
    "csv": ("text/csv", "CSV file"),
}
# What a Word or Excel file may unpack to, at most: real ones are a few megabytes.
MAX_UNZIPPED = 100 * 1024 * 1024
ALLOWED_LIST = "PDF, Word (.docx), Excel (.xlsx), PNG, JPEG, GIF, WebP, text or CSV"
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
    if extension in ("jpg", "jpeg", "gif", "webp"):
        return sniff_image(data) == ALLOWED[extension][0]
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
        return is_text(data, whole=True)
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


# Previews -----------------------------------------------------------------------------------

# How much of a text file a preview shows: the rest is in the download.
TEXT_PREVIEW_BYTES = 200 * 1024
# Enough of a file's start to tell its type (a PDF's header, an image's signature).
HEAD_BYTES = 64
# A PDF shown by the browser's viewer runs nothing of ours and loads nothing: no scripts, no
# plugins, no forms, a sandboxed document (Chromium's viewer still shows it: the browser test).
PDF_POLICY = "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; sandbox"
# An image or a download: nothing at all.
FILE_POLICY = "default-src 'none'; sandbox"
# Markup a browser would run as a page or a drawing, wherever it appears: never shown inline.
MARKUP = (b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body")

PDF = "pdf"
IMAGE = "image"
TEXT = "text"
DOWNLOAD = "download"


@dataclass(frozen=True)
class Preview:
    """How a stored file is shown: `kind` (PDF, IMAGE, TEXT or DOWNLOAD), the content type it
    is served with when shown, and for a download, why it is not shown (for the page)."""

    kind: str
    content_type: str = ""
    reason: str = ""


def sniff_image(data: bytes) -> str | None:
    """The image type the bytes are, by their signature, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_text(data: bytes, *, whole: bool) -> bool:
    """UTF-8 text with no NUL bytes. `whole=False`: `data` is the start of a longer file, so a
    character cut in two at its end is not an error."""
    if b"\x00" in data:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=whole)
    except UnicodeDecodeError:
        return False
    return True


def looks_like_markup(data: bytes) -> bool:
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(MARKUP) or any(
        tag in data[:4096].lower() for tag in (b"<svg", b"<script")
    )


def preview_of(stored_name: str, head: bytes, *, whole: bool) -> Preview:
    """How to preview a stored file, from the type it was stored as (its stored name's
    extension, checked against its content when it was uploaded) and its bytes now (`head`,
    the file's start; `whole` when that is all of it). Both must agree: the bytes decide."""
    extension = extension_of(stored_name)
    if extension == "pdf":
        if head.startswith(b"%PDF-"):
            return Preview(PDF, "application/pdf")
    elif extension in ("png", "jpg", "jpeg", "gif", "webp"):
        sniffed = sniff_image(head)
        if sniffed is not None and sniffed == ALLOWED[extension][0]:
            return Preview(IMAGE, sniffed)
    elif extension in ("txt", "csv"):
        if looks_like_markup(head):
            return Preview(
                DOWNLOAD,
                reason="This file contains web page or drawing code, so it is not shown here.",
            )
        if is_text(head, whole=whole):
            return Preview(TEXT, "text/plain; charset=utf-8")
    else:
        label = ALLOWED.get(extension, ("", "file of this type"))[1]
        return Preview(DOWNLOAD, reason=f"A {label} cannot be shown in the browser.")
    return Preview(
        DOWNLOAD,
        reason="This file's content does not match its name, so it is not shown here.",
    )


def can_preview(stored_name: str) -> bool:
    """Whether a file stored under this name may have a preview (a PDF, an image, text): the
    links on the pages. The preview itself still checks the content."""
    return extension_of(stored_name) in ("pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv")


def evidence_head(stored_name: str, limit: int) -> bytes:
    """The first `limit` bytes of a stored file (all of it when it is shorter). Raises
    FileNotFoundError when the file is missing, ValueError for a name the app never made."""
    with evidence_path(stored_name).open("rb") as handle:
        return handle.read(limit)


def text_preview(head: bytes, size: int) -> tuple[str, bool]:
    """The text to show of a file of `size` bytes that starts with `head`, and whether it is
    cut short (the first TEXT_PREVIEW_BYTES only)."""
    cut = size > len(head) or len(head) > TEXT_PREVIEW_BYTES
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(
        head[:TEXT_PREVIEW_BYTES], final=not cut
    )
    return text.removeprefix("\ufeff"), cut


def safe_filename(name: str) -> str:
    """A file name to send in Content-Disposition: no path, no control characters or quotes."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"\\;')
    return name.strip(" .")[:150] or "evidence"
