"""Entra's metadata and certificate rules: the tenant-wide document, case-insensitive paths,
real claim descriptions, the rollover rule, and the Audience of an app with several Identifiers
(signatures checked by the xmlsec1 program, never by our own signer)."""

from __future__ import annotations

import base64
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from lxml import etree

from mock_idp import certificates
from mock_idp.protocol import claims
from mock_idp.state import IdpState
from mock_idp.tenant import SigningCertificate
from tests.mock_idp.saml_requests import (
    TENANT_ID,
    authn_request,
    get,
    password_step,
    redirect_query,
)

APP_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706"
APP_METADATA = f"/{TENANT_ID}/federationmetadata/2007-06/federationmetadata.xml?appid={APP_ID}"
TENANT_METADATA = f"/{TENANT_ID}/FederationMetadata/2007-06/FederationMetadata.xml"


def xmlsec1_verifies(xml: bytes, cert_b64: str, element: str, folder: Path) -> bool:
    """The xmlsec1 program's verdict on the first Signature, with this certificate only."""
    document, cert = folder / "doc.xml", folder / "cert.pem"
    document.write_bytes(xml)
    cert.write_text(f"-----BEGIN CERTIFICATE-----\n{cert_b64}\n-----END CERTIFICATE-----\n")
    result = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert), "--id-attr:ID", element,
         str(document)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.returncode == 0 and "OK" in result.stderr


def published(xml: bytes) -> set[str]:
    root = etree.fromstring(xml)
    return {c.text or "" for c in root.iter(f"{{{DS}}}X509Certificate")}


def test_app_and_tenant_wide_metadata_verify_each_with_its_own_key(
    idp: FlaskClient, idp_state: IdpState, tmp_path: Path
) -> None:
    app_cert = idp_state.tenant.apps[APP_ID].active_certificate.pair.cert_b64
    app_xml = idp.get(APP_METADATA).data
    tenant_xml = idp.get(TENANT_METADATA).data
    (tenant_cert,) = published(tenant_xml)

    assert published(app_xml) == {app_cert} and tenant_cert != app_cert
    entity = f"{MD}:EntityDescriptor"
    assert xmlsec1_verifies(app_xml, app_cert, entity, tmp_path)
    assert xmlsec1_verifies(tenant_xml, tenant_cert, entity, tmp_path)
    assert not xmlsec1_verifies(tenant_xml, app_cert, entity, tmp_path)
    assert published(idp.get(TENANT_METADATA).data) == {tenant_cert}  # one key per tenant
    root = etree.fromstring(tenant_xml)
    assert root.get("entityID") == f"https://sts.windows.net/{TENANT_ID}/"


@pytest.mark.parametrize(
    "path",
    [
        APP_METADATA.replace("federationmetadata", "FederationMetadata"),
        APP_METADATA.replace("federationmetadata.xml", "FEDERATIONMETADATA.XML"),
        TENANT_METADATA.lower(),
        "/contoso.com/FederationMetadata/2007-06/FederationMetadata.xml",
    ],
)
def test_metadata_paths_match_without_regard_to_case(idp: FlaskClient, path: str) -> None:
    response = idp.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert b"<EntityDescriptor" in response.data


