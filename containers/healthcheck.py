"""The image's HEALTHCHECK. For the web role (gunicorn is process 1): GET /healthz on the
port of GUNICORN_BIND answers 200. For the other roles: process 1 is alive, which it is if
this runs at all (Celery workers are watched through /readyz's broker check and the sweep's
age instead)."""

import os
import sys
import urllib.request
from pathlib import Path


def main() -> int:
    command = Path("/proc/1/cmdline").read_bytes().replace(b"\0", b" ")
    if b"gunicorn" not in command:
        return 0
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    # Django answers 400 to a Host header not in ALLOWED_HOSTS: send the first one.
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    name = next((h for h in hosts if h and h != "*"), "localhost")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": name})
    try:
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310 - fixed URL
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"/healthz did not answer: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
