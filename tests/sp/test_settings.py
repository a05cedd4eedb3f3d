"""Settings > Authentication & SSO > SAML 2.0 > Configure, through the SP's test client."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mock_idp.state import IdpState
from sp.db import get_db
from sp.models import AuditEntry, Organisation, SamlSettings
from tests.conftest import CERTS, IDP_URL, TENANT_ID
from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login
from tests.postgres import on_both_databases, postgres_server, postgres_url  # noqa: F401
from tests.sp.admin_client import SAML_PAGE, field_error, post, signed_in_admin

LOGIN_URL = f"{IDP_URL}/{TENANT_ID}/saml2"
IDENTIFIER = f"https://sts.windows.net/{TENANT_ID}/"
MOCK_CERT = (CERTS / "idp-signing.crt").read_text()


def _row(app: Flask, namespace: str) -> SamlSettings | None:
    with app.app_context():
        db = get_db()
        org = db.scalar(select(Organisation).where(Organisation.namespace == namespace))
        assert org is not None
        return db.get(SamlSettings, org.id)


def _audit(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = get_db().scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.actor, r.action, r.detail) for r in rows]


def _save(admin: FlaskClient, **fields: object):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"login_url": LOGIN_URL, "identifier": IDENTIFIER}
    data.update(fields)
    return post(admin, SAML_PAGE, data)


@pytest.fixture
def fabrikam(sp_app: Flask) -> FlaskClient:
    """Fabrikam's administrator: entitled to SSO, nothing configured yet."""
    return signed_in_admin(sp_app.test_client(), "admin@fabrikam.com")


# --- entitlement -------------------------------------------------------------------------


def test_an_entitled_organisation_has_the_tab(fabrikam: FlaskClient) -> None:
    settings = fabrikam.get("/settings/").text

    assert "Authentication &amp; SSO</a>" in settings
    assert "Not configured yet." in fabrikam.get("/settings/authentication").text


def test_without_the_entitlement_there_is_no_tab_and_no_page(sp_app: Flask) -> None:
    northwind = signed_in_admin(sp_app.test_client(), "admin@northwind.com")

    settings = northwind.get("/settings/")
    tab = northwind.get("/settings/authentication")
    form = northwind.get(SAML_PAGE)
    saved = post(northwind, SAML_PAGE, {"login_url": LOGIN_URL}, page="/settings/")

    assert settings.status_code == 200
    assert "Authentication &amp; SSO</a>" not in settings.text
    assert "Single sign-on is a paid feature" in settings.text
    assert tab.status_code == form.status_code == saved.status_code == 404
    assert "Contact Trakstar support" in tab.text
    assert _row(sp_app, "northwind") is None


def test_without_the_entitlement_the_sign_on_url_says_so(sp_app: Flask) -> None:
    response = sp_app.test_client().get("/auth/saml/?namespace=northwind")

    assert response.status_code == 404
    assert "Single sign-on is not available for this organisation." in response.text


# --- the values to copy into Entra -------------------------------------------------------


def test_the_page_shows_what_to_copy_into_entra(fabrikam: FlaskClient) -> None:
    page = fabrikam.get(SAML_PAGE).text

    assert (
        'id="acs-url" value="http://localhost:8000/auth/saml/callback?namespace=fabrikam"' in page
    )
    assert 'id="sign-on-url" value="http://localhost:8000/auth/saml/?namespace=fabrikam"' in page
    assert 'id="entity-id" value="https://perform.trakstar.com"' in page
    assert '<code id="namespace">fabrikam</code>' in page
    assert page.count('class="copy-button"') == 3
    assert "copy.js" in page


# --- saving ------------------------------------------------------------------------------


