"""Issue 12 findings 4 and 9 (SP side): anti-framing headers everywhere, our host names only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from sp.app import create_app
from sp.config import SpConfig
from sp.saml import wall_clock
from sp.state import utc_now
from tests.attacks.driver import Browser
from tests.flows import ACS_PATH, is_signed_in, post_to_acs

PAGES = ["/login", "/dashboard", "/auth/saml/?namespace=contoso", "/nowhere", "/static/copy.js"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_forbids_framing_and_sniffing(sp_app: Flask, path: str) -> None:
    response = sp_app.test_client().get(path)
    response.close()

    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_an_acs_refusal_page_cannot_be_framed_either(sp_app: Flask) -> None:
    response = post_to_acs(sp_app.test_client(), "not base64!")

    assert response.status_code >= 400
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "host", ["rebind.attacker.example", "localhost.attacker.example:8000", "10.0.0.7", "[::2]"]
)
@pytest.mark.parametrize("path", ["/login", "/dashboard", "/auth/saml/?namespace=contoso"])
def test_a_foreign_host_header_gets_a_400_and_nothing_else(
    sp_app: Flask, host: str, path: str
) -> None:
    """A DNS-rebinding page reaches us with its own name in Host: it must learn nothing."""
    response = sp_app.test_client().get(path, headers={"Host": host})

    assert response.status_code == 400
    assert "answers only to its own address" in response.text
    assert "SAMLRequest" not in response.headers.get("Location", "")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_signed_in_session_is_not_served_under_a_foreign_host(
    sp_app: Flask, idp_app: Flask
) -> None:
    browser = Browser(sp_app, idp_app)
    assert browser.post(browser.sign_in()).status == 303

    response = browser.sp.get("/dashboard", headers={"Host": "rebind.attacker.example:8000"})

    assert response.status_code == 400 and "B.Simon" not in response.text
    assert is_signed_in(browser.sp)  # and under our own name, the session is untouched


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"])
def test_our_own_and_loopback_names_are_answered(sp_app: Flask, host: str) -> None:
    assert sp_app.test_client().get("/login", headers={"Host": host}).status_code == 200


def test_the_acs_refuses_a_foreign_host_before_spending_anything(
    sp_app: Flask, idp_app: Flask
) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()

    foreign = browser.sp.post(
        ACS_PATH, data={"SAMLResponse": posted.saml_response}, headers={"Host": "evil.example"}
    )

    assert foreign.status_code == 400 and browser.pending() == 1
    assert browser.post(posted).status == 303


def test_test_mode_endpoints_refuse_a_foreign_host_too(tmp_path: Path) -> None:
    """The test-mode clock moves every expiry check: a rebinding page must not reach it."""
    app = create_app(
        SpConfig(
            base_url="http://localhost:8000",
            database_url=f"sqlite:///{tmp_path / 'sp.sqlite3'}",
            secret_key="tests",
            test_mode=True,
        )
    )
    client = app.test_client()

    foreign = client.post(
        "/_test/clock", json={"advance": "PT1H"}, headers={"Host": "rebind.attacker.example"}
    )

    assert foreign.status_code == 400
    assert "answers only to its own address" in foreign.text
    assert app.extensions["sp"].clock() < utc_now() + timedelta(minutes=5)
    # The same request under our own name is what moves the clock.
    try:
        assert client.post("/_test/clock", json={"advance": "PT1H"}).status_code == 200
    finally:
        wall_clock.shift(timedelta(0))  # pysaml2's clock is process-wide: put it back
