"""`mock-entra audit` against live SPs over loopback HTTP: our Trakstar clone refuses every
must-reject case; the python3-saml example lets through what that library leaves to the app."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from mock_idp.audit.model import CONTROL
from mock_idp.faults.catalogue import CATALOGUE
from mock_idp.testing import EntraClient
from tests.audit.conftest import TOKEN, Live, audit_command

# What python3-saml 1.16 in strict mode, set up as the example is, lets through. Seen from
# outside: no replay cache and no pending-request check unless the app keeps one (replay,
# unsolicited, login-csrf); IdP-signed shapes and algorithms xmlsec verifies but a strict SP
# refuses (two-references, xslt-transform, md5-digest), a ds:Object added after signing;
# optional elements it does not insist on (Destination, Recipient, Audience, a bearer expiry);
# no IssueInstant age limit, no tenant claim check, and no size limit of its own; and, as the
# example keys its session on the NameID, the identity cases (nOAuth class).
EXAMPLE_FINDINGS = {
    "identity-mail-changed",
    "identity-upn-renamed",
    "identity-displayname-nameid",
    "replay",
    "unsolicited",
    "login-csrf",
    "two-references",
    "xslt-transform",
    "md5-digest",
    "ds-object-in-signature",
    "destination-missing",
    "recipient-missing",
    "audience-missing",
    "subject-confirmation-no-expiry",
    "issue-instant-old",
    "tenantid-claim-mismatch",
    "oversized-response",
    "oversized-post",
}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(audit_command(*args), capture_output=True, text=True, timeout=300)


def rows(table: str) -> dict[str, list[str]]:
    """The table's rows by case name: [expected, what the SP did, verdict]."""
    found = {}
    for line in table.splitlines()[2:]:
        cells = [c for c in line.split("  ") if c.strip()]
        if len(cells) == 4:
            found[cells[0].strip()] = [c.strip() for c in cells[1:]]
    return found


def test_trakstar_clone_refuses_every_attack(live: Live, tmp_path: Path) -> None:
    report = tmp_path / "trakstar.xml"
    done = run_cli(*live.trakstar_args, "--junit", str(report))
    print(done.stdout)  # the table, for the record
    assert done.returncode == 0, done.stdout + done.stderr
    table = rows(done.stdout)
    assert set(table) == {c.name for c in CATALOGUE}
    assert {row[2] for row in table.values()} == {"pass"}
    assert table[CONTROL][1].startswith("signed in")
    assert table["xsw3"][1].startswith("refused") and table["replay"][1].startswith("refused")
    suite = ElementTree.parse(report).getroot()
    assert (suite.get("tests"), suite.get("failures")) == (str(len(CATALOGUE)), "0")


def test_python_api_returns_one_result_per_case(live: Live) -> None:
    entra = EntraClient(live.idp_url, TOKEN)  # what the `entra` fixture yields
    results = entra.audit(
        identifier="https://perform.trakstar.com",
        sign_on_url=f"{live.sp_url}/auth/saml/?namespace=contoso",
        user="B.Simon@contoso.com",
        password="Passw0rd!",
        probe_url=f"{live.sp_url}/dashboard",
        probe_text="Signed in as",
        cases=["xsw1", "replay"],
    )
    assert [(r.case, r.expected, r.passed) for r in results] == [
        ("valid", "accept", True),
        ("xsw1", "reject (malformed)", True),
        ("replay", "reject (unsolicited)", True),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--case", "xsw99"), "--case: no fault case 'xsw99' in the catalogue. Did you mean"),
        (("--token", "wrong"), "--token: the mock at"),
        (("--identifier", "https://nobody.example"), "--identifier: no app in the mock has"),
        (("--password", "wrong"), "--user: the mock refused B.Simon@contoso.com"),
        (("--probe-url", "ftp://x"), "--probe-url: 'ftp://x' is not an http:// or https:// URL"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    live: Live, change: tuple[str, str], message: str
) -> None:
    args = list(live.trakstar_args)
    if change[0] in args:
        args[args.index(change[0]) + 1] = change[1]
    else:
        args += change
    done = run_cli(*args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"mock-entra audit: {message}"), done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert done.stdout == ""


def test_an_sp_that_does_not_answer_exits_2(live: Live) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    args = list(live.trakstar_args)
    args[args.index("--sign-on-url") + 1] = f"http://127.0.0.1:{port}/login"
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"mock-entra audit: --sign-on-url: http://127.0.0.1:{port} does not answer"
    ), done.stderr


