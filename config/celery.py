"""The Celery app: Redis as broker in production, a folder on disk for the demo.

Start a worker with beat: `celery -A config worker --beat` (see README). Tasks live in
tracker/tasks.py and only take ids and call services.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("inspection_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
