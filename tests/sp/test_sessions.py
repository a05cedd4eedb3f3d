"""Issue 12 finding 2: a session ends server-side, so a copied cookie dies with it.

Each test copies the session cookie into a second browser *before* the event, and proves the
copy opens nothing afterwards.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sp.db import get_db
from sp.models import Organisation, Person, SignInSession
from sp.passwords import hash_password
from tests.attacks.driver import Browser
from tests.conftest import PASSWORD_COST
from tests.flows import is_signed_in
from tests.sp.admin_client import ADMIN, csrf_token, post, sign_in, signed_in_admin
from tests.sp.test_logout import (  # noqa: F401 (clients, wiki: fixtures used by name)
    SP,
    clients,
    idp_initiated_request,
    path_of,
    sign_out_at_trakstar,
    wiki,
)

COOKIE = "sp_session"


def copy_of(sp_app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (as a thief would)."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = sp_app.test_client()
    thief.set_cookie(COOKIE, cookie.value, domain="localhost")
    return thief


def sso_browser(sp_app: Flask, idp_app: Flask) -> Browser:
    browser = Browser(sp_app, idp_app)
    assert browser.post(browser.sign_in()).status == 303
    return browser


def test_a_cookie_copied_before_sign_out_is_dead_after_it(sp_app: Flask, idp_app: Flask) -> None:
    browser = sso_browser(sp_app, idp_app)
    thief = copy_of(sp_app, browser.sp)
    assert is_signed_in(thief)  # the copy works while the session lives…

    out = browser.sp.post("/logout", data={"csrf_token": csrf_token(browser.sp, "/dashboard")})

    assert out.status_code == 302
    assert not is_signed_in(thief)  # …and not after sign-out
    assert not is_signed_in(browser.sp)


def test_a_cookie_copied_before_single_logout_is_dead_after_it(
    sp_app: Flask, idp_app: Flask
) -> None:
    browser = sso_browser(sp_app, idp_app)
    thief = copy_of(sp_app, browser.sp)

    back = sign_out_at_trakstar(browser.sp, browser.idp)
    page = browser.sp.get(path_of(back, SP))

    assert "signed out of Trakstar Perform and Microsoft Entra ID" in page.text
    assert not is_signed_in(thief)


def test_a_password_change_ends_every_session_of_that_person(sp_app: Flask) -> None:
    first = signed_in_admin(sp_app.test_client())
    second = signed_in_admin(sp_app.test_client())
    thief = copy_of(sp_app, first)

    changed = sp_app.test_cli_runner().invoke(
        args=["people", "set-password", "contoso", ADMIN, "--password-stdin"],
        input="A-new-Passw0rd-2026\n",
    )

    assert changed.exit_code == 0, changed.output
    assert not any(is_signed_in(c) for c in (first, second, thief))
    assert sign_in(sp_app.test_client(), password="A-new-Passw0rd-2026").status_code == 303


def test_deactivation_ends_the_sessions_in_the_database(sp_app: Flask, idp_app: Flask) -> None:
    browser = sso_browser(sp_app, idp_app)
    thief = copy_of(sp_app, browser.sp)
    admin = signed_in_admin(sp_app.test_client())
    with sp_app.app_context():
        simon = get_db().query(Person).filter_by(email="B.Simon@contoso.com").one()
        simon_id = simon.id

    post(admin, f"/people/{simon_id}/deactivate", {}, page="/people/")
    post(admin, f"/people/{simon_id}/activate", {}, page="/people/")  # back, at once

    assert not is_signed_in(thief) and not is_signed_in(browser.sp)
    with sp_app.app_context():
        assert get_db().query(SignInSession).filter_by(person_id=simon_id).count() == 0


def test_require_sso_ends_the_password_sessions_of_members(sp_app: Flask) -> None:
    with sp_app.app_context():
        db = get_db()
        simon = db.query(Person).filter_by(email="B.Simon@contoso.com").one()
        simon.password_hash = hash_password("Simon-Passw0rd-1", PASSWORD_COST)
        db.commit()
    member = sp_app.test_client()
    assert sign_in(member, "B.Simon@contoso.com", "Simon-Passw0rd-1").status_code == 303
    thief = copy_of(sp_app, member)
    admin = signed_in_admin(sp_app.test_client())

    changed = sp_app.test_cli_runner().invoke(args=["org", "require-sso", "contoso"])

    assert changed.exit_code == 0, changed.output
    assert not is_signed_in(thief) and not is_signed_in(member)
    assert is_signed_in(admin)  # administrators keep their password sign-in
    with sp_app.app_context():
        org = get_db().query(Organisation).filter_by(namespace="contoso").one()
        assert org.require_sso


def test_a_forged_cookie_naming_another_person_opens_nothing(sp_app: Flask) -> None:
    """The session key signs the cookie, but even a valid signature needs a live row."""
    client = signed_in_admin(sp_app.test_client())
    with client.session_transaction() as session:
        session["sid"] = "guessed-" + "x" * 40

    assert not is_signed_in(client)
    assert re.search("/login", client.get("/dashboard").headers["Location"])


@pytest.mark.usefixtures("wiki")
def test_entras_logout_request_ends_the_session_in_every_browser(
    sp_app: Flask,
    clients: tuple[FlaskClient, FlaskClient],  # noqa: F811 (the imported fixture)
) -> None:
    """Entra's LogoutRequest may reach Trakstar in another browser than the signed-in one: the
    session it names ends server-side all the same, and every copy of its cookie with it."""
    sp, idp = clients
    thief = copy_of(sp_app, sp)
    request_path = idp_initiated_request(sp, idp)
    elsewhere = sp_app.test_client()  # no Trakstar cookie at all

    answered = elsewhere.get(request_path)

    assert answered.status_code == 302
    assert not is_signed_in(sp) and not is_signed_in(thief)
