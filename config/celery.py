"""The Celery app: Redis as broker in production, a folder on disk for the demo.

Tasks live in tracker/tasks.py and only take ids and call services. Two queues (settings
CELERY_QUEUE and CELERY_DOCUMENTS_QUEUE): "tracker" for reminders, digests and everything
else, "documents" for reading uploaded reports, so a sweep never waits behind an import.
Run a worker for each (see README), with beat once:

    celery -A config worker -Q tracker -n tracker@%h --concurrency 2
    celery -A config worker -Q documents -n documents@%h --concurrency 1
    celery -A config beat

Every task has a soft and a hard time limit, reading a document its own (settings
CELERY_TASK_*); a worker process is replaced once past CELERY_WORKER_MAX_MEMORY_PER_CHILD.
Both need the prefork pool (the default), not --pool=solo. A document itself is read in a
process of its own with limits on memory and time (tracker/extraction/contained.py).
"""

import os

from celery import Celery, Task

from tracker import audit_context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class AuditedTask(Task):
    """Changes a task makes are marked in the audit trail as made by a background task."""

    def __call__(self, *args, **kwargs):
        with audit_context.using(source="task", path=f"task {self.name}"[:300]):
            return super().__call__(*args, **kwargs)


app = Celery("inspection_tracker", task_cls=AuditedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
