"""Issue 12 finding 1 (SP side): an Entra user cannot sign in as someone else by changing a label.

Each attack is reproduced end to end: the mock Entra ID is configured the way the red team did
(in-process), the attacker signs in at the mock with their own password, and the genuine,
correctly signed response is posted to the real ACS. Nothing may be granted.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from mock_idp.protocol.claims import UNSPECIFIED_FORMAT
from mock_idp.state import IdpState
from mock_idp.tenant import User
from sp.db import get_db
from sp.models import AuditEntry, Person, SsoIdentity
from tests.attacks.driver import APP_ID, Browser, Seen
from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp
from tests.sp.admin_client import ADMIN, ADMIN_PASSWORD, post, sign_in, signed_in_admin

SIMON = "B.Simon@contoso.com"
SIMON_OID = "3a9e6b42-7c1d-4f8e-a5b0-2d6c9e1f4a73"
ALEX_OID = "5e2d8a14-6f3b-47c9-b0d1-9a8e7c6b5f42"  # assigned to Trakstar in the mock
ALEX = "Alex.Wilber@contoso.com"
ADMIN_OID = "0c4f7a21-5b3e-4d8f-9a60-1e2d3c4b5a69"


def user(idp_state: IdpState, object_id: str) -> User:
    return idp_state.tenant.users[object_id]


def sign_in_as(sp_app: Flask, idp_app: Flask, upn: str, password: str = "Passw0rd!") -> Seen:
    """One browser: Trakstar's Sign on URL, the mock's password page as `upn`, the ACS."""
    browser = Browser(sp_app, idp_app)
    from tests.flows import start_sp_login

    posted = sign_in_at_idp(browser.idp, start_sp_login(browser.sp), upn=upn, password=password)
    return browser.post(posted)


def linked_object_id(sp_app: Flask, email: str) -> str | None:
    with sp_app.app_context():
        db = get_db()
        person = db.scalar(select(Person).where(Person.email == email))
        assert person is not None
        link = db.get(SsoIdentity, person.id)
        return link.object_id if link else None


def audit_actions(sp_app: Flask) -> list[str]:
    with sp_app.app_context():
        return [e.action for e in get_db().scalars(select(AuditEntry).order_by(AuditEntry.id))]


def refused_as(seen: Seen, text: str) -> None:
    assert seen.status == 403, seen.text[:400]
    assert text in seen.text
    assert not seen.signed_in


def add_admin_to_directory(idp_state: IdpState) -> None:
    """As in Entra, the tenant's administrator is a directory user, assigned to Trakstar."""
    tenant = idp_state.tenant
    if not any(u.upn.lower() == ADMIN.lower() for u in tenant.users.values()):
        tenant.users[ADMIN_OID] = User(
            object_id=ADMIN_OID,
            upn=ADMIN,
            display_name="Contoso Admin",
            mail=ADMIN,
            password=ADMIN_PASSWORD,
        )
    admin = next(u for u in tenant.users.values() if u.upn.lower() == ADMIN.lower())
    tenant.apps[APP_ID].assigned.add(admin.object_id)


# --- attack 1: NameID source user.mail, the attacker's mail set to the victim's ------------


