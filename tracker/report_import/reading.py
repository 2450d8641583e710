"""Starting an import and reading its file in the background."""

import datetime
import hashlib
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from tracker import background, outbox, policy
from tracker.extraction import ExtractionError, extract, load_known_forces
from tracker.extraction.contained import ReadingLimits, read_contained, took_too_long
from tracker.extraction.reading import check_size
from tracker.files import StorageError, write_atomic
from tracker.models import ReportImport
from tracker.report_import.draft import initial_draft

STALLED_AFTER = datetime.timedelta(minutes=2)


def import_root() -> Path:
    return Path(settings.REPORT_IMPORT_ROOT)


def _path(report_import: ReportImport) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", report_import.stored_name or ""):
        raise ValueError("not a stored import file name")
    return import_root() / report_import.stored_name


def import_start(
    *,
    user: User,
    name: str,
    size: int,
    chunks: Iterable[bytes],
    now: datetime.datetime | None = None,
) -> ReportImport:
    """Keep the upload and queue it to be read. Raises ValidationError for an empty or too
    large file (before anything is written). The reading is asked for through the outbox, in
    the transaction that records the import: if the broker is down the upload is still
    accepted, its file kept, and the outbox sweep queues it once the broker is back."""
    if not policy.can_import_reports(user):
        raise ValidationError("You cannot import reports.")
    if size == 0:
        raise ValidationError("The selected file is empty.")
    try:
        check_size(size, max_bytes=settings.REPORT_IMPORT_MAX_BYTES)
    except ExtractionError as exc:
        raise ValidationError(exc.message) from exc
    now = now or timezone.now()
    import_root().mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    digest = hashlib.sha256()
    path = import_root() / stored_name

    def hashed(chunks: Iterable[bytes]) -> Iterable[bytes]:
        for chunk in chunks:
            digest.update(chunk)
            yield chunk

    try:
        write_atomic(path, hashed(chunks))
    except StorageError as exc:
        raise ValidationError(exc.message) from None
    try:
        with transaction.atomic():
            report_import = ReportImport.objects.create(
                uploaded_by=user,
                uploaded_at=now,
                original_name=Path(name).name[:255] or "document",
                stored_name=stored_name,
                size=size,
                sha256=digest.hexdigest(),
                stage="Waiting to be read",
            )
            outbox.send_on_commit(background.READ_REPORT_IMPORT, report_import.pk)
    except Exception:
        path.unlink(missing_ok=True)  # nothing was recorded, so nothing will read the file
        raise
    return report_import


def _progress(report_import: ReportImport, percent: int, stage: str) -> None:
    ReportImport.objects.filter(pk=report_import.pk).update(progress=percent, stage=stage)


def reading_stalled_after() -> datetime.timedelta:
    """How long an import may be reading before its page says it has stalled: the longest
    read the limits allow (a scan read by OCR, page by page), and a few minutes more for a
    worker busy with another document; never under 10 minutes."""
    longest = reading_limits().most_seconds(settings.REPORT_IMPORT_MAX_OCR_PAGES)
    return max(datetime.timedelta(minutes=10), datetime.timedelta(seconds=longest + 300))


def reading_limits() -> ReadingLimits:
    """What reading one uploaded document may use, from settings."""
    return ReadingLimits(
        memory_bytes=settings.REPORT_IMPORT_READ_MEMORY_BYTES,
        seconds=settings.REPORT_IMPORT_READ_SECONDS,
        max_pages=settings.REPORT_IMPORT_MAX_PAGES,
        max_expanded_bytes=settings.REPORT_IMPORT_MAX_EXPANDED_BYTES,
        max_ocr_pages=settings.REPORT_IMPORT_MAX_OCR_PAGES,
        ocr_seconds_per_page=settings.REPORT_IMPORT_OCR_SECONDS_PER_PAGE,
    )


def import_read(*, import_id: int, now: datetime.datetime | None = None) -> str | None:
    """Read one queued import. Returns its new state, or None if another worker has it or it
    is gone. Safe to run twice: the claim is a conditional UPDATE."""
    claimed = ReportImport.objects.filter(pk=import_id, state=ReportImport.State.QUEUED).update(
        state=ReportImport.State.READING, progress=5, stage="Opening the file"
    )
    if not claimed:
        return None
    report_import = ReportImport.objects.get(pk=import_id)
    path = _path(report_import)
    try:
        data = path.read_bytes()
        _progress(report_import, 20, "Reading the text")
        source = read_contained(data, report_import.original_name, limits=reading_limits())
        _progress(report_import, 60, "Finding the judgements, findings and responses")
        result = extract(source.text, known_forces=load_known_forces())
        # The pages read by text recognition are the reader's to say (issue 17).
        result.ocr_pages = list(result.ocr_pages or getattr(source, "ocr_pages", None) or [])
    except ExtractionError as exc:
        return _fail(report_import, exc.message, now)
    except SoftTimeLimitExceeded:
        # The task's own time limit (CELERY_TASK_ANNOTATIONS) ran out while extracting.
        return _fail(report_import, took_too_long(settings.REPORT_IMPORT_READ_SECONDS), now)
    except OSError:
        return _fail(report_import, "The uploaded file was not found. Upload it again.", now)
    except Exception:
        _fail(
            report_import,
            "Something went wrong while reading this file. Nothing was created. Try again, "
            "or send the file to your administrator.",
            now,
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    try:
        report_import.extraction = result.to_dict()
        report_import.draft = initial_draft(result, user=report_import.uploaded_by).to_json()
        report_import.source_text = source.text
        report_import.document_format = source.format
        report_import.pages = source.pages
        report_import.state = ReportImport.State.READY
        report_import.progress = 100
        report_import.stage = "Ready to check"
        report_import.finished_at = now or timezone.now()
        report_import.save()
    except Exception:
        _fail(
            report_import,
            "Something went wrong while saving what was found. Nothing was created. Try "
            "again, or send the file to your administrator.",
            now,
        )
        raise
    return report_import.state


def _fail(report_import: ReportImport, message: str, now) -> str:
    ReportImport.objects.filter(pk=report_import.pk).update(
        state=ReportImport.State.FAILED,
        message=message,
        stage="Could not be read",
        finished_at=now or timezone.now(),
    )
    return ReportImport.State.FAILED


def is_stalled(report_import: ReportImport, now: datetime.datetime) -> bool:
    """Still waiting long after upload (the background worker is probably not running), or
    still being read long after (the worker stopped in the middle)."""
    if report_import.state == ReportImport.State.QUEUED:
        return now - report_import.uploaded_at > STALLED_AFTER
    if report_import.state == ReportImport.State.READING:
        return now - report_import.uploaded_at > reading_stalled_after()
    return False
