"""With several gunicorn workers, one sign-in is one flow: every worker records into, and
reads, the same trace (the mock's shared store), whichever worker answered each hop."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from devserver.processes import App, free_port
from tests.mock_idp.saml_requests import TENANT_ID, authn_request, redirect_query

ROOT = Path(__file__).resolve().parents[2]


class Browser:
    """Just enough of a browser: keeps cookies (Secure ones too: loopback), follows nothing."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def go(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:  # a 302 lands here with NoRedirect
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        body = response.read().decode()
        return response.status, response.headers.get("Location", ""), body


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_one_sign_in_across_two_workers_is_one_flow(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = App(
        name="mock-entra",
        argv=["-m", "mock_idp.cli", "serve", "--port", str(port), "--workers", "2", "--trace",
              "--keys", str(tmp_path / "keys")],
        url=url,
        log_path=tmp_path / "serve.log",
        env={"CERTS_DIR": str(ROOT / "certs")},
    )  # fmt: skip
    server.start()
    try:
        server.wait_ready(__import__("time").monotonic() + 30)
        browser = Browser(url)
        status, location, _ = browser.go(f"/{TENANT_ID}/saml2?{redirect_query(authn_request())}")
        assert status == 302
        _, _, page = browser.go(urllib.parse.urlsplit(location).path)
        _, _, page = browser.go(
            f"/{TENANT_ID}/login", {"csrf_token": csrf(page), "login": "B.Simon@contoso.com"}
        )
        form = {"csrf_token": csrf(page), "login": "B.Simon@contoso.com", "passwd": "Passw0rd!"}
        _, _, page = browser.go(f"/{TENANT_ID}/login/password", form)
        kmsi = 'id="kmsiForm"' in page  # "Stay signed in?", when the tenant shows it: No
        if kmsi:
            no = {"csrf_token": csrf(page), "LoginOptions": "3"}
            _, _, page = browser.go(f"/{TENANT_ID}/kmsi", no)
        assert 'name="SAMLResponse"' in page
        # Sign on URL, AuthnRequest, the sign-in page, username, password, (Stay signed in?,)
        # ACS, the SP's next page.
        hops = 8 if kmsi else 7

        for _ in range(4):  # whichever worker answers, it reads the same trace
            _, _, listing = Browser(url).go("/trace/")
            assert len(re.findall(r'<tr class="flow"', listing)) == 1
            assert re.search(rf"<td>{hops}</td>\s*<td>Response sent</td>", listing)
        assert "with 2 workers" in server.log_tail(80)
    finally:
        server.stop()
