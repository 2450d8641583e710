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
   a failed delivery), timeouts are short, and at most MAX_BODY bytes of the answer are read.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_BODY = 4096  # bytes of a receiver's answer kept (for the delivery log)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class AddressRefused(ValueError):
    """The address may not be sent to; the message says why, for the person or the log."""


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
        raise AddressRefused(f"The name {host} could not be found (DNS).") from exc
    if not ips:
        raise AddressRefused(f"The name {host} could not be found (DNS).")
    for text in ips:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if allow_loopback and ip.is_loopback:
            continue
        if not is_public(ip):
            where = host if literal is not None else f"{host} resolves to {ip}, which"
            raise AddressRefused(
                f"The address cannot be used: {where} is not on the public internet "
                "(loopback, private, link-local or reserved addresses are refused)."
            )
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


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a fixed IP that still names the host for SNI, the certificate
    check and the Host header."""

    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext):
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._ip = target.ip
        self._context_for_tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context_for_tls.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    *,
    connect_timeout: float,
    read_timeout: float,
    context: ssl.SSLContext | None = None,
) -> Answer:
    """POST to a checked target (its IP), never following a redirect; reads at most
    MAX_BODY bytes of the answer within `read_timeout` seconds in all. Raises OSError
    (timeouts included) or http.client.HTTPException when the receiver cannot be reached or
    answers nonsense."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            target, connect_timeout, context or ssl.create_default_context()
        )
    else:
        connection = _PinnedHTTPConnection(target, connect_timeout)
    ends = time.monotonic() + read_timeout
    try:
        connection.connect()
        if connection.sock is not None:
            connection.sock.settimeout(read_timeout)
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        kept = b""
        while len(kept) < MAX_BODY:
            left = ends - time.monotonic()
            if left <= 0:
                break  # a receiver trickling its answer keeps us no longer
            if connection.sock is not None:
                connection.sock.settimeout(left)
            chunk = response.read1(MAX_BODY - len(kept)) if hasattr(response, "read1") else b""
            if not chunk:
                break
            kept += chunk
        return Answer(response.status, kept[:MAX_BODY])
    finally:
        connection.close()
