"""Hosts on one machine: a Linux network namespace each, joined by veth pairs to a bridge in the
root namespace, which is where the test (the clients) runs.

Every name starts with the run's tag (`tfl-<pid>-`), so two runs, or anything else on the
machine, never clash; the subnet is 10.77.<n>.0/24 with <n> taken from the pid and checked free.
Nothing is routed beyond the subnet: the hosts have no default route. `Fleet.teardown` kills
every process the run started and removes the namespaces, the bridge and the veths.
"""

import contextlib
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BOGUS_MAC = "02:00:00:00:7f:01"  # no interface has it: frames sent to it go nowhere
IP = shutil.which("ip") or "/usr/sbin/ip"
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"


def ip(*args: str, check: bool = True, timeout: float = 20) -> str:
    result = subprocess.run(
        [IP, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode:
        raise RuntimeError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers() -> list[str]:
    """Remove namespaces and bridges left by earlier runs of this test whose process is gone
    (a run killed before its teardown). Only names of the form tfl-<pid>-... / tf<pid>br."""
    removed = []
    for line in ip("netns", "list", check=False).splitlines():
        name = line.split()[0] if line.strip() else ""
        match = re.fullmatch(r"tfl-(\d+)-\w+", name)
        if match and not pid_alive(int(match.group(1))):
            for pid in ip("netns", "pids", name, check=False).split():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            ip("netns", "del", name, check=False)
            removed.append(name)
    for line in ip("-o", "link", "show", "type", "bridge", check=False).splitlines():
        match = re.search(r"^\d+: (tf(\d+)br)[:@]", line)
        if match and not pid_alive(int(match.group(2))):
            ip("link", "del", match.group(1), check=False)
            removed.append(match.group(1))
    return removed


def free_subnet(pid: int) -> ipaddress.IPv4Network:
    """10.77.<n>.0/24 that no route on this machine already covers."""
    routes = ip("-4", "route", "show", "table", "all", check=False)
    taken = []
    for line in routes.splitlines():
        word = line.split()[0] if line.strip() else ""
        if word in ("local", "broadcast", "unreachable", "blackhole", "prohibit"):
            word = line.split()[1]
        with contextlib.suppress(ValueError):
            if word != "default":
                taken.append(ipaddress.ip_network(word, strict=False))
    for n in [pid % 200 + 20, *range(20, 250)]:
        net = ipaddress.ip_network(f"10.77.{n}.0/24")
        if not any(net.overlaps(t) for t in taken):
            return net
    raise RuntimeError("No free 10.77.x.0/24 subnet for the fleet.")


@dataclass
class Host:
    name: str  # the role: db, redis, web1...
    ns: str  # the namespace
    address: str
    root_veth: str  # the root namespace's end, on the bridge


@dataclass
class Started:
    host: Host
    name: str
    process: subprocess.Popen
    log_path: Path


@dataclass
class Fleet:
    """The namespaces of one run. `add` makes a host; `spawn` starts a process on it."""

    workdir: Path
    pid: int = field(default_factory=os.getpid)
    hosts: dict[str, Host] = field(default_factory=dict)
    started: list[Started] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tag = f"tfl-{self.pid}"
        self.bridge = f"tf{self.pid}br"
        remove_leftovers()
        self.subnet = free_subnet(self.pid)
        self.gateway = str(self.subnet.network_address + 1)
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        self.note(f"bridge {self.bridge} {self.gateway}/24")

    def note(self, what: str) -> None:
        self.events.append((time.time(), what))

    def add(self, name: str, last_octet: int) -> Host:
        ns = f"{self.tag}-{name}"
        address = str(self.subnet.network_address + last_octet)
        root_veth = f"tf{self.pid}h{last_octet}"[:15]
        inner = f"tf{self.pid}i{last_octet}"[:15]
        ip("netns", "add", ns)
        ip("link", "add", root_veth, "type", "veth", "peer", "name", inner)
        ip("link", "set", inner, "netns", ns)
        ip("link", "set", root_veth, "master", self.bridge)
        ip("link", "set", root_veth, "up")
        ip("-n", ns, "link", "set", inner, "name", "eth0")
        ip("-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
        ip("-n", ns, "link", "set", "eth0", "up")
        ip("-n", ns, "link", "set", "lo", "up")
        host = Host(name, ns, address, root_veth)
        self.hosts[name] = host
        return host

    def check_routes(self) -> None:
        """Traffic to the hosts must leave through the fleet's bridge and nowhere else."""
        for host in self.hosts.values():
            route = ip("route", "get", host.address)
            if f"dev {self.bridge} " not in route:
                raise RuntimeError(f"{host.address} is not routed to {self.bridge}: {route}")

    def run(self, host: Host, *cmd: str, timeout: float = 60, **kwargs) -> str:
        result = subprocess.run(
            [IP, "netns", "exec", host.ns, *cmd],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        if result.returncode:
            raise RuntimeError(
                f"{' '.join(cmd)} on {host.name} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def spawn(
        self,
        host: Host,
        name: str,
        cmd: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        as_user: str | None = None,
    ) -> Started:
        """Start a long-running process on the host, in a process group of its own (so a kill
        takes its children too), logging to <workdir>/logs/<name>.log."""
        if as_user:
            cmd = [SETPRIV, f"--reuid={as_user}", f"--regid={as_user}", "--init-groups", *cmd]
        log_path = self.workdir / "logs" / f"{name}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [IP, "netns", "exec", host.ns, *cmd],
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = Started(host, name, process, log_path)
        self.started.append(started)
        self.note(f"started {name} on {host.name} (pid {process.pid})")
        return started

    def kill(self, started: Started, sig: int = signal.SIGKILL, wait: float = 15) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(started.process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            started.process.wait(timeout=wait)
        self.note(f"signal {sig} to {started.name}")

    def link(self, host: Host, up: bool) -> None:
        """Unplug (or plug back) the host's cable: its end of the veth pair."""
        ip("-n", host.ns, "link", "set", "eth0", "up" if up else "down")
        self.note(f"{host.name} link {'up' if up else 'down'}")

    def cut(self, host: Host, peer: Host) -> None:
        """Silently drop what `host` sends to `peer` (and so every TCP exchange between them):
        the host's neighbour entry for the peer points at a MAC address nobody has. No
        firewall is needed, and the rest of the host's network is untouched."""
        ip(
            "-n",
            host.ns,
            "neigh",
            "replace",
            peer.address,
            "lladdr",
            BOGUS_MAC,
            "dev",
            "eth0",
            "nud",
            "permanent",
        )
        self.note(f"cut {host.name} -> {peer.name}")

    def heal(self, host: Host, peer: Host) -> None:
        ip("-n", host.ns, "neigh", "del", peer.address, "dev", "eth0", check=False)
        self.note(f"healed {host.name} -> {peer.name}")

    def teardown(self) -> None:
        """Kill everything the run started, then remove its namespaces and bridge. Bounded:
        SIGKILL, short waits."""
        for started in reversed(self.started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(started.process.pid, signal.SIGKILL)
        for started in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                started.process.wait(timeout=5)
        for host in self.hosts.values():
            # Anything still running in one of this run's namespaces was started by it.
            for pid in ip("netns", "pids", host.ns, check=False).split():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            ip("netns", "del", host.ns, check=False)
        ip("link", "del", self.bridge, check=False)


def wait_for_port(address: str, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Nothing answered on {address}:{port} in {timeout}s") from exc
            time.sleep(0.2)
