"""The seed tutorial, word by word, as one walk across both apps' UIs — its negative twins, and
`make demo`'s storyboard photographed on the way.

It starts from an empty Entra tenant (the mock's `empty.toml`) and a Trakstar organisation
created for it with no SSO settings (through Trakstar's own CLI), not from the seeds. The walk
is `make demo`'s (`demo/walk.py`): one walk both writes the storyboard and, through `Twins`,
checks what each step shows and the ways the tutorial must fail. Fresh browsers play the
unassigned colleague and B.Simon's other sign-ins.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from playwright.sync_api import Browser, BrowserContext, Page, expect

from demo.__main__ import storyboard
from demo.walk import B_SIMON, CAPTIONS, Detours, Target
from e2e.conftest import TENANT_ID, Harness
from e2e.pages import EntraErrorPage, EntraSignIn, Perform
from e2e.pages_admin import AdminCenter, EnterpriseApp, SetUpValues, TenantApi
from e2e.pages_trakstar import TrakstarAdmin

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "tutorial"
ADELE = ("Adele.Vance@contoso.com", "Passw0rd!")
PNG = b"\x89PNG\r\n\x1a\n"


def app_thumbprint_of(pem: str) -> str:
    """SHA-1 of the DER, uppercase hex: how both Entra and Trakstar show a certificate."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return cert.fingerprint(hashes.SHA1()).hex().upper()


@pytest.fixture
def empty_tenant(harness: Harness) -> Iterator[TenantApi]:
    api = TenantApi(harness.idp_url, harness.api_token)
    api.reset("empty.toml")
    try:
        yield api
    finally:
        api.reset()  # the startup tenant, for the tests that follow


@pytest.fixture
def browsers(browser: Browser) -> Iterator[Callable[[], Page]]:
    """One fresh context per person of the tutorial, all closed at the end."""
    contexts: list[BrowserContext] = []

    def open_page() -> Page:
        context = browser.new_context(accept_downloads=True)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


