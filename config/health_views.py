"""For load balancers and monitoring: /healthz, /readyz and /metrics.

- /healthz: the process is up. No database, no session, no sign-in: 200 and "ok", or, for a
  client that accepts JSON (Accept: application/json, or ?format=json), 200 and
  {"status": "ok", "version": "0.2.0"} with the running version (settings.VERSION).
- /readyz: the checks in tracker/health.py; 200 with each check when ready, 503 naming the
  failing ones otherwise. Answers within about READYZ_TIMEOUT_MS whatever hangs.
- /metrics: Prometheus text. django-prometheus's request, database and cache metrics (summed
  over the processes in PROMETHEUS_MULTIPROC_DIR when gunicorn runs several) and the
  tracker's own (tracker/metrics.py). Only from METRICS_ALLOWED_IPS, or with
  "Authorization: Bearer <METRICS_TOKEN>"; anything else gets 403.

None of them needs a session, so the sign-in and two-factor middleware let them through
(accounts/middleware.py), and HTTPS redirects spare them (SECURE_REDIRECT_EXEMPT).
"""

import hmac
import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import multiprocess

from tracker import health, metrics


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    wants_json = request.GET.get("format") == "json" or (
        "application/json" in request.headers.get("Accept", "")
    )
    if wants_json:
        return JsonResponse({"status": "ok", "version": settings.VERSION})
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    ready, body = health.readiness()
    return JsonResponse(body, status=200 if ready else 503)


def metrics_allowed(request: HttpRequest) -> bool:
    """From an allowed address (or network), or with the bearer token when one is set."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def exposition() -> bytes:
    """Everything Prometheus reads: this process's (or, in multiprocess mode, every worker
    process's) metrics, then the tracker's, read from the database now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    tracker = prometheus_client.CollectorRegistry(auto_describe=False)
    tracker.register(metrics.TrackerCollector())
    return prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(tracker)


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            "Metrics are only available to the monitoring server.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(exposition(), content_type=prometheus_client.CONTENT_TYPE_LATEST)
