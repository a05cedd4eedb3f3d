"""The admin center and My Apps in Chromium: each flow lands where Entra would land, and the SP
login works (or fails clearly after a certificate rotation, until Trakstar trusts the new one).

The harness is shared by the whole session: every test here puts the mock's tenant back
(reset endpoint) and Trakstar's SAML settings back (its SQLite database) when it ends.
"""

from __future__ import annotations

import base64
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from playwright.sync_api import Page, expect

from e2e.conftest import TENANT_ID, Harness
from e2e.pages import EntraErrorPage, EntraSignIn, Perform
from e2e.pages_admin import AdminCenter, MyApps, TenantApi

ROOT = Path(__file__).resolve().parent.parent
TRAKSTAR_APP_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
METADATA_ID = "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"


@pytest.fixture
def api(harness: Harness) -> Iterator[TenantApi]:
    """The automation API; the mock's startup tenant and Trakstar's settings come back after."""
    tenant_api = TenantApi(harness.idp_url, harness.api_token)
    saved, links = _sp_settings(harness.database), _account_links(harness.database)
    _restore_account_links(harness.database, [])  # this test's tenant may have new object IDs
    yield tenant_api
    tenant_api.reset()
    _restore_sp_settings(harness.database, saved)
    _restore_account_links(harness.database, links)


def _account_links(database: Path) -> list[tuple[object, ...]]:
    """Which Entra account each Trakstar person is linked to (set by their first SSO)."""
    with sqlite3.connect(database) as db:
        return db.execute("SELECT * FROM sso_identities").fetchall()


def _restore_account_links(database: Path, links: list[tuple[object, ...]]) -> None:
    """A B.Simon made in a reset tenant has another object ID than the seeded one: a link left
    by one would refuse the other (Trakstar binds a person to one Entra account)."""
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM sso_identities")
        if links:
            marks = ", ".join("?" * len(links[0]))
            db.executemany(f"INSERT INTO sso_identities VALUES ({marks})", links)


def _sp_settings(database: Path) -> tuple[str, str, str, str]:
    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT s.certificate_pem, s.previous_certificate_pem, s.idp_sso_url, s.idp_entity_id"
            " FROM saml_settings s JOIN organisations o ON o.id = s.organisation_id"
            " WHERE o.namespace = 'contoso'"
        ).fetchone()
    return tuple(row)  # type: ignore[return-value]


def _restore_sp_settings(database: Path, saved: tuple[str, str, str, str]) -> None:
    with sqlite3.connect(database) as db:
        db.execute(
            "UPDATE saml_settings SET certificate_pem = ?, previous_certificate_pem = ?,"
            " idp_sso_url = ?, idp_entity_id = ? WHERE organisation_id ="
            " (SELECT id FROM organisations WHERE namespace = 'contoso')",
            saved,
        )


def trakstar_trusts(database: Path, certificate_pem: str) -> None:
    """What Trakstar's administrator does with the downloaded Certificate (Base64)."""
    saved = _sp_settings(database)
    _restore_sp_settings(database, (certificate_pem, "", saved[2], saved[3]))


def verifies(metadata: Path, certificate: Path) -> bool:
    """xmlsec1 (the SP's verifier, not the mock's signxml) checks the metadata signature."""
    result = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem", str(certificate),
         "--id-attr:ID", METADATA_ID, str(metadata)],
        capture_output=True, check=False,
    )  # fmt: skip
    return result.returncode == 0


def sign_in_through_trakstar(
    page: Page, harness: Harness, upn: str = "B.Simon@contoso.com"
) -> None:
    page.goto(harness.sign_on_url)
    EntraSignIn(page).sign_in(upn, "Passw0rd!")


