"""Writing files so that a reader never sees half of one: `write_atomic`.

A file is written under a temporary name in the folder it belongs in, flushed to the disk
(fsync), renamed into place in one step, and the folder is flushed too, so after a crash or a
power cut the file is either all there or not there at all. On any failure (a full disk, a
folder the server may not write to, an upload that breaks off) the temporary file is removed
and nothing is left behind; a full disk raises StorageFull, other problems StorageError, each
with a message people can be shown.

Pure: imports nothing of the apps. Every file the app keeps (evidence, spreadsheets waiting
to be imported, report documents waiting to be read, evidence loaded from an export) is
written here.
"""

import errno
import logging
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

# Errors that mean the disk, or the service's share of it, has no room left.
FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# A temporary file is named after the file it becomes, so an administrator who finds one
# (left only if the process was killed mid-write) knows what it was.
TEMPORARY_SUFFIX = ".partial"


class StorageError(Exception):
    """The file could not be stored; nothing was saved. `message` is for the person."""

    message = (
        "The server could not store the file. Nothing was saved. Try again later or contact "
        "your administrator."
    )

    def __init__(self, path: Path, reason: OSError | None = None) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{self.message} ({path}: {reason})")


class StorageFull(StorageError):
    """The disk is full (or over its quota); nothing was saved."""

    message = (
        "The server has run out of space to store files. Nothing was saved. Try again later "
        "or contact your administrator."
    )


def storage_error(path: Path, exc: OSError) -> StorageError:
    """The typed error for an OSError met while storing `path`."""
    if exc.errno in FULL:
        return StorageFull(path, exc)
    return StorageError(path, exc)


def _write_all(fd: int, chunk: bytes | bytearray | memoryview) -> int:
    """Write one chunk in full (os.write may write part of it)."""
    view = memoryview(chunk).cast("B")
    size = len(view)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    return size


def _remove(path: Path) -> None:
    """Remove a file if it is there, without hiding the error that led here."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.error("Could not remove %s after a failed write: %s", path, exc)


def _sync_folder(folder: Path) -> None:
    """Flush the folder, so the rename itself survives a power cut. Some file systems cannot
    flush a folder (EINVAL); the rename has still happened there."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def write_atomic(path: Path | str, data: bytes | Iterable[bytes]) -> int:
    """Write `data` (bytes, or chunks of bytes such as an upload's `chunks()`) to `path`,
    all or nothing, replacing any file there. Returns the number of bytes written.

    1. Make the folder if needed.
    2. Write a temporary file beside `path` (same folder, so the rename stays on one disk),
       created new (O_EXCL) and readable as the umask allows.
    3. fsync it, close it, rename it onto `path`, fsync the folder.
    4. On any failure before the rename is safe on disk, remove the temporary file (and the
       renamed file, if flushing the folder failed) and raise: StorageFull for a full disk,
       StorageError for another OSError, any other exception (say, from the chunks) as it was.
    """
    path = Path(path)
    folder = path.parent
    temporary = folder / f".{path.name}.{secrets.token_hex(8)}{TEMPORARY_SUFFIX}"
    renamed = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            chunks = (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data
            size = sum(_write_all(fd, chunk) for chunk in chunks)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
        renamed = True
        _sync_folder(folder)
    except BaseException as exc:
        _remove(temporary)
        if renamed:
            _remove(path)
        if isinstance(exc, OSError):
            error = storage_error(path, exc)
            log.error("Could not store %s: %s", path, exc)
            raise error from exc
        raise
    return size
