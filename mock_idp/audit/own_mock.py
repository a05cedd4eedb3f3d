"""The audit's own mock: `mock-entra audit --config FILE` without `--entra` serves the tenant
file in test mode on a loopback port for the audit's duration, in this process.

Its signing keys are the tenant file's (certificate files, or `generate = true` pairs kept in
the keys folder, `mock-entra-keys/` beside the file by default, exactly as `mock-entra serve`
keeps them): an SP configured once for that mock trusts this one too. The port must be the one
the SP's Login URL names (8001 by default, as `mock-entra serve`).
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mock_idp.audit.errors import AuditError

LOOPBACK = "127.0.0.1"
QUIET = ("werkzeug", "mock_idp")  # per-request and per-case log lines would bury the table


@dataclass(frozen=True, kw_only=True, slots=True)
class OwnMock:
    config: Path
    port: int = 8001
    keys: Path | None = None
    sp_url: str | None = None


@contextmanager
def serving(own: OwnMock) -> Iterator[tuple[str, str]]:
    """(URL, token) of a test-mode mock serving `own.config` until the block ends."""
    from werkzeug.serving import make_server

    from mock_idp.app import create_app
    from mock_idp.config import DEFAULT_SP_URL, IdpConfig
    from mock_idp.keys import default_folder
    from mock_idp.tenant import TenantConfigError

    if not own.config.is_file():
        raise AuditError(f"--config: no tenant file at {own.config}")
    url, token = f"http://{LOOPBACK}:{own.port}", secrets.token_urlsafe(24)
    config = IdpConfig(
        base_url=url,
        sp_url=own.sp_url or DEFAULT_SP_URL,
        tenant_file=own.config,
        secret_key=secrets.token_hex(32),
        test_mode=True,
        api_token=token,
        keys_dir=own.keys or default_folder(own.config),
    )
    levels = {name: logging.getLogger(name).level for name in QUIET}
    try:
        _quiet()
        try:
            app = create_app(config)
        except (TenantConfigError, OSError) as exc:
            raise AuditError(f"--config: {own.config}: {exc}") from exc
        _quiet()  # again: create_app sets the mock's own level
        _check_free(own.port, url)  # werkzeug would print its own message and exit
        server = make_server(LOOPBACK, own.port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="audit-mock", daemon=True)
        thread.start()
        try:
            yield url, token
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _quiet() -> None:
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.ERROR)


def _check_free(port: int, url: str) -> None:
    with socket.socket() as sock:
        # As the server will: a port left in TIME_WAIT by a stopped mock is free to listen on.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError as exc:
            raise AuditError(f"--port: cannot serve the mock on {url} ({exc.strerror})") from exc
