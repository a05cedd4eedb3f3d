"""The seed tutorial, word by word, as one test across both apps' UIs — and its negative twins.

It starts from an empty Entra tenant (the mock's `empty.toml`) and a Trakstar organisation
created for it with no SSO settings (through Trakstar's own CLI), not from the seeds. Four
browsers play the four people of the tutorial: the Entra administrator, the Trakstar
administrator, B.Simon, and an unassigned colleague.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from playwright.sync_api import Browser, BrowserContext, Page, expect

from demo import walk
from demo.walk import Target
from e2e.conftest import TENANT_ID, Harness
from e2e.pages import EntraErrorPage, EntraSignIn, Perform
from e2e.pages_admin import AdminCenter, MyApps, TenantApi
from e2e.pages_trakstar import TrakstarAdmin

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "tutorial"
TRAKSTAR_ADMIN = ("admin@tutorial.example", "Tutorial-Adm1n-Passw0rd")
B_SIMON = ("B.Simon@contoso.com", "Passw0rd!")
ADELE = ("Adele.Vance@contoso.com", "Passw0rd!")


def app_thumbprint_of(pem: str) -> str:
    """SHA-1 of the DER, uppercase hex: how both Entra and Trakstar show a certificate."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return cert.fingerprint(hashes.SHA1()).hex().upper()


def trakstar_cli(harness: Harness, *args: str, stdin: str = "") -> None:
    """Trakstar's own `flask --app sp` commands against the harness's database (as `make demo`)."""
    target = Target(sp_url=harness.sp_url, idp_url=harness.idp_url, database=harness.database)
    walk.trakstar_cli(target, *args, stdin=stdin)


@pytest.fixture
def empty_tenant(harness: Harness) -> Iterator[TenantApi]:
    api = TenantApi(harness.idp_url, harness.api_token)
    api.reset("empty.toml")
    try:
        yield api
    finally:
        api.reset()  # the startup tenant, for the tests that follow


@pytest.fixture
def new_organisation(harness: Harness) -> str:
    """A Trakstar customer with the SSO entitlement, an administrator, and no SAML settings."""
    trakstar_cli(harness, "org", "create", NAMESPACE, "--name", "Tutorial Ltd", "--sso")
    email, password = TRAKSTAR_ADMIN
    trakstar_cli(
        harness,
        "people",
        "add",
        NAMESPACE,
        email,
        "--name",
        "Tutorial Admin",
        "--active",
        "--admin",
        "--password-stdin",
        stdin=password + "\n",
    )
    return NAMESPACE


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


