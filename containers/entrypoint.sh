#!/bin/bash
# The image's entrypoint: the first argument chooses the role (docs/containers.md).
#
#   web       gunicorn with config/gunicorn_conf.py on GUNICORN_BIND (0.0.0.0:8000)
#   worker    a Celery worker on CELERY_WORKER_QUEUES (tracker,documents)
#   beat      Celery beat (run exactly one)
#   migrate   manage.py migrate, then load_seed_data (the forces; only what is missing)
#   manage    any manage.py command: manage backup /backups/2026-12-04, manage restore ...
#   check     the start-up checks of ROLE (default web), then exit
#   anything else is run as it is (bash, python ...)
#
# Before web, worker, beat, migrate and manage start, config/startup.py checks the settings
# (exit 78 naming a missing or malformed one), the folders the role writes (exit 73 when one
# is read-only) and waits for the database (exit 69 after DATABASE_WAIT_SECONDS).
set -euo pipefail
cd /app
role="${1:-web}"
[ $# -gt 0 ] && shift

checks() { python -m config.startup "$1"; }

case "$role" in
  web)
    checks web
    # prometheus_client's multiprocess mode: every gunicorn worker's counts in one /metrics.
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}"
    # Worker class, workers, threads and timeouts: config/gunicorn_conf.py (GUNICORN_*).
    exec gunicorn -c python:config.gunicorn_conf config.wsgi --access-logfile - "$@"
    ;;
  worker)
    checks worker
    exec celery -A config worker \
      -Q "${CELERY_WORKER_QUEUES:-tracker,documents}" \
      -n "${CELERY_WORKER_NAME:-worker}@%h" \
      --concurrency "${CELERY_WORKER_CONCURRENCY:-2}" \
      --loglevel "${CELERY_LOG_LEVEL:-INFO}" "$@"
    ;;
  beat)
    checks beat
    exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE_FILENAME:-/tmp/celerybeat-schedule}" "$@"
    ;;
  migrate)
    checks migrate
    python manage.py migrate --noinput "$@"
    if [ "${MIGRATE_LOAD_SEED_DATA:-1}" = 1 ]; then
      python manage.py load_seed_data
    fi
    python manage.py check
    echo "[migrate] The database is up to date."
    ;;
  manage)
    checks manage
    exec python manage.py "$@"
    ;;
  check)
    exec python -m config.startup "${1:-web}"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
