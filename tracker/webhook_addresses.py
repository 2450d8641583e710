"""Which webhook addresses the tracker may send to, and sending one request to a checked
address (no SSRF). Pure: no models; the settings are passed in.

1. An address must be https with a host name or IP, no user name or password in it. With
   `allow_loopback` (WEBHOOK_ALLOW_PRIVATE_ADDRESSES: tests and the demo only) http to a
   loopback address is allowed too.
2. Its host is resolved, and every address it resolves to must be public: not loopback,
   private (10/8, 172.16/12, 192.168/16, IPv6 ULA fc00::/7), link-local (169.254/16, which
   holds cloud metadata services, fe80::/10), multicast, reserved, unspecified, shared
   (100.64/10), documentation or benchmarking ranges, nor an IPv4 address hidden in IPv6
   (::ffff:10.0.0.1, 6to4, NAT64). One bad address refuses the whole name: a name that
   resolves to a public and a private address could be answered either way.
3. At send time the name is resolved and checked again, and the connection is made to the
   checked IP itself (never resolved a second time, so a DNS answer that changes between
   the check and the connect cannot reach a private address), with the name kept for TLS
   (SNI and certificate check) and the Host header. Redirects are never followed (a 3xx is
   a failed delivery), and at most MAX_BODY bytes of the answer are read.
4. One deadline covers the whole exchange: connecting, the TLS handshake, sending, the
   status line, the headers and the body all end `connect_timeout + read_timeout` seconds
   after the start, however slowly the receiver trickles its bytes (each read waits only
   for the time left).

A refused address gets one message for the person, whatever the reason under it (a name
that does not resolve, or resolves to a private address): what an internal name resolves
to is not told to the person registering. The reason is logged (`AddressRefused.detail`).
"""

import http.client
import io
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_BODY = 4096  # bytes of a receiver's answer kept (for the delivery log)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


log = logging.getLogger(__name__)

NOT_PUBLIC = (
    "The address must be a public https address on the internet (check that it is spelt "
    "right and can be reached from the internet)."
)


class AddressRefused(ValueError):
    """The address may not be sent to. The message is for the person; `detail` says the
    reason under it (what a name resolved to), for the log only."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail or message


def _not_public(detail: str) -> AddressRefused:
    log.warning("Webhook address refused: %s", detail)
    return AddressRefused(NOT_PUBLIC, detail)


def system_resolve(host: str, port: int) -> list[str]:
    """Every IP address the host name resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """An IPv4 address carried inside an IPv6 one (mapped, 6to4, NAT64, Teredo)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in ipaddress.IPv6Network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """Whether an IP is on the public internet (is_global, and none of the special ranges)."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and not is_public(inner):
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or getattr(ip, "is_site_local", False)
    )


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect (the IP) and what to say to it (host, path)."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str


