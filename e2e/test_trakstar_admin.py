"""A Trakstar administrator's side of the tutorial, in Chromium against both running apps.

These tests change the shared `contoso` organisation, so a fixture puts it back as seeded
afterwards (the harness, and its database, live for the whole test session).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import ssl
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.conftest import TENANT_ID, Harness
from e2e.pages import EntraSignIn, Perform
from e2e.pages_trakstar import TrakstarAdmin

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"  # Trakstar in the mock's default tenant
ADMIN, ADMIN_PASSWORD = "admin@contoso.com", "Adm1n-Passw0rd!"
ALEX, ALEX_NAME = "Alex.Wilber@contoso.com", "Alex Wilber"  # assigned in Entra, not in Trakstar


def _thumbprint(pem: str) -> str:
    return hashlib.sha1(ssl.PEM_cert_to_DER_cert(pem), usedforsecurity=False).hexdigest().upper()


@pytest.fixture
def contoso_from_scratch(harness: Harness) -> Iterator[None]:
    """Contoso with no SAML settings, as the tutorial starts; restored as seeded afterwards."""
    with closing(sqlite3.connect(harness.database)) as db:
        (org_id,) = db.execute("SELECT id FROM organisations WHERE namespace='contoso'").fetchone()
        saml = db.execute(
            "SELECT * FROM saml_settings WHERE organisation_id=?", (org_id,)
        ).fetchall()
        people = db.execute(
            "SELECT id, active FROM people WHERE organisation_id=?", (org_id,)
        ).fetchall()
        db.execute("DELETE FROM saml_settings WHERE organisation_id=?", (org_id,))
        db.commit()
    yield
    with closing(sqlite3.connect(harness.database)) as db:
        db.execute("DELETE FROM saml_settings WHERE organisation_id=?", (org_id,))
        for row in saml:
            db.execute(f"INSERT INTO saml_settings VALUES ({','.join('?' * len(row))})", row)
        kept = ",".join(str(int(pid)) for pid, _active in people)
        db.execute(f"DELETE FROM people WHERE organisation_id=? AND id NOT IN ({kept})", (org_id,))
        db.executemany("UPDATE people SET active=? WHERE id=?", [(a, pid) for pid, a in people])
        db.commit()


@pytest.fixture
def person_browser(browser: Browser, harness: Harness) -> Iterator[BrowserContext]:
    """A second browser: the person signing in, next to the admin's."""
    context = browser.new_context()
    try:
        yield context
    finally:
        context.close()


def test_an_administrator_sets_up_sso_and_a_new_person_signs_in(
    page: Page, person_browser: BrowserContext, harness: Harness, contoso_from_scratch: None
) -> None:
    person = person_browser.new_page()
    person.goto(harness.sign_on_url)  # before anything is pasted: a clear Trakstar page
    expect(person.locator("#sso-error")).to_contain_text("not set up for this organisation yet")

    admin = TrakstarAdmin(page, harness.sp_url)
    admin.sign_in(ADMIN, ADMIN_PASSWORD)
    admin.open_saml_configure()
    assert admin.namespace() == "contoso"
    assert admin.acs_url() == f"{harness.sp_url}/auth/saml/callback?namespace=contoso"
    assert admin.sign_on_url() == harness.sign_on_url
    assert admin.entity_id() == "https://perform.trakstar.com"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    admin.copy("ACS (Consumer) URL")
    assert page.evaluate("navigator.clipboard.readText()") == admin.acs_url()

    pem = (ROOT / "certs" / "idp-signing.crt").read_text()
    download = page.request.get(
        f"{harness.idp_url}/{TENANT_ID}/apps/{APP_ID}/certificate/{_thumbprint(pem)}.cer"
    )
    admin.configure_saml(
        login_url=harness.saml2_url,
        identifier=f"https://sts.windows.net/{TENANT_ID}/",
        logout_url=harness.saml2_url,
        certificate=download.text(),
    )
    assert admin.thumbprint() == _thumbprint(pem)

    admin.open_people()
    admin.add_person(ALEX_NAME, ALEX)
    person.goto(harness.sign_on_url)  # added, not yet activated: refused, nothing granted
    EntraSignIn(person).sign_in(ALEX, "Passw0rd!")
    perform = Perform(person, harness.sp_url)
    perform.expect_sso_error("Ask your Trakstar administrator to activate it.")
    perform.expect_not_signed_in()

    admin.activate(ALEX_NAME, ALEX)
    person.goto(harness.sign_on_url)
    perform.expect_dashboard_for(ALEX_NAME)


def test_bad_values_are_explained_and_nothing_is_saved(
    page: Page, harness: Harness, contoso_from_scratch: None
) -> None:
    admin = TrakstarAdmin(page, harness.sp_url)
    admin.sign_in(ADMIN, ADMIN_PASSWORD)
    admin.open_saml_configure()
    admin.fill_saml(
        login_url="http://idp.example/saml2",
        identifier=f"https://sts.windows.net/{TENANT_ID}",
        logout_url="",
        certificate="not a certificate",
    )
    admin.save_saml()

    admin.expect_field_error("login_url", "must start with https://")
    admin.expect_field_error("identifier", "trailing slash")
    admin.expect_field_error("certificate", "This is not a certificate.")
    expect(page.get_by_label("IdP Login URL (SSO target URL)")).to_have_value(
        "http://idp.example/saml2"
    )
    page.goto(harness.sign_on_url)
    expect(page.locator("#sso-error")).to_contain_text("not set up for this organisation yet")


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        (ALEX, "no Trakstar account for this email in this organisation"),
        ("Megan.Bowen@contoso.com", "Ask your Trakstar administrator to activate it."),
    ],
)
def test_sso_for_someone_trakstar_does_not_admit_ends_on_a_clear_page(
    page: Page, harness: Harness, upn: str, message: str
) -> None:
    page.goto(harness.sign_on_url)
    EntraSignIn(page).sign_in(upn, "Passw0rd!")

    perform = Perform(page, harness.sp_url)
    perform.expect_sso_error(message)
    expect(page.locator("#sso-error")).to_contain_text("Trakstar administrator")
    perform.expect_not_signed_in()


def test_an_organisation_without_the_entitlement_has_no_sso(page: Page, harness: Harness) -> None:
    admin = TrakstarAdmin(page, harness.sp_url)
    admin.sign_in("admin@northwind.com", ADMIN_PASSWORD)
    admin.open_settings()

    expect(admin.settings_tabs()).to_have_text(["General", "Audit log"])
    expect(page.locator("#sso-entitlement")).to_contain_text("Single sign-on is a paid feature")
    page.goto(f"{harness.sp_url}/auth/saml/?namespace=northwind")
    expect(page.locator("#sso-error")).to_contain_text(re.compile("not available"))
