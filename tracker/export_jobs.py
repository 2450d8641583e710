"""Exports too large for a request, made by the worker (issue 16).

An export of more than EXPORT_SYNC_MAX_ROWS rows is not sent at once (a request that takes
minutes is killed by the server's timeout): the page asks for an export job instead. The
worker makes the file with the same code the page uses (`exports.export_table`, written with
`exports.write_xlsx` or `exports.csv_stream`), so the file is the one the page would have
sent for the same filters on the same day, and keeps count of the rows written for the
progress page. The file is kept in EXPORT_ROOT for EXPORT_KEEP_HOURS (a day), for the person
who asked only, then deleted by `export_jobs_clean` (run by the beat schedule).

Files are kept with `files.write_atomic`: the Excel file is first written to an unnamed
temporary file in the same folder (a zip needs to seek back), then copied in; the CSV is
written straight through. Either way a reader never sees half a file, and a failure leaves
nothing behind.
"""

import datetime
import logging
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404, QueryDict
from django.utils import timezone

from accounts.models import User
from tracker import background, exports, outbox, policy
from tracker.files import StorageError, write_atomic
from tracker.models.export_jobs import ExportJob

log = logging.getLogger(__name__)

# How often the progress figure is saved, in rows.
PROGRESS_EVERY = 2000
# A job still "being made" this long after it started has lost its worker (the task's own
# time limit is far shorter): it is marked as failed, so the person can ask again.
STALLED_AFTER = datetime.timedelta(hours=1)
# Expired jobs are remembered this long (so an old link says the file was deleted, not "not
# found"), then forgotten.
FORGET_AFTER = datetime.timedelta(days=30)
# How many exports one person may have waiting or being made at once.
MAX_WORKING = 3
# The longest filters (as a query string) an export job keeps; the lists' own are far shorter.
MAX_QUERY = 4000
# CSV is written to the disk in pieces about this large.
CSV_PIECE = 64 * 1024

WORKING = (ExportJob.State.QUEUED, ExportJob.State.RUNNING)
FAILED_MESSAGE = (
    "Something went wrong while making this export. Nothing was kept. Try again, or ask your "
    "administrator."
)
TOO_LONG_MESSAGE = "The export took too long to make. Choose fewer items with the filters."
SCOPE_CHANGED_MESSAGE = (
    "Your access has changed since this export was made, so the file has been deleted."
)


def export_root() -> Path:
    """Where export files are kept: EXPORT_ROOT (outside the static root; only the download
    page serves them, to the person who asked)."""
    return Path(getattr(settings, "EXPORT_ROOT", settings.BASE_DIR / "var" / "exports"))


def sync_max_rows() -> int:
    """Exports of up to this many rows are sent at once; larger ones are made by the worker."""
    return int(getattr(settings, "EXPORT_SYNC_MAX_ROWS", 5000))


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=int(getattr(settings, "EXPORT_KEEP_HOURS", 24)))


def filter_pairs(filters: QueryDict) -> list[list[str]]:
    """The filters as [name, value] pairs, in order (a name may come more than once)."""
    return [[name, value] for name, values in filters.lists() for value in values]


def filters_of(job: ExportJob) -> QueryDict:
    found = QueryDict(mutable=True)
    for name, value in job.filters:
        found.appendlist(str(name), str(value))
    return found


def query_of(job: ExportJob) -> str:
    """The filters as a query string, for the link back to the list."""
    return filters_of(job).urlencode()


def export_is_large(count: int) -> bool:
    """Whether an export of `count` rows is too large to send at once."""
    return count > sync_max_rows()


def _check(kind: str, fmt: str) -> None:
    if kind not in exports.EXPORT_KINDS or fmt not in exports.EXPORT_FORMATS:
        raise ValidationError("There is no such export.")