def test_pasting_entras_values_saves_them_shows_the_thumbprint_and_audits(
    sp_app: Flask, fabrikam: FlaskClient, idp_state: IdpState
) -> None:
    response = _save(fabrikam, logout_url=LOGIN_URL, certificate=MOCK_CERT)

    assert response.status_code == 303
    page = fabrikam.get(SAML_PAGE).text
    thumbprint = next(iter(idp_state.tenant.apps.values())).active_certificate.pair.thumbprint
    assert f'<code id="thumbprint">{thumbprint}</code>' in page
    assert "SAML settings saved." in page
    row = _row(sp_app, "fabrikam")
    assert row is not None and row.idp_sso_url == LOGIN_URL and row.idp_entity_id == IDENTIFIER
    ((actor, action, detail),) = [a for a in _audit(sp_app) if a[1] == "saml.settings"]
    assert (actor, action) == ("admin@fabrikam.com", "saml.settings")
    assert f"Login URL: (none) → {LOGIN_URL}" in detail
    assert f"Certificate: (none) → {thumbprint}" in detail
    audit_page = fabrikam.get("/settings/audit").text
    assert "SAML settings changed" in audit_page and "admin@fabrikam.com" in audit_page


def test_the_sign_on_url_starts_sso_once_configured(sp_app: Flask, fabrikam: FlaskClient) -> None:
    browser = sp_app.test_client()
    assert browser.get("/auth/saml/?namespace=fabrikam").status_code == 409  # not set up yet

    _save(fabrikam, certificate=MOCK_CERT)

    started = browser.get("/auth/saml/?namespace=fabrikam")
    assert started.status_code == 302
    assert started.headers["Location"].startswith(LOGIN_URL + "?SAMLRequest=")


def test_settings_pasted_from_the_mocks_download_let_b_simon_in(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    """Contoso from scratch: its settings removed, then pasted as the tutorial says."""
    with sp_app.app_context():
        db = get_db()
        row = db.get(SamlSettings, 1)
        assert row is not None
        db.delete(row)
        db.commit()
    app = next(iter(idp_state.tenant.apps.values()))
    cert = app.active_certificate.pair
    download = idp_app.test_client().get(
        f"/{TENANT_ID}/apps/{app.app_id}/certificate/{cert.thumbprint}.cer"
    )
    admin = signed_in_admin(sp_app.test_client())

    saved = _save(admin, logout_url=LOGIN_URL, certificate=download.text)

    assert saved.status_code == 303
    sp = sp_app.test_client()
    posted = sign_in_at_idp(idp_app.test_client(), start_sp_login(sp))
    assert post_to_acs(sp, posted.saml_response, posted.relay_state).status_code == 303
    assert is_signed_in(sp)


@pytest.mark.parametrize("kind", ["raw", "base64"])
def test_an_uploaded_cer_file_is_accepted(
    sp_app: Flask, fabrikam: FlaskClient, idp_app: Flask, idp_state: IdpState, kind: str
) -> None:
    app = next(iter(idp_state.tenant.apps.values()))
    pair = app.active_certificate.pair
    cer = idp_app.test_client().get(
        f"/{TENANT_ID}/apps/{app.app_id}/certificate/{pair.thumbprint}.cer?kind={kind}"
    )

    response = _save(fabrikam, certificate_file=(io.BytesIO(cer.data), "Trakstar.cer"))

    assert response.status_code == 303, response.text
    row = _row(sp_app, "fabrikam")
    assert row is not None and pair.thumbprint in fabrikam.get(SAML_PAGE).text


def test_a_later_save_without_a_certificate_keeps_it(sp_app: Flask, fabrikam: FlaskClient) -> None:
    _save(fabrikam, certificate=MOCK_CERT)
    before = _row(sp_app, "fabrikam")
    other_logout = f"http://localhost:8001/{TENANT_ID}/saml2"

    response = _save(fabrikam, logout_url=other_logout)

    after = _row(sp_app, "fabrikam")
    assert response.status_code == 303
    assert before is not None and after is not None
    assert after.certificate_pem == before.certificate_pem and after.idp_logout_url == other_logout
    details = [d for _a, action, d in _audit(sp_app) if action == "saml.settings"]
    assert details[-1] == f"Logout URL: (none) → {other_logout}"


def test_saving_the_same_values_changes_nothing(sp_app: Flask, fabrikam: FlaskClient) -> None:
    _save(fabrikam, certificate=MOCK_CERT)
    entries = len(_audit(sp_app))

    response = _save(fabrikam, certificate=MOCK_CERT)

    assert response.status_code == 303
    assert "Nothing changed." in fabrikam.get(SAML_PAGE).text
    assert len(_audit(sp_app)) == entries


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"login_url": "http://idp.example/saml2"}, "login_url", "must start with https://"),
        ({"identifier": LOGIN_URL}, "identifier", "This looks like the Login URL."),
        ({"logout_url": "logout"}, "logout_url", "must be a full URL"),
        (
            {"certificate": "-----BEGIN CERTIFICATE-----\nnope\n"},
            "certificate",
            "not a certificate",
        ),
        ({}, "certificate", "Paste the Certificate (Base64) from Entra"),
        (
            {"certificate": MOCK_CERT, "certificate_file": (b"x", "a.cer")},
            "certificate",
            "not both",
        ),
    ],
)
def test_a_refused_save_explains_keeps_the_input_and_saves_nothing(
    sp_app: Flask, fabrikam: FlaskClient, fields: dict[str, object], field: str, message: str
) -> None:
    fields = {"certificate": MOCK_CERT, **fields} if field != "certificate" else fields
    # A fresh upload stream per run: the test runs once per database.
    fields = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in fields.items()}
    before = _audit(sp_app)

    response = _save(fabrikam, **fields)

    assert response.status_code == 400
    assert message in field_error(response.text, field)
    assert "The SAML settings were not saved." in response.text
    typed = fields.get("login_url", LOGIN_URL)
    assert f'value="{typed}"' in response.text
    assert _row(sp_app, "fabrikam") is None
    assert _audit(sp_app) == before


