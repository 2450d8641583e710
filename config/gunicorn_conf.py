"""gunicorn settings for running the tracker: `gunicorn -c python:config.gunicorn_conf
config.wsgi` (README "Production"). Each value may be set by its environment variable; the
defaults are the ones measured best on the project's 2-core machine (docs/benchmarks.md,
"Choosing the gunicorn configuration"):

- Worker class gthread, WORKERS processes × THREADS threads: 2 × 4. A request here is
  mostly Python (templates, forms) with short waits on PostgreSQL, which runs on the same
  cores. Processes give the parallelism (the GIL runs one thread of a process at a time):
  two, one a core. Measured on this machine with the national reader's pages at concurrency
  8: 4 sync processes served 17 requests/s, 2 sync 27, 2 × 4 threads 27 (p95 about 0.5 s),
  3 × 2 and 4 × 2 threads 25; before the pages were made faster, 2 × 4 threads led by a
  third. Threads also keep a process answering while one of its requests is slow (a PDF, an
  upload, a slow client: the proxy does not buffer whole requests), which with 2 sync
  processes would stop the site twice over.
- timeout 30 s: a request still running after 30 s is a fault (the large exports run in the
  worker, issue 16); with threads, gunicorn's timeout is a heartbeat of the process, so a
  worker is killed only when the whole process is stuck.
- graceful_timeout 25 s to finish the requests in hand on stop; keepalive 5 s behind the proxy.
- max_requests (with jitter, so the processes do not all restart at once) replaces a process
  after that many requests: a leak or fragmented heap cannot grow without end.
- preload_app is off. Preloading would load Django in the master before the on_starting
  hook below runs, and prometheus_client opens its multiprocess files as the app loads: in a
  folder not yet made, or one the hook then empties. The workers load the app themselves
  (a second or two each at start; with two workers the memory preloading would share is
  small). GUNICORN_PRELOAD=1 preloads where PROMETHEUS_MULTIPROC_DIR is not used.

Prometheus metrics from several worker processes: set PROMETHEUS_MULTIPROC_DIR to an empty
folder only these workers use (before gunicorn starts: prometheus_client reads it on
import). Each worker then writes its counts to files there, /metrics sums them, whichever
worker answers, and the hooks below empty the folder at start and retire a dead worker's
live gauges. The tracker's own metrics are read from the database and need none of this.
"""

import os
from pathlib import Path

from prometheus_client import multiprocess

from config.env import env_bool, env_int, env_str

bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = env_str("GUNICORN_WORKER_CLASS", "gthread")
workers = env_int("GUNICORN_WORKERS", 2)
threads = env_int("GUNICORN_THREADS", 4)
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 25)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)
preload_app = env_bool("GUNICORN_PRELOAD", False)


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