def export_job_start(
    *,
    user: User,
    kind: str,
    fmt: str,
    filters: QueryDict,
    today: datetime.date,
    now: datetime.datetime | None = None,
) -> ExportJob:
    """Ask the worker for an export, through the outbox in the transaction that records it.
    The same export asked for again (same list, format, filters and day) while the first is
    being made or can still be downloaded is that job, not a new one. Raises ValidationError
    for an unknown export, filters too long, or MAX_WORKING exports already under way."""
    _check(kind, fmt)
    now = now or timezone.now()
    pairs = filter_pairs(filters)
    if len(filters.urlencode()) > MAX_QUERY:
        raise ValidationError("The filters are too long. Choose fewer and try again.")
    with transaction.atomic():
        same = (
            ExportJob.objects.select_for_update()
            .filter(
                requested_by=user,
                kind=kind,
                format=fmt,
                today=today,
                state__in=[*WORKING, ExportJob.State.READY],
                expires_at__gt=now,
            )
            .order_by("-created_at")
        )
        for job in same:
            if job.filters != pairs:
                continue
            if not export_job_scope_changed(job, today=today):
                return job
            export_job_withdraw(job)
        working = ExportJob.objects.filter(requested_by=user, state__in=WORKING).count()
        if working >= MAX_WORKING:
            raise ValidationError(
                f"You already have {working} exports being made. Wait for one of them to "
                "finish, then try again."
            )
        # The marking is fixed now, from the rows as they are when the person asks (the file
        # says it in its first row and on every printed page).
        found = exports.export_rows(kind, user=user, today=today, filters=filters)
        job = ExportJob.objects.create(
            requested_by=user,
            kind=kind,
            format=fmt,
            marking_label=exports.export_marking(kind, found, user=user),
            filters=pairs,
            today=today,
            file_name=exports.export_file_name(
                kind, user=user, today=today, filters=filters, fmt=fmt
            ),
            created_at=now,
            expires_at=now + keep_for(),
        )
        outbox.send_on_commit(background.MAKE_EXPORT, job.pk)
    return job


def _counted(table: Iterable[list], job_id: int) -> Iterator[list]:
    """The table as it is, saving how many rows (the header aside) have been written every
    PROGRESS_EVERY rows."""
    written = -1
    for row in table:
        yield row
        written += 1
        if written and written % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job_id).update(rows_written=written)


def _pieces(lines: Iterable[str]) -> Iterator[bytes]:
    piece: list[str] = []
    size = 0
    for line in lines:
        piece.append(line)
        size += len(line)
        if size >= CSV_PIECE:
            yield "".join(piece).encode("utf-8")
            piece, size = [], 0
    yield "".join(piece).encode("utf-8")


def export_job_path(job: ExportJob) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}\.(csv|xlsx)", job.stored_name or ""):
        raise ValueError("not a stored export file name")
    return export_root() / job.stored_name


def export_write(
    job: ExportJob, table: Iterable[list], path: Path, now: datetime.datetime | None = None
) -> int:
    """Write the table as the job's format to `path`, all or nothing. Returns its size.
    Excel carries the marking fixed when the job was made, and its "About this file" sheet
    says the file was made `now` for the person who asked."""
    if job.format == "csv":
        return write_atomic(path, _pieces(exports.csv_stream(table)))
    now = now or timezone.now()
    about = exports.about_rows(
        job.kind,
        user=job.requested_by,
        today=job.today,
        filters=filters_of(job),
        marking=job.marking_label,
        made_at=now,
        site=settings.SITE_URL.rstrip("/"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=path.parent, suffix=".xlsx") as scratch:
        exports.write_xlsx(
            job.kind, table, scratch, marking=job.marking_label, about=about, made_at=now
        )
        scratch.seek(0)
        return write_atomic(path, iter(lambda: scratch.read(1024 * 1024), b""))


@contextmanager
def without_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiles a query it expects to be long before running it: for the
    export of 120,000 items that took about 6 of the query's 9 seconds (on this machine, busy),
    for a query run once. Off for the worker's export, as it was before, after."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


def export_job_run(*, job_id: int, now: datetime.datetime | None = None) -> str | None:
    """Make one queued export. Returns its new state, or None if another worker has it or it
    is gone. Safe to run twice: the claim is a conditional UPDATE.

    1. Claim the job (queued to running).
    2. Count the rows (the total the progress page shows), then write them: the same table
       as the page's, scoped to the person as they are now and filtered as they asked.
    3. Keep the file under a random name and mark the job ready; on any failure, keep
       nothing and say why on the progress page.
    """
    started = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING, started_at=started
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    user = job.requested_by
    if not user.is_active:
        return _fail(job, "Your account is no longer active.", now)
    filters = filters_of(job)
    scope = scope_of(user, job.today)
    stored_name = f"{secrets.token_hex(16)}.{job.format}"
    path = export_root() / stored_name
    try:
        found = exports.export_rows(job.kind, user=user, today=job.today, filters=filters)
        total = found.count()
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
        table = exports.export_table(
            job.kind, found, today=job.today, site=settings.SITE_URL.rstrip("/")
        )
        with without_jit():
            size = export_write(job, _counted(table, job.pk), path, now)
    except StorageError as exc:
        return _fail(job, exc.message, now)
    except SoftTimeLimitExceeded:
        return _fail(job, TOO_LONG_MESSAGE, now)
    except Exception:
        _fail(job, FAILED_MESSAGE, now)
        raise
    done = ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.RUNNING).update(
        state=ExportJob.State.READY,
        scope=scope,
        stored_name=stored_name,
        size=size,
        rows_written=total,
        finished_at=now or timezone.now(),
    )
    if not done:  # marked as stalled meanwhile: keep nothing
        path.unlink(missing_ok=True)
        return None
    return ExportJob.State.READY


