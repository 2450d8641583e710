"""Background work started from a service or the admin, by task name.

Services sit below the tasks that call them (tasks -> services), so a service that needs work
done in the background names the task instead of importing `tracker.tasks`, and asks for it
through the outbox (`tracker.outbox.send_on_commit`), which records it in the service's
transaction and calls `send` here once that transaction has committed. The app's `ready()`
imports the tasks module, so every task is registered in every process (web, worker,
command) and `CELERY_TASK_ALWAYS_EAGER` still runs them inline in tests.
"""

from celery import current_app

SWEEP_REMINDERS = "tracker.tasks.sweep_reminders"
SEND_DIGESTS = "tracker.tasks.send_digests"
RESYNC_RULE = "tracker.tasks.resync_rule"
READ_REPORT_IMPORT = "tracker.tasks.read_report_import"
SEND_OUTBOX = "tracker.tasks.send_outbox"
MAKE_EXPORT = "tracker.tasks.make_export"
CLEAN_EXPORTS = "tracker.tasks.clean_exports"
DELIVER_WEBHOOK = "tracker.tasks.deliver_webhook"  # issue 15: one webhook delivery
SEND_WEBHOOKS = "tracker.tasks.send_webhooks"  # issue 15: deliveries due a retry, lost ones

# One quick retry, not Celery's default of three with pauses: a broker that is down is
# reported at once (the outbox keeps the task for its sweep), so a web request never waits.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def send(task_name: str, *args: object) -> None:
    """Queue the task now. Raises when the broker cannot be reached (kombu's
    OperationalError), and NotRegistered for a name no task has."""
    current_app.tasks[task_name].apply_async(args=args, retry_policy=PUBLISH_RETRY)


# Issue 18: a shared summary's matching findings (tracker/learning.py), and a new finding
# matched against the summaries shared now.
MATCH_LEARNING = "tracker.tasks.match_learning"
MATCH_FINDING_TO_LEARNING = "tracker.tasks.match_finding_to_learning"
# Issue 18: the lineage suggestions of a new or updated report.
SUGGEST_LINEAGE = "tracker.tasks.suggest_lineage"
