"""The example SP on a loopback port, configured per test from an app added to the `entra`
fixture's tenant, exactly as its administrator would copy the values from "Set up <app>".

Only the plugin's public API is used: `entra.add_app`, `add_user`, `assign`, `sign_in`,
`response` and `audit`. Chromium is the system's (Debian's), as in this project's own e2e.
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # example_sp.py, beside tests/

from example_sp import Settings, create_app  # noqa: E402

from mock_idp.testing import App, EntraClient  # noqa: E402

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


@pytest.fixture(scope="session")
def live_sp() -> Iterator[LiveSp]:
    port = free_port()
    sp = LiveSp(url=f"http://localhost:{port}")
    server = make_server("127.0.0.1", port, sp, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sp
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def sp(entra: EntraClient, live_sp: LiveSp) -> LiveSp:
    """The example SP's app in Entra (Basic SAML Configuration), and the SP trusting it."""
    app = entra.add_app(
        name="Example SP",
        identifier=f"{live_sp.url}/metadata",
        reply_url=f"{live_sp.url}/acs",
        sign_on_url=f"{live_sp.url}/login",
    )
    live_sp.configure(app)
    return live_sp


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    system = shutil.which("chromium") or shutil.which("chromium-browser")
    flags = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    args = {**browser_type_launch_args, "args": flags}
    if system:
        args["executable_path"] = system
    return args