def _fail(job: ExportJob, message: str, now: datetime.datetime | None) -> str:
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.FAILED, message=message, finished_at=now or timezone.now()
    )
    return ExportJob.State.FAILED


def export_job_get(*, user: User, uuid: Any) -> ExportJob:
    """The person's own export job; anyone else's, or none, is 404. A file made for a wider
    scope than the person has now (a role taken away, a PCC office's term ended) is deleted
    first: it is then expired, and its pages say why."""
    job = ExportJob.objects.filter(uuid=uuid, requested_by=user).first()
    if job is None:
        raise Http404("No such export")
    if export_job_scope_changed(job, today=timezone.localdate()):
        export_job_withdraw(job)
        job.refresh_from_db()
    return job


def scope_of(user: User, today: datetime.date) -> str:
    """The forces a person sees, as stored on a job: 'all', or their ids in order."""
    force_ids = policy.visible_force_ids(user, today)
    return "all" if force_ids is None else ",".join(str(pk) for pk in sorted(force_ids))


def export_job_scope_changed(job: ExportJob, *, today: datetime.date) -> bool:
    """Whether a made file covers forces other than those its owner may see today."""
    return (
        job.state == ExportJob.State.READY
        and bool(job.scope)
        and job.scope != scope_of(job.requested_by, today)
    )


def export_job_withdraw(job: ExportJob) -> None:
    """Delete a made file whose owner's access has changed; the job says why."""
    if job.stored_name:
        export_job_path(job).unlink(missing_ok=True)
    ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.READY).update(
        state=ExportJob.State.EXPIRED, stored_name="", message=SCOPE_CHANGED_MESSAGE
    )


def export_job_expired(job: ExportJob, now: datetime.datetime | None = None) -> bool:
    return job.state == ExportJob.State.EXPIRED or job.expires_at <= (now or timezone.now())


def export_job_file(job: ExportJob) -> Path | None:
    """The ready job's file, if it is still there."""
    if job.state != ExportJob.State.READY or export_job_expired(job):
        return None
    path = export_job_path(job)
    return path if path.is_file() else None


def export_job_stalled(job: ExportJob, now: datetime.datetime | None = None) -> bool:
    """Still waiting for a worker a few minutes after it was asked for."""
    now = now or timezone.now()
    return job.state == ExportJob.State.QUEUED and job.created_at < now - datetime.timedelta(
        minutes=2
    )


def export_jobs_clean(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what has expired. Safe to run at any time, and twice at once.

    1. Jobs past their expiry: delete the file, mark the job expired.
    2. Jobs being made for longer than STALLED_AFTER (the worker was lost): mark them failed.
    3. Files in EXPORT_ROOT that no ready job holds (a worker killed between writing the file
       and recording it, a temporary file left by a kill) once older than a day: delete.
    4. Expired jobs older than FORGET_AFTER: forget them.
    """
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(state=ExportJob.State.EXPIRED):
        if job.stored_name:
            try:
                export_job_path(job).unlink(missing_ok=True)
            except (OSError, ValueError) as exc:
                log.error("Could not delete the export file of job %s: %s", job.pk, exc)
                continue
        expired += ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.EXPIRED, stored_name=""
        )
    stalled = ExportJob.objects.filter(
        state=ExportJob.State.RUNNING, started_at__lt=now - STALLED_AFTER
    ).update(state=ExportJob.State.FAILED, message=FAILED_MESSAGE, finished_at=now)
    strays = 0
    root = export_root()
    if root.is_dir():
        kept = set(
            ExportJob.objects.filter(state=ExportJob.State.READY).values_list(
                "stored_name", flat=True
            )
        )
        old = (now - keep_for()).timestamp()
        for found in root.iterdir():
            if found.name in kept or not found.is_file():
                continue
            try:
                if found.stat().st_mtime < old:
                    found.unlink()
                    strays += 1
            except OSError as exc:
                log.error("Could not delete %s: %s", found, exc)
    forgotten, _ = ExportJob.objects.filter(
        state=ExportJob.State.EXPIRED, expires_at__lt=now - FORGET_AFTER
    ).delete()
    return {"expired": expired, "stalled": stalled, "strays": strays, "forgotten": forgotten}