def _parts(url: str, allow_loopback: bool) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise AddressRefused("Enter a full web address, starting https://") from exc
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("https", "http") or not host:
        raise AddressRefused("Enter a full web address, starting https://")
    if parts.username or parts.password:
        raise AddressRefused("The address must not contain a user name or password.")
    if parts.scheme == "http" and not allow_loopback:
        raise AddressRefused(
            "The address must start https:// (deliveries are only sent encrypted)."
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def shown_address(url: str) -> str:
    """The address as it may be shown again (pages, the audit log, emails): without its
    query, which may be a credential (a Teams Workflows address carries `sig=`), nor any
    user name or password; "?…" says a query was left out."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "(an address that cannot be read)"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    where = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{where}{parts.path}" + ("?…" if parts.query else "")


def check_address(url: str, *, allow_loopback: bool, resolve: Resolver | None = None) -> Target:
    """Check an address and resolve it now (with the system's resolver unless another is
    given); raises AddressRefused with the reason."""
    resolve = resolve or system_resolve
    scheme, host, port, path = _parts(url, allow_loopback)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    try:
        ips = [str(literal)] if literal is not None else resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise _not_public(f"the name {host} could not be found (DNS): {exc}") from exc
    if not ips:
        raise _not_public(f"the name {host} could not be found (DNS)")
    for text in ips:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if allow_loopback and ip.is_loopback:
            continue
        if not is_public(ip):
            where = host if literal is not None else f"{host} resolves to {ip}, which"
            raise _not_public(f"{where} is not on the public internet")
    if scheme == "http" and not all(
        ipaddress.ip_address(i.split("%", 1)[0]).is_loopback for i in ips
    ):
        raise AddressRefused(
            "The address must start https:// (deliveries are only sent encrypted)."
        )
    return Target(scheme, host, port, path, ips[0])


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def _left(ends: float) -> float:
    """The seconds left before the deadline; TimeoutError once it has passed."""
    left = ends - time.monotonic()
    if left <= 0:
        raise TimeoutError("The receiver did not answer in time.")
    return left


class _DeadlineReader(io.RawIOBase):
    """Reads from a socket, each read waiting only for the time left before the deadline
    (a socket timeout alone applies afresh to every read, so a receiver sending one byte
    at a time could hold the sender for ever)."""

    def __init__(self, sock: socket.socket, ends: float):
        super().__init__()
        self._sock = sock
        # The socket's own reader, which keeps the socket open until it is closed too (as
        # http.client expects when the connection closes before the body is read).
        self._raw = sock.makefile("rb", buffering=0)
        self._ends = ends

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int | None:  # type: ignore[override]
        self._sock.settimeout(_left(self._ends))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """What http.client sees of the connection's socket: sending and every read of the
    answer (status line, headers, body) end at one deadline."""

    def __init__(self, sock: socket.socket, ends: float):
        self._sock = sock
        self._ends = ends

    def sendall(self, data: bytes) -> None:
        # sendall's timeout is the total time to send everything (Python 3.5+).
        self._sock.settimeout(_left(self._ends))
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._ends))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _PinnedConnection(http.client.HTTPConnection):
    """A connection to the checked IP (never resolved again), the host name kept for the
    Host header (and, over https, for SNI and the certificate check). Connecting ends by
    `connect_ends`, everything (the TLS handshake and the exchange) by `ends`
    (time.monotonic)."""

    def __init__(
        self, target: Target, connect_ends: float, ends: float, context: ssl.SSLContext | None
    ):
        super().__init__(target.host, target.port)
        self._ip = target.ip
        self._connect_ends = connect_ends
        self._ends = ends
        self._context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), _left(self._connect_ends))
        try:
            if self._context is not None:
                # The handshake's timeout is its total duration (Python 3.5+).
                sock.settimeout(_left(self._ends))
                sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = _DeadlineSocket(sock, self._ends)


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    *,
    connect_timeout: float,
    read_timeout: float,
    context: ssl.SSLContext | None = None,
) -> Answer:
    """POST to a checked target (its IP), never following a redirect; the whole exchange
    (connect, send, status line, headers, at most MAX_BODY bytes of the body) ends within
    `connect_timeout + read_timeout` seconds, and connecting alone within
    `connect_timeout`. Raises OSError (TimeoutError when out of time) or
    http.client.HTTPException when the receiver cannot be reached or answers nonsense."""
    started = time.monotonic()
    tls = (context or ssl.create_default_context()) if target.scheme == "https" else None
    connection = _PinnedConnection(
        target, started + connect_timeout, started + connect_timeout + read_timeout, tls
    )
    try:
        connection.connect()
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()  # the status line and headers, by the deadline
        kept = b""
        while len(kept) < MAX_BODY:
            try:
                chunk = response.read1(MAX_BODY - len(kept))
            except TimeoutError:
                break  # the status is known: a body trickled past the deadline is cut short
            if not chunk:
                break
            kept += chunk
        return Answer(response.status, kept[:MAX_BODY])
    finally:
        connection.close()
