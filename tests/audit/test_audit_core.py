"""The audit's pure parts: the plan, the verdicts, the reports, page reading and cookie rules.
No connection is made here, except to a closed loopback port."""

from __future__ import annotations

import http.cookiejar
import socket
import subprocess
import urllib.request
from dataclasses import replace
from http.client import HTTPMessage
from typing import Any
from xml.etree import ElementTree

import pytest

from mock_idp.audit.browser import Browser, is_loopback, site
from mock_idp.audit.errors import AuditError
from mock_idp.audit.forms import form_with, read_page
from mock_idp.audit.model import CaseResult, Observation, Target, check_target, judge, plan
from mock_idp.audit.report import junit, summary, table
from mock_idp.faults.catalogue import CATALOGUE
from tests.audit.conftest import audit_command

TARGET = Target(
    identifier="https://sp.example.test",
    sign_on_url="http://localhost:5000/login",
    user="B.Simon@contoso.com",
    password="Passw0rd!",
    probe_url="http://localhost:5000/",
    probe_text="Sign out",
)


def by_name(name: str) -> object:
    return next(p for p in plan(TARGET) if p.name == name)


def test_plan_runs_the_control_first_then_every_case() -> None:
    planned = plan(TARGET)
    assert planned[0].name == "valid" and planned[0].drive == "control"
    assert [p.name for p in planned] == [c.name for c in CATALOGUE]
    assert {p.name: p.drive for p in planned}["replay"] == "replay"
    assert {p.name: p.drive for p in planned}["login-csrf"] == "capture"


def test_idp_initiated_skips_what_needs_a_request() -> None:
    idp = replace(TARGET, sign_on_url=None, acs_url="http://localhost:5000/acs")
    names = [p.name for p in plan(idp)]
    assert "unsolicited" not in names and "login-csrf" not in names and "replay" in names


def test_chosen_cases_keep_the_control_and_unknown_names_are_refused() -> None:
    assert [p.name for p in plan(TARGET, ["xsw1"])] == ["valid", "xsw1"]
    with pytest.raises(AuditError, match=r"^--case: no fault case 'xsw99'.*Did you mean"):
        plan(TARGET, ["xsw99"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"identifier": " "}, "--identifier"),
        ({"acs_url": "http://localhost:5000/acs"}, "give exactly one of --sign-on-url"),
        ({"sign_on_url": "javascript:alert(1)"}, "--sign-on-url: 'javascript:alert(1)' is not"),
        ({"probe_url": "localhost:5000"}, "--probe-url"),
        ({"user": ""}, "--user"),
        ({"password": ""}, "--password"),
        ({"probe_text": "  "}, "--probe-text"),
    ],
)
def test_bad_target_names_the_option(change: dict[str, str], message: str) -> None:
    fields = {
        "identifier": TARGET.identifier,
        "sign_on_url": TARGET.sign_on_url,
        "user": TARGET.user,
        "password": TARGET.password,
        "probe_url": TARGET.probe_url,
        "probe_text": TARGET.probe_text,
        **change,
    }
    with pytest.raises(AuditError) as raised:
        check_target(Target(**fields))  # type: ignore[arg-type]
    assert str(raised.value).startswith(message)


def test_a_session_for_a_must_reject_case_is_a_finding() -> None:
    seen = Observation(signed_in=True, acs_status=302)
    result = judge(by_name("xsw3"), seen)  # type: ignore[arg-type]
    assert (result.passed, result.verdict, result.observed) == (
        False,
        "FINDING",
        "signed in (HTTP 302)",
    )
    refused = judge(by_name("xsw3"), Observation(signed_in=False, acs_status=403))  # type: ignore[arg-type]
    assert (refused.passed, refused.observed) == (True, "refused (HTTP 403)")


def test_refusing_the_control_fails_and_an_open_redirect_is_a_finding() -> None:
    control = judge(by_name("valid"), Observation(signed_in=False, acs_status=500))  # type: ignore[arg-type]
    assert (control.passed, control.verdict) == (False, "FAIL")
    redirected = judge(
        by_name("relay-state-open-redirect"),  # type: ignore[arg-type]
        Observation(signed_in=True, acs_status=302, left_for="https://evil.example/"),
    )
    assert redirected.verdict == "FINDING"
    assert redirected.observed == "signed in (HTTP 302), redirected to https://evil.example/"


def test_comment_cases_are_judged_by_whom_the_page_names() -> None:
    case: Any = by_name("comment-in-nameid")

    def seen(**names: bool) -> tuple[str, str]:
        result = judge(case, Observation(signed_in=True, acs_status=302, **names))
        return result.verdict, result.observed

    assert seen(names_user=True) == ("FINDING", "signed in (HTTP 302), as the user")
    assert seen(names_signed=True) == ("pass", "signed in (HTTP 302), as the signed name")
    assert seen() == ("FAIL", "signed in (HTTP 302), as whom? (the probe page names no one)")
    refused = judge(case, Observation(signed_in=False, acs_status=403))
    assert (refused.verdict, refused.observed) == ("pass", "refused (HTTP 403)")


