"""Single logout at the mock (§9): LogoutRequest in, session ended, signed LogoutResponse out
with Entra's lowercase escapes, and a LogoutRequest to every other app of the session."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask.testing import FlaskClient
from lxml import etree

from mock_idp.certificates import SigningPair
from mock_idp.state import IdpState
from mock_idp.tenant import EnterpriseApp, SigningCertificate
from tests.mock_idp.saml_requests import (
    LOGOUT_URL,
    SAML2,
    TENANT_ID,
    authn_request,
    get,
    inflate,
    logout_request,
    password_step,
    redirect_query,
    split_redirect,
)

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
WIKI = "https://wiki.contoso.example"
WIKI_LOGOUT = "https://wiki.contoso.example/saml/logout"
WIKI_ACS = "https://wiki.contoso.example/saml/acs"


@pytest.fixture
def wiki(idp_state: IdpState, idp_pair: SigningPair) -> EnterpriseApp:
    """A second app B.Simon uses in the same session."""
    tenant = idp_state.tenant
    app = EnterpriseApp(
        app_id="0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
        name="Contoso Wiki",
        identifiers=[WIKI],
        reply_urls=[WIKI_ACS],
        logout_url=WIKI_LOGOUT,
        assignment_required=False,
        certificates=[SigningCertificate(pair=idp_pair, active=True)],
    )
    tenant.apps[app.app_id] = app
    return app


def signed_in(idp: FlaskClient, issuer: str = "https://perform.trakstar.com", acs: str = "") -> str:
    """Sign B.Simon in to one app; returns the SessionIndex it received."""
    request = authn_request(request_id=f"id-{len(issuer)}", issuer=issuer, acs=acs or None)
    first = get(idp, redirect_query(request))
    response = password_step(idp) if first.status_code == 302 else first
    xml = base64.b64decode(re.search(r'name="SAMLResponse" value="([^"]+)"', response.text)[1])
    return etree.fromstring(xml).find(f".//{{{SAML}}}AuthnStatement").get("SessionIndex")


def verify_raw(raw_query: str, param: str, pair: SigningPair) -> None:
    """Checks the signature over the query exactly as sent, as an SP must (never re-encoded)."""
    fields = dict(p.split("=", 1) for p in raw_query.split("&"))
    signed = "&".join(f"{k}={fields[k]}" for k in (param, "RelayState", "SigAlg") if k in fields)
    signature = base64.b64decode(unquote(fields["Signature"]))
    key = pair.cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, signed.encode(), padding.PKCS1v15(), hashes.SHA256())


def test_sp_initiated_logout_ends_the_session_and_answers_signed(
    idp: FlaskClient, idp_pair: SigningPair
) -> None:
    signed_in(idp)
    query = redirect_query(logout_request(request_id="id-bye"), relay_state="/login?bye=1")

    response = get(idp, query)

    assert response.status_code == 302
    target = split_redirect(response.headers["Location"])
    assert f"{target.base}?namespace=contoso" == LOGOUT_URL
    assert list(target.params) == ["namespace", "SAMLResponse", "RelayState", "SigAlg", "Signature"]
    assert target.params["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert "SigAlg=http%3a%2f%2fwww.w3.org%2f2001%2f04%2fxmldsig-more%23rsa-sha256" in (
        target.raw_query
    )
    assert not re.search(r"%[0-9a-f]?[A-F]", target.raw_query)  # every escape is lowercase
    verify_raw(target.raw_query, "SAMLResponse", idp_pair)
    assert target.params["RelayState"] == "/login?bye=1"

    root = etree.fromstring(inflate(target.params["SAMLResponse"]))
    assert etree.QName(root).localname == "LogoutResponse"
    assert root.get("InResponseTo") == "id-bye" and "Destination" not in root.attrib
    assert root.findtext(f"{{{SAML}}}Issuer") == f"https://login.microsoftonline.com/{TENANT_ID}/"
    code = root.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode").get("Value")
    assert code == "urn:oasis:names:tc:SAML:2.0:status:Success"

    again = get(idp, redirect_query(authn_request(request_id="id-again")))
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")


def test_a_tampered_response_query_fails_raw_verification(
    idp: FlaskClient, idp_pair: SigningPair
) -> None:
    signed_in(idp)
    target = split_redirect(get(idp, redirect_query(logout_request())).headers["Location"])
    uppercased = re.sub(r"%[0-9a-f]{2}", lambda m: m.group(0).upper(), target.raw_query)
    with pytest.raises(InvalidSignature):  # what a re-encoding SP (pysaml2) runs into
        verify_raw(uppercased, "SAMLResponse", idp_pair)


def test_the_older_issuer_form_is_configurable(idp: FlaskClient, idp_state: IdpState) -> None:
    idp_state.tenant.logout_issuer_host = "sts.windows.net"
    target = split_redirect(get(idp, redirect_query(logout_request())).headers["Location"])
    root = etree.fromstring(inflate(target.params["SAMLResponse"]))
    assert root.findtext(f"{{{SAML}}}Issuer") == f"https://sts.windows.net/{TENANT_ID}/"


def test_logout_without_a_session_still_answers_success(idp: FlaskClient) -> None:
    response = get(idp, redirect_query(logout_request()))
    target = split_redirect(response.headers["Location"])
    assert b"status:Success" in inflate(target.params["SAMLResponse"])


def test_an_unknown_issuer_is_700016(idp: FlaskClient) -> None:
    response = get(idp, redirect_query(logout_request(issuer="https://nobody.example")))
    assert response.status_code == 400 and "AADSTS700016" in response.text


def test_an_app_without_logout_url_ends_on_entras_signed_out_page(
    idp: FlaskClient, idp_state: IdpState
) -> None:
    idp_state.tenant.app_by_identifier("https://perform.trakstar.com").logout_url = ""
    signed_in(idp)
    response = get(idp, redirect_query(logout_request()))
    assert response.status_code == 200 and "You signed out of your account" in response.text
    assert get(idp, redirect_query(authn_request())).status_code == 302  # session is over


def test_other_participants_get_a_logout_request_then_the_initiator_its_answer(
    idp: FlaskClient, wiki: EnterpriseApp, idp_pair: SigningPair
) -> None:
    signed_in(idp)
    wiki_session = signed_in(idp, issuer=WIKI, acs=WIKI_ACS)

    first = get(idp, redirect_query(logout_request(request_id="id-trakstar-bye")))

    to_wiki = split_redirect(first.headers["Location"])
    assert to_wiki.base == WIKI_LOGOUT and list(to_wiki.params) == [
        "SAMLRequest",
        "SigAlg",
        "Signature",
    ]
    verify_raw(to_wiki.raw_query, "SAMLRequest", idp_pair)
    request = etree.fromstring(inflate(to_wiki.params["SAMLRequest"]))
    assert etree.QName(request).localname == "LogoutRequest"
    assert request.get("Destination") == WIKI_LOGOUT and request.get("NotOnOrAfter")
    assert request.findtext(f"{{{SAML}}}Issuer") == f"https://sts.windows.net/{TENANT_ID}/"
    name_id = request.find(f"{{{SAML}}}NameID")
    assert name_id.text == "B.Simon@contoso.com" and "Format" not in name_id.attrib
    assert request.findtext(f"{{{SAMLP}}}SessionIndex") == wiki_session

    answer = (
        f'<samlp:LogoutResponse xmlns:samlp="{SAMLP}" ID="_wiki-answer" Version="2.0" '
        f'IssueInstant="2026-11-28T09:30:00Z" InResponseTo="{request.get("ID")}">'
        f'<saml:Issuer xmlns:saml="{SAML}">{WIKI}</saml:Issuer><samlp:Status>'
        '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        "</samlp:Status></samlp:LogoutResponse>"
    ).encode()
    back = get(idp, redirect_query(answer, param="SAMLResponse"))

    to_trakstar = split_redirect(back.headers["Location"])
    assert f"{to_trakstar.base}?namespace=contoso" == LOGOUT_URL
    response = etree.fromstring(inflate(to_trakstar.params["SAMLResponse"]))
    assert response.get("InResponseTo") == "id-trakstar-bye"
    replay = get(idp, redirect_query(answer, param="SAMLResponse"))
    assert replay.status_code == 400 and "AADSTS50061" in replay.text


def test_the_initiator_itself_gets_no_logout_request(idp: FlaskClient, wiki: EnterpriseApp) -> None:
    signed_in(idp, issuer=WIKI, acs=WIKI_ACS)
    signed_in(idp)
    wiki_bye = logout_request(issuer=WIKI)
    target = split_redirect(get(idp, redirect_query(wiki_bye)).headers["Location"])
    # Trakstar is told first (it is the other participant), by a LogoutRequest to its Logout URL.
    assert f"{target.base}?namespace=contoso" == LOGOUT_URL and "SAMLRequest" in target.params


def test_logout_by_post_is_refused_as_entra_does(idp: FlaskClient) -> None:
    response = idp.post(SAML2, data={"SAMLRequest": base64.b64encode(logout_request()).decode()})
    assert response.status_code == 400 and "AADSTS75005" in response.text
