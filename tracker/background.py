"""Background work started from a service or the admin, by task name.

Services sit below the tasks that call them (tasks -> services), so a service that needs work
done in the background names the task instead of importing `tracker.tasks`. The app's
`ready()` imports the tasks module, so every task is registered in every process (web,
worker, command) and `CELERY_TASK_ALWAYS_EAGER` still runs them inline in tests.
"""

import logging

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)

SWEEP_REMINDERS = "tracker.tasks.sweep_reminders"
SEND_DIGESTS = "tracker.tasks.send_digests"
RESYNC_RULE = "tracker.tasks.resync_rule"
READ_REPORT_IMPORT = "tracker.tasks.read_report_import"


def send(task_name: str, *args: object) -> None:
    """Queue the task now. Raises when the broker cannot be reached."""
    current_app.tasks[task_name].delay(*args)


def send_on_commit(task_name: str, *args: object) -> None:
    """Queue the task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(task_name, *args))


def sweep_soon() -> None:
    """Ask for a reminder sweep now; if the broker is down, the periodic sweep sends it."""
    try:
        send(SWEEP_REMINDERS)
    except Exception:  # noqa: BLE001 - the broker is down: the periodic sweep sends it
        log.warning("Could not enqueue a sweep for a new notice; the next sweep sends it.")
