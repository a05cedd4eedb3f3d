"""Deterministic mode end to end: two mock processes, same --clock and --seed, same requests.

One after the other on the same loopback port (the URL is part of many answers), each run signs
B.Simon in and provokes an AADSTS error page; every answer is compared byte for byte. Two things
are not the mock's to fix and are left out: the HTTP `Date` header (werkzeug writes the wall
clock) and the sign-in page's CSRF token (flask-wtf: random bytes and the wall clock).
"""

from __future__ import annotations

import http.client
import json
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from devserver.processes import App, free_port, start_all, stop_all
from tests.mock_idp.saml_requests import authn_request, redirect_query

TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
CLOCK = "2026-01-01T00:00:00Z"


class Browserish:
    """Just enough of a browser: one cookie jar, one loopback host, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = urlsplit(base)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None, content_type: str = ""
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.base.hostname or "", self.base.port, timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        kept = {k: v for k, v in answer.getheaders() if k.lower() not in ("date", "server")}
        for value in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return answer.status, kept, data


def one_run(base: str, log_dir: Path) -> list[tuple[str, object]]:
    """Starts a mock, runs the requests, stops it; returns what must be identical."""
    env = {"IDP_URL": base, "SP_URL": "http://localhost:8000", "MOCK_IDP_SECRET_KEY": "same"}
    mock = App(
        name="mock",
        argv=["-m", "mock_idp", "--test-mode", "--clock", CLOCK, "--seed", "42"],
        url=base,
        env=env,
        log_path=log_dir / "mock.log",
    )
    seen: list[tuple[str, object]] = []
    start_all([mock])
    try:
        browser = Browserish(base)
        metadata = f"/{TENANT_ID}/federationmetadata/2007-06/federationmetadata.xml"
        seen.append(("metadata", browser.request("GET", metadata)))
        start = browser.request("GET", f"/{TENANT_ID}/saml2?{redirect_query(authn_request())}")
        seen.append(("saml2 redirect", start))
        sign_in_page = browser.request("GET", start[1]["Location"])[2].decode()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', sign_in_page)
        assert token, sign_in_page[:400]
        form = f"login=B.Simon%40contoso.com&passwd=Passw0rd%21&csrf_token={quote(token[1])}"
        kmsi = browser.request(
            "POST",
            f"/{TENANT_ID}/login/password",
            form,
            "application/x-www-form-urlencoded",
        )[2].decode()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', kmsi)
        assert token and "Stay signed in?" in kmsi, kmsi[:400]
        posted = browser.request(  # "Stay signed in?" No
            "POST",
            f"/{TENANT_ID}/kmsi",
            f"LoginOptions=3&csrf_token={quote(token[1])}",
            "application/x-www-form-urlencoded",
        )
        seen.append(("response page", posted))
        seen.append(("issued", browser.request("GET", "/_harness/last-response")))
        seen.append(("AADSTS page", browser.request("GET", f"/{TENANT_ID}/saml2?SAMLRequest=x")))
        advanced = browser.request(
            "POST", "/_harness/clock", json.dumps({"advance": "PT61M"}), "application/json"
        )
        seen.append(("clock", advanced))
    finally:
        stop_all([mock])
    return seen


def test_two_runs_with_the_same_clock_and_seed_answer_byte_for_byte_the_same(
    tmp_path: Path,
) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    first = one_run(base, tmp_path / "first")
    second = one_run(base, tmp_path / "second")

    assert [name for name, _ in first] == [name for name, _ in second]
    for (name, a), (_, b) in zip(first, second, strict=True):
        assert a == b, f"{name} differs between the two runs"
    # And what they said is the fixed clock's, not the wall clock's.
    page = dict(first)["response page"]
    assert isinstance(page, tuple) and page[0] == 200
    issued = json.loads(dict(first)["issued"][2])  # type: ignore[index]
    assert 'IssueInstant="2026-01-01T00:00:00' in issued["xml"]
    clock = json.loads(dict(first)["clock"][2])  # type: ignore[index]
    assert clock["now"] == "2026-01-01T01:01:00Z"
    assert clock["fixed"] and clock["seeded"]
