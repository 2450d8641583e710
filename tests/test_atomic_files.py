"""Every file the app keeps is written all or nothing (tracker.files.write_atomic), and a full
disk gives a clear message with nothing half-saved (issue 19, defect 7).

The disk-full tests mount a real 64 KB tmpfs (the tests run as root in CI and here); where
mounting is not allowed they are skipped, and the tests that make os.write fail with ENOSPC
still cover the same paths.
"""

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tracker.files import StorageError, StorageFull, write_atomic
from tracker.models import Evidence
from tracker.transfer.rows import Importer, ImportRejected

FULL_MESSAGE = (
    "The server has run out of space to store files. Nothing was saved. Try again later or "
    "contact your administrator."
)


def everything_in(folder: Path) -> list[str]:
    """Every file under `folder`, hidden temporary files included."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def full_disk(tmp_path):
    """A real file system with 64 KB of room, unmounted afterwards."""
    mount_point = tmp_path / "full"
    mount_point.mkdir()
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if not (mount and umount):
        pytest.skip("mount is not installed here")
    mounted = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run([umount, str(mount_point)], check=False)


@pytest.fixture
def enospc_after(monkeypatch):
    """Make os.write fail with ENOSPC once `room` bytes have been written, like a disk that
    fills up part-way through a file."""

    def install(room: int) -> None:
        real_write = os.write
        written = {"n": 0}

        def write(fd, data):
            left = room - written["n"]
            if left <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            n = real_write(fd, bytes(memoryview(data)[:left]))
            written["n"] += n
            return n

        monkeypatch.setattr(os, "write", write)

    return install


class TestWriteAtomic:
    def test_it_writes_bytes_and_leaves_no_temporary_file(self, tmp_path):
        target = tmp_path / "a" / "b" / "file.bin"
        assert write_atomic(target, b"hello") == 5
        assert target.read_bytes() == b"hello"
        assert everything_in(tmp_path) == ["a/b/file.bin"]

    def test_it_writes_chunks(self, tmp_path):
        target = tmp_path / "file.bin"
        assert write_atomic(target, iter([b"one ", b"two ", b"three"])) == 13
        assert target.read_bytes() == b"one two three"

    def test_a_full_disk_raises_storage_full_and_leaves_nothing(self, tmp_path, enospc_after):
        enospc_after(10)
        target = tmp_path / "file.bin"
        with pytest.raises(StorageFull) as raised:
            write_atomic(target, b"x" * 1000)
        assert raised.value.message == FULL_MESSAGE
        assert everything_in(tmp_path) == []

    def test_a_failed_write_keeps_the_file_that_was_there(self, tmp_path, enospc_after):
        target = tmp_path / "file.bin"
        target.write_bytes(b"the old content")
        enospc_after(3)
        with pytest.raises(StorageFull):
            write_atomic(target, b"the new content, longer")
        assert target.read_bytes() == b"the old content"
        assert everything_in(tmp_path) == ["file.bin"]

    def test_chunks_that_break_off_leave_nothing_and_raise_their_own_error(self, tmp_path):
        def chunks():
            yield b"first part"
            raise ConnectionResetError("the upload broke off")

        target = tmp_path / "file.bin"
        with pytest.raises(StorageError):  # an OSError from the chunks is a storage error too
            write_atomic(target, chunks())
        assert everything_in(tmp_path) == []

        def bad_chunks():
            yield b"first part"
            raise ValueError("not an OSError")

        with pytest.raises(ValueError, match="not an OSError"):
            write_atomic(target, bad_chunks())
        assert everything_in(tmp_path) == []

    def test_a_folder_it_may_not_write_to_is_a_storage_error(self, tmp_path):
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        try:
            if os.access(folder, os.W_OK):  # root may write anywhere: make it a file instead
                folder.chmod(0o700)
                folder.rmdir()
                folder.write_bytes(b"not a folder")
            with pytest.raises(StorageError) as raised:
                write_atomic(folder / "file.bin", b"data")
            assert not isinstance(raised.value, StorageFull)
            assert "could not store the file" in raised.value.message
        finally:
            if folder.is_dir():
                folder.chmod(0o700)

    def test_a_real_full_disk_leaves_nothing(self, full_disk):
        with pytest.raises(StorageFull):
            write_atomic(full_disk / "big.bin", b"x" * 200_000)
        assert everything_in(full_disk) == []
        # and the disk has its room back: a small file still fits
        write_atomic(full_disk / "small.bin", b"y" * 1000)
        assert everything_in(full_disk) == ["small.bin"]


def upload_evidence(client, world, data, name="notes.txt"):
    client.force_login(world.owner)
    return client.post(
        reverse("tracker:item_add_evidence", kwargs={"uuid": world.item.uuid}),
        {"file": SimpleUploadedFile(name, data), "description": "Minutes"},
    )


class TestEvidenceOnAFullDisk:
    def test_the_page_says_the_disk_is_full_and_nothing_is_kept(
        self, client, world, settings, full_disk
    ):
        """Defect 7: before, a generic 500 and a partial file on disk."""
        settings.EVIDENCE_ROOT = full_disk / "evidence"
        response = upload_evidence(client, world, b"minutes of the board\n" * 10_000)
        assert response.status_code == 400
        assert FULL_MESSAGE in response.content.decode()
        assert everything_in(full_disk) == []
        assert not Evidence.objects.exists()

    def test_the_same_when_the_disk_fills_part_way(
        self, client, world, evidence_root, enospc_after
    ):
        enospc_after(4096)
        response = upload_evidence(client, world, b"minutes of the board\n" * 10_000)
        assert response.status_code == 400
        assert FULL_MESSAGE in response.content.decode()
        assert everything_in(evidence_root) == []
        assert not Evidence.objects.exists()

    def test_evidence_that_fits_is_kept(self, client, world, settings, full_disk):
        settings.EVIDENCE_ROOT = full_disk / "evidence"
        response = upload_evidence(client, world, b"short minutes\n")
        assert response.status_code == 302
        evidence = Evidence.objects.get()
        assert everything_in(full_disk) == [f"evidence/{evidence.stored_name}"]


class TestSpreadsheetImportOnAFullDisk:
    def test_the_upload_page_says_the_disk_is_full_and_keeps_nothing(
        self, client, world, settings, full_disk
    ):
        settings.BULK_IMPORT_ROOT = full_disk / "imports"
        client.force_login(world.coordinator)
        header = "Force,Report,Report published,Kind,Reference,Finding\n"
        row = "West Midlands Police,PEEL,22/03/2018,Recommendation,1,{}\n".format("x" * 500)
        data = (header + row * 300).encode()
        response = client.post(
            reverse("tracker:item_import"), {"file": SimpleUploadedFile("items.csv", data)}
        )
        assert response.status_code == 400
        assert FULL_MESSAGE in response.content.decode()
        assert everything_in(full_disk) == []
        assert "bulk_import" not in client.session


class TestTransferEvidenceOnAFullDisk:
    def test_writing_a_file_refuses_the_import_and_leaves_nothing(self, tmp_path, enospc_after):
        importer = Importer(now=None, only_missing=False)  # type: ignore[arg-type]
        enospc_after(100)
        with pytest.raises(ImportRejected) as raised:
            importer.write_file(tmp_path / "evidence" / "a.txt", b"x" * 1000)
        assert FULL_MESSAGE in str(raised.value)
        assert everything_in(tmp_path) == []
        assert importer.written_files == []
