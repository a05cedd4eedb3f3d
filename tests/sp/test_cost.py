"""Issue 12 finding 8 (SP side): unauthenticated requests stay cheap, guessing stays slow."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from sp import sign_in
from sp.db import get_db
from sp.models import Organisation, PendingRequest, Person
from sp.passwords import hash_password
from sp.saml import tracker
from sp.saml.client import SamlClient
from sp.state import utc_now
from tests.attacks.driver import Browser
from tests.conftest import PASSWORD_COST
from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login
from tests.sp.admin_client import ADMIN, ADMIN_PASSWORD
from tests.sp.admin_client import sign_in as password_sign_in


def test_a_padded_response_is_refused_before_any_signature_work(
    sp_app: Flask, idp_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """250 KB of whitespace outside the signed assertion used to reach pysaml2 and xmlsec1."""
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()
    xml = base64.b64decode(posted.saml_response)
    padded = xml.replace(b"</samlp:Status>", b"</samlp:Status>" + b" " * (250 * 1024), 1)

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("pysaml2 was asked to verify a padded response")

    monkeypatch.setattr(SamlClient, "verify", never)
    response = post_to_acs(browser.sp, base64.b64encode(padded).decode())

    assert response.status_code == 400 and "not a valid SAML message" in response.text
    assert browser.pending() == 0 and not is_signed_in(browser.sp)


def test_pending_requests_per_browser_are_capped(sp_app: Flask, idp_app: Flask) -> None:
    browser = Browser(sp_app, idp_app)
    for _ in range(30):
        start_sp_login(browser.sp)
    last = start_sp_login(browser.sp)

    assert browser.pending() == tracker.MAX_PER_BROWSER
    with sp_app.app_context():
        assert get_db().scalar(select(func.count()).select_from(PendingRequest)) == 5
    posted = sign_in_at_idp(browser.idp, last)  # the newest request still signs in
    assert post_to_acs(browser.sp, posted.saml_response, posted.relay_state).status_code == 303


def test_an_email_in_many_organisations_costs_one_password_check(
    sp_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sp_app.app_context():
        db = get_db()
        for org in db.scalars(select(Organisation).where(Organisation.namespace != "contoso")):
            db.add(
                Person(
                    organisation_id=org.id,
                    email=ADMIN,
                    name=f"Admin at {org.name}",
                    active=True,
                    password_hash=hash_password("another-Passw0rd", PASSWORD_COST),
                )
            )
        db.commit()
    checks: list[str | None] = []
    real = sign_in.verify_password  # type: ignore[attr-defined]  # the name sign_in calls

    def counted(password_hash: str | None, password: str) -> bool:
        checks.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(sign_in, "verify_password", counted)
    for attempt in ({}, {"namespace": "contoso"}):
        checks.clear()
        password_sign_in(sp_app.test_client(), ADMIN, ADMIN_PASSWORD, **attempt)
        assert len(checks) == 1, attempt
    checks.clear()
    password_sign_in(sp_app.test_client(), "nobody@contoso.com", "whatever-it-is")
    assert len(checks) == 1


def test_thirty_wrong_passwords_pause_the_form_even_for_the_right_one(sp_app: Flask) -> None:
    client = sp_app.test_client()
    statuses = [password_sign_in(client, ADMIN, f"wrong-{n}").status_code for n in range(30)]

    right = password_sign_in(client, ADMIN, ADMIN_PASSWORD)

    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    assert right.status_code == 429 and "Too many failed sign-ins" in right.text
    assert not is_signed_in(client)
    sp_app.extensions["sp"].clock = lambda: utc_now() + timedelta(minutes=16)
    assert password_sign_in(client, ADMIN, ADMIN_PASSWORD).status_code == 303


def test_the_pause_is_the_same_for_an_email_nobody_has(sp_app: Flask) -> None:
    """Keyed by what was typed: the pause tells nothing about who has an account."""
    client = sp_app.test_client()
    for n in range(5):
        password_sign_in(client, "nobody@contoso.com", f"wrong-{n}")

    paused = password_sign_in(client, "nobody@contoso.com", "wrong-again")

    assert paused.status_code == 429
    assert password_sign_in(client, ADMIN, "wrong").status_code == 401  # others unaffected
