"""`mock-entra`: its commands, serving on loopback, stable keys across restarts, export."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from devserver.processes import App, free_port
from mock_idp import cli
from mock_idp.keys import default_folder
from tests.mock_idp.test_graph_api import NEW_USER

SCRIPT = Path(sys.executable).parent / "mock-entra"
APP_ID = "11111111-2222-4333-8444-555555555555"
TENANT = f"""
[tenant]
id = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
name = "Contoso"
domain = "contoso.com"

[admin]
upn = "admin@contoso.com"
password = "Adm1n-Passw0rd!"

[[apps]]
name = "My SP"
app_id = "{APP_ID}"
identifiers = ["urn:my-sp"]
reply_urls = ["http://localhost:5000/acs"]
certificates = [{{ generate = true }}]
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_help_lists_every_command() -> None:
    shown = run("--help")
    assert shown.returncode == 0
    for command in ("serve", "export"):
        assert command in shown.stdout
    serve = run("serve", "--help").stdout
    for option in ("--config", "--host", "--port", "--keys", "--workers", "--test-mode"):
        assert option in serve


@contextmanager
def serving(tmp_path: Path, *extra: str, name: str = "serve") -> Iterator[tuple[str, App]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = App(
        name="mock-entra",
        argv=["-m", "mock_idp.cli", "serve", "--port", str(port), "--token", "t0k", *extra],
        url=url,
        log_path=tmp_path / f"{name}.log",
    )
    app.start()
    try:
        app.wait_ready(__import__("time").monotonic() + 30)
        yield url, app
    finally:
        app.stop()


def thumbprint(url: str) -> str:
    request = urllib.request.Request(
        f"{url}/mock/apps/{APP_ID}", headers={"Authorization": "Bearer t0k"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        found: str = json.load(response)["certificateThumbprint"]
        return found


def test_a_generated_certificate_is_kept_and_reused_on_the_next_start(tmp_path: Path) -> None:
    config = tmp_path / "tenant.toml"
    config.write_text(TENANT)
    with serving(tmp_path, "--config", str(config), name="first") as (url, app):
        first = thumbprint(url)
    assert "keys folder" in app.log_tail(50) and "not loopback" not in app.log_tail(50)
    keys = tmp_path / "mock-entra-keys"  # beside the tenant file by default
    assert (keys / "apps" / f"{APP_ID}.key").exists()
    assert (keys / "idp-signing.crt").exists()
    with serving(tmp_path, "--config", str(config), name="second") as (url, _):
        assert thumbprint(url) == first
    with serving(tmp_path, "--config", str(config), "--keys", str(tmp_path / "k")) as (url, _):
        assert thumbprint(url) != first  # another keys folder: another certificate


def test_several_workers_run_under_gunicorn(tmp_path: Path) -> None:
    config = tmp_path / "tenant.toml"
    config.write_text(TENANT)
    with serving(tmp_path, "--config", str(config), "--workers", "2") as (url, app):
        with urllib.request.urlopen(url + "/", timeout=10) as response:
            assert b"Mock Microsoft Entra ID" in response.read()
        assert "with 2 workers" in app.log_tail(80)
        created = api(url, "/v1.0/users", NEW_USER)
        # Every worker answers for the new user at once (one tenant, one store for all).
        for _ in range(8):
            assert api(url, "/v1.0/users/pat.lee@contoso.com")["id"] == created["id"]


def api(url: str, path: str, body: object = None) -> dict[str, object]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": "Bearer t0k", "Content-Type": "application/json"}
    request = urllib.request.Request(url + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        found: dict[str, object] = json.load(response)
        return found


def args(**values: object) -> argparse.Namespace:
    defaults: dict[str, object] = {
        "host": "127.0.0.1", "port": 8001, "url": None, "keys": None, "config": None,
        "sp_url": None, "token": None, "test_mode": False,
    }  # fmt: skip
    return argparse.Namespace(**{**defaults, **values})


def test_loopback_by_default_and_a_loud_warning_otherwise(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    quiet = cli.banner(cli.serve_config(args(), env), "127.0.0.1", 8001, 1, "t")
    assert "WARNING" not in quiet
    config = cli.serve_config(args(host="0.0.0.0"), env)
    assert config.base_url == "http://localhost:8001"
    loud = cli.banner(config, "0.0.0.0", 8001, 1, "t")
    assert loud.startswith("!" * 78) and "WARNING: bound to 0.0.0.0, not loopback" in loud
    assert cli.is_loopback("::1") and cli.is_loopback("127.0.0.2")
    assert not cli.is_loopback("192.168.1.10")


def test_the_default_keys_folder_is_a_per_user_cache(tmp_path: Path) -> None:
    assert default_folder(None, {"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "mock-entra"
    assert default_folder(None, {"HOME": str(tmp_path)}) == tmp_path / ".cache" / "mock-entra"
    assert default_folder(tmp_path / "t.toml", {}) == tmp_path / "mock-entra-keys"


def test_export_writes_a_tenant_file_that_loads(tmp_path: Path) -> None:
    config = tmp_path / "tenant.toml"
    config.write_text(TENANT)
    out = tmp_path / "exported.toml"
    done = run("export", "--config", str(config), "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "key_pem" in text and APP_ID in text
    again = run("export", "--config", str(out), "--keys", str(tmp_path / "mock-entra-keys"))
    assert again.returncode == 0 and APP_ID in again.stdout


def test_export_from_a_mock_that_does_not_answer_says_so(tmp_path: Path) -> None:
    done = run("export", "--entra", f"http://127.0.0.1:{free_port()}", "--token", "x")
    assert done.returncode == 2 and "does not answer" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_tenant_file_stops_serve_with_the_field_named(tmp_path: Path) -> None:
    config = tmp_path / "tenant.toml"
    config.write_text(TENANT.replace("http://localhost:5000/acs", "ftp://x/acs"))
    done = run("serve", "--config", str(config), "--port", str(free_port()))
    assert done.returncode == 2
    assert "apps[0].reply_urls: Reply URL 'ftp://x/acs' is not an absolute URL" in done.stderr


@pytest.mark.parametrize("workers", ["0"])
def test_workers_must_be_positive(workers: str) -> None:
    done = run("serve", "--workers", workers)
    assert done.returncode == 2 and "--workers must be at least 1" in done.stderr
