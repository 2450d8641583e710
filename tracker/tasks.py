"""Celery tasks: thin. Each takes ids (or nothing), re-reads what it needs and calls a service.

The beat schedule (config/settings.py) runs `sweep_reminders` every few minutes,
`send_digests` hourly, `send_outbox` every minute and `clean_exports` every 15 minutes. All
are safe to run twice at once: every reminder, digest, outbox row and export job is claimed
with a conditional UPDATE before it is worked on.
"""

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError
from django.utils import timezone

from tracker.export_jobs import export_job_run, export_jobs_clean
from tracker.function_transfers import transfers_carry_out_due
from tracker.learning import learning_match, learning_match_findings
from tracker.lineage import suggest_for_report
from tracker.models import DeadlineRule, Finding, Report, SharedLearning
from tracker.outbox import outbox_sweep
from tracker.reminders.digests import digests_run
from tracker.reminders.mail import MailServerDown
from tracker.reminders.sweeps import sweep
from tracker.reminders.sync import deadlines_sync_all
from tracker.report_import.reading import import_read
from tracker.webhook_delivery import deliveries_sweep, delivery_attempt


@shared_task(
    bind=True,
    autoretry_for=(MailServerDown,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def sweep_reminders(self) -> dict:
    outbox_sweep()  # work the broker could not take earlier goes first
    result = sweep(now=timezone.now(), via="celery")
    return {"sent": result.sent, "late": result.late, "failed": result.failed}


@shared_task(
    bind=True,
    autoretry_for=(MailServerDown,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def send_digests(self) -> int:
    return digests_run(now=timezone.now())


@shared_task
def resync_rule(rule_id: int) -> None:
    """After an administrator edits a rule, work its deadlines out again."""
    if not DeadlineRule.objects.filter(pk=rule_id).exists():
        return
    deadlines_sync_all(now=timezone.now(), rules={rule_id})


@shared_task
def read_report_import(import_id: int) -> str | None:
    """Read an uploaded report document (tracker/report_import/reading.py)."""
    return import_read(import_id=import_id)


@shared_task
def send_outbox() -> dict[str, int]:
    """Send the background work the broker could not take when it was asked for
    (tracker/outbox.py). Ends quietly while the broker is down; the next run tries again."""
    return outbox_sweep()


@shared_task(
    autoretry_for=(DatabaseOperationalError,),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=5,
)
def make_export(job_id: int) -> str | None:
    """Make an export too large for a request (tracker/export_jobs.py). A database that cannot
    be reached or is locked (SQLite, while another process writes) is tried again: the job
    stays queued until its claim succeeds, and the claim is safe to try twice."""
    return export_job_run(job_id=job_id)


@shared_task
def clean_exports() -> dict[str, int]:
    """Delete export files past their day, and notice exports whose worker was lost."""
    return export_jobs_clean(now=timezone.now())


@shared_task
def carry_out_function_transfers() -> dict[str, int]:
    """Carry out the transfers of functions whose day has come (tracker/function_transfers.py):
    daily, just after midnight; one already carried out is not touched again."""
    return transfers_carry_out_due(now=timezone.now())


# Webhooks (issue 15) ------------------------------------------------------------------------


@shared_task
def deliver_webhook(delivery_id: int) -> str:
    """Send one webhook delivery (tracker/webhook_delivery.py); a failure waits for its
    retry time and the `send_webhooks` sweep."""
    return delivery_attempt(delivery_id)


@shared_task
def send_webhooks() -> dict[str, int]:
    """Send the webhook deliveries due a retry, and those whose sender was lost."""
    return deliveries_sweep(now=timezone.now())


# Lineage and learning shared between forces (issue 18) --------------------------------------


@shared_task
def match_learning(learning_id: int) -> int:
    """Work out which other forces' findings a shared summary answers
    (tracker/learning.py); nothing when the summary is gone or no longer shared."""
    learning = SharedLearning.objects.filter(pk=learning_id, shared=True).first()
    return 0 if learning is None else learning_match(learning)


@shared_task
def match_finding_to_learning(finding_ids: list[int]) -> int:
    """Match new findings against the summaries shared now (tracker/learning.py)."""
    return learning_match_findings(list(Finding.objects.filter(pk__in=finding_ids)))


@shared_task
def suggest_lineage(report_id: int) -> int:
    """Suggest the earlier findings each finding of a new or updated report repeats,
    continues or supersedes (tracker/lineage.py); nothing when the report is gone."""
    report = Report.objects.filter(pk=report_id).first()
    return 0 if report is None else suggest_for_report(report)
