"""Local sign-in with email and password, next to the "Sign in with SSO" button."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from sp.db import get_db
from sp.models import Organisation, Person
from sp.passwords import hash_password
from tests.conftest import PASSWORD_COST
from tests.flows import is_signed_in
from tests.sp.admin_client import ADMIN, ADMIN_PASSWORD, csrf_token, sign_in


def _set(app: Flask, email: str, **values: object) -> None:
    with app.app_context():
        db = get_db()
        person = db.scalar(select(Person).where(Person.email == email))
        assert person is not None
        for name, value in values.items():
            setattr(person, name, value)
        db.commit()


def _require_sso(app: Flask, namespace: str = "contoso") -> None:
    with app.app_context():
        db = get_db()
        org = db.scalar(select(Organisation).where(Organisation.namespace == namespace))
        assert org is not None
        org.require_sso = True
        db.commit()


def test_the_sign_in_page_offers_sso_and_password(sp_app: Flask) -> None:
    page = sp_app.test_client().get("/login?namespace=contoso").text

    assert "Sign in with SSO" in page
    assert 'name="namespace" value="contoso"' in page
    assert 'type="password"' in page


def test_an_administrator_signs_in_with_a_password(sp_app: Flask) -> None:
    client = sp_app.test_client()

    response = sign_in(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard").text
    assert "Signed in as <strong>Trakstar Admin</strong>" in dashboard
    assert "through single sign-on" not in dashboard


def test_email_is_matched_case_insensitively(sp_app: Flask) -> None:
    client = sp_app.test_client()

    assert sign_in(client, ADMIN.upper()).status_code == 303
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (ADMIN, "wrong-password!"),
        ("nobody@contoso.com", ADMIN_PASSWORD),
        ("B.Simon@contoso.com", "Passw0rd!"),  # a person without a Trakstar password
        (ADMIN, ""),
    ],
)
def test_wrong_credentials_get_one_answer_and_no_session(
    sp_app: Flask, email: str, password: str
) -> None:
    client = sp_app.test_client()

    response = sign_in(client, email, password)

    assert response.status_code == 401
    assert "Email or password is incorrect." in response.text
    assert not is_signed_in(client)


def test_the_form_refuses_a_post_without_its_csrf_token(sp_app: Flask) -> None:
    client = sp_app.test_client()

    response = client.post("/login", data={"email": ADMIN, "password": ADMIN_PASSWORD})

    assert response.status_code == 400
    assert "CSRF" in response.text
    assert not is_signed_in(client)


def test_a_token_from_another_browser_is_refused(sp_app: Flask) -> None:
    token = csrf_token(sp_app.test_client())
    client = sp_app.test_client()

    response = client.post(
        "/login", data={"csrf_token": token, "email": ADMIN, "password": ADMIN_PASSWORD}
    )

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_require_sso_turns_password_sign_in_off_for_people(sp_app: Flask) -> None:
    _set(
        sp_app,
        "B.Simon@contoso.com",
        password_hash=hash_password("Britta-Passw0rd!", PASSWORD_COST),
    )
    _require_sso(sp_app)
    client = sp_app.test_client()

    response = sign_in(client, "B.Simon@contoso.com", "Britta-Passw0rd!")

    assert response.status_code == 403
    assert "requires single sign-on" in response.text
    assert "namespace &#39;contoso&#39;" in response.text
    assert not is_signed_in(client)


def test_without_require_sso_a_person_with_a_password_signs_in(sp_app: Flask) -> None:
    _set(
        sp_app,
        "B.Simon@contoso.com",
        password_hash=hash_password("Britta-Passw0rd!", PASSWORD_COST),
    )
    client = sp_app.test_client()

    assert sign_in(client, "B.Simon@contoso.com", "Britta-Passw0rd!").status_code == 303
    assert is_signed_in(client)


def test_require_sso_ends_existing_password_sessions_of_people(sp_app: Flask) -> None:
    _set(
        sp_app,
        "B.Simon@contoso.com",
        password_hash=hash_password("Britta-Passw0rd!", PASSWORD_COST),
    )
    person, admin = sp_app.test_client(), sp_app.test_client()
    sign_in(person, "B.Simon@contoso.com", "Britta-Passw0rd!")
    sign_in(admin)

    _require_sso(sp_app)

    assert not is_signed_in(person)
    assert is_signed_in(admin)  # administrators keep their password as the way back in


def test_require_sso_still_lets_administrators_in(sp_app: Flask) -> None:
    _require_sso(sp_app)
    client = sp_app.test_client()

    assert sign_in(client).status_code == 303
    assert is_signed_in(client)


def test_a_deactivated_person_is_told_to_ask_the_administrator(sp_app: Flask) -> None:
    _set(sp_app, ADMIN, active=False)
    client = sp_app.test_client()

    response = sign_in(client)

    assert response.status_code == 403
    assert "Ask your Trakstar administrator to activate it." in response.text
    assert not is_signed_in(client)


def test_next_is_followed_only_within_the_site(sp_app: Flask) -> None:
    client = sp_app.test_client()
    redirect = client.get("/settings/")
    assert redirect.status_code == 302 and "next=" in redirect.headers["Location"]

    inside = sign_in(client, next="/settings/")
    outside = sign_in(sp_app.test_client(), next="//evil.example/steal")

    assert inside.headers["Location"] == "/settings/"
    assert outside.headers["Location"] == "/dashboard"


def test_the_same_email_in_two_organisations_needs_the_namespace(sp_app: Flask) -> None:
    with sp_app.app_context():
        db = get_db()
        fabrikam = db.scalar(select(Organisation).where(Organisation.namespace == "fabrikam"))
        assert fabrikam is not None
        db.add(
            Person(
                organisation_id=fabrikam.id,
                email=ADMIN,
                name="Contoso Admin at Fabrikam",
                active=True,
                password_hash=hash_password(ADMIN_PASSWORD, PASSWORD_COST),
            )
        )
        db.commit()
    client = sp_app.test_client()

    ambiguous = sign_in(client)
    chosen = sign_in(client, namespace="fabrikam")

    assert ambiguous.status_code == 409
    assert 'id="password-namespace"' in ambiguous.text
    assert chosen.status_code == 303
    assert "Contoso Admin at Fabrikam" in client.get("/dashboard").text


def test_signing_in_starts_a_fresh_session(sp_app: Flask) -> None:
    client = sp_app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    sign_in(client)

    with client.session_transaction() as session:
        assert "planted" not in session
