"""A failing run leaves its evidence: pytest runs a tiny suite that fails on purpose (subprocess).

The tiny suite uses the real harness (both apps, Chromium): one test signs B.Simon in, opens a
second browser context of its own, then fails; one fails with no
browser; one passes. Everything is written under a temporary folder, removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parent.parent

CONFTEST = 'pytest_plugins = ["e2e.conftest", "e2e.evidence"]\n'
FAILING_SUITE = """
from playwright.sync_api import Browser, Page

from e2e.conftest import Harness
from e2e.pages import EntraSignIn, Perform


def test_two_browsers_then_a_failure(page: Page, browser: Browser, harness: Harness) -> None:
    page.goto(harness.sign_on_url)  # AuthnRequest out, SAMLResponse back: B.Simon signs in
    EntraSignIn(page).sign_in("B.Simon@contoso.com", "Passw0rd!")
    Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")
    second = browser.new_context()
    second.new_page().goto(harness.idp_url + "/myapps/")
    assert page.title() == "a title this page does not have"


def test_no_browser_fails() -> None:
    assert 6 * 7 == 43, "the answer moved"


def test_this_one_passes(harness: Harness) -> None:
    assert harness.sp_url
"""


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "scratch"
    folder.mkdir()
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "test_fails_on_purpose.py").write_text(FAILING_SUITE)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_failing_run_leaves_traces_screenshots_saml_logs_and_junit(scratch: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "."],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    results = scratch / "test-results"
    browser_test = results / "test_fails_on_purpose.py-test_two_browsers_then_a_failure-chromium"
    plain_test = results / "test_fails_on_purpose.py-test_no_browser_fails"

    # The last line names the folder.
    last_line = done.stdout.strip().splitlines()[-1]
    assert "test-results/test_fails_on_purpose.py-test_no_browser_fails/" in last_line
    assert "and 1 more" in last_line

    # One folder per failing test, nothing for the passing one.
    assert sorted(p.name for p in results.iterdir() if p.is_dir() and p.name[0] != ".") == sorted(
        [browser_test.name, plain_test.name]
    )
    # Both browser contexts: a trace that opens as a zip, and a final screenshot.
    for context in ("browser-1", "browser-2"):
        assert zipfile.is_zipfile(browser_test / context / "trace.zip"), context
        assert (browser_test / context / "screenshot.png").read_bytes()[:4] == b"\x89PNG"
    # The AuthnRequest that travelled, decoded.
    saml = browser_test / "saml"
    index = (saml / "index.txt").read_text()
    assert index.index("SAMLRequest") < index.index("SAMLResponse"), index
    assert any("AuthnRequest" in p.read_text() for p in saml.glob("*SAMLRequest.xml"))
    assert any("B.Simon@contoso.com" in p.read_text() for p in saml.glob("*SAMLResponse.xml"))
    (issued,) = json.loads((browser_test / "mock-responses.json").read_text())
    assert "Assertion" in issued["xml"]
    # Both apps' log lines from that test only: the sign-on request is there.
    assert "/auth/saml/" in (browser_test / "sp.log").read_text()
    assert "/saml2" in (browser_test / "mock_idp.log").read_text()
    assert "a title this page does not have" in (browser_test / "failure.txt").read_text()
    # A test without a browser still says why it failed.
    assert "the answer moved" in (plain_test / "failure.txt").read_text()
    # JUnit XML, always.
    suite = ElementTree.parse(results / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "2")
