"""The AuthnRequest the Trakstar clone sends: what Entra matches on, and what it must not carry."""

from __future__ import annotations

import base64
import re
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from lxml import etree

from sp.saml.identity import IdpSettings, certificate_der
from sp.saml.settings import idp_metadata
from tests.conftest import CERTS
from tests.flows import TENANT_ID

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
ACS = "http://localhost:8000/auth/saml/callback?namespace=contoso"


def sent_request(sp_app: Flask, query: str = "namespace=contoso") -> tuple[str, etree._Element]:
    response = sp_app.test_client().get(f"/auth/saml/?{query}")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    params = parse_qs(location.query)
    xml = zlib.decompress(base64.b64decode(params["SAMLRequest"][0]), -15)
    return f"{location.scheme}://{location.netloc}{location.path}", etree.fromstring(xml)


def test_the_request_goes_to_entras_login_url_by_redirect(sp_app: Flask) -> None:
    url, request = sent_request(sp_app)

    assert url == f"http://127.0.0.1:8001/{TENANT_ID}/saml2"
    assert request.tag == f"{{{SAMLP}}}AuthnRequest"
    assert request.get("Version") == "2.0"
    assert request.get("Destination") == url


def test_issuer_is_exactly_trakstars_fixed_entity_id(sp_app: Flask) -> None:
    """Entra looks the app up by an exact match on this value (AADSTS700016 otherwise)."""
    _url, request = sent_request(sp_app)

    assert request.findtext(f"{{{SAML}}}Issuer") == "https://perform.trakstar.com"


def test_acs_is_this_namespaces_callback_and_the_binding_post(sp_app: Flask) -> None:
    _url, request = sent_request(sp_app)

    assert request.get("AssertionConsumerServiceURL") == ACS
    assert request.get("ProtocolBinding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def test_id_is_a_valid_xs_id_and_new_each_time(sp_app: Flask) -> None:
    """An ID starting with a digit is AADSTS7500529 at Entra."""
    first = sent_request(sp_app)[1].get("ID")
    second = sent_request(sp_app)[1].get("ID")

    assert re.match(r"^[A-Za-z_][\w.-]*$", first or "")
    assert first != second


def test_no_nameid_policy_and_no_subject(sp_app: Flask) -> None:
    """Without a policy Entra sends its configured NameID (the UPN, emailAddress), which is what
    Trakstar matches people on; a requested format would win over it. A Subject is AADSTS900236."""
    _url, request = sent_request(sp_app)

    assert request.find(f"{{{SAMLP}}}NameIDPolicy") is None
    assert request.find(f"{{{SAML}}}Subject") is None


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("namespace=nowhere", 404, "Single sign-on is not available for this organisation."),
        ("", 404, "Single sign-on is not available for this organisation."),
        ("namespace=northwind", 404, "Single sign-on is not available for this organisation."),
        ("namespace=fabrikam", 409, "Single sign-on is not set up for this organisation yet."),
    ],
)
def test_no_redirect_without_an_entitled_configured_organisation(
    sp_app: Flask, query: str, status: int, text: str
) -> None:
    response = sp_app.test_client().get(f"/auth/saml/?{query}")

    assert response.status_code == status
    assert text in response.text
    assert "Location" not in response.headers


def test_both_certificates_are_trusted_during_a_rollover() -> None:
    new, old = (CERTS / "idp-signing.crt").read_text(), (CERTS / "sp-signing.crt").read_text()
    settings = IdpSettings(
        sso_url="https://login.example/t/saml2",
        entity_id=f"https://sts.windows.net/{TENANT_ID}/",
        logout_url="",
        certificates=(new, old),
    )
    metadata = etree.fromstring(idp_metadata(settings))
    ds = "http://www.w3.org/2000/09/xmldsig#"

    published = [c.text for c in metadata.iter(f"{{{ds}}}X509Certificate")]
    assert published == [base64.b64encode(certificate_der(p)).decode() for p in (new, old)]
