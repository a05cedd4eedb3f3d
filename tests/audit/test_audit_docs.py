"""docs/audit.md, followed as a reader would: its tenant file, `mock-entra serve`, the
certificate from the API, the example SP (examples/python3_saml_flask/README.md), the audit and
its pytest form — each command run exactly as written, through bash, with the page's variables
pointing at free loopback ports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from devserver.processes import ROOT, free_port, wait_for_http
from mock_idp.faults.catalogue import CATALOGUE
from tests.audit.test_audit_live import EXAMPLE_FINDINGS, rows
from tests.conftest import TENANT_ID

PAGE = ROOT / "docs" / "audit.md"
SERVE = (
    'mock-entra serve --test-mode --config tenant.toml --port "$ENTRA_PORT" '
    '--token "$ENTRA_TOKEN" --sp-url "$SP_URL"'
)
CERTIFICATE = (
    'curl -s -H "Authorization: Bearer $ENTRA_TOKEN" '
    '"$ENTRA_URL/mock/apps/2b7c5e1a-9d3f-4c68-8a0e-6f1d2c3b4a59" | jq -r .certificateBase64'
)
EXAMPLE = "python examples/python3_saml_flask/example_sp.py"
AUDIT = """mock-entra audit --entra "$ENTRA_URL" --token "$ENTRA_TOKEN" \\
--identifier "$SP_URL/metadata" --sign-on-url "$SP_URL/login" \\
--user B.Simon@contoso.com --password 'Passw0rd!' \\
--probe-url "$SP_URL/" --probe-text 'Signed in as' --junit audit.xml"""
OWN = """mock-entra audit --config tenant.toml --port "$ENTRA_PORT" --sp-url "$SP_URL" \\
--identifier "$SP_URL/metadata" --sign-on-url "$SP_URL/login" \\
--user B.Simon@contoso.com --password 'Passw0rd!' \\
--probe-url "$SP_URL/" --probe-text 'Signed in as' --case xsw3"""
PYTEST = """pytest --entra-audit --audit-entra "$ENTRA_URL" --audit-token "$ENTRA_TOKEN" \\
--audit-identifier "$SP_URL/metadata" --audit-sign-on-url "$SP_URL/login" \\
--audit-user B.Simon@contoso.com --audit-password 'Passw0rd!' \\
--audit-probe-url "$SP_URL/" --audit-probe-text 'Signed in as' \\
--audit-case xsw3 --audit-case replay --junitxml audit.xml"""


def toml_block(markdown: str) -> str:
    found = re.search(r"```toml\n(.*?)```", markdown, re.S)
    assert found, "docs/audit.md shows the tenant file"
    return found.group(1)


def wait_until_answers(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    if not wait_for_http(url, time.monotonic() + 30, process):
        raise AssertionError(f"{url} never answered:\n{log.read_text()}")


class Reader:
    """A shell with the page's variables set, in a folder of the reader's own."""

    def __init__(self, folder: Path) -> None:
        port = free_port()
        self.folder = folder
        self.env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "ENTRA_PORT": str(port),
            "ENTRA_URL": f"http://127.0.0.1:{port}",
            "ENTRA_TOKEN": "audit-docs-token",
            "SP_URL": f"http://localhost:{free_port()}",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def run(self, command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command], cwd=cwd or self.folder, env=self.env, capture_output=True,
            text=True, timeout=300, check=False,
        )  # fmt: skip

    def start(self, command: str, url: str, *, cwd: Path, log: str) -> None:
        log_path = self.folder / log
        with log_path.open("wb") as out:
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"], cwd=cwd, env=self.env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.processes[log] = process
        wait_until_answers(url, process, log_path)

    def stop(self, *logs: str) -> None:
        for log in logs or list(self.processes):
            process = self.processes.pop(log)
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    """The mock and the example SP, started by the page's commands."""
    shell = Reader(tmp_path_factory.mktemp("reader"))
    (shell.folder / "tenant.toml").write_text(toml_block(PAGE.read_text()))
    try:
        shell.start(SERVE, shell.env["ENTRA_URL"], cwd=shell.folder, log="mock.log")
        certificate = shell.run(CERTIFICATE)
        assert certificate.returncode == 0, certificate.stderr
        shell.env |= {
            "ENTRA_LOGIN_URL": f"{shell.env['ENTRA_URL']}/{TENANT_ID}/saml2",
            "ENTRA_IDENTIFIER": f"https://sts.windows.net/{TENANT_ID}/",
            "ENTRA_CERTIFICATE": certificate.stdout.strip(),
        }
        shell.start(EXAMPLE, shell.env["SP_URL"], cwd=ROOT, log="example.log")
        yield shell
    finally:
        shell.stop()


def documented(request: pytest.FixtureRequest) -> set[str]:
    """The commands this test's markers name (literals, so the docs meta-test can read them)."""
    return {m.args[0] for m in request.node.iter_markers("docs_command")}


