"""Security round two, the mock's side: sessions that end, cookies that stay home, headers,
and only the mock's own host names (each test reproduces the attack over HTTP)."""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from flask import Flask

from tests.mock_idp.test_admin_pages import TENANT_ID, admin, end_user_signs_in, make_app


@pytest.fixture
def app() -> Flask:
    return make_app()


def cookie(response: object, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):  # type: ignore[attr-defined]
        if header.startswith(f"{name}="):
            return str(header)
    raise AssertionError(f"no {name} cookie set")


def test_a_copied_admin_cookie_is_dead_after_sign_out(app: Flask) -> None:
    browser = admin(app.test_client())
    stolen = browser.get_cookie("idp_admin")
    assert stolen is not None
    assert browser.get("/admin/tenant").status_code == 200  # the page with the API token
    browser.post("/admin/signout")
    attacker = app.test_client()
    attacker.set_cookie("idp_admin", stolen.value)
    response = attacker.get("/admin/tenant")
    assert response.status_code == 302 and "/admin/signin" in response.headers["Location"]
    assert app.extensions["mock_idp"].config.api_token not in response.text


def test_the_admin_cookie_is_never_sent_cross_site(app: Flask) -> None:
    response = app.test_client().post(
        "/admin/signin", data={"login": "admin@contoso.com", "passwd": "Adm1n-Passw0rd!"}
    )
    admin_cookie = SimpleCookie(cookie(response, "idp_admin"))["idp_admin"]
    assert admin_cookie["samesite"] == "Lax" and admin_cookie["httponly"]


def test_the_sso_cookie_holds_only_an_id_and_dies_at_sign_out(app: Flask) -> None:
    browser = app.test_client()
    response = end_user_signs_in(browser)
    sso = SimpleCookie(cookie(response, "idp_session"))["idp_session"]
    assert sso["samesite"] == "None" and "B.Simon" not in sso.value and "." not in sso.value
    state = app.extensions["mock_idp"]
    assert state.store.items("session")  # kept server-side
    attacker = app.test_client()
    attacker.set_cookie("idp_session", sso.value)
    with attacker.session_transaction() as session:
        assert "user" in session  # the copy works while the session lives…
    browser.post("/myapps/signout")
    with attacker.session_transaction() as session:
        assert "user" not in session  # …and is dead after sign-out,
    end_user_signs_in(browser)
    with attacker.session_transaction() as session:
        assert "user" not in session  # …even once the browser signs in again (a new ID)


@pytest.mark.parametrize("path", ["/", "/admin/signin", f"/{TENANT_ID}/saml2", "/nope"])
def test_every_response_refuses_framing_and_sniffing(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "attacker:8001"])
def test_a_rebinding_host_name_is_refused(app: Flask, host: str) -> None:
    app.config["TESTING"] = True
    response = app.test_client().get("/admin/signin", headers={"Host": host})
    assert response.status_code == 400
    assert "Sign in" not in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8001", "localhost:8001", "[::1]:8001"])
def test_loopback_names_are_answered(app: Flask, host: str) -> None:
    assert app.test_client().get("/admin/signin", headers={"Host": host}).status_code == 200


def test_the_admin_sign_in_is_locked_after_the_threshold_like_any_account(app: Flask) -> None:
    """30 wrong admin passwords, then the right one, used to sign in (finding 8): smart lockout
    now guards the admin center's form too, until its duration has passed on the mock's clock."""
    state = app.extensions["mock_idp"]
    start = state.clock()
    state.clock = lambda: start
    browser = app.test_client()
    for n in range(state.tenant.lockout_threshold):
        wrong = browser.post(
            "/admin/signin", data={"login": "admin@contoso.com", "passwd": f"x{n}"}
        )
        assert wrong.status_code == 401
    right = {"login": "admin@contoso.com", "passwd": "Adm1n-Passw0rd!"}
    locked = browser.post("/admin/signin", data=right)
    assert locked.status_code == 429 and "temporarily locked" in locked.text
    assert browser.get_cookie("idp_admin") is None  # nothing granted
    later = start + timedelta(seconds=state.tenant.lockout_duration_seconds)
    state.clock = lambda: later
    assert browser.post("/admin/signin", data=right).status_code == 302
