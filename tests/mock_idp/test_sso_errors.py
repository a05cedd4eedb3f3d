"""Every AADSTS path of a sign-in, one test per code: the code, and where the user sees it."""

from __future__ import annotations

import base64
import html
import logging
import re

import pytest
from flask.testing import FlaskClient
from lxml import etree

from mock_idp.certificates import SigningPair
from mock_idp.state import IdpState
from tests.flows import answer_kmsi
from tests.mock_idp.saml_requests import (
    ACS,
    SAML2,
    TENANT_ID,
    authn_request,
    get,
    logout_request,
    password_step,
    post,
    redirect_query,
    sign_post,
)

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SORRY = "Sorry, but we're having trouble signing you in."


def error_page(response, code: int) -> str:  # type: ignore[no-untyped-def]
    """Entra's error page for `code`, with its troubleshooting details; returns the Request Id."""
    assert response.status_code in (400, 404), response.text[:300]
    text = html.unescape(response.text)
    assert SORRY in text
    assert re.search(rf'id="aadsts">AADSTS{code}: ', text), text[:800]
    request_id = re.search(r'id="requestId">([0-9a-f-]{36})<', text)
    assert request_id and re.search(r'id="correlationId">[0-9a-f-]{36}<', text)
    assert re.search(r'id="timestamp">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<', text)
    assert f"Message: AADSTS{code}: " in text
    return request_id.group(1)


def inline_error(response, code: int, element_id: str) -> str:  # type: ignore[no-untyped-def]
    """The sign-in step shown again with Entra's prompt; the code only in `data-aadsts`."""
    assert response.status_code == 200
    match = re.search(rf'id="{element_id}" data-aadsts="{code}">([^<]+)<', response.text)
    assert match, response.text[:800]
    assert "AADSTS" not in response.text.replace(f'data-aadsts="{code}"', "")
    return html.unescape(match.group(1))


def acs_error(response, second: str) -> etree._Element:  # type: ignore[no-untyped-def]
    """The auto-post page carrying a non-Success Response to the ACS."""
    assert response.status_code == 200
    action = re.search(r'action="([^"]+)"', response.text)
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', response.text)
    assert action and value, response.text[:500]
    assert html.unescape(action.group(1)) == ACS
    root = etree.fromstring(base64.b64decode(value.group(1)))
    codes = [c.get("Value") for c in root.iter(f"{{{SAMLP}}}StatusCode")]
    assert codes[1:] == [f"urn:oasis:names:tc:SAML:2.0:status:{second}"]
    assert root.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusMessage") is not None
    assert root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion") is None
    return root


def test_750054_no_saml_request(idp: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="mock_idp"):
        request_id = error_page(idp.get(SAML2), 750054)
    assert any(
        "AADSTS750054" in r.message and f"request_id={request_id}" in r.message
        for r in caplog.records
    )


def test_75005_not_deflated(idp: FlaskClient) -> None:
    plain = base64.b64encode(authn_request()).decode()
    error_page(get(idp, f"SAMLRequest={plain}"), 75005)


def test_75005_logout_request_by_post(idp: FlaskClient) -> None:
    error_page(post(idp, logout_request()), 75005)


def test_7500529_id_starts_with_a_digit(idp: FlaskClient) -> None:
    error_page(get(idp, redirect_query(authn_request(request_id="1abc"))), 7500529)


def test_700016_unknown_issuer_names_the_tenant(idp: FlaskClient) -> None:
    response = get(idp, redirect_query(authn_request(issuer="https://unknown.example")))
    error_page(response, 700016)
    text = html.unescape(response.text)
    assert "Application with identifier 'https://unknown.example' was not found in the" in text
    assert "directory 'Contoso'" in text


def test_76021_unsigned_when_signatures_are_required(
    idp: FlaskClient, idp_state: IdpState, idp_pair: SigningPair
) -> None:
    app = idp_state.tenant.app_by_identifier("https://perform.trakstar.com")
    app.require_signed_requests = True
    app.verification_certificates = [idp_pair.cert_pem()]
    error_page(get(idp, redirect_query(authn_request())), 76021)
    error_page(post(idp, authn_request()), 76021)


