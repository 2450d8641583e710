"""What runs on each host of the fleet, as in the README's production layout.

    db      PostgreSQL 15 (its own cluster, initdb into the run's folder)
    redis   redis-server (Celery's broker and Django's cache)
    mail    an SMTP server that records every message (tests/fleet/mailsink.py)
    web1/2  gunicorn config.wsgi, 2 workers each, the same SECRET_KEY and shared folders
    lb      HAProxy: round robin over web1/web2, each checked with GET /readyz
    worker1/2  celery worker (prefork, 2 processes each)
    beat    celery beat (exactly one)

The web and worker hosts share one folder on the machine's disk for evidence, report imports,
bulk imports and static files, as they would share a network file system.
"""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.fleet.hosts import SETPRIV, Fleet, Host, Started, wait_for_port

BASE_DIR = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("FLEET_PG_BIN", "/usr/lib/postgresql/15/bin"))
HAPROXY = os.environ.get("FLEET_HAPROXY", "haproxy")
SECRET_KEY = "fleet-test-secret-key-the-same-on-every-host-0123456789abcdef"  # noqa: S105

# The hosts and the last octet of their address.
LAYOUT = {
    "db": 2,
    "redis": 3,
    "mail": 4,
    "lb": 10,
    "web1": 11,
    "web2": 12,
    "worker1": 21,
    "worker2": 22,
    "beat": 30,
}

# What the db host's PostgreSQL allows a session to sit idle inside a transaction (the
# production layout's setting; FLEET_IDLE_IN_TRANSACTION=0 turns it off, as PostgreSQL ships).
IDLE_IN_TRANSACTION = os.environ.get("FLEET_IDLE_IN_TRANSACTION", "10s")
# Threads per gunicorn worker: a request stuck on a lock holds one thread, not the host.
WEB_THREADS = os.environ.get("FLEET_WEB_THREADS", "4")

# Short leases and intervals so the faults play out in a couple of minutes.
SWEEP_SECONDS = 3
CLAIM_SECONDS = 10


def ensure_haproxy() -> str:
    """HAProxy from Debian, installed when missing if we are root and have apt-get (as
    scripts/test installs Chromium); otherwise a clear message."""
    found = shutil.which(HAPROXY)
    if found:
        return found
    apt_get = shutil.which("apt-get")
    if os.geteuid() == 0 and apt_get:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = [apt_get, "install", "-y", "-q", "haproxy"]
        done = subprocess.run(install, env=env, capture_output=True, timeout=300, check=False)
        if done.returncode:
            subprocess.run([apt_get, "update", "-q"], capture_output=True, timeout=300)
            subprocess.run(install, env=env, capture_output=True, timeout=300, check=False)
        found = shutil.which(HAPROXY)
        if found:
            return found
    raise RuntimeError(
        "The fleet test needs HAProxy (Debian: apt-get install haproxy); it installs it "
        "itself only when run as root with apt-get."
    )


def check_requirements() -> None:
    problems = []
    if os.geteuid() != 0:
        problems.append("it must run as root (it makes network namespaces)")
    if not shutil.which("ip"):
        problems.append("it needs iproute2's `ip`")
    if not (PG_BIN / "initdb").exists():
        problems.append(f"it needs PostgreSQL 15's programs in {PG_BIN} (FLEET_PG_BIN)")
    if not shutil.which("redis-server"):
        problems.append("it needs redis-server")
    if not shutil.which("setpriv"):
        problems.append("it needs util-linux's setpriv")
    if problems:
        raise RuntimeError("The fleet test cannot run here: " + "; ".join(problems) + ".")


@dataclass
class Stack:
    fleet: Fleet
    shared: Path
    env: dict[str, str]
    postgres: Started | None = None
    pg_data: Path | None = None
    mail_log: Path | None = None
    mail_hold: Path | None = None
    haproxy_socket: Path | None = None
    started: dict[str, Started] = field(default_factory=dict)

    def host(self, name: str) -> Host:
        return self.fleet.hosts[name]

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@{self.host('db').address}:5432/tracker"

    @property
    def site(self) -> str:
        return f"http://{self.host('lb').address}"


def build_hosts(fleet: Fleet) -> None:
    for name, octet in LAYOUT.items():
        fleet.add(name, octet)
    fleet.check_routes()


def app_env(fleet: Fleet, shared: Path) -> dict[str, str]:
    hosts = fleet.hosts
    lb = hosts["lb"].address
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"postgres://postgres@{hosts['db'].address}:5432/tracker",
            "REDIS_URL": f"redis://{hosts['redis'].address}:6379/0",
            "ALLOWED_HOSTS": ",".join([lb, hosts["web1"].address, hosts["web2"].address]),
            "CSRF_TRUSTED_ORIGINS": f"http://{lb}",
            "SITE_URL": f"http://{lb}",
            # Plain http inside the test network (production puts TLS in front).
            "SECURE_COOKIES": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "EMAIL_BACKEND": "tracker.reminders.mail.SMTPBackend",
            "EMAIL_HOST": hosts["mail"].address,
            "EMAIL_PORT": "25",
            "EMAIL_TIMEOUT": "10",
            "EVIDENCE_ROOT": str(shared / "evidence"),
            "REPORT_IMPORT_ROOT": str(shared / "report-imports"),
            "BULK_IMPORT_ROOT": str(shared / "imports"),
            "STATIC_ROOT": str(shared / "static"),
            "REMINDER_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "REMINDER_CLAIM_SECONDS": str(CLAIM_SECONDS),
            "OUTBOX_SWEEP_SECONDS": "5",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
        }
    )
    return env