def test_the_saml2_path_matches_without_regard_to_case(idp: FlaskClient) -> None:
    response = idp.get(f"/{TENANT_ID}/SAML2?{redirect_query(authn_request())}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_claim_types_carry_entras_display_names_and_descriptions(idp: FlaskClient) -> None:
    root = etree.fromstring(idp.get(APP_METADATA).data)
    offered = {
        c.get("Uri"): (c.findtext(f"{{{AUTH}}}DisplayName"), c.findtext(f"{{{AUTH}}}Description"))
        for c in root.iter(f"{{{AUTH}}}ClaimType")
    }
    assert len(offered) == 19
    assert offered["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"] == (
        "Role Claim",
        "Roles that the user or Service Principal is attached to",
    )
    assert offered["http://schemas.microsoft.com/ws/2008/06/identity/claims/wids"][0] == (
        "RoleTemplate Id Claim"
    )
    assert not any(re.search(r"The .* claim\.", d or "") for _, d in offered.values())


def assertion_signer(response) -> str:  # type: ignore[no-untyped-def]
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', response.text)
    assert value, response.text[:500]
    root = etree.fromstring(base64.b64decode(value.group(1)))
    cert = root.find(f".//{{{SAML}}}Assertion/{{{DS}}}Signature//{{{DS}}}X509Certificate")
    assert cert is not None
    return cert.text or ""


def signed_response(idp: FlaskClient, request_id: str = "id-r1", issuer: str = "") -> bytes:
    query = redirect_query(
        authn_request(request_id=request_id, **({"issuer": issuer} if issuer else {}))
    )
    page = get(idp, query)
    if page.status_code == 302:  # no session yet: the sign-in pages
        page = password_step(idp)
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', page.text)
    assert value, page.text[:500]
    return base64.b64decode(value.group(1))


def test_an_expired_active_certificate_gives_way_to_a_valid_inactive_one(
    idp: FlaskClient, idp_state: IdpState, now: datetime, tmp_path: Path
) -> None:
    expired = certificates.generate(now - timedelta(days=3 * 366 + 10))
    newer = certificates.generate(now - timedelta(days=1))
    app = idp_state.tenant.apps[APP_ID]
    app.certificates = [
        SigningCertificate(pair=expired, active=True),
        SigningCertificate(pair=newer, active=False),
    ]
    idp_state.clock = lambda: now

    xml = signed_response(idp)

    assertion = f"{SAML}:Assertion"
    assert xmlsec1_verifies(xml, newer.cert_b64, assertion, tmp_path)
    assert not xmlsec1_verifies(xml, expired.cert_b64, assertion, tmp_path)
    assert app.active_certificate.pair is expired  # nobody activated the new one
    assert published(idp.get(APP_METADATA).data) == {expired.cert_b64}  # the active one (§2)


def test_a_valid_active_certificate_is_used_even_when_a_newer_one_exists(
    idp: FlaskClient, idp_state: IdpState, now: datetime, tmp_path: Path
) -> None:
    current = certificates.generate(now - timedelta(days=30))
    newer = certificates.generate(now - timedelta(days=1))
    idp_state.tenant.apps[APP_ID].certificates = [
        SigningCertificate(pair=current, active=True),
        SigningCertificate(pair=newer, active=False),
    ]
    idp_state.clock = lambda: now
    xml = signed_response(idp)
    assert xmlsec1_verifies(xml, current.cert_b64, f"{SAML}:Assertion", tmp_path)


def audience(xml: bytes) -> str:
    root = etree.fromstring(xml)
    return root.findtext(f".//{{{SAML}}}Audience") or ""


def test_the_audience_is_the_identifier_the_issuer_matched(
    idp: FlaskClient, idp_state: IdpState
) -> None:
    app = idp_state.tenant.apps[APP_ID]
    app.identifiers = ["https://perform.trakstar.com", "https://perform.example/second"]
    assert audience(signed_response(idp, issuer="https://perform.example/second")) == (
        "https://perform.example/second"
    )
    assert audience(signed_response(idp, "id-r2")) == "https://perform.trakstar.com"


def test_a_transient_name_id_is_new_each_time_in_the_pairwise_shape(idp: FlaskClient) -> None:
    policy = f'<samlp:NameIDPolicy Format="{claims.TRANSIENT_FORMAT}"/>'
    values = []
    for n in (1, 2):
        query = redirect_query(authn_request(request_id=f"id-t{n}", body=policy))
        if n == 1:
            assert get(idp, query).status_code == 302
            page = password_step(idp)
        else:
            page = get(idp, query)
        xml = base64.b64decode(re.search(r'name="SAMLResponse" value="([^"]+)"', page.text)[1])  # type: ignore[index]
        values.append(etree.fromstring(xml).findtext(f".//{{{SAML}}}NameID"))
    assert values[0] != values[1]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", v or "") for v in values)