def test_trakstar_from_the_gallery_to_b_simons_sign_in(
    page: Page, harness: Harness, api: TenantApi, tmp_path: Path
) -> None:
    """Every Entra step of the tutorial, by hand, from an empty tenant."""
    api.reset("empty.toml")
    center = AdminCenter(page, harness.idp_url)
    center.sign_in()

    trakstar = center.add_from_gallery("Trakstar", "Trakstar")
    center.expect_notification("Successfully added application Trakstar.")
    trakstar.open_single_sign_on()
    trakstar.choose_saml()

    placeholder = "https://perform.trakstar.com/auth/saml/callback?namespace=<YOUR_NAMESPACE>"
    trakstar.edit_basic_saml(reply_url=placeholder)
    center.expect_error("still contains the placeholder <YOUR_NAMESPACE>")
    expect(page.locator("#reply-url-0")).to_have_value(placeholder)  # kept for correcting

    acs = f"{harness.sp_url}/auth/saml/callback?namespace=contoso"
    page.locator("#reply-url-0").fill(acs)
    page.locator("#sign-on-url").fill(harness.sign_on_url)
    page.get_by_role("button", name="Save", exact=True).click()
    center.expect_notification("Successfully updated Trakstar.")
    assert trakstar.basic_saml_value("identifier") == "https://perform.trakstar.com"
    assert trakstar.basic_saml_value("reply-url") == acs

    certificate = trakstar.download("Certificate (Base64)", tmp_path)
    values = trakstar.set_up_values()
    assert values.login_url == values.logout_url == harness.saml2_url
    assert values.identifier == f"https://sts.windows.net/{TENANT_ID}/"
    trakstar.copy("Login URL")

    center.create_user("B.Simon@contoso.com", "B.Simon", "Passw0rd!")
    trakstar = center.open_app("Trakstar")
    trakstar.assign("B.Simon")

    trakstar_trusts(harness.database, certificate.read_text())
    trakstar.open_single_sign_on()
    tab = trakstar.test_this_application()  # Sign on URL > Trakstar's AuthnRequest > Entra
    tab.wait_for_url(re.compile(re.escape(harness.idp_url)))
    EntraSignIn(tab).sign_in("B.Simon@contoso.com", "Passw0rd!")
    Perform(tab, harness.sp_url).expect_dashboard_for("Britta Simon")
    tab.close()

    center.add_from_gallery("Trakstar", "Trakstar", name="Trakstar (second)")
    center.expect_error("only one instance of Trakstar can be configured in one tenant")


def test_the_three_downloads_are_one_certificate_and_the_metadata_verifies(
    page: Page, harness: Harness, tmp_path: Path
) -> None:
    center = AdminCenter(page, harness.idp_url)
    center.sign_in()
    trakstar = center.open_app("Trakstar")
    trakstar.open_single_sign_on()
    trakstar.expect_saml_page()

    base64_file = trakstar.download("Certificate (Base64)", tmp_path)
    raw_file = trakstar.download("Certificate (Raw)", tmp_path)
    metadata = trakstar.download("Federation Metadata XML", tmp_path)

    assert (base64_file.name, raw_file.name) == (
        "certificate-base64-Trakstar.cer",
        "certificate-raw-Trakstar.cer",
    )
    assert metadata.name.endswith("Trakstar.xml")
    text = base64_file.read_bytes().decode("ascii")  # CRLF kept
    assert text.startswith("-----BEGIN CERTIFICATE-----\r\n")
    assert text.rstrip().endswith("-----END CERTIFICATE-----")
    pem = x509.load_pem_x509_certificate(text.encode())
    assert pem.public_bytes(Encoding.DER) == raw_file.read_bytes()
    assert x509.load_der_x509_certificate(raw_file.read_bytes()) == pem
    assert pem.fingerprint(hashes.SHA1()).hex().upper() == trakstar.thumbprint()
    xml = metadata.read_text()
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert base64.b64encode(raw_file.read_bytes()).decode() in xml
    assert verifies(metadata, base64_file)
    assert not verifies(metadata, ROOT / "certs" / "sp-signing.crt")


def test_rotation_breaks_sign_in_until_trakstar_trusts_the_new_certificate(
    page: Page, harness: Harness, api: TenantApi, tmp_path: Path
) -> None:
    center = AdminCenter(page, harness.idp_url)
    center.sign_in()
    trakstar = center.open_app("Trakstar")
    trakstar.open_single_sign_on()
    old = trakstar.thumbprint()
    trakstar.open_certificates()
    new = trakstar.new_certificate()
    assert trakstar.status_of(new) == "Inactive" and trakstar.status_of(old) == "Active"
    new_certificate = trakstar.download_certificate(new, "Base64", tmp_path)  # before activation

    trakstar.make_active(new)
    assert trakstar.status_of(new) == "Active" and trakstar.status_of(old) == "Inactive"

    sso = page.context.new_page()
    sign_in_through_trakstar(sso, harness)
    perform = Perform(sso, harness.sp_url)
    perform.expect_sso_error("does not trust")
    perform.expect_not_signed_in()

    trakstar_trusts(harness.database, new_certificate.read_text())
    sso.goto(harness.sign_on_url)  # the Entra session is reused: no second password
    perform.expect_dashboard_for("Britta Simon")


