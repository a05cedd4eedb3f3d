"""Issue 12 finding 3: the Federation Metadata URL cannot reach internal addresses.

The resolver and the connector are stubbed: no test here connects to anything but loopback,
and a refused address is refused before any connection is attempted.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from flask import Flask

from sp.saml import fetch
from sp.saml.fetch import GENERIC, FetchRefused
from sp.saml.metadata import MetadataError
from tests.sp.admin_client import SAML_PAGE, field_error, post, signed_in_admin

IMPORT = "/settings/authentication/saml/metadata"
PUBLIC = "93.184.215.14"


class NoConnection:
    """A connector that fails the test if anything tries to connect."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def __call__(self, address: str, port: int, name: str | None, timeout: float) -> socket.socket:
        self.calls.append((address, port))
        raise AssertionError(f"connected to {address}:{port}")


def resolving_to(*addresses: str) -> fetch.Resolver:
    def resolver(host: str, port: int) -> Sequence[str]:
        return addresses

    return resolver


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",  # private
        "192.168.0.10",
        "172.16.5.4",
        "169.254.169.254",  # link-local: cloud metadata service
        "127.0.0.1",  # loopback behind a public-looking name
        "::1",
        "fe80::1",
        "fd00::5",  # unique local
        "::ffff:10.0.0.1",  # IPv4-mapped private
        "::ffff:169.254.169.254",
        "224.0.0.251",  # multicast
        "0.0.0.0",  # unspecified
        "240.0.0.1",  # reserved
        "100.64.0.1",  # carrier-grade NAT
    ],
)
def test_an_internal_address_is_refused_before_any_connection(address: str) -> None:
    connector = NoConnection()

    with pytest.raises(FetchRefused) as refused:
        fetch.fetch(
            "https://metadata.attacker.example/federationmetadata.xml",
            resolver=resolving_to(address),
            connector=connector,
        )

    assert connector.calls == []
    assert str(refused.value) == GENERIC and "not an allowed address" in refused.value.detail


def test_one_internal_address_among_public_ones_is_enough_to_refuse() -> None:
    connector = NoConnection()

    with pytest.raises(FetchRefused):
        fetch.fetch(
            "https://metadata.attacker.example/m.xml",
            resolver=resolving_to(PUBLIC, "10.0.0.5"),
            connector=connector,
        )

    assert connector.calls == []


def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    """DNS rebinding: a second lookup could answer 127.0.0.1; there is no second lookup."""
    lookups: list[str] = []
    seen: list[tuple[str, int, str | None]] = []
    servers: list[socket.socket] = []

    def resolver(host: str, port: int) -> Sequence[str]:
        lookups.append(host)
        return [PUBLIC] if len(lookups) == 1 else ["127.0.0.1"]

    def connector(address: str, port: int, name: str | None, timeout: float) -> socket.socket:
        seen.append((address, port, name))
        ours, theirs = socket.socketpair()  # a local pipe plays the server: no network
        theirs.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n<x></x>")
        servers.append(theirs)
        return ours

    body = fetch.fetch("https://login.example.com/m.xml", resolver=resolver, connector=connector)

    for server in servers:
        server.close()
    assert body == b"<x></x>"
    assert lookups == ["login.example.com"]
    assert seen == [(PUBLIC, 443, "login.example.com")]


def test_http_is_only_for_loopback_names_and_they_must_resolve_to_loopback() -> None:
    connector = NoConnection()

    with pytest.raises(MetadataError, match="must start with https://"):
        fetch.fetch("http://metadata.example.com/m.xml", connector=connector)
    with pytest.raises(FetchRefused):
        fetch.fetch(
            "http://localhost:8001/m.xml", resolver=resolving_to("10.0.0.9"), connector=connector
        )

    assert connector.calls == []


@contextmanager
def _raw_server(answer: bytes, drip: bool = False) -> Iterator[int]:
    """A loopback server that answers every connection with `answer` (byte by byte if drip)."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                try:
                    conn.recv(4096)
                    if not drip:
                        conn.sendall(answer)
                    for byte in answer if drip else b"":
                        conn.sendall(bytes([byte]))
                        if stop.wait(0.05):  # the attack: one byte every 50 ms
                            break
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_a_redirect_to_the_metadata_service_is_not_followed() -> None:
    answer = b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/\r\n\r\n"
    with _raw_server(answer) as port, pytest.raises(FetchRefused) as refused:
        fetch.fetch(f"http://127.0.0.1:{port}/m.xml")

    assert "169.254.169.254" in refused.value.detail and "not followed" in refused.value.detail
    assert "169.254.169.254" not in str(refused.value)


def test_a_server_that_trickles_bytes_is_cut_at_the_deadline() -> None:
    body = b"<x>" + b"a" * 400 + b"</x>"
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    with _raw_server(answer, drip=True) as port:
        begin = time.monotonic()
        with pytest.raises(FetchRefused) as refused:
            fetch.fetch(f"http://127.0.0.1:{port}/m.xml", timeout=0.5)
        spent = time.monotonic() - begin

    assert refused.value.detail == "no answer within 0.5 seconds"
    assert spent < 1.5


def test_open_closed_and_silent_ports_look_the_same_to_the_admin() -> None:
    """No port scanner: the text never says which it was."""
    shown = set()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening
        with pytest.raises(FetchRefused) as refused:
            fetch.fetch(f"http://127.0.0.1:{closed.getsockname()[1]}/", timeout=0.3)
        shown.add(str(refused.value))
    with _raw_server(b"SSH-2.0-OpenSSH_9.2\r\n") as port, pytest.raises(FetchRefused) as refused:
        fetch.fetch(f"http://127.0.0.1:{port}/", timeout=0.3)
    shown.add(str(refused.value))
    with _raw_server(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n") as port:
        with pytest.raises(FetchRefused) as refused:
            fetch.fetch(f"http://127.0.0.1:{port}/", timeout=0.3)
        shown.add(str(refused.value))

    assert shown == {GENERIC}


def test_the_settings_page_refuses_an_internal_url_with_the_generic_text(
    sp_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Through the real form: nothing connects, the page says the one thing, the log the rest."""
    connector = NoConnection()
    monkeypatch.setattr(fetch, "resolve", resolving_to("169.254.169.254"))
    monkeypatch.setattr(fetch, "connect", connector)
    admin = signed_in_admin(sp_app.test_client(), "admin@fabrikam.com")

    with caplog.at_level(logging.WARNING, logger="sp"):
        response = post(
            admin, IMPORT, {"metadata_url": "https://rebind.attacker.example/m.xml"}, page=SAML_PAGE
        )

    assert response.status_code == 400
    assert GENERIC in field_error(response.text, "metadata")
    assert "169.254" not in response.text
    assert connector.calls == []
    assert any("169.254.169.254" in r.getMessage() for r in caplog.records)
