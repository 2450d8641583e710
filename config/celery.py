"""The Celery app: Redis as broker in production, a folder on disk for the demo.

Start a worker with beat: `celery -A config worker --beat` (see README). Tasks live in
tracker/tasks.py and only take ids and call services.
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
