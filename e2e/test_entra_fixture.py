"""The plugin's `entra.sign_in` in Chromium, on an SP that is not ours: a few lines of
http.server that send an AuthnRequest (HTTP-Redirect) and show what reaches their ACS."""

from __future__ import annotations

import base64
import secrets
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from mock_idp.testing import EntraClient, EntraOptions, EntraServer
from mock_idp.testing.browser import SignInError

ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
EMPTY = Path(__file__).resolve().parents[1] / "mock_idp" / "tenants" / "empty.toml"


@dataclass
class TinySp:
    url: str
    identifier: str = "urn:tiny-sp"
    login_url: str = ""  # the mock's, once the app is configured
    request_ids: list[str] = field(default_factory=list)
    posted: list[dict[str, list[str]]] = field(default_factory=list)

    @property
    def acs(self) -> str:
        return f"{self.url}/acs"


def _handler(sp: TinySp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            request_id = f"_{secrets.token_hex(16)}"
            sp.request_ids.append(request_id)
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            xml = (
                '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
                f'xmlns:saml="{ASSERTION}" ID="{request_id}" Version="2.0" '
                f'IssueInstant="{now}" AssertionConsumerServiceURL="{sp.acs}">'
                f"<saml:Issuer>{sp.identifier}</saml:Issuer></samlp:AuthnRequest>"
            ).encode()
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            query = urlencode(
                {"SAMLRequest": base64.b64encode(deflate.compress(xml) + deflate.flush())}
            )
            self.send_response(302)
            self.send_header("Location", f"{sp.login_url}?{query}")
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            sp.posted.append(parse_qs(self.rfile.read(length).decode()))
            body = b"<!doctype html><title>Tiny SP</title><h1>Signed in to Tiny SP</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return None

    return Handler


@pytest.fixture
def tiny_sp() -> Iterator[TinySp]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(sp := TinySp(url="")))
    sp.url = f"http://localhost:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sp
    finally:
        server.shutdown()
        server.server_close()


def test_sign_in_completes_the_mocks_pages_and_returns_at_the_sp(
    entra: EntraClient, tiny_sp: TinySp, page: Page
) -> None:
    app = entra.add_app(name="Tiny SP", identifier=tiny_sp.identifier, reply_url=tiny_sp.acs)
    tiny_sp.login_url = app.login_url
    user = entra.add_user("pat@contoso.com", password="Passw0rd!", display_name="Pat")
    entra.assign(user, app)

    page.goto(f"{tiny_sp.url}/login")
    entra.sign_in(page, user.upn, user.password)

    expect(page.get_by_role("heading")).to_have_text("Signed in to Tiny SP")
    [posted] = tiny_sp.posted
    xml = etree.fromstring(base64.b64decode(posted["SAMLResponse"][0]))
    assert xml.get("InResponseTo") == tiny_sp.request_ids[0]
    assert xml.findtext(f".//{{{ASSERTION}}}NameID") == "pat@contoso.com"


def test_sign_in_of_an_unassigned_user_raises_with_the_aadsts_code(
    entra: EntraClient, tiny_sp: TinySp, page: Page
) -> None:
    app = entra.add_app(name="Tiny SP", identifier=tiny_sp.identifier, reply_url=tiny_sp.acs)
    tiny_sp.login_url = app.login_url
    user = entra.add_user("pat@contoso.com", password="Passw0rd!")

    page.goto(f"{tiny_sp.url}/login")
    with pytest.raises(SignInError, match="AADSTS50105"):
        entra.sign_in(page, user.upn, user.password)
    assert tiny_sp.posted == []  # nothing reached the SP


def test_sign_in_enters_the_verification_code_of_an_mfa_user(
    tiny_sp: TinySp, page: Page, tmp_path: Path
) -> None:
    tenant = tmp_path / "tenant.toml"
    tenant.write_text(
        EMPTY.read_text()
        + '\n[[users]]\nupn = "pat@contoso.com"\npassword = "Passw0rd!"\nmfa = true\n'
        + f'\n[[apps]]\nname = "Tiny SP"\nidentifiers = ["{tiny_sp.identifier}"]\n'
        + f'reply_urls = ["{tiny_sp.acs}"]\nassigned = ["pat@contoso.com"]\n'
    )
    with EntraServer(EntraOptions(tenant_file=tenant)) as entra:
        [app] = entra.call("GET", "/v1.0/applications")["value"]
        tiny_sp.login_url = entra.get_app(app["appId"]).login_url
        page.goto(f"{tiny_sp.url}/login")
        with pytest.raises(SignInError, match="asks for a verification code"):
            entra.sign_in(page, "pat@contoso.com", "Passw0rd!")
        page.goto(f"{tiny_sp.url}/login")
        entra.sign_in(page, "pat@contoso.com", "Passw0rd!", code="123456")
    expect(page.get_by_role("heading")).to_have_text("Signed in to Tiny SP")
