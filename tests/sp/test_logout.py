"""The Trakstar clone's single logout against the mock: SP-initiated (the Sign out button) and
IdP-initiated (another app of the Entra session signs out), both apps' test clients in turn."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from saml2.sigver import RSACrypto, verify_redirect_signature

from mock_idp.certificates import SigningPair
from mock_idp.state import IdpState
from mock_idp.tenant import EnterpriseApp, SigningCertificate
from sp.saml import logout
from tests.flows import TENANT_ID, is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login
from tests.mock_idp.saml_requests import authn_request, get, logout_request, redirect_query

IDP = "http://127.0.0.1:8001"
SP = "http://localhost:8000"
WIKI = "https://wiki.contoso.example"


def path_of(location: str, base: str) -> str:
    """The path and raw query of a redirect to `base`, untouched (no re-encoding)."""
    assert location.startswith(base), location
    return location[len(base) :]


def csrf_token(sp: FlaskClient) -> str:
    page = sp.get("/dashboard")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:400]
    return match.group(1)


@pytest.fixture
def clients(sp_app: Flask, idp_app: Flask) -> tuple[FlaskClient, FlaskClient]:
    """B.Simon signed in to Trakstar through the mock: (sp, idp)."""
    sp, idp = sp_app.test_client(), idp_app.test_client()
    posted = sign_in_at_idp(idp, start_sp_login(sp))
    assert post_to_acs(sp, posted.saml_response, posted.relay_state).status_code == 303
    assert is_signed_in(sp)
    return sp, idp


def sign_out_at_trakstar(sp: FlaskClient, idp: FlaskClient) -> str:
    """Click Sign out and follow the redirect through the mock; returns the SP-bound URL."""
    out = sp.post("/logout", data={"csrf_token": csrf_token(sp)})
    assert out.status_code == 302 and "SAMLRequest=" in out.headers["Location"]
    at_idp = idp.get(path_of(out.headers["Location"], IDP))
    assert at_idp.status_code == 302
    return at_idp.headers["Location"]


def test_sign_out_ends_both_sessions(clients: tuple[FlaskClient, FlaskClient]) -> None:
    sp, idp = clients
    back = sign_out_at_trakstar(sp, idp)
    assert "%2f" in back and "%2F" not in back  # Entra's lowercase escapes reach the SP as sent

    page = sp.get(path_of(back, SP))

    assert page.status_code == 200, page.text[:600]
    assert "You have signed out of Trakstar Perform and Microsoft Entra ID." in page.text
    assert not is_signed_in(sp)
    again = idp.get(path_of(start_sp_login(sp), ""))
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")


def test_pysaml2_alone_would_refuse_entras_lowercase_escapes(
    clients: tuple[FlaskClient, FlaskClient], idp_pair: SigningPair
) -> None:
    """Why the SP verifies over the raw query: pysaml2 re-encodes (pysaml2#957)."""
    sp, idp = clients
    query = urlsplit(sign_out_at_trakstar(sp, idp)).query
    params = {k: v for k, v in parse_qsl(query) if k != "namespace"}
    assert not verify_redirect_signature(params, RSACrypto(None), cert=idp_pair.cert_b64)
    # …while the same message verifies over the raw query (the SP's own verifier):
    assert logout.verify_redirect(query.encode(), "SAMLResponse", (idp_pair.cert_pem(),))


def test_a_tampered_logout_response_is_refused(clients: tuple[FlaskClient, FlaskClient]) -> None:
    sp, idp = clients
    back = sign_out_at_trakstar(sp, idp)
    uppercased = re.sub(r"%[0-9a-f]{2}", lambda m: m.group(0).upper(), path_of(back, SP))

    page = sp.get(uppercased)

    assert page.status_code == 400 and "sign-out message could not be verified" in page.text
    assert not is_signed_in(sp)  # the local session ended before Entra was asked


def test_a_logout_response_this_browser_did_not_ask_for_is_refused(
    clients: tuple[FlaskClient, FlaskClient], sp_app: Flask
) -> None:
    sp, idp = clients
    back = sign_out_at_trakstar(sp, idp)
    stranger = sp_app.test_client()
    page = stranger.get(path_of(back, SP))
    assert page.status_code == 400 and "could not be verified" in page.text


def test_a_session_without_sso_signs_out_locally(sp_app: Flask) -> None:
    """No SSO in the session (here: none at all once signed out): nothing is sent to Entra."""
    sp = sp_app.test_client()
    login_page = sp.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text)
    signed = sp.post(
        "/login",
        data={
            "email": "admin@contoso.com",
            "password": "Adm1n-Passw0rd!",
            "namespace": "contoso",
            "csrf_token": token.group(1) if token else "",
        },
    )
    assert signed.status_code == 303, signed.text[:400]
    out = sp.post("/logout", data={"csrf_token": csrf_token(sp)})
    assert out.headers["Location"] == "/signed-out"
    assert "You have signed out of Trakstar Perform." in sp.get("/signed-out").text
    assert not is_signed_in(sp)