@pytest.mark.docs_command(
    'mock-entra serve --test-mode --config tenant.toml --port "$ENTRA_PORT" '
    '--token "$ENTRA_TOKEN" --sp-url "$SP_URL"'
)
@pytest.mark.docs_command(
    'curl -s -H "Authorization: Bearer $ENTRA_TOKEN" '
    '"$ENTRA_URL/mock/apps/2b7c5e1a-9d3f-4c68-8a0e-6f1d2c3b4a59" | jq -r .certificateBase64'
)
def test_the_mock_serves_the_pages_tenant_with_a_stable_key(
    reader: Reader, request: pytest.FixtureRequest
) -> None:
    assert documented(request) == {SERVE, CERTIFICATE}
    certificate = reader.env["ENTRA_CERTIFICATE"]
    assert re.fullmatch(r"[A-Za-z0-9+/]{200,}={0,2}", certificate)
    assert (reader.folder / "mock-entra-keys").is_dir()  # kept for the next start
    again = reader.run(CERTIFICATE)
    assert again.stdout.strip() == certificate


@pytest.mark.docs_command("python examples/python3_saml_flask/example_sp.py")
@pytest.mark.docs_command(
    'mock-entra audit --entra "$ENTRA_URL" --token "$ENTRA_TOKEN" \\\n'
    '--identifier "$SP_URL/metadata" --sign-on-url "$SP_URL/login" \\\n'
    "--user B.Simon@contoso.com --password 'Passw0rd!' \\\n"
    "--probe-url \"$SP_URL/\" --probe-text 'Signed in as' --junit audit.xml"
)
def test_the_audit_as_the_page_shows_it(reader: Reader, request: pytest.FixtureRequest) -> None:
    assert documented(request) == {EXAMPLE, AUDIT}
    done = reader.run(AUDIT)

    print(done.stdout)  # the example's table, for the record
    assert done.returncode == 1, done.stdout + done.stderr  # the example's findings
    table = rows(done.stdout)
    assert table["valid"] == ["accept", "signed in (HTTP 302)", "pass"]
    assert table["replay"] == ["reject (unsolicited)", "signed in (HTTP 302)", "FINDING"]
    findings = {name for name, row in table.items() if row[2] == "FINDING"}
    assert findings >= EXAMPLE_FINDINGS  # what python3-saml is known to let through
    assert {row[2] for row in table.values()} == {"pass", "FINDING"}
    # The signature layer holds: no wrapping, stripping or foreign key gets a session.
    for section in ("A", "B", "C"):
        for case in CATALOGUE:
            if case.section == section and case.name not in EXAMPLE_FINDINGS:
                assert table[case.name][2] == "pass", (case.name, table[case.name])
    assert table["comment-in-nameid"][1:] == ["signed in (HTTP 302), as the signed name", "pass"]
    assert done.stdout.splitlines()[-1].startswith(
        f"{len(table)} cases: {len(table) - len(findings)} passed, "
        f"{len(findings)} findings (a session where none is due): "
    )
    suite = ElementTree.parse(reader.folder / "audit.xml").getroot()
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert (suite.get("tests"), failed) == (str(len(table)), findings)


@pytest.mark.docs_command(
    'pytest --entra-audit --audit-entra "$ENTRA_URL" --audit-token "$ENTRA_TOKEN" \\\n'
    '--audit-identifier "$SP_URL/metadata" --audit-sign-on-url "$SP_URL/login" \\\n'
    "--audit-user B.Simon@contoso.com --audit-password 'Passw0rd!' \\\n"
    "--audit-probe-url \"$SP_URL/\" --audit-probe-text 'Signed in as' \\\n"
    "--audit-case xsw3 --audit-case replay --junitxml audit.xml"
)
def test_the_pytest_form_as_the_page_shows_it(
    reader: Reader, request: pytest.FixtureRequest
) -> None:
    assert documented(request) == {PYTEST}
    done = reader.run(PYTEST)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 2 passed" in done.stdout
    suite = ElementTree.parse(reader.folder / "audit.xml").getroot()
    cases = {c.get("name"): c.find("failure") is not None for c in suite.iter("testcase")}
    assert cases == {"valid": False, "xsw3": False, "replay": True}


@pytest.mark.docs_command(
    'mock-entra audit --config tenant.toml --port "$ENTRA_PORT" --sp-url "$SP_URL" \\\n'
    '--identifier "$SP_URL/metadata" --sign-on-url "$SP_URL/login" \\\n'
    "--user B.Simon@contoso.com --password 'Passw0rd!' \\\n"
    "--probe-url \"$SP_URL/\" --probe-text 'Signed in as' --case xsw3"
)
def test_the_audit_serving_the_tenant_file_itself(
    reader: Reader, request: pytest.FixtureRequest
) -> None:
    """In place of the stopped `mock-entra serve`, on its port, with its generated key."""
    assert documented(request) == {OWN}
    reader.stop("mock.log")
    try:
        done = reader.run(OWN)
    finally:
        reader.start(SERVE, reader.env["ENTRA_URL"], cwd=reader.folder, log="mock.log")

    assert done.returncode == 0, done.stdout + done.stderr
    assert [(case, row[2]) for case, row in rows(done.stdout).items()] == [
        ("valid", "pass"),  # the example SP still trusts the key kept in mock-entra-keys/
        ("xsw3", "pass"),
    ]