def test_unassigned_users_are_refused_by_entra_until_assigned(
    page: Page, harness: Harness, api: TenantApi
) -> None:
    center = AdminCenter(page, harness.idp_url)
    center.sign_in()
    trakstar = center.open_app("Trakstar")
    trakstar.unassign("B.Simon")

    sso = page.context.new_page()
    sign_in_through_trakstar(sso, harness)
    EntraErrorPage(sso).expect_code(50105)
    Perform(sso, harness.sp_url).expect_not_signed_in()

    trakstar.assign("B.Simon")
    sso.goto(harness.sign_on_url)
    Perform(sso, harness.sp_url).expect_dashboard_for("Britta Simon")


def test_the_sign_on_method_tiles_hold_their_text(page: Page, harness: Harness) -> None:
    center = AdminCenter(page, harness.idp_url)
    center.sign_in()
    trakstar = center.open_app("Trakstar")
    page.goto(f"{harness.idp_url}/admin/enterprise-apps/{TRAKSTAR_APP_ID}/sso/method")

    saml = page.get_by_role("button", name="SAML")
    expect(saml).to_contain_text("Rich and secure authentication")
    assert trakstar.overflowing_method_tiles() == []
    box, text = saml.bounding_box(), saml.locator(".muted").bounding_box()
    assert box and text
    assert box["y"] <= text["y"] and text["y"] + text["height"] <= box["y"] + box["height"]


def test_test_this_application_without_a_sign_on_url_posts_unsolicited(
    page: Page, harness: Harness, api: TenantApi
) -> None:
    center = AdminCenter(page, harness.idp_url)
    center.sign_in()
    trakstar = center.open_app("Trakstar")
    trakstar.open_single_sign_on()
    trakstar.edit_basic_saml(sign_on_url="")
    center.expect_notification("Successfully updated Trakstar.")
    expect(page.locator("#basic-sign-on-url")).to_have_text("Optional")

    tab = trakstar.test_this_application()
    EntraSignIn(tab).sign_in("B.Simon@contoso.com", "Passw0rd!")

    tab.wait_for_url(re.compile(re.escape(f"{harness.sp_url}/auth/saml/callback")))
    perform = Perform(tab, harness.sp_url)
    perform.expect_sso_error(
        "does not match a sign-in started in this browser"
    )  # SP-initiated only
    perform.expect_not_signed_in()


def test_my_apps_shows_trakstar_to_b_simon_and_its_tile_signs_in(
    page: Page, harness: Harness
) -> None:
    my_apps = MyApps(page, harness.idp_url)
    my_apps.open("B.Simon@contoso.com")
    expect(my_apps.tile("Trakstar")).to_be_visible()

    my_apps.launch("Trakstar")  # to the Sign on URL; Entra's session answers at once

    Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")


def test_my_apps_has_no_trakstar_tile_for_adele(page: Page, harness: Harness) -> None:
    my_apps = MyApps(page, harness.idp_url)
    my_apps.open("Adele.Vance@contoso.com")
    expect(page.locator("#no-apps")).to_be_visible()
    expect(my_apps.tile("Trakstar")).to_have_count(0)


def _pipeline_script() -> str:
    text = (ROOT / "docs" / "admin-center.md").read_text()
    block = text.split("<!-- pipeline:start -->", 1)[1].split("<!-- pipeline:end -->", 1)[0]
    return block.split("```bash\n", 1)[1].rsplit("```", 1)[0]


def test_the_documented_pipeline_sets_up_trakstar_from_nothing(
    page: Page, harness: Harness, api: TenantApi, tmp_path: Path
) -> None:
    env = {"PATH": "/usr/bin:/bin", "IDP_URL": harness.idp_url, "SP_URL": harness.sp_url,
           "TOKEN": harness.api_token}  # fmt: skip
    result = subprocess.run(
        ["bash", "-c", _pipeline_script()], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Login URL: {harness.saml2_url}" in result.stdout
    assert f"Microsoft Entra Identifier: https://sts.windows.net/{TENANT_ID}/" in result.stdout

    trakstar_trusts(harness.database, (tmp_path / "Trakstar.cer").read_text())
    sign_in_through_trakstar(page, harness)
    Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")


def test_the_mock_prints_its_api_token_at_start(harness: Harness) -> None:
    log = harness.idp_log.read_text()
    assert f"automation API token (Authorization: Bearer …): {harness.api_token}" in log
    assert f"admin center {harness.idp_url}/admin/" in log
