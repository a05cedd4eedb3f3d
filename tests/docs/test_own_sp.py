"""docs/own-sp.md ("Use it with your own SP"): every command on the page, run as shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from devserver.processes import App, free_port
from mock_idp.testing import EntraClient, EntraServer
from tests.docs.own_sp import code_block, commands

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"


def shell_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        **extra,
    }


class ShellApp(App):
    """A server started by a docs command line, as a user's shell would run it."""

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["bash", "-c", f"exec {self.argv[0]}"], cwd=self.log_path.parent,
                env=dict(self.env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip


@contextmanager
def served(command: str, tmp_path: Path) -> Iterator[tuple[str, ShellApp]]:
    port = free_port()
    env = shell_env(tmp_path, MOCK_ENTRA_PORT=str(port), MOCK_IDP_API_TOKEN="docs-token")
    url = f"http://127.0.0.1:{port}"
    app = ShellApp(name=command, argv=[command], url=url, env=env, log_path=tmp_path / "mock.log")
    app.start()
    try:
        app.wait_ready(time.monotonic() + 30)
        yield url, app
    finally:
        app.stop()


def test_every_command_on_the_page_is_run_here() -> None:
    from tests.testing import test_wheel

    marked = {
        mark.args[0]
        for module in (sys.modules[__name__], test_wheel)
        for test in vars(module).values()
        for mark in getattr(test, "pytestmark", [])
        if mark.name == "docs_command"
    }
    assert commands() and set(commands()) <= marked, set(commands()) - marked


@pytest.mark.docs_command("mock-entra serve")
def test_serve_answers_on_loopback_with_its_banner(tmp_path: Path) -> None:
    with served("mock-entra serve", tmp_path) as (url, app):
        assert "admin center" in app.log_tail(40) and "keys folder" in app.log_tail(40)
    assert (tmp_path / "cache" / "mock-entra" / "idp-signing.crt").exists()


@pytest.mark.docs_command("mock-entra serve --config my-tenant.toml")
def test_serve_with_the_tenant_file_of_the_page(tmp_path: Path) -> None:
    (tmp_path / "my-tenant.toml").write_text(code_block("toml", "[[apps]]"))
    with served("mock-entra serve --config my-tenant.toml", tmp_path) as (url, _):
        app = EntraClient(url, "docs-token").get_app("0c7d1a52-3f5e-4b8a-9d61-2e4f8a7b6c10")
        assert app.reply_url == "http://localhost:5000/saml/acs"
    assert (tmp_path / "mock-entra-keys" / "apps").is_dir()  # beside the tenant file


CURL = (
    'curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" '
    """-d '{"name": "My SP", "identifiers": ["urn:my-sp"], "reply_urls": """
    """["http://localhost:5000/saml/acs"]}' "$ENTRA/mock/apps\""""
)


@pytest.mark.docs_command(
    'curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d \'{"name": "My SP", "identifiers": ["urn:my-sp"], "reply_urls": ["http://localhost:5000/saml/acs"]}\' "$ENTRA/mock/apps"'  # noqa: E501
)
def test_the_api_sets_up_an_app_in_one_call(tmp_path: Path) -> None:
    assert CURL in commands()
    with EntraServer() as entra:
        env = shell_env(tmp_path, TOKEN=entra.token, ENTRA=entra.url)
        done = subprocess.run(
            ["bash", "-c", CURL], env=env, capture_output=True, text=True, timeout=30, check=True
        )
        answer = json.loads(done.stdout)
        assert answer["loginUrl"] == f"{entra.url}/{entra.tenant_id}/saml2"
        assert answer["entraIdentifier"] == f"https://sts.windows.net/{entra.tenant_id}/"
        assert answer["certificatePem"].startswith("-----BEGIN CERTIFICATE-----")
