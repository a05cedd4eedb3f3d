"""Both apps and one Chromium per test session; a fresh browser context per test.

The apps run as real processes on loopback ports, started the way `make run` starts them, each
with a throwaway database. Chromium is Debian's, launched by path (its headless shell when
installed, `--headed` the browser); Playwright's own download is used only where the system has
none.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devserver.processes import both_apps, free_port, start_all, stop_all

TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
API_TOKEN = "e2e-api-token"  # the mock's automation API bearer token in this suite
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",  # CI containers give /dev/shm 64 MB: Chromium's tabs crash there
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in item.nodeid.split("/")[0]:
            item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class Harness:
    sp_url: str
    idp_url: str
    database: Path
    sp_log: Path
    idp_log: Path
    api_token: str = API_TOKEN

    @property
    def sign_on_url(self) -> str:
        return f"{self.sp_url}/auth/saml/?namespace=contoso"

    @property
    def saml2_url(self) -> str:
        return f"{self.idp_url}/{TENANT_ID}/saml2"

    def travel(self, duration: str) -> None:
        """Moves both apps' clocks forward by an ISO 8601 duration ("PT61M"): no sleeping.

        The clocks never move back, so a test that travels should own its harness or run last.
        """
        for url in (f"{self.idp_url}/_harness/clock", f"{self.sp_url}/_test/clock"):
            request = urllib.request.Request(
                url,
                data=json.dumps({"advance": duration}).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as answer:  # loopback
                assert answer.status == 200


@contextmanager
def running_apps(
    folder: Path, *, sp_url: str = "", idp_url: str = "", env: Mapping[str, str] | None = None
) -> Iterator[Harness]:
    """Both apps as real processes in test mode, on free loopback ports unless given, each with
    a throwaway database in `folder`; `env` adds to (or overrides) their environment."""
    sp_url = sp_url or f"http://localhost:{free_port()}"
    idp_url = idp_url or f"http://127.0.0.1:{free_port()}"
    database = folder / "sp.sqlite3"
    idp, sp = both_apps(
        sp_url=sp_url,
        idp_url=idp_url,
        log_dir=folder,
        env={
            "DATABASE_URL": f"sqlite:///{database}",
            "SP_SECRET_KEY": "e2e-only",
            "MOCK_IDP_SECRET_KEY": "e2e-only",
            "MOCK_IDP_API_TOKEN": API_TOKEN,
            "MOCK_IDP_TRACE": "1",  # as `make run`: the SAML tracer records every flow
            # The suite signs administrators in often: minimal argon2id work (sp/passwords.py).
            "SP_PASSWORD_COST": "test",
            **(env or {}),
        },
        test_mode=True,
    )
    apps = [idp, sp]
    start_all(apps)
    try:
        yield Harness(
            sp_url=sp_url,
            idp_url=idp_url,
            database=database,
            sp_log=sp.log_path,
            idp_log=idp.log_path,
        )
    finally:
        stop_all(apps)


@pytest.fixture(scope="session")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    folder = tmp_path_factory.mktemp("harness")
    sp_url, idp_url = os.environ.get("SP_URL", ""), os.environ.get("IDP_URL", "")
    with running_apps(folder, sp_url=sp_url, idp_url=idp_url) as apps:
        yield apps


def system_chromium(*, headless: bool) -> str | None:
    """Debian's Chromium: headless, its headless shell when installed (the same Blink without
    the desktop browser around it: about half the CPU per test), else the browser itself."""
    shell = shutil.which("chromium-headless-shell") if headless else None
    return shell or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    system = system_chromium(headless=browser_type_launch_args.get("headless", True))
    args = {**browser_type_launch_args, "args": CHROMIUM_FLAGS}
    if system:
        args["executable_path"] = system
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "accept_downloads": True}