@pytest.fixture
def wiki(idp_state: IdpState, idp_pair: SigningPair) -> EnterpriseApp:
    app = EnterpriseApp(
        app_id="0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
        name="Contoso Wiki",
        identifiers=[WIKI],
        reply_urls=[f"{WIKI}/saml/acs"],
        logout_url=f"{WIKI}/saml/logout",
        assignment_required=False,
        certificates=[SigningCertificate(pair=idp_pair, active=True)],
    )
    idp_state.tenant.apps[app.app_id] = app
    return app


def idp_initiated_request(sp: FlaskClient, idp: FlaskClient) -> str:
    """B.Simon also signs in to the wiki, then signs out there: the mock tells Trakstar."""
    assert (
        get(idp, redirect_query(authn_request(issuer=WIKI, acs=f"{WIKI}/saml/acs"))).status_code
        == 200
    )
    to_trakstar = get(idp, redirect_query(logout_request(issuer=WIKI, request_id="id-wiki-bye")))
    location = to_trakstar.headers["Location"]
    assert location.startswith(f"{SP}/auth/saml/logout?namespace=contoso&SAMLRequest=")
    return path_of(location, SP)


@pytest.mark.usefixtures("wiki")
def test_idp_initiated_logout_ends_the_session_and_answers(
    clients: tuple[FlaskClient, FlaskClient],
) -> None:
    sp, idp = clients
    at_trakstar = sp.get(idp_initiated_request(sp, idp))

    assert at_trakstar.status_code == 302, at_trakstar.text[:600]
    assert not is_signed_in(sp)
    answer = at_trakstar.headers["Location"]
    assert answer.startswith(f"{IDP}/{TENANT_ID}/saml2?SAMLResponse=")
    finished = idp.get(path_of(answer, IDP))
    assert finished.headers["Location"].startswith(f"{WIKI}/saml/logout?SAMLResponse=")


@pytest.mark.usefixtures("wiki")
def test_an_idp_logout_request_is_good_once(clients: tuple[FlaskClient, FlaskClient]) -> None:
    sp, idp = clients
    request_path = idp_initiated_request(sp, idp)
    assert sp.get(request_path).status_code == 302
    replayed = sp.get(request_path)
    assert replayed.status_code == 403 and "already been used" in replayed.text


@pytest.mark.usefixtures("wiki")
def test_an_idp_logout_request_with_a_bad_signature_changes_nothing(
    clients: tuple[FlaskClient, FlaskClient],
) -> None:
    sp, idp = clients
    request_path = idp_initiated_request(sp, idp)
    broken = re.sub(r"Signature=[^&]+", "Signature=AAAA", request_path)
    page = sp.get(broken)
    assert page.status_code == 400
    assert is_signed_in(sp)


def test_a_raw_non_ascii_byte_in_the_query_is_refused_not_a_crash(sp_app: Flask) -> None:
    raw = "namespace=contoso&SAMLResponse=x&RelayState=\xff&Signature=y"  # WSGI: latin-1
    response = sp_app.test_client().get(
        "/auth/saml/logout", environ_overrides={"QUERY_STRING": raw}
    )

    assert response.status_code == 400
    assert "not valid UTF-8" in response.text