class Twins(Detours):
    """Along the walk: what each step shows, and the tutorial's ways to fail, each right where
    it can happen (nothing configured yet, the wrong certificate, Britta not yet active, Adele
    not assigned). Then the tutorial's other two ways to test SSO."""

    def __init__(self, harness: Harness, browsers: Callable[[], Page]) -> None:
        self.harness = harness
        self.browsers = browsers
        self.sign_on_url = ""
        self.certificate = ""
        self.entra_thumbprint = ""
        self.wrong = (ROOT / "certs" / "sp-signing.crt").read_text()  # not Entra's certificate

    def _sign_in_fails(self, upn_password: tuple[str, str], error: str) -> None:
        page = self.browsers()
        page.goto(self.sign_on_url)
        EntraSignIn(page).sign_in(*upn_password)
        Perform(page, self.harness.sp_url).expect_sso_error(error)
        Perform(page, self.harness.sp_url).expect_not_signed_in()

    def namespace_read(self, trakstar: TrakstarAdmin, sign_on_url: str) -> None:
        assert trakstar.namespace() == NAMESPACE
        assert trakstar.entity_id() == "https://perform.trakstar.com"
        self.sign_on_url = sign_on_url
        # Twin: SSO before anything is pasted ends on Trakstar's page, nothing granted.
        early = self.browsers()
        early.goto(sign_on_url)
        Perform(early, self.harness.sp_url).expect_sso_error("not set up for this organisation yet")
        Perform(early, self.harness.sp_url).expect_not_signed_in()

    def basic_saml_saved(self, app: EnterpriseApp) -> None:
        assert app.basic_saml_value("identifier") == "https://perform.trakstar.com"

    def certificate_downloaded(
        self, app: EnterpriseApp, certificate: str, values: SetUpValues
    ) -> None:
        self.certificate, self.entra_thumbprint = certificate, app.thumbprint()
        assert self.entra_thumbprint == app_thumbprint_of(certificate)
        for label in ("Login URL", "Microsoft Entra Identifier", "Logout URL"):
            app.copy(label)
        assert values.login_url == self.harness.saml2_url
        assert values.identifier == f"https://sts.windows.net/{TENANT_ID}/"

    def test_user_created(self, entra: AdminCenter) -> None:
        entra.create_user(ADELE[0], "Adele Vance", ADELE[1])  # a colleague, never assigned

    def before_trakstar_configured(self, trakstar: TrakstarAdmin, values: SetUpValues) -> None:
        # Twin: the wrong certificate pasted in Trakstar: the response cannot be verified. The
        # walk then pastes the downloaded one, replacing it outright (no rollover: the wrong
        # certificate must not stay trusted).
        trakstar.configure_saml(
            login_url=values.login_url,
            identifier=values.identifier,
            logout_url=values.logout_url,
            certificate=self.wrong,
        )
        self._sign_in_fails(B_SIMON, "does not trust")

    def trakstar_configured(self, trakstar: TrakstarAdmin) -> None:
        expect(trakstar.page.get_by_text(self.entra_thumbprint).first).to_be_visible()
        expect(trakstar.page.get_by_text(app_thumbprint_of(self.wrong))).to_have_count(0)

    def person_added(self, trakstar: TrakstarAdmin) -> None:
        # Twin: Britta exists but is not activated yet. "Users must be created and activated
        # before you use single sign-on."
        self._sign_in_fails(B_SIMON, "not active")

    def signed_in(self, app: EnterpriseApp) -> None:
        # Test SSO, way 1: "Test this application" opens the Sign on URL in a new tab.
        app.open_single_sign_on()
        tab = app.test_this_application()
        tab.wait_for_url(re.compile(re.escape(self.harness.idp_url) + ".*/login"))
        EntraSignIn(tab).sign_in(*B_SIMON)
        Perform(tab, self.harness.sp_url).expect_dashboard_for("Britta Simon")
        # Way 2: the Sign on URL directly, without step mode (the walk's sign-in stopped).
        direct = self.browsers()
        direct.goto(self.sign_on_url)
        EntraSignIn(direct).sign_in(*B_SIMON)
        Perform(direct, self.harness.sp_url).expect_dashboard_for("Britta Simon")
        # Way 3, the Trakstar tile in My Apps, is the walk's last step.

    def finished(self) -> None:
        # Twin: an unassigned user is stopped by Entra (AADSTS50105), Trakstar grants nothing.
        unassigned = self.browsers()
        unassigned.goto(self.sign_on_url)
        EntraSignIn(unassigned).sign_in(*ADELE)
        EntraErrorPage(unassigned).expect_code(50105)
        Perform(unassigned, self.harness.sp_url).expect_not_signed_in()


@pytest.mark.docs_command("make demo")
def test_the_seed_tutorial_from_an_empty_tenant_and_its_storyboard(
    harness: Harness,
    empty_tenant: TenantApi,
    browser: Browser,
    browsers: Callable[[], Page],
    tmp_path: Path,
) -> None:
    target = Target(
        sp_url=harness.sp_url,
        idp_url=harness.idp_url,
        database=harness.database,
        namespace=NAMESPACE,
    )
    twins = Twins(harness, browsers)

    page = storyboard(browser, target, tmp_path / "storyboard", downloads=tmp_path, detours=twins)

    assert twins.entra_thumbprint  # every detour ran: the walk reached each step
    text = page.read_text(encoding="utf-8")
    images = re.findall(r'<img src="([^"]+)"', text)
    assert len(images) == len(CAPTIONS) == len(set(images))
    for image in images:
        assert (page.parent / image).read_bytes().startswith(PNG), image
    for title, caption in CAPTIONS.items():
        assert html.escape(title) in text and html.escape(caption) in text
    assert not re.search(r'(src|href)="(https?:)?//', text) and "<script" not in text  # offline
    steps = {
        s["title"]: s for s in json.loads((page.parent / "storyboard.json").read_text())["steps"]
    }
    response = dict(
        (row[0], row[1]) for row in steps["The Response, stopped before it is posted"]["table"]
    )
    assert response["Audience"] == "https://perform.trakstar.com"
    assert response["NameID"] == "B.Simon@contoso.com"
    request = dict((row[0], row[1]) for row in steps["The AuthnRequest, as it travelled"]["table"])
    assert request["Issuer"] == "https://perform.trakstar.com"
    claims = steps["Signed in to Trakstar Perform"]["table"]
    assert ["NameID", "B.Simon@contoso.com"] in claims