def test_the_form_refuses_a_post_without_its_csrf_token(
    sp_app: Flask, fabrikam: FlaskClient
) -> None:
    response = fabrikam.post(
        SAML_PAGE, data={"login_url": LOGIN_URL, "identifier": IDENTIFIER, "certificate": MOCK_CERT}
    )

    assert response.status_code == 400
    assert "CSRF" in response.text
    assert _row(sp_app, "fabrikam") is None


def test_only_administrators_reach_settings(sp_app: Flask, idp_app: Flask) -> None:
    britta = sp_app.test_client()
    posted = sign_in_at_idp(idp_app.test_client(), start_sp_login(britta))
    post_to_acs(britta, posted.saml_response, posted.relay_state)
    contoso_before = _row(sp_app, "contoso")
    assert contoso_before is not None

    pages = [britta.get(p) for p in ("/settings/", SAML_PAGE, "/settings/audit")]
    saved = post(britta, SAML_PAGE, {"login_url": "https://evil.example/"}, page="/dashboard")
    anonymous = sp_app.test_client().get(SAML_PAGE)

    assert [p.status_code for p in pages] == [403, 403, 403]
    assert "Only Trakstar administrators can open Settings and People." in pages[0].text
    assert saved.status_code == 403
    assert anonymous.status_code == 302 and "/login?next=" in anonymous.headers["Location"]
    after = _row(sp_app, "contoso")
    assert after is not None and after.idp_sso_url == contoso_before.idp_sso_url


# --- Require SSO -------------------------------------------------------------------------


def test_require_sso_is_saved_and_audited(sp_app: Flask) -> None:
    admin = signed_in_admin(sp_app.test_client())

    response = post(
        admin,
        "/settings/authentication/require-sso",
        {"require_sso": "on"},
        page="/settings/authentication",
    )

    assert response.status_code == 303
    page = admin.get("/settings/authentication").text
    assert "Require SSO is on." in page
    assert re.search(r'name="require_sso" checked', page)
    assert ("admin@contoso.com", "organisation.require_sso") in [a[:2] for a in _audit(sp_app)]


def test_require_sso_needs_saml_settings_first(sp_app: Flask, fabrikam: FlaskClient) -> None:
    response = post(
        fabrikam,
        "/settings/authentication/require-sso",
        {"require_sso": "on"},
        page="/settings/authentication",
    )

    assert response.status_code == 303
    assert "Configure SAML 2.0 before you require SSO" in fabrikam.get("/settings/").text
    with sp_app.app_context():
        org = get_db().scalar(select(Organisation).where(Organisation.namespace == "fabrikam"))
        assert org is not None and not org.require_sso


def test_the_audit_log_is_per_organisation(sp_app: Flask, fabrikam: FlaskClient) -> None:
    _save(fabrikam, certificate=MOCK_CERT)
    contoso = signed_in_admin(sp_app.test_client())

    page = contoso.get("/settings/audit").text

    assert "admin@fabrikam.com" not in page
    assert "Nothing has changed yet." in page
