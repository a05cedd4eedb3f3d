"""The Response is Entra's shape: order, attributes, formats, signature placement (§4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from lxml import etree

from mock_idp.certificates import SigningPair
from mock_idp.protocol import claims
from mock_idp.protocol.response import Issuance, build_assertion, build_response
from mock_idp.protocol.signing import Signer
from mock_idp.protocol.xml import DS, SAML, SAMLP, saml_time, to_bytes

TENANT = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
ISSUER = f"https://sts.windows.net/{TENANT}/"
ACS = "http://localhost:8000/auth/saml/callback?namespace=contoso"
USER = {
    "user.userprincipalname": "B.Simon@contoso.com",
    "user.objectid": "oid-1",
    "user.displayname": "B.Simon",
    "user.givenname": "B",
    "user.surname": "Simon",
    "user.mail": "B.Simon@contoso.com",
}


def issuance(now: datetime, **changes: object) -> Issuance:
    values: dict[str, object] = dict(
        issuer=ISSUER,
        destination=ACS,
        in_response_to="id-request-1",
        audience="https://perform.trakstar.com",
        name_id="B.Simon@contoso.com",
        name_id_format=claims.EMAIL_FORMAT,
        claims=claims.release(
            USER,
            claims.DEFAULT_RULES,
            tenant_id=TENANT,
            idp_entity_id=ISSUER,
            auth_methods=(claims.PASSWORD_METHOD,),
        ),
        authn_instant=now - timedelta(hours=2),
    )
    values.update(changes)
    return Issuance(**values)  # type: ignore[arg-type]


def signed_response(
    now: datetime, new_id: Callable[[], str], pair: SigningPair, **changes: object
) -> etree._Element:
    iss = issuance(now, **changes)
    assertion = Signer(pair=pair).sign(build_assertion(iss, now=now, new_id=new_id))
    return build_response(iss, assertion, now=now, new_id=new_id)


def names(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def test_response_and_assertion_children_are_in_entras_order(
    now: datetime, new_id: Callable[[], str], idp_pair: SigningPair
) -> None:
    response = signed_response(now, new_id, idp_pair)
    assertion = response.find(f"{{{SAML}}}Assertion")
    assert names(response) == ["Issuer", "Status", "Assertion"]
    assert names(assertion) == [
        "Issuer",
        "Signature",
        "Subject",
        "Conditions",
        "AttributeStatement",
        "AuthnStatement",
    ]


def test_wire_form_is_compact_prefixed_and_has_no_declaration(
    now: datetime, new_id: Callable[[], str], idp_pair: SigningPair
) -> None:
    wire = to_bytes(signed_response(now, new_id, idp_pair)).decode()
    assert wire.startswith(
        '<samlp:Response ID="_00000000-0000-4000-8000-000000000002" '
        'Version="2.0" IssueInstant="2026-11-28T09:30:15.125Z" '
        f'Destination="{ACS.replace("&", "&amp;")}" '
        'InResponseTo="id-request-1" '
        'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
    )
    assert "<?xml" not in wire and "\n" not in wire and "> <" not in wire
    assert '<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">' in wire
    assert re.search(
        r'<Assertion ID="_[0-9a-f-]{36}" IssueInstant="[^"]+" Version="2.0" '
        r'xmlns="urn:oasis:names:tc:SAML:2.0:assertion">',
        wire,
    )
    assert '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">' in wire
    assert "ds:" not in wire


def test_timing_follows_real_entra_output(
    now: datetime, new_id: Callable[[], str], idp_pair: SigningPair
) -> None:
    assertion = signed_response(now, new_id, idp_pair).find(f"{{{SAML}}}Assertion")
    t0 = now - timedelta(milliseconds=150)
    conditions = assertion.find(f"{{{SAML}}}Conditions")
    data = assertion.find(f".//{{{SAML}}}SubjectConfirmationData")
    assert assertion.get("IssueInstant") == "2026-11-28T09:30:15.123Z"
    assert conditions.get("NotBefore") == saml_time(t0 - timedelta(minutes=5))
    assert conditions.get("NotOnOrAfter") == saml_time(t0 + timedelta(minutes=60))
    assert data.get("NotOnOrAfter") == conditions.get("NotOnOrAfter")
    assert data.get("Recipient") == ACS and data.get("InResponseTo") == "id-request-1"
    authn = assertion.find(f"{{{SAML}}}AuthnStatement")
    assert authn.get("SessionIndex") == assertion.get("ID")
    assert authn.get("AuthnInstant") == "2026-11-28T07:30:15.123Z"


def test_default_claims_in_entras_order_with_microsofts_uris(
    now: datetime, new_id: Callable[[], str], idp_pair: SigningPair
) -> None:
    assertion = signed_response(now, new_id, idp_pair).find(f"{{{SAML}}}Assertion")
    attributes = assertion.findall(f".//{{{SAML}}}Attribute")
    assert [a.get("Name") for a in attributes] == [
        claims.TENANT_ID,
        claims.OBJECT_ID,
        claims.DISPLAY_NAME,
        claims.IDENTITY_PROVIDER,
        claims.AUTHN_METHODS,
        claims.GIVEN_NAME,
        claims.SURNAME,
        claims.EMAIL,
        claims.NAME,
    ]
    assert all(set(a.attrib) == {"Name"} for a in attributes)  # no NameFormat, no xsi:type


def test_signature_is_entras_profile(
    now: datetime, new_id: Callable[[], str], idp_pair: SigningPair
) -> None:
    assertion = signed_response(now, new_id, idp_pair).find(f"{{{SAML}}}Assertion")
    signature = assertion.find(f"{{{DS}}}Signature")
    algorithms = [e.get("Algorithm") for e in signature.iter() if e.get("Algorithm")]
    assert algorithms == [
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/04/xmlenc#sha256",
    ]
    assert signature.find(f".//{{{DS}}}Reference").get("URI") == "#" + assertion.get("ID")
    certs = signature.findall(f".//{{{DS}}}X509Certificate")
    assert [c.text for c in certs] == [idp_pair.cert_b64]
    assert signature.find(f".//{{{DS}}}KeyValue") is None


def test_idp_initiated_response_has_no_in_response_to(
    now: datetime, new_id: Callable[[], str], idp_pair: SigningPair
) -> None:
    response = signed_response(now, new_id, idp_pair, in_response_to=None)
    assert "InResponseTo" not in response.attrib
    data = response.find(f".//{{{SAML}}}SubjectConfirmationData")
    assert "InResponseTo" not in data.attrib
    assert (
        response.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode").get("Value").endswith(":Success")
    )


def test_empty_source_attributes_are_left_out() -> None:
    released = claims.release(
        {**USER, "user.mail": ""},
        claims.DEFAULT_RULES,
        tenant_id=TENANT,
        idp_entity_id=ISSUER,
        auth_methods=(claims.PASSWORD_METHOD,),
    )
    assert claims.EMAIL not in [c.name for c in released]