def test_the_seed_tutorial_from_an_empty_tenant(
    harness: Harness,
    empty_tenant: TenantApi,
    new_organisation: str,
    browsers: Callable[[], Page],
    tmp_path: Path,
) -> None:
    perform_url = re.escape(harness.sp_url)

    # Trakstar: Settings > Authentication & SSO > SAML 2.0 > Configure shows the namespace.
    trakstar = TrakstarAdmin(browsers(), harness.sp_url)
    trakstar.sign_in(*TRAKSTAR_ADMIN)
    trakstar.open_saml_configure()
    acs_url, sign_on_url = trakstar.acs_url(), trakstar.sign_on_url()
    assert trakstar.namespace() == new_organisation
    assert trakstar.entity_id() == "https://perform.trakstar.com"

    # Twin: SSO before anything is pasted ends on Trakstar's page, nothing granted.
    early = browsers()
    early.goto(sign_on_url)
    Perform(early, harness.sp_url).expect_sso_error("not set up for this organisation yet")
    Perform(early, harness.sp_url).expect_not_signed_in()

    # Entra: Enterprise apps > New application > gallery > Trakstar.
    entra = AdminCenter(browsers(), harness.idp_url)
    entra.sign_in()
    app = entra.add_from_gallery("Trakstar", "Trakstar")
    entra.expect_notification("Successfully added application Trakstar.")
    # Single sign-on > SAML > Basic SAML Configuration, with the namespace read from Trakstar.
    app.open_single_sign_on()
    app.choose_saml()
    app.edit_basic_saml(reply_url=acs_url, sign_on_url=sign_on_url)
    entra.expect_notification("Successfully updated Trakstar.")
    assert app.basic_saml_value("identifier") == "https://perform.trakstar.com"
    # SAML Signing Certificate > Certificate (Base64) > Download; "Set up Trakstar" URLs.
    certificate = app.download("Certificate (Base64)", tmp_path).read_text()
    entra_thumbprint = app.thumbprint()
    values = app.set_up_values()
    for label in ("Login URL", "Microsoft Entra Identifier", "Logout URL"):
        app.copy(label)
    assert values.login_url == harness.saml2_url
    assert values.identifier == f"https://sts.windows.net/{TENANT_ID}/"
    # Create a Microsoft Entra test user, assign them; a colleague stays unassigned.
    entra.create_user(B_SIMON[0], "B.Simon", B_SIMON[1])
    entra.create_user(ADELE[0], "Adele Vance", ADELE[1])
    app = entra.open_app("Trakstar")
    app.assign("B.Simon")

    # Twin: the wrong certificate pasted in Trakstar: the response cannot be verified.
    wrong = (ROOT / "certs" / "sp-signing.crt").read_text()
    trakstar.configure_saml(
        login_url=values.login_url,
        identifier=values.identifier,
        logout_url=values.logout_url,
        certificate=wrong,
    )
    mistaken = browsers()
    mistaken.goto(sign_on_url)
    EntraSignIn(mistaken).sign_in(*B_SIMON)
    Perform(mistaken, harness.sp_url).expect_sso_error("does not trust")
    Perform(mistaken, harness.sp_url).expect_not_signed_in()

    # Trakstar: paste the downloaded Certificate (Base64) and the copied URLs, replacing the
    # wrong one outright (no rollover: the wrong certificate must not stay trusted).
    trakstar.fill_saml(
        login_url=values.login_url,
        identifier=values.identifier,
        logout_url=values.logout_url,
        certificate=certificate,
    )
    trakstar.page.get_by_label(re.compile("keep trusting the current one")).uncheck()
    trakstar.save_saml()
    expect(
        trakstar.page.get_by_role("status").filter(has_text="SAML settings saved.")
    ).to_be_visible()
    expect(trakstar.page.get_by_text(entra_thumbprint).first).to_be_visible()
    expect(trakstar.page.get_by_text(app_thumbprint_of(wrong))).to_have_count(0)

    # Create Trakstar test user. Twin: Britta exists but is not activated yet.
    trakstar.open_people()
    trakstar.add_person("Britta Simon", B_SIMON[0])
    waiting = browsers()
    waiting.goto(sign_on_url)
    EntraSignIn(waiting).sign_in(*B_SIMON)
    Perform(waiting, harness.sp_url).expect_sso_error("not active")
    Perform(waiting, harness.sp_url).expect_not_signed_in()
    # "Users must be created and activated before you use single sign-on."
    trakstar.activate("Britta Simon", B_SIMON[0])

    # Test SSO, way 1: "Test this application" opens the Sign on URL in a new tab.
    app.open_single_sign_on()
    tab = app.test_this_application()
    tab.wait_for_url(re.compile(re.escape(harness.idp_url) + ".*/login"))
    EntraSignIn(tab).sign_in(*B_SIMON)
    Perform(tab, harness.sp_url).expect_dashboard_for("Britta Simon")

    # Way 2: the Sign on URL directly.
    direct = browsers()
    direct.goto(sign_on_url)
    EntraSignIn(direct).sign_in(*B_SIMON)
    Perform(direct, harness.sp_url).expect_dashboard_for("Britta Simon")

    # Way 3: the Trakstar tile in My Apps redirects to the Sign on URL (the Entra session
    # from signing in to My Apps is reused: no second prompt).
    portal = MyApps(browsers(), harness.idp_url)
    portal.open(*B_SIMON)
    portal.launch("Trakstar")
    portal.page.wait_for_url(re.compile(perform_url + r"/dashboard$"))
    Perform(portal.page, harness.sp_url).expect_dashboard_for("Britta Simon")

    # Twin: an unassigned user is stopped by Entra (AADSTS50105), Trakstar grants nothing.
    unassigned = browsers()
    unassigned.goto(sign_on_url)
    EntraSignIn(unassigned).sign_in(*ADELE)
    EntraErrorPage(unassigned).expect_code(50105)
    Perform(unassigned, harness.sp_url).expect_not_signed_in()
