"""Contract: what the mock emits, the SP accepts; the same bytes changed by one are refused."""

from __future__ import annotations

import base64

from flask import Flask

from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login


def test_sp_accepts_the_mocks_response(sp_app: Flask, idp_app: Flask) -> None:
    sp, idp = sp_app.test_client(), idp_app.test_client()
    posted = sign_in_at_idp(idp, start_sp_login(sp))

    response = post_to_acs(sp, posted.saml_response, posted.relay_state)

    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    dashboard = sp.get("/dashboard")
    assert "Signed in as <strong>Britta Simon</strong>" in dashboard.text


def test_one_byte_changed_inside_the_assertion_is_refused(sp_app: Flask, idp_app: Flask) -> None:
    sp, idp = sp_app.test_client(), idp_app.test_client()
    posted = sign_in_at_idp(idp, start_sp_login(sp))
    xml = base64.b64decode(posted.saml_response)
    tampered = xml.replace(b">B.Simon@contoso.com</NameID>", b">C.Simon@contoso.com</NameID>")
    assert tampered != xml and len(tampered) == len(xml)

    response = post_to_acs(sp, base64.b64encode(tampered).decode(), posted.relay_state)

    assert response.status_code == 403
    assert "could not be verified" in response.text
    assert not is_signed_in(sp)


def test_the_pending_request_is_spent_even_when_the_response_is_refused(
    sp_app: Flask, idp_app: Flask
) -> None:
    sp, idp = sp_app.test_client(), idp_app.test_client()
    posted = sign_in_at_idp(idp, start_sp_login(sp))
    post_to_acs(sp, "bm90IFhNTA==")  # "not XML": refused at the gate

    response = post_to_acs(sp, posted.saml_response, posted.relay_state)

    assert response.status_code == 403
    assert "does not match a sign-in started in this browser" in response.text
    assert not is_signed_in(sp)
