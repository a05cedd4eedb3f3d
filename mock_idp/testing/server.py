"""`EntraServer`: one live mock Entra ID on a free loopback port, in a thread of this process.

Options are an `EntraOptions` record, so new ones (a fixed clock, a seed…) are one field each.
"""

from __future__ import annotations

import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from mock_idp.config import TENANTS_DIR, IdpConfig
from mock_idp.determinism import parse_clock
from mock_idp.testing.client import EntraClient

EMPTY_TENANT = TENANTS_DIR / "empty.toml"  # no users, no apps: only the admin account
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, kw_only=True, slots=True)
class EntraOptions:
    tenant_file: Path | str = EMPTY_TENANT
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    test_mode: bool = True  # response() and cases() need the test-mode API
    sp_url: str = "http://localhost:8000"  # {SP_URL} in a tenant file
    keys_dir: Path | None = None  # stable keys for `generate = true` (None: new each run)
    # Deterministic mode (mock_idp/determinism.py): a fixed clock ("2026-01-01T00:00:00Z" or a
    # datetime) and a seed for every ID, token and generated password. None: wall clock, random.
    clock: datetime | str | None = None
    seed: int | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class EntraServer:
    """Start with `start()` (returns the client), stop with `stop()`; or use `with`."""

    def __init__(self, options: EntraOptions | None = None) -> None:
        self.options = options or EntraOptions()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> EntraClient:
        from mock_idp.app import create_app

        port = free_port()
        url = f"http://{LOOPBACK}:{port}"
        clock = self.options.clock
        config = IdpConfig(
            base_url=url,
            sp_url=self.options.sp_url,
            tenant_file=Path(self.options.tenant_file),
            secret_key=secrets.token_hex(16),
            test_mode=self.options.test_mode,
            api_token=self.options.token,
            keys_dir=self.options.keys_dir,
            clock=parse_clock(clock, "EntraOptions.clock") if isinstance(clock, str) else clock,
            seed=self.options.seed,
        )
        self._server = make_server(LOOPBACK, port, create_app(config), threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="mock-entra", daemon=True
        )
        self._thread.start()
        return EntraClient(url, self.options.token)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> EntraClient:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