def manage(stack: Stack, *args: str, timeout: float = 180, extra_env: dict | None = None) -> str:
    """Run manage.py from the root namespace (it reaches the db host across the bridge)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**stack.env, **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


# PostgreSQL ---------------------------------------------------------------------------


def postgres_init(stack: Stack) -> None:
    data = stack.fleet.workdir / "pgdata"
    data.mkdir(mode=0o700)
    shutil.chown(data, "postgres", "postgres")
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    initdb += ["--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]
    subprocess.run(
        [SETPRIV, "--reuid=postgres", "--regid=postgres", "--init-groups", *initdb],
        capture_output=True,
        timeout=120,
        check=True,
    )
    with open(data / "pg_hba.conf", "a") as hba:
        hba.write(f"host all all {stack.fleet.subnet} trust\n")
    stack.pg_data = data


def postgres_start(stack: Stack) -> None:
    host = stack.host("db")
    cmd = [str(PG_BIN / "postgres"), "-D", str(stack.pg_data)]
    for setting in (
        f"listen_addresses={host.address}",
        "port=5432",
        f"unix_socket_directories={stack.pg_data}",
        "max_connections=100",
        "log_min_messages=warning",
        # A web or worker host that dies inside a transaction (power lost, network gone)
        # cannot say goodbye: without these its session, and the row locks it holds, would
        # live until TCP gives up (hours), stalling every request for those rows.
        f"idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION}",
        "tcp_keepalives_idle=10",
        "tcp_keepalives_interval=5",
        "tcp_keepalives_count=3",
    ):
        cmd += ["-c", setting]
    stack.postgres = stack.fleet.spawn(host, "postgres", cmd, as_user="postgres")
    stack.started["postgres"] = stack.postgres
    postgres_wait(stack)


def postgres_wait(stack: Stack, timeout: float = 60) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    url = f"postgres://postgres@{stack.host('db').address}:5432/postgres"
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("select 1")
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL did not start:\n{log_tail(stack.postgres)}"
                ) from exc
            time.sleep(0.2)


def create_database(stack: Stack) -> None:
    import psycopg

    url = f"postgres://postgres@{stack.host('db').address}:5432/postgres"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE tracker")


# Redis, mail ----------------------------------------------------------------------------


def redis_start(stack: Stack) -> Started:
    host = stack.host("redis")
    folder = stack.fleet.workdir / "redis"
    folder.mkdir()
    cmd = ["redis-server", "--bind", host.address, "--port", "6379", "--save", ""]
    cmd += ["--appendonly", "no", "--protected-mode", "no", "--dir", str(folder)]
    started = stack.fleet.spawn(host, "redis", cmd)
    wait_for_port(host.address, 6379)
    return started


def mail_start(stack: Stack) -> Started:
    host = stack.host("mail")
    stack.mail_log = stack.fleet.workdir / "messages.jsonl"
    stack.mail_log.touch()
    cmd = [sys.executable, "-m", "tests.fleet.mailsink", "--host", host.address]
    cmd += ["--port", "25", "--out", str(stack.mail_log)]
    # The test may hold a reminder at the "250" to kill the worker sending it there.
    stack.mail_hold = stack.fleet.workdir / "mail-hold"
    stack.mail_hold.mkdir()
    cmd += ["--hold-folder", str(stack.mail_hold)]
    started = stack.fleet.spawn(host, "mail", cmd, cwd=BASE_DIR)
    wait_for_port(host.address, 25)
    return started


# Web, balancer, workers, beat ------------------------------------------------------------


def web_start(stack: Stack, name: str) -> Started:
    host = stack.host(name)
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2"]
    cmd += ["--threads", WEB_THREADS]
    cmd += ["--bind", f"{host.address}:8000", "--timeout", "30", "--graceful-timeout", "5"]
    cmd += ["--access-logfile", "-", "--name", f"tracker-{name}"]
    # Each host its own control socket (gunicorn's default is under $HOME, which the hosts
    # share here).
    cmd += ["--control-socket", str(stack.fleet.workdir / f"{name}-gunicorn.ctl")]
    return stack.fleet.spawn(host, name, cmd, env=stack.env, cwd=BASE_DIR)


HAPROXY_CONFIG = """\
global
    log stdout format raw local0 info
    stats socket {socket} mode 600 level admin
    maxconn 1000

defaults
    mode http
    log global
    option httplog
    option log-health-checks
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    # A request whose connection failed goes to the other server (the dead host's
    # requests are re-sent); one whose server died after it was sent is re-sent only if it
    # is not a POST, which may have been applied.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response

