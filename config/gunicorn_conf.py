"""gunicorn settings for running the tracker with several workers:
`gunicorn -c python:config.gunicorn_conf config.wsgi` (README "Production").

Prometheus metrics from several worker processes: set PROMETHEUS_MULTIPROC_DIR to an empty
folder only these workers use (before gunicorn starts: prometheus_client reads it on
import). Each worker then writes its counts to files there, /metrics sums them, whichever
worker answers, and the hooks below empty the folder at start and retire a dead worker's
live gauges. The tracker's own metrics are read from the database and need none of this.
"""

import os
from pathlib import Path

from prometheus_client import multiprocess

from config.env import env_int, env_str

bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")
workers = env_int("GUNICORN_WORKERS", 2)


def on_starting(server: object) -> None:
    """Counts left by an earlier run would be added to this one's: start empty."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
