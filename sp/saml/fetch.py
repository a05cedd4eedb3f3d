"""The one outbound request the SP makes: GET an admin-given Federation Metadata URL.

An admin-typed URL is a server-side request forgery waiting to happen, so every rule here is a
refusal made *before* a byte leaves, except the deadline and the size cap:

- https only, or http on a loopback name (a local mock), as Entra itself accepts;
- the host is resolved once, and every address it resolves to must be public (no private,
  link-local, loopback, multicast, reserved or unspecified address; IPv4-mapped IPv6 is unwrapped).
  Loopback is allowed only when the URL itself names a loopback host;
- the connection goes to the address that was checked (no second lookup: DNS rebinding);
- no redirect is followed (Entra's metadata URL answers directly; a hop could go anywhere);
- one total deadline for connect, headers and body (a watchdog closes the socket), and a size cap;
- whatever failed, the admin sees one generic message; the detail goes to the log only, so the
  page cannot be used to tell open ports from closed ones or to read internal answers.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from sp.saml.metadata import MAX_METADATA_BYTES, MetadataError

log = logging.getLogger("sp")

FETCH_TIMEOUT_SECONDS = 5.0
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
GENERIC = (
    "Trakstar could not download the Federation Metadata XML from that URL. Check that it is the "
    "App Federation Metadata Url Entra shows for this app, or download the file and upload it."
)

Resolver = Callable[[str, int], Sequence[str]]
# (checked address, port, TLS server name or None, timeout) → a connected socket
Connector = Callable[[str, int, str | None, float], socket.socket]


class FetchRefused(MetadataError):
    """Shown to the admin as the generic message; `detail` is for the log only."""

    def __init__(self, detail: str) -> None:
        super().__init__(GENERIC)
        self.detail = detail


def resolve(host: str, port: int) -> Sequence[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def connect(address: str, port: int, server_name: str | None, timeout: float) -> socket.socket:
    sock = socket.create_connection((address, port), timeout=timeout)
    if server_name is None:
        return sock
    return ssl.create_default_context().wrap_socket(sock, server_hostname=server_name)


def fetch(
    url: str,
    *,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    max_bytes: int = MAX_METADATA_BYTES,
    resolver: Resolver | None = None,
    connector: Connector | None = None,
) -> bytes:
    """The body of one GET of `url`, or MetadataError (FetchRefused: generic text, detail logged).

    `resolver` and `connector` default to this module's `resolve` and `connect`, looked up at
    call time so tests can stub them and never touch the network.
    """
    try:
        return _fetch(url, timeout, max_bytes, resolver or resolve, connector or connect)
    except FetchRefused as exc:
        log.warning("metadata fetch refused url=%r: %s", url[:300], exc.detail)
        raise


def checked_address(host: str, port: int, resolver: Resolver) -> str:
    """The address to connect to, if every address the host resolves to is allowed."""
    loopback_named = host.lower() in LOOPBACK_NAMES or _is_loopback_literal(host)
    try:
        addresses = list(resolver(host, port))
    except (OSError, UnicodeError) as exc:
        raise FetchRefused(f"cannot resolve {host!r}: {exc}") from exc
    if not addresses:
        raise FetchRefused(f"{host!r} resolves to no address")
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError as exc:  # e.g. a scoped IPv6 address "fe80::1%eth0"
            raise FetchRefused(f"{host!r} resolves to {address!r}") from exc
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        allowed = ip.is_loopback if loopback_named else (ip.is_global and not ip.is_multicast)
        if not allowed:
            raise FetchRefused(f"{host!r} resolves to {ip}, which is not an allowed address")
    return addresses[0]


def _is_loopback_literal(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fetch(
    url: str, timeout: float, max_bytes: int, resolver: Resolver, connector: Connector
) -> bytes:
    deadline = time.monotonic() + timeout
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError as exc:
        raise MetadataError("The metadata URL is not a valid URL.") from exc
    loopback_named = host.lower() in LOOPBACK_NAMES or _is_loopback_literal(host)
    if parts.scheme not in ("http", "https") or (parts.scheme == "http" and not loopback_named):
        raise MetadataError("The metadata URL must start with https:// (or http:// on localhost).")
    port = port or (443 if parts.scheme == "https" else 80)
    address = checked_address(host, port, resolver)
    server_name = host if parts.scheme == "https" else None
    try:
        sock = connector(address, port, server_name, timeout)
    except OSError as exc:
        raise FetchRefused(f"connecting to {address}:{port} failed: {exc!r}") from exc
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (sock,))
    watchdog.daemon = True
    watchdog.start()
    try:
        target = f"{parts.path or '/'}?{parts.query}" if parts.query else (parts.path or "/")
        return _get(sock, host, port, target, deadline, timeout, max_bytes)
    except FetchRefused:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if time.monotonic() >= deadline:
            raise FetchRefused(f"no answer within {timeout:g} seconds") from exc
        raise FetchRefused(f"{type(exc).__name__}: {exc}") from exc
    finally:
        watchdog.cancel()
        sock.close()


def _cut(sock: socket.socket) -> None:
    """The deadline: whatever the server trickles, the socket is closed under it."""
    with contextlib.suppress(OSError):  # already closed: nothing left to cut
        sock.shutdown(socket.SHUT_RDWR)


def _get(
    sock: socket.socket,
    host: str,
    port: int,
    target: str,
    deadline: float,
    timeout: float,
    max_bytes: int,
) -> bytes:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    connection.sock = sock  # already connected to the checked address: no second lookup
    try:
        connection.request("GET", target, headers={"Accept": "application/xml"})
        with connection.getresponse() as response:
            return _body(response, deadline, timeout, max_bytes)
    finally:
        connection.close()


def _body(
    response: http.client.HTTPResponse, deadline: float, timeout: float, max_bytes: int
) -> bytes:
    if 300 <= response.status < 400:
        where = response.getheader("Location", "")[:300]
        raise FetchRefused(f"HTTP {response.status} redirect to {where!r}: not followed")
    if response.status != 200:
        raise FetchRefused(f"HTTP {response.status}")
    body = b""
    while True:
        if time.monotonic() >= deadline:
            raise FetchRefused(f"no answer within {timeout:g} seconds")
        chunk = response.read(16 * 1024)
        if not chunk:
            return body
        body += chunk
        if len(body) > max_bytes:
            raise FetchRefused(f"larger than {max_bytes // 1024} KB")
