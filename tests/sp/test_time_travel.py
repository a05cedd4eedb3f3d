"""Expiry without sleeping: the SP's test-mode clock (and pysaml2's with it) moves forward."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from flask import Flask
from flask.testing import FlaskClient

from mock_idp.determinism import Clock
from mock_idp.state import IdpState
from sp.app import create_app
from sp.config import SpConfig
from sp.db import get_db
from sp.saml import wall_clock
from sp.seed import DEFAULT_SEED, load_seed
from tests.conftest import CERTS, IDP_URL, PASSWORD_COST, SP_URL
from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login
from tests.sp.admin_client import SAML_PAGE, post, signed_in_admin

TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"


@pytest.fixture
def sp_test_mode(tmp_path: Path) -> Iterator[Flask]:
    config = SpConfig(
        base_url=SP_URL,
        database_url=f"sqlite:///{tmp_path / 'sp.sqlite3'}",
        secret_key="tests",
        test_mode=True,
        password_cost=PASSWORD_COST,
    )
    app = create_app(config)
    with app.app_context():
        substitutions = {"IDP_URL": IDP_URL, "CERTS_DIR": str(CERTS)}
        load_seed(
            get_db(),
            DEFAULT_SEED,
            substitutions=substitutions,
            now=datetime.now(UTC),
            password_cost=PASSWORD_COST,
        )
    yield app
    wall_clock.shift(timedelta(0))  # pysaml2's clock is process-wide: put it back


def advance(client: FlaskClient, duration: str) -> dict[str, object]:
    moved = client.post("/_test/clock", json={"advance": duration})
    assert moved.status_code == 200, moved.text
    body: dict[str, object] = moved.get_json()
    return body


def test_an_assertion_that_expired_in_transit_is_refused(
    sp_test_mode: Flask, idp_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Entra's assertion lives 60 minutes; the SP's clock is 61 minutes ahead when it arrives.

    The SP already refuses a response issued more than 10 minutes ago, before NotOnOrAfter.
    """
    sp, idp = sp_test_mode.test_client(), idp_app.test_client()
    assert advance(sp, "PT61M")["advanced_seconds"] == 3660.0
    posted = sign_in_at_idp(idp, start_sp_login(sp))  # the mock is on the wall clock

    with caplog.at_level(logging.INFO):
        refused = post_to_acs(sp, posted.saml_response, posted.relay_state)

    assert refused.status_code in (400, 403)
    assert not is_signed_in(sp)
    assert re.search(
        r"ResponseRejected: Response IssueInstant .* outside the accepted", caplog.text
    )


def test_within_ten_minutes_the_same_sign_in_is_accepted(
    sp_test_mode: Flask, idp_app: Flask
) -> None:
    sp, idp = sp_test_mode.test_client(), idp_app.test_client()
    advance(sp, "PT9M")
    posted = sign_in_at_idp(idp, start_sp_login(sp))
    post_to_acs(sp, posted.saml_response, posted.relay_state)
    assert is_signed_in(sp)


def test_both_clocks_moved_together_still_sign_in(sp_test_mode: Flask, idp_app: Flask) -> None:
    """The control: pysaml2's own time checks move with the SP's clock."""
    sp, idp = sp_test_mode.test_client(), idp_app.test_client()
    idp_state: IdpState = idp_app.extensions["mock_idp"]
    assert isinstance(idp_state.clock, Clock)
    idp_state.clock.advance(timedelta(days=2))
    advance(sp, "P2D")

    posted = sign_in_at_idp(idp, start_sp_login(sp))
    assert "IssueInstant" not in posted.saml_response  # base64: only checks it is the form
    post_to_acs(sp, posted.saml_response, posted.relay_state)

    assert is_signed_in(sp)


def test_an_expired_certificate_is_flagged_and_cannot_be_saved(sp_test_mode: Flask) -> None:
    pem = (CERTS / "idp-signing.crt").read_text()
    not_after = x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc
    admin = signed_in_admin(sp_test_mode.test_client())
    assert 'class="bad">expired' not in admin.get(SAML_PAGE).text

    days = (not_after - datetime.now(UTC)).days + 2
    advance(admin, f"P{days}D")
    signed_in_admin(admin)  # years later: the session of before has long ended

    page = admin.get(SAML_PAGE).text
    assert 'class="bad">expired' in page
    saved = post(
        admin,
        SAML_PAGE,
        {
            "login_url": f"{IDP_URL}/{TENANT_ID}/saml2",
            "identifier": f"https://sts.windows.net/{TENANT_ID}/",
            "certificate": pem,
        },
    )
    assert saved.status_code != 303  # refused, shown again
    assert f"The certificate expired on {not_after:%Y-%m-%d %H:%M} UTC" in saved.text


def test_an_sp_session_ends_after_twelve_hours(sp_test_mode: Flask) -> None:
    admin = signed_in_admin(sp_test_mode.test_client())
    advance(admin, "PT11H59M")
    assert admin.get(SAML_PAGE).status_code == 200
    advance(admin, "PT2M")
    ended = admin.get(SAML_PAGE)
    assert ended.status_code == 302
    assert ended.headers["Location"].startswith("/login")


def test_the_sp_clock_refuses_bad_bodies_and_exists_in_test_mode_only(
    sp_test_mode: Flask, sp_app: Flask
) -> None:
    client = sp_test_mode.test_client()
    for body in ({"advance": "P1Y"}, {"advance": "-PT1M"}, {"back": "PT1M"}):
        refused = client.post("/_test/clock", json=body)
        assert refused.status_code == 400
        assert "advance" in refused.get_json()["error"]
    assert client.get("/_test/clock").get_json()["advanced_seconds"] == 0.0
    assert sp_app.test_client().post("/_test/clock", json={"advance": "PT1M"}).status_code == 404