def test_50011_acs_not_a_reply_url(idp: FlaskClient) -> None:
    wrong = "http://localhost:8000/auth/saml/callback?namespace=fabrikam"
    response = get(idp, redirect_query(authn_request(acs=wrong)))
    error_page(response, 50011)
    assert "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60" in response.text


def test_900971_no_reply_url_anywhere(idp: FlaskClient, idp_state: IdpState) -> None:
    idp_state.tenant.app_by_identifier("https://perform.trakstar.com").reply_urls = []
    error_page(get(idp, redirect_query(authn_request(acs=None))), 900971)


def test_75003_response_binding_other_than_post(idp: FlaskClient) -> None:
    binding = 'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"'
    error_page(get(idp, redirect_query(authn_request(attrs=binding))), 75003)


def test_750161_name_id_format_not_allowed(idp: FlaskClient) -> None:
    policy = '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity"/>'
    response = get(idp, redirect_query(authn_request(body=policy)))
    error_page(response, 750161)
    assert "NameIDPolicy formats are: urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" in (
        response.text
    )


def test_900236_subject_in_the_request(idp: FlaskClient) -> None:
    subject = "<saml:Subject><saml:NameID>B.Simon@contoso.com</saml:NameID></saml:Subject>"
    error_page(get(idp, redirect_query(authn_request(body=subject))), 900236)


def test_75011_comparison_other_than_exact(idp: FlaskClient) -> None:
    context = (
        '<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>'
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef>"
        "</samlp:RequestedAuthnContext>"
    )
    error_page(get(idp, redirect_query(authn_request(body=context))), 75011)


def test_75011_mfa_sign_in_does_not_satisfy_password_protected_transport(
    idp: FlaskClient, idp_state: IdpState
) -> None:
    idp_state.tenant.user_by_upn("B.Simon@contoso.com").mfa = True
    context = (
        "<samlp:RequestedAuthnContext><saml:AuthnContextClassRef>"
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        "</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>"
    )
    get(idp, redirect_query(authn_request(body=context)))
    assert "Enter code" in password_step(idp).text
    response = answer_kmsi(idp, idp.post(f"/{TENANT_ID}/login/mfa", data={"otc": "123456"}))
    error_page(response, 75011)
    assert (
        "Authentication method 'Password, MultiFactor' by which the user authenticated with the "
        "service doesn't match requested authentication method 'Password, ProtectedTransport'"
    ) in html.unescape(response.text)


def test_75016_empty_name_id_format_goes_to_the_acs(idp: FlaskClient) -> None:
    policy = '<samlp:NameIDPolicy Format="" AllowCreate="true"/>'
    response = get(idp, redirect_query(authn_request(body=policy), relay_state="/dashboard"))
    root = acs_error(response, "InvalidNameIDPolicy")
    assert root.get("InResponseTo") == "id-req-1"
    message = root.findtext(f".//{{{SAMLP}}}StatusMessage")
    assert message.startswith("AADSTS75016: Cannot provide requested name identifier with format ")
    trace = r"\nTrace ID: [0-9a-f-]{36}\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$"
    assert re.search(trace, message)
    assert 'name="RelayState" value="/dashboard"' in response.text


def test_75006_sp_name_qualifier_goes_to_the_acs(idp: FlaskClient) -> None:
    policy = '<samlp:NameIDPolicy SPNameQualifier="https://perform.trakstar.com"/>'
    root = acs_error(get(idp, redirect_query(authn_request(body=policy))), "RequestUnsupported")
    assert root.findtext(f".//{{{SAMLP}}}StatusMessage").startswith(
        "AADSTS75006: An error occurred while processing a SAML2 Authentication request. "
        "AADSTS90011: The SAML authentication request property "
        "'NameIdentifierPolicy/SPNameQualifier' is not supported."
    )


