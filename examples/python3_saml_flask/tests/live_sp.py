"""The example SP served on a loopback port, reconfigured per test (see conftest.py)."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # example_sp.py, beside tests/

from example_sp import Settings, create_app  # noqa: E402

from mock_idp.testing import App  # noqa: E402

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Any]


@dataclass
class LiveSp:
    """The example SP served on a loopback port; `configure` swaps in a newly set-up app."""

    url: str
    flask: Flask | None = None
    entra_app: App | None = None
    _current: list[Flask] = field(default_factory=list)

    def configure(self, entra_app: App, *, certificate: str | None = None) -> Flask:
        settings = Settings(
            sp_url=self.url,
            login_url=entra_app.login_url,
            entra_identifier=entra_app.entra_identifier,
            certificate=certificate or entra_app.certificate_base64,
        )
        self.flask, self.entra_app = create_app(settings), entra_app
        return self.flask

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.flask is not None, "configure the example SP first"
        return self.flask(environ, start_response)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