def test_table_summary_and_junit() -> None:
    results = [
        CaseResult(
            case="valid", expected="accept", observed="signed in", passed=True, verdict="pass"
        ),
        CaseResult(
            case="replay",
            expected="reject (unsolicited)",
            observed="signed in",
            passed=False,
            verdict="FINDING",
        ),
    ]
    lines = table(results).splitlines()
    assert lines[0].split() == ["case", "expected", "what", "the", "SP", "did", "verdict"]
    assert lines[3].split()[0] == "replay" and lines[3].endswith("FINDING")
    assert summary(results) == (
        "2 cases: 1 passed, 1 findings (a session where none is due): replay."
    )
    suite = ElementTree.fromstring(junit(results, suite="audit"))
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = suite.find("testcase[@name='replay']/failure")
    assert failure is not None and failure.get("type") == "FINDING"
    assert failure.get("message") == "expected reject (unsolicited); the SP: signed in"


def test_pages_are_read_as_a_browser_reads_them() -> None:
    page = read_page(
        '<form method="post" action="/x/login/password"><input type="hidden" name="csrf_token" '
        'value="t&amp;1"><input name="login" value="a@b"><input type="password" name="passwd">'
        '<button type="submit">Go</button></form><div id="aadsts"> AADSTS50105: <b>no</b> </div>'
        '<a id="another-origin-link" href="/h/another-origin/1">link</a>',
        "http://127.0.0.1:8001/t/login",
    )
    form = form_with(page, "passwd")
    assert form is not None and form.action == "http://127.0.0.1:8001/x/login/password"
    assert form.filled(passwd="p") == (("csrf_token", "t&1"), ("login", "a@b"), ("passwd", "p"))
    assert page.texts["aadsts"] == "AADSTS50105: no"
    assert page.links["another-origin-link"] == "http://127.0.0.1:8001/h/another-origin/1"


def test_cookies_follow_browser_rules() -> None:
    assert is_loopback("localhost") and is_loopback("127.0.0.2") and is_loopback("[::1]")
    assert not is_loopback("10.0.0.1") and not is_loopback("sp.example.test")
    assert site("http://localhost:8000/a") != site("http://127.0.0.1:8001/b")
    assert site("https://a.login.example.com/") == site("https://b.example.com/")
    browser = Browser(["http://localhost:5000"])
    headers = HTTPMessage()
    headers["Set-Cookie"] = "lax=1; Path=/; SameSite=Lax; Secure"
    headers["Set-Cookie"] = "none=1; Path=/; SameSite=None; Secure"
    headers["Set-Cookie"] = "plain=1; Path=/"

    class Reply:
        def info(self) -> HTTPMessage:
            return headers

    request = urllib.request.Request("http://localhost:5000/login")
    browser.jar.extract_cookies(Reply(), request)  # type: ignore[arg-type]

    def sent(method: str, cross_site: bool) -> str:
        outgoing = urllib.request.Request("http://localhost:5000/acs", method=method)
        browser.policy.cross_site_method = method if cross_site else None
        browser.jar.add_cookie_header(outgoing)
        return outgoing.get_header("Cookie") or ""

    assert sorted(sent("POST", cross_site=False).split("; ")) == ["lax=1", "none=1", "plain=1"]
    assert sorted(sent("POST", cross_site=True).split("; ")) == ["none=1", "plain=1"]
    assert sorted(sent("GET", cross_site=True).split("; ")) == ["lax=1", "none=1", "plain=1"]
    assert isinstance(browser.jar, http.cookiejar.CookieJar)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed when the block ends: nothing listens


def test_a_mock_that_does_not_answer_exits_2_in_one_line() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    done = subprocess.run(
        audit_command(
            *("--entra", url, "--token", "t", "--identifier", "https://sp.example.test"),
            *("--sign-on-url", "http://localhost:5000/login", "--user", "u@contoso.com"),
            *("--password", "p", "--probe-url", "http://localhost:5000/"),
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"mock-entra audit: --entra: the mock at {url} does not answer")
    assert len(done.stderr.splitlines()) == 1 and done.stdout == ""


def test_a_button_click_adds_its_name_and_value() -> None:
    page = read_page(
        '<form method="post" action="/kmsi"><input type="hidden" name="ctx" value="c">'
        '<input type="submit" id="idBtn_Back" name="choice" value="no">'
        '<button id="idSIButton9" name="choice" value="yes">Yes</button></form>',
        "http://127.0.0.1:8001/t/login",
    )
    (form,) = page.forms
    assert form.clicked("idBtn_Back") == (("ctx", "c"), ("choice", "no"))
    assert form.clicked("idSIButton9") == (("ctx", "c"), ("choice", "yes"))
    assert form.clicked("nope") is None