def test_50058_is_passive_without_a_session_goes_to_the_acs(idp: FlaskClient) -> None:
    response = get(idp, redirect_query(authn_request(attrs='IsPassive="true"')))
    root = acs_error(response, "NoPassive")
    codes = [c.get("Value") for c in root.iter(f"{{{SAMLP}}}StatusCode")]
    assert codes[0] == "urn:oasis:names:tc:SAML:2.0:status:Responder"
    assert "AADSTS50058" in root.findtext(f".//{{{SAMLP}}}StatusMessage")


def test_50034_unknown_user_on_the_username_step(idp: FlaskClient) -> None:
    get(idp, redirect_query(authn_request()))
    response = idp.post(f"/{TENANT_ID}/login", data={"login": "Nobody@contoso.com"})
    assert inline_error(response, 50034, "usernameError").startswith(
        "This username may be incorrect."
    )
    assert 'value="Nobody@contoso.com"' in response.text


def test_50126_bad_password_on_the_password_step(idp: FlaskClient) -> None:
    get(idp, redirect_query(authn_request()))
    response = password_step(idp, password="wrong")
    assert inline_error(response, 50126, "passwordError").startswith(
        "Your account or password is incorrect."
    )
    assert "Enter password" in response.text


def test_500121_wrong_verification_code(idp: FlaskClient, idp_state: IdpState) -> None:
    idp_state.tenant.user_by_upn("B.Simon@contoso.com").mfa = True
    get(idp, redirect_query(authn_request()))
    password_step(idp)
    response = idp.post(f"/{TENANT_ID}/login/mfa", data={"otc": "000000"})
    assert inline_error(response, 500121, "idSpan_SAOTCC_Error_OTC").startswith(
        "You didn't enter the expected verification code."
    )


def test_50057_disabled_user(idp: FlaskClient) -> None:
    get(idp, redirect_query(authn_request()))
    error_page(password_step(idp, "Lynne.Robbins@contoso.com"), 50057)


def test_7000112_disabled_application(idp: FlaskClient, idp_state: IdpState) -> None:
    idp_state.tenant.app_by_identifier("https://perform.trakstar.com").enabled = False
    get(idp, redirect_query(authn_request()))
    response = password_step(idp)
    error_page(response, 7000112)
    assert "(Trakstar) is disabled." in response.text


def test_50105_user_not_assigned(idp: FlaskClient) -> None:
    get(idp, redirect_query(authn_request()))
    response = password_step(idp, "Adele.Vance@contoso.com")
    error_page(response, 50105)
    assert "configured the application Trakstar" in response.text


def test_7500530_logout_request_without_name_id(idp: FlaskClient) -> None:
    error_page(get(idp, redirect_query(logout_request(name_id=None))), 7500530)


def test_50061_logout_response_nobody_asked_for(idp: FlaskClient) -> None:
    stray = (
        f'<samlp:LogoutResponse xmlns:samlp="{SAMLP}" ID="_x" Version="2.0" '
        'IssueInstant="2026-11-28T09:30:00Z" InResponseTo="_never-sent">'
        f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        "</samlp:Status></samlp:LogoutResponse>"
    ).encode()
    error_page(get(idp, redirect_query(stray, param="SAMLResponse")), 50061)


def test_90002_unknown_tenant(idp: FlaskClient) -> None:
    error_page(idp.get("/00000000-0000-0000-0000-000000000000/saml2"), 90002)


def test_signed_post_request_with_the_wrong_key_is_76021(
    idp: FlaskClient, idp_state: IdpState, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    app = idp_state.tenant.app_by_identifier("https://perform.trakstar.com")
    app.require_signed_requests = True
    app.verification_certificates = [idp_pair.cert_pem()]
    response = post(idp, sign_post(authn_request(), attacker_pair))
    error_page(response, 76021)
    assert "could not be verified" in response.text


def test_501241_name_id_source_empty(idp: FlaskClient, idp_state: IdpState) -> None:
    app = idp_state.tenant.app_by_identifier("https://perform.trakstar.com")
    app.name_id_source = "user.mail"
    idp_state.tenant.user_by_upn("B.Simon@contoso.com").mail = ""
    get(idp, redirect_query(authn_request()))
    response = password_step(idp)
    error_page(response, 501241)
    assert "SAMLResponse" not in response.text
