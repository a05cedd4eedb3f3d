"""People: add, activate, deactivate, remove; SSO reaches only people created and activated here."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sp import people
from sp.db import get_db
from sp.models import AuditEntry, Person
from sp.organisations import AdminError, find
from sp.passwords import hash_password
from tests.conftest import FIXED_NOW, PASSWORD_COST
from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login
from tests.postgres import on_both_databases, postgres_server, postgres_url  # noqa: F401
from tests.sp.admin_client import ADMIN, post, sign_in, signed_in_admin

ALEX = "Alex.Wilber@contoso.com"  # assigned in the mock's Entra, no Trakstar person in the seed


def _person(app: Flask, email: str) -> Person | None:
    with app.app_context():
        return get_db().scalar(select(Person).where(func.lower(Person.email) == email.lower()))


def _person_id(app: Flask, email: str) -> int:
    person = _person(app, email)
    assert person is not None
    return person.id


def _audit_actions(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = get_db().scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.actor, r.action, r.detail) for r in rows]


def _add(admin: FlaskClient, name: str, email: str, **extra: str):  # type: ignore[no-untyped-def]
    return post(admin, "/people/", {"name": name, "email": email, **extra})


def _act(admin: FlaskClient, app: Flask, email: str, action: str):  # type: ignore[no-untyped-def]
    return post(admin, f"/people/{_person_id(app, email)}/{action}", {}, page="/people/")


def _sso(sp: FlaskClient, idp: FlaskClient, upn: str):  # type: ignore[no-untyped-def]
    posted = sign_in_at_idp(idp, start_sp_login(sp), upn=upn)
    return post_to_acs(sp, posted.saml_response, posted.relay_state)


def test_the_people_page_lists_the_organisation_only(sp_app: Flask) -> None:
    page = signed_in_admin(sp_app.test_client()).get("/people/").text

    assert "Britta Simon" in page and "Megan Bowen" in page
    assert "admin@fabrikam.com" not in page


def test_an_added_person_is_inactive_and_audited(sp_app: Flask) -> None:
    admin = signed_in_admin(sp_app.test_client())

    response = _add(admin, "Alex Wilber", ALEX)

    assert response.status_code == 303
    assert "Alex Wilber was added. Activate them" in admin.get("/people/").text
    person = _person(sp_app, ALEX)
    assert person is not None and not person.active and not person.is_admin
    assert (ADMIN, "person.added", f"Alex Wilber <{ALEX}>") in _audit_actions(sp_app)


def test_sso_refuses_a_person_until_activated_then_signs_them_in(
    sp_app: Flask, idp_app: Flask
) -> None:
    admin = signed_in_admin(sp_app.test_client())
    idp = idp_app.test_client()
    before = sp_app.test_client()
    unknown = _sso(before, idp, ALEX)
    assert unknown.status_code == 403
    assert "no Trakstar account for this email" in unknown.text
    assert not is_signed_in(before)

    _add(admin, "Alex Wilber", ALEX)
    inactive_browser = sp_app.test_client()
    inactive = _sso(inactive_browser, idp_app.test_client(), ALEX)
    assert inactive.status_code == 403
    assert "Ask your Trakstar administrator to activate it." in inactive.text
    assert not is_signed_in(inactive_browser)

    _act(admin, sp_app, ALEX, "activate")
    alex = sp_app.test_client()
    assert _sso(alex, idp_app.test_client(), ALEX).status_code == 303
    assert "Signed in as <strong>Alex Wilber</strong>" in alex.get("/dashboard").text


def test_deactivating_a_person_ends_their_session(sp_app: Flask, idp_app: Flask) -> None:
    britta = sp_app.test_client()
    assert _sso(britta, idp_app.test_client(), "B.Simon@contoso.com").status_code == 303
    assert is_signed_in(britta)
    admin = signed_in_admin(sp_app.test_client())

    _act(admin, sp_app, "B.Simon@contoso.com", "deactivate")

    assert not is_signed_in(britta)
    person = _person(sp_app, "B.Simon@contoso.com")
    assert person is not None and not person.active


def test_removing_a_person_ends_their_session_and_an_id_is_never_reused(sp_app: Flask) -> None:
    admin = signed_in_admin(sp_app.test_client())
    _add(admin, "Temp Admin", "temp@contoso.com", is_admin="on")
    with sp_app.app_context():
        db = get_db()
        temp = db.scalar(select(Person).where(Person.email == "temp@contoso.com"))
        assert temp is not None
        temp.active, temp.password_hash = True, hash_password("Temp-Passw0rd!", PASSWORD_COST)
        old_id = temp.id
        db.commit()
    temp_browser = sp_app.test_client()
    assert sign_in(temp_browser, "temp@contoso.com", "Temp-Passw0rd!").status_code == 303

    _act(admin, sp_app, "temp@contoso.com", "remove")
    _add(admin, "Someone Else", "else@contoso.com")

    assert _person(sp_app, "temp@contoso.com") is None
    assert _person_id(sp_app, "else@contoso.com") != old_id
    assert not is_signed_in(temp_browser)


def test_adding_refuses_bad_input_and_saves_nothing(sp_app: Flask) -> None:
    admin = signed_in_admin(sp_app.test_client())
    before = _audit_actions(sp_app)

    no_name = _add(admin, "  ", "x@contoso.com")
    bad_email = _add(admin, "X", "not-an-email")
    duplicate = _add(admin, "Britta Again", "b.simon@CONTOSO.com")

    assert no_name.status_code == bad_email.status_code == duplicate.status_code == 400
    assert "Enter the person&#39;s name" in no_name.text
    assert "is not an email address" in bad_email.text
    assert "b.simon@CONTOSO.com is already a person in Contoso." in duplicate.text
    assert 'value="Britta Again"' in duplicate.text  # what was typed is kept
    assert _person(sp_app, "x@contoso.com") is None and _person(sp_app, "not-an-email") is None
    assert _audit_actions(sp_app) == before


def test_an_administrator_cannot_lock_themselves_out(sp_app: Flask) -> None:
    admin = signed_in_admin(sp_app.test_client())

    for action in ("deactivate", "remove"):
        response = _act(admin, sp_app, ADMIN, action)
        assert response.status_code == 303
        assert f"You cannot {action} yourself." in admin.get("/people/").text
    assert is_signed_in(admin)


def test_the_last_active_administrator_stays(sp_app: Flask) -> None:
    with sp_app.app_context():
        db = get_db()
        org = find(db, "contoso")
        person = people.find(db, org, email=ADMIN)

        with pytest.raises(AdminError, match="last active administrator of Contoso"):
            people.set_active(db, org, person, active=False, actor="cli", now=FIXED_NOW)
        with pytest.raises(AdminError, match="last active administrator of Contoso"):
            people.remove(db, org, person, actor="cli", now=FIXED_NOW)

        db.rollback()
        assert people.find(db, org, email=ADMIN).active


def test_people_actions_need_an_administrator(sp_app: Flask, idp_app: Flask) -> None:
    britta = sp_app.test_client()
    _sso(britta, idp_app.test_client(), "B.Simon@contoso.com")
    megan_id = _person_id(sp_app, "Megan.Bowen@contoso.com")

    page = britta.get("/people/")
    posted = post(britta, f"/people/{megan_id}/activate", {}, page="/dashboard")

    assert "People</a>" not in britta.get("/dashboard").text  # no link for non-administrators
    assert page.status_code == posted.status_code == 403
    assert "Only Trakstar administrators" in page.text
    anonymous = sp_app.test_client().get("/people/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    person = _person(sp_app, "Megan.Bowen@contoso.com")
    assert person is not None and person.id == megan_id and not person.active


def test_people_forms_refuse_posts_without_a_csrf_token(sp_app: Flask) -> None:
    admin = signed_in_admin(sp_app.test_client())
    megan = _person_id(sp_app, "Megan.Bowen@contoso.com")

    added = admin.post("/people/", data={"name": "Eve", "email": "eve@contoso.com"})
    activated = admin.post(f"/people/{megan}/activate")

    assert added.status_code == activated.status_code == 400
    assert _person(sp_app, "eve@contoso.com") is None
    person = _person(sp_app, "Megan.Bowen@contoso.com")
    assert person is not None and not person.active


def test_a_person_of_another_organisation_cannot_be_touched(sp_app: Flask) -> None:
    admin = signed_in_admin(sp_app.test_client())
    fabrikam_admin = _person_id(sp_app, "admin@fabrikam.com")

    response = post(admin, f"/people/{fabrikam_admin}/deactivate", {}, page="/people/")

    assert response.status_code == 303
    assert "No person #" in admin.get("/people/").text
    person = _person(sp_app, "admin@fabrikam.com")
    assert person is not None and person.active
