"""The pytest plugin (entry point `pytest11: mock_entra`): the `entra` fixture.

`entra` (session-scoped) is one live mock Entra ID on a free loopback port (or, with
`--entra-url URL --entra-token T`, a mock started elsewhere, e.g. a CI service). Its tenant
starts empty apart from its admin account, and is reset before each test that uses it.

Keeping state across tests: mark a test `@pytest.mark.entra_keep_state` (the tenant is not
reset before it), or set `entra_reset = false` in your pytest ini to never reset; or build
shared objects in a session fixture of your own and mark the tests that use them.

Options: override the session fixture `entra_options` in your `conftest.py`:

    @pytest.fixture(scope="session")
    def entra_options():
        return EntraOptions(tenant_file=Path("tests/tenant.toml"))
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mock_idp.testing.client import EntraClient
from mock_idp.testing.server import EntraOptions, EntraServer

KEEP_STATE = "entra_keep_state"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mock-entra", "mock Entra ID (the entra fixture)")
    group.addoption("--entra-url", help="use a running mock at this URL instead of starting one")
    group.addoption("--entra-token", help="its automation API token (or MOCK_IDP_API_TOKEN)")
    parser.addini("entra_reset", "reset the mock's tenant before each test using entra", "bool",
                  default=True)  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{KEEP_STATE}: do not reset the mock Entra ID's tenant before this test"
    )


@pytest.fixture(scope="session")
def entra_options() -> EntraOptions:
    """The options of the session's mock; override it in a conftest.py."""
    return EntraOptions()


@pytest.fixture(scope="session")
def entra(request: pytest.FixtureRequest, entra_options: EntraOptions) -> Iterator[EntraClient]:
    """The session's mock Entra ID (its tenant is reset before each test that uses it)."""
    url = request.config.getoption("--entra-url")
    if url:
        token = request.config.getoption("--entra-token") or os.environ.get(
            "MOCK_IDP_API_TOKEN", ""
        )
        yield EntraClient(url, token)
        return
    server = EntraServer(entra_options)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _entra_reset(request: pytest.FixtureRequest) -> None:
    """Before each test that uses `entra` (directly or through another fixture)."""
    if "entra" not in request.fixturenames or not request.config.getini("entra_reset"):
        return
    if request.node.get_closest_marker(KEEP_STATE) is None:
        client: EntraClient = request.getfixturevalue("entra")
        client.reset()