def test_mail_changed_to_the_admins_does_not_sign_in_as_the_admin(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    idp_state.tenant.apps[APP_ID].name_id_source = "user.mail"
    user(idp_state, ALEX_OID).mail = ADMIN

    seen = sign_in_as(sp_app, idp_app, ALEX)

    refused_as(seen, "signs in with a password and has not linked a Microsoft account")
    assert linked_object_id(sp_app, ADMIN) is None
    assert audit_actions(sp_app)[-1] == "sso.identity_refused"


def test_mail_changed_to_a_linked_persons_does_not_sign_in_as_them(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    assert sign_in_as(sp_app, idp_app, SIMON).status == 303  # B.Simon's first sign-in links
    assert linked_object_id(sp_app, SIMON) == SIMON_OID
    idp_state.tenant.apps[APP_ID].name_id_source = "user.mail"
    user(idp_state, ALEX_OID).mail = SIMON

    seen = sign_in_as(sp_app, idp_app, ALEX)

    refused_as(seen, "linked to a different Microsoft account")
    assert linked_object_id(sp_app, SIMON) == SIMON_OID
    assert audit_actions(sp_app)[-1] == "sso.identity_refused"


# --- attack 2: NameID source user.displayname, Format unspecified ---------------------------


def test_a_display_name_nameid_is_refused_whatever_it_says(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    app = idp_state.tenant.apps[APP_ID]
    app.name_id_source, app.name_id_format = "user.displayname", UNSPECIFIED_FORMAT
    user(idp_state, ALEX_OID).display_name = SIMON  # B.Simon has never signed in: unlinked

    seen = sign_in_as(sp_app, idp_app, ALEX)

    refused_as(seen, "NameID) in a format Trakstar does not accept")
    assert linked_object_id(sp_app, SIMON) is None  # and B.Simon was not claimed either


# --- attack 3: the attacker's UPN renamed to the victim's ----------------------------------


def test_a_upn_renamed_onto_a_linked_person_is_refused(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    assert sign_in_as(sp_app, idp_app, SIMON).status == 303
    user(idp_state, SIMON_OID).upn = "B.Simon.old@contoso.com"
    user(idp_state, ALEX_OID).upn = SIMON

    seen = sign_in_as(sp_app, idp_app, SIMON)  # Alex's password, B.Simon's old name

    refused_as(seen, "linked to a different Microsoft account")
    assert linked_object_id(sp_app, SIMON) == SIMON_OID


def test_a_upn_renamed_onto_the_admin_does_not_claim_the_admin(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    user(idp_state, ALEX_OID).upn = ADMIN

    seen = sign_in_as(sp_app, idp_app, ADMIN)  # Alex's password

    refused_as(seen, "has not linked a Microsoft account")
    assert linked_object_id(sp_app, ADMIN) is None


def test_an_account_linked_to_one_person_cannot_claim_another(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    """B.Simon's own account, renamed to another unlinked person's UPN, is still B.Simon's."""
    assert sign_in_as(sp_app, idp_app, SIMON).status == 303
    with sp_app.app_context():
        db = get_db()
        megan = db.scalar(select(Person).where(Person.email == "Megan.Bowen@contoso.com"))
        assert megan is not None
        megan.active = True
        db.commit()
    user(idp_state, SIMON_OID).upn = "Megan.Bowen@contoso.com"
    idp_state.tenant.users.pop("9b4f1c3e-2a7d-4e58-86c0-1d3e5f7a9b2c")  # the real Megan left

    seen = sign_in_as(sp_app, idp_app, "Megan.Bowen@contoso.com")

    refused_as(seen, "linked to a different Microsoft account")
    assert linked_object_id(sp_app, "Megan.Bowen@contoso.com") is None


# --- re-linking and linking ----------------------------------------------------------------


def test_an_admin_re_links_a_replaced_account_on_the_people_page(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    assert sign_in_as(sp_app, idp_app, SIMON).status == 303
    old = idp_state.tenant.users.pop(SIMON_OID)  # B.Simon's account deleted, then created anew
    new_oid = "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
    idp_state.tenant.users[new_oid] = User(
        object_id=new_oid, upn=SIMON, display_name=old.display_name, password="Passw0rd!"
    )
    idp_state.tenant.apps[APP_ID].assigned.add(new_oid)
    refused_as(sign_in_as(sp_app, idp_app, SIMON), "linked to a different Microsoft account")

    admin = signed_in_admin(sp_app.test_client())
    with sp_app.app_context():
        simon = get_db().scalar(select(Person).where(Person.email == SIMON))
        assert simon is not None
        simon_id = simon.id
    page = admin.get("/people/")
    assert f"<code>{SIMON_OID}</code>" in page.text
    relinked = post(admin, f"/people/{simon_id}/relink", {}, page="/people/")

    assert relinked.status_code == 303
    assert sign_in_as(sp_app, idp_app, SIMON).status == 303
    assert linked_object_id(sp_app, SIMON) == new_oid
    assert "sso.relinked" in audit_actions(sp_app)


def test_the_cli_re_links_too(sp_app: Flask, idp_app: Flask) -> None:
    assert sign_in_as(sp_app, idp_app, SIMON).status == 303

    result = sp_app.test_cli_runner().invoke(args=["people", "relink", "contoso", SIMON])

    assert result.exit_code == 0 and "link removed" in result.output
    assert linked_object_id(sp_app, SIMON) is None
    listed = sp_app.test_cli_runner().invoke(args=["people", "list", "contoso"])
    assert "Microsoft account" not in listed.output.splitlines()[1]


def test_an_administrator_links_their_microsoft_account_from_their_session(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    add_admin_to_directory(idp_state)
    browser = Browser(sp_app, idp_app)
    assert sign_in(browser.sp).status_code == 303  # with the Trakstar password
    assert 'id="link-microsoft"' in browser.sp.get("/dashboard").text

    start = post(browser.sp, "/account/link-microsoft", {}, page="/dashboard")
    assert start.status_code == 302 and "SAMLRequest=" in start.headers["Location"]
    saml2 = start.headers["Location"].split("127.0.0.1:8001", 1)[1]
    posted = sign_in_at_idp(browser.idp, saml2, upn=ADMIN, password=ADMIN_PASSWORD)
    done = post_to_acs(browser.sp, posted.saml_response, posted.relay_state)

    assert done.status_code == 303
    assert linked_object_id(sp_app, ADMIN) == ADMIN_OID
    assert 'id="linked-object-id"' in browser.sp.get("/dashboard").text
    # From now on the administrator signs in by SSO too, and only with that account.
    assert sign_in_as(sp_app, idp_app, ADMIN, ADMIN_PASSWORD).status == 303


def test_linking_with_another_persons_microsoft_account_links_nothing(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    browser = Browser(sp_app, idp_app)
    assert sign_in(browser.sp).status_code == 303
    start = post(browser.sp, "/account/link-microsoft", {}, page="/dashboard")
    saml2 = start.headers["Location"].split("127.0.0.1:8001", 1)[1]
    posted = sign_in_at_idp(browser.idp, saml2, upn=SIMON)  # not the admin's account

    done = post_to_acs(browser.sp, posted.saml_response, posted.relay_state)

    assert done.status_code == 403 and "Nothing was linked" in done.text
    assert linked_object_id(sp_app, ADMIN) is None and linked_object_id(sp_app, SIMON) is None
    assert not is_signed_in(browser.sp) or "B.Simon" not in browser.sp.get("/dashboard").text