def test_sign_on_url_that_never_reaches_the_mock(live: Live) -> None:
    args = list(live.trakstar_args)
    args[args.index("--sign-on-url") + 1] = f"{live.sp_url}/login"
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("mock-entra audit: --sign-on-url: "), done.stderr
    assert "instead of sending the browser to the mock" in done.stderr


def pytest_form(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`pytest --entra-audit …` in a folder that is not this project (no config of ours)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--entra-audit", "-p", "no:cacheprovider",
         "--rootdir", str(cwd), "-rA", *args],
        capture_output=True, text=True, timeout=300, cwd=cwd,
    )  # fmt: skip


def as_pytest(args: list[str]) -> list[str]:
    """The command's options with the plugin's prefix: --entra X -> --audit-entra X."""
    return [f"--audit-{a[2:]}" if a.startswith("--") else a for a in args]


def test_pytest_form_one_test_per_case(live: Live, tmp_path: Path) -> None:
    (tmp_path / "test_own.py").write_text("def test_own():\n    pass\n")
    chosen = ["--audit-case", "xsw1", "--audit-case", "replay", "--audit-case", "unsolicited"]
    done = pytest_form(*as_pytest(live.example_args), *chosen, cwd=tmp_path)
    lines = done.stdout.splitlines()
    assert "PASSED entra-audit::valid" in lines, done.stdout
    assert "PASSED entra-audit::xsw1" in lines
    assert any(line.startswith("FAILED entra-audit::replay - FINDING: ") for line in lines)
    assert any(line.startswith("FAILED entra-audit::unsolicited - FINDING") for line in lines)
    assert "FINDING: expected reject (unsolicited); the SP: signed in (HTTP 302)" in done.stdout
    assert "2 failed, 2 passed, 1 deselected" in done.stdout
    assert done.returncode == 1


def test_pytest_form_bad_input_is_one_failing_test(live: Live, tmp_path: Path) -> None:
    done = pytest_form(*as_pytest(live.trakstar_args), "--audit-case", "xsw99", cwd=tmp_path)
    assert "FAILED entra-audit::input - --case: no fault case 'xsw99'" in done.stdout, done.stdout
    assert "1 failed" in done.stdout and done.returncode == 1


def test_idp_initiated_from_my_apps(live: Live) -> None:
    url = live.idp_initiated_url
    done = run_cli(
        *("--entra", live.idp_url, "--token", TOKEN, "--identifier", f"{url}/metadata"),
        *("--acs-url", f"{url}/acs", "--user", "B.Simon@contoso.com", "--password", "Passw0rd!"),
        *("--probe-url", f"{url}/", "--probe-text", "Signed in as"),
        *("--case", "xsw3", "--case", "unsolicited", "--case", "replay"),
    )
    table = rows(done.stdout)
    assert list(table) == ["valid", "xsw3", "replay"], done.stdout + done.stderr
    assert table["valid"][2] == "pass" and table["xsw3"][2] == "pass"
    assert table["replay"][2] == "FINDING" and done.returncode == 1


def test_idp_initiated_needs_the_apps_default_reply_url(live: Live) -> None:
    url = live.idp_initiated_url
    done = run_cli(
        *("--entra", live.idp_url, "--token", TOKEN, "--identifier", f"{url}/metadata"),
        *("--acs-url", f"{url}/other", "--user", "B.Simon@contoso.com", "--password", "x"),
        *(
            "--probe-url",
            f"{url}/",
        ),
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"mock-entra audit: --acs-url: '{url}/other' is not the default Reply URL of Example SP, "
        f"IdP-initiated in the mock ('{url}/acs'): IdP-initiated sign-ins are posted to the "
        "default one\n"
    )
