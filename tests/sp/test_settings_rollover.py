"""Certificate rollover: the replaced certificate keeps verifying until the admin removes it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mock_idp import certificates
from mock_idp.certificates import SigningPair
from mock_idp.state import IdpState
from mock_idp.tenant import EnterpriseApp, SigningCertificate
from sp.db import get_db
from sp.models import AuditEntry
from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login
from tests.sp.admin_client import SAML_PAGE, post, signed_in_admin

REMOVE_OLD = "/settings/authentication/saml/previous-certificate/remove"


def _trakstar(idp_state: IdpState) -> EnterpriseApp:
    app = idp_state.tenant.app_by_identifier("https://perform.trakstar.com")
    assert app is not None
    return app


def _entra_signs_with(idp_state: IdpState, pair: SigningPair) -> None:
    """Entra's "Make certificate active": the app signs with this certificate from now on."""
    app = _trakstar(idp_state)
    for cert in app.certificates:
        cert.active = False
    match = [c for c in app.certificates if c.pair.thumbprint == pair.thumbprint]
    if match:
        match[0].active = True
    else:
        app.certificates.append(SigningCertificate(pair=pair, active=True))


def _sso_works(sp_app: Flask, idp_app: Flask) -> bool:
    sp = sp_app.test_client()
    posted = sign_in_at_idp(idp_app.test_client(), start_sp_login(sp))
    response = post_to_acs(sp, posted.saml_response, posted.relay_state)
    if response.status_code != 303:
        assert "does not trust" in response.text
    return is_signed_in(sp)


def _paste(admin: FlaskClient, pair: SigningPair, *, keep: bool) -> None:
    page = admin.get(SAML_PAGE).text
    assert 'name="keep_previous" checked' in page  # rollover is the default
    form = {"certificate": pair.cert_pem()} | ({"keep_previous": "on"} if keep else {})
    for name in ("login_url", "identifier", "logout_url"):
        match = re.search(rf'name="{name}" value="([^"]*)"', page)
        assert match
        form[name] = match.group(1)
    assert post(admin, SAML_PAGE, form).status_code == 303


def test_both_certificates_verify_until_the_old_one_is_removed(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState, attacker_pair: SigningPair
) -> None:
    new = attacker_pair  # any other Entra-shaped certificate will do as "the new one"
    old = _trakstar(idp_state).active_certificate.pair
    admin = signed_in_admin(sp_app.test_client())

    _paste(admin, new, keep=True)  # 1. Trakstar learns the new certificate first
    page = admin.get(SAML_PAGE).text
    assert f'<code id="thumbprint">{new.thumbprint}</code>' in page
    assert f'<code id="previous-thumbprint">{old.thumbprint}</code>' in page
    assert _sso_works(sp_app, idp_app)  # Entra still signs with the old one

    _entra_signs_with(idp_state, new)  # 2. "Make certificate active" in Entra
    assert _sso_works(sp_app, idp_app)

    assert post(admin, REMOVE_OLD, {}, page=SAML_PAGE).status_code == 303  # 3. clean up
    assert "previous-thumbprint" not in admin.get(SAML_PAGE).text
    assert _sso_works(sp_app, idp_app)
    _entra_signs_with(idp_state, old)
    assert not _sso_works(sp_app, idp_app)  # the old certificate no longer verifies

    with sp_app.app_context():
        actions = [e.action for e in get_db().scalars(select(AuditEntry).order_by(AuditEntry.id))]
    # (each first sign-in also records "sso.linked": the settings changes are what matter here)
    settings_actions = [a for a in actions if not a.startswith("sso.")]
    assert settings_actions[-2:] == ["saml.settings", "saml.previous_certificate_removed"]


def test_replacing_without_rollover_stops_trusting_the_old_one(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState, attacker_pair: SigningPair
) -> None:
    admin = signed_in_admin(sp_app.test_client())

    _paste(admin, attacker_pair, keep=False)

    assert "previous-thumbprint" not in admin.get(SAML_PAGE).text
    assert not _sso_works(sp_app, idp_app)  # Entra still signs with the old one
    with sp_app.app_context():
        entry = get_db().scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and "old one no longer trusted" in entry.detail


def test_a_third_certificate_drops_the_oldest(
    sp_app: Flask, idp_state: IdpState, attacker_pair: SigningPair
) -> None:
    third = certificates.generate(datetime.now(UTC))
    first = _trakstar(idp_state).active_certificate.pair
    admin = signed_in_admin(sp_app.test_client())

    _paste(admin, attacker_pair, keep=True)
    _paste(admin, third, keep=True)

    page = admin.get(SAML_PAGE).text
    assert f'<code id="thumbprint">{third.thumbprint}</code>' in page
    assert f'<code id="previous-thumbprint">{attacker_pair.thumbprint}</code>' in page
    assert first.thumbprint not in page
    with sp_app.app_context():
        entry = get_db().scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert f"Previous certificate {first.thumbprint} no longer trusted" in entry.detail


def test_removing_an_old_certificate_that_is_not_there_is_explained(sp_app: Flask) -> None:
    admin = signed_in_admin(sp_app.test_client())

    response = post(admin, REMOVE_OLD, {}, page=SAML_PAGE)

    assert response.status_code == 303
    assert "There is no old certificate to remove." in admin.get(SAML_PAGE).text
