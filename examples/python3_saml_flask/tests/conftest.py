"""The example SP on a loopback port, configured per test from an app added to the `entra`
fixture's tenant, exactly as its administrator would copy the values from "Set up <app>".

Only the plugin's public API is used: `entra.add_app`, `add_user`, `assign`, `sign_in`,
`response` and `audit`. Chromium is the system's (Debian's), as in this project's own e2e.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from live_sp import LiveSp, free_port
from werkzeug.serving import make_server

from mock_idp.testing import EntraClient


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
    # Headless, Debian's headless shell when installed: the same Chromium, about half the CPU.
    shell = browser_type_launch_args.get("headless", True) and shutil.which(
        "chromium-headless-shell"
    )
    system = shell or shutil.which("chromium") or shutil.which("chromium-browser")
    flags = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    args = {**browser_type_launch_args, "args": flags}
    if system:
        args["executable_path"] = system
    return args
