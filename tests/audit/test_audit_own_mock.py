"""`mock-entra audit --config FILE`: the audit serves the tenant file itself, on the port the
SP trusts, with the file's keys, and stops it afterwards."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver.processes import App, free_port, start_all, stop_all
from tests.audit.conftest import EXAMPLE, audit_command, certificate_base64
from tests.audit.test_audit_live import rows
from tests.conftest import TENANT_ID

TENANT = """
[tenant]
id = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
name = "Contoso"
domain = "contoso.com"

[admin]
upn = "admin@contoso.com"
password = "Adm1n-Passw0rd!"

[[users]]
upn = "B.Simon@contoso.com"
display_name = "B.Simon"
password = "Passw0rd!"

[[apps]]
name = "Example SP"
identifiers = ["{SP_URL}/metadata"]
reply_urls = ["{SP_URL}/acs"]
sign_on_url = "{SP_URL}/login"
assigned = ["B.Simon@contoso.com"]

[[apps.certificates]]
key = "{CERTS_DIR}/idp-signing.key"
cert = "{CERTS_DIR}/idp-signing.crt"
active = true
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, str]]:
    """A tenant file, the port its mock will have, and the example SP trusting that mock."""
    folder = tmp_path_factory.mktemp("own-mock")
    (folder / "tenant.toml").write_text(TENANT)
    port, sp_url = free_port(), f"http://localhost:{free_port()}"
    example = App(
        name="example SP",
        argv=[str(EXAMPLE)],
        url=sp_url,
        log_path=folder / "example.log",
        env={
            "SP_URL": sp_url,
            "ENTRA_LOGIN_URL": f"http://127.0.0.1:{port}/{TENANT_ID}/saml2",
            "ENTRA_IDENTIFIER": f"https://sts.windows.net/{TENANT_ID}/",
            "ENTRA_CERTIFICATE": certificate_base64(),
        },
    )
    start_all([example])
    try:
        yield folder, port, sp_url
    finally:
        stop_all([example])


def own_audit(folder: Path, port: int, sp_url: str, *more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        audit_command(
            *("--config", str(folder / "tenant.toml"), "--port", str(port), "--sp-url", sp_url),
            *("--identifier", f"{sp_url}/metadata", "--sign-on-url", f"{sp_url}/login"),
            *("--user", "B.Simon@contoso.com", "--password", "Passw0rd!"),
            *("--probe-url", f"{sp_url}/", "--probe-text", "Signed in as"),
            *more,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_audit_serves_its_own_mock(setup: tuple[Path, int, str]) -> None:
    done = own_audit(*setup, "--case", "xsw3", "--case", "replay")

    table = rows(done.stdout)
    assert [(case, row[2]) for case, row in table.items()] == [
        ("valid", "pass"),
        ("xsw3", "pass"),
        ("replay", "FINDING"),
    ], done.stdout + done.stderr
    assert done.returncode == 1
    assert done.stderr == ""  # the mock's request and case logs stay out of the report
    with socket.socket() as sock:  # and it is gone afterwards: nothing listens there again
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not a listener
        sock.bind(("127.0.0.1", setup[1]))
        sock.listen()


def test_a_busy_port_or_a_missing_file_exits_2(setup: tuple[Path, int, str]) -> None:
    folder, port, sp_url = setup
    missing = own_audit(folder / "nowhere", port, sp_url)
    assert missing.returncode == 2
    assert missing.stderr.startswith("mock-entra audit: --config: no tenant file at ")

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        done = own_audit(folder, taken, sp_url)
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"mock-entra audit: --port: cannot serve the mock on http://127.0.0.1:{taken}"
    ), done.stderr