frontend tracker
    bind {lb}:80
    default_backend web

backend web
    balance roundrobin
    http-request disable-l7-retry if METH_POST
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host {lb}
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
    server web1 {web1}:8000 check
    server web2 {web2}:8000 check
"""


def haproxy_start(stack: Stack, binary: str) -> Started:
    hosts = stack.fleet.hosts
    stack.haproxy_socket = stack.fleet.workdir / "haproxy.sock"
    config = stack.fleet.workdir / "haproxy.cfg"
    config.write_text(
        HAPROXY_CONFIG.format(
            socket=stack.haproxy_socket,
            lb=hosts["lb"].address,
            web1=hosts["web1"].address,
            web2=hosts["web2"].address,
        )
    )
    subprocess.run([binary, "-c", "-q", "-f", str(config)], check=True, timeout=30)
    started = stack.fleet.spawn(hosts["lb"], "haproxy", [binary, "-db", "-f", str(config)])
    wait_for_port(hosts["lb"].address, 80)
    return started


def worker_start(stack: Stack, name: str) -> Started:
    # Both queues, as the README's layout says: reminders and the outbox on "tracker",
    # reading uploaded documents on "documents".
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "2"]
    cmd += ["-Q", "tracker,documents", "--loglevel", "INFO", "-n", f"{name}@%h-{name}"]
    return stack.fleet.spawn(stack.host(name), name, cmd, env=stack.env, cwd=BASE_DIR)


def beat_start(stack: Stack) -> Started:
    schedule = stack.fleet.workdir / "celerybeat-schedule"
    cmd = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"]
    cmd += ["-s", str(schedule)]
    return stack.fleet.spawn(stack.host("beat"), "beat", cmd, env=stack.env, cwd=BASE_DIR)


def haproxy_command(stack: Stack, command: str) -> str:
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(stack.haproxy_socket))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def haproxy_servers(stack: Stack) -> dict[str, dict[str, str]]:
    """`show stat` for the web backend's servers: name -> its columns (status, check_status...)."""
    lines = haproxy_command(stack, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = {}
    for line in lines[1:]:
        if not line:
            continue
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "web" and row.get("svname") in ("web1", "web2"):
            rows[row["svname"]] = row
    return rows


def log_tail(started: Started | None, chars: int = 3000) -> str:
    if started is None or not started.log_path.exists():
        return ""
    return started.log_path.read_text(errors="replace")[-chars:]


# Bringing it all up ------------------------------------------------------------------------


def web_wait(stack: Stack, name: str, timeout: float = 60) -> None:
    """Until the web host itself (not through the balancer) answers /readyz with 200."""
    import urllib.request

    url = f"http://{stack.host(name).address}:8000/readyz"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our host
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} never became ready:\n{log_tail(stack.started[name])}")
        time.sleep(0.3)


def haproxy_wait_up(stack: Stack, servers: tuple[str, ...], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        rows = haproxy_servers(stack)
        if all(rows.get(s, {}).get("status") == "UP" for s in servers):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"HAProxy never saw {servers} UP: {rows}")
        time.sleep(0.3)


def stack_up(fleet: Fleet, *, overdue: int, writable: int) -> tuple[Stack, list[str]]:
    """Every host of the layout, migrated and loaded, the balancer seeing both web hosts up.
    Returns the stack and the items the load may write to. Workers and beat are not started:
    the test starts them once it has set the reminders' times."""
    import json

    haproxy = ensure_haproxy()
    build_hosts(fleet)
    shared = fleet.workdir / "shared"
    for folder in ("evidence", "report-imports", "imports", "static"):
        (shared / folder).mkdir(parents=True)
    stack = Stack(fleet, shared, app_env(fleet, shared))
    postgres_init(stack)
    postgres_start(stack)
    create_database(stack)
    stack.started["redis"] = redis_start(stack)
    stack.started["mail"] = mail_start(stack)
    static = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=stack.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        manage(stack, "migrate", "--noinput", "-v0")
        manage(stack, "load_seed_data", "--demo", extra_env={"DEMO_MODE": "1"})
        seeded = subprocess.run(
            [sys.executable, "-m", "tests.fleet.seed", "--overdue", str(overdue)]
            + ["--writable", str(writable)],
            cwd=BASE_DIR,
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if seeded.returncode:
            raise RuntimeError(f"Seeding the fleet's data failed:\n{seeded.stderr[-4000:]}")
        items = json.loads(seeded.stdout.strip().splitlines()[-1])["writable"]
        _, errors = static.communicate(timeout=180)
        if static.returncode:
            raise RuntimeError(f"collectstatic failed:\n{errors.decode()[-4000:]}")
    finally:
        if static.poll() is None:
            static.kill()
    for name in ("web1", "web2"):
        stack.started[name] = web_start(stack, name)
    for name in ("web1", "web2"):
        web_wait(stack, name)
    stack.started["haproxy"] = haproxy_start(stack, haproxy)
    haproxy_wait_up(stack, ("web1", "web2"))
    return stack, items
