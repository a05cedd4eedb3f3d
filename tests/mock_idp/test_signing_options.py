"""Entra's signing options, each verified by the xmlsec1 program, never by our own signer."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree

from mock_idp.certificates import SigningPair
from mock_idp.state import IdpState
from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
RESPONSE_SIGNATURE = "/*[local-name()='Response']/*[local-name()='Signature']"
ASSERTION_SIGNATURE = "//*[local-name()='Assertion']/*[local-name()='Signature']"
ALGORITHMS = {
    "sha256": (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmlenc#sha256",
    ),
    "sha1": (
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "http://www.w3.org/2000/09/xmldsig#sha1",
    ),
}


def xmlsec1_verifies(xml: bytes, cert_pem: str, node_xpath: str, folder: Path) -> bool:
    """The xmlsec1 program's verdict on one Signature node, with the given certificate only."""
    document, cert = folder / "doc.xml", folder / "cert.pem"
    document.write_bytes(xml)
    cert.write_text(cert_pem)
    result = subprocess.run(
        [
            "xmlsec1",
            "--verify",
            "--pubkey-cert-pem",
            str(cert),
            "--id-attr:ID",
            f"{SAMLP}:Response",
            "--id-attr:ID",
            f"{SAML}:Assertion",
            "--node-xpath",
            node_xpath,
            str(document),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and "OK" in result.stderr


def response_for(sp_app: Flask, idp_app: Flask) -> bytes:
    """The Response the mock posts for an SP-initiated sign-in of B.Simon."""
    posted = sign_in_at_idp(idp_app.test_client(), start_sp_login(sp_app.test_client()))
    return base64.b64decode(posted.saml_response)


def signatures(root: etree._Element) -> dict[str, etree._Element]:
    found = {}
    for signature in root.iter(f"{{{DS}}}Signature"):
        found[etree.QName(signature.getparent()).localname] = signature
    return found


@pytest.mark.parametrize("algorithm", ["sha256", "sha1"])
@pytest.mark.parametrize("option", ["assertion", "response", "both"])
def test_each_signing_option_verifies_with_xmlsec1(
    option: str,
    algorithm: str,
    sp_app: Flask,
    idp_app: Flask,
    idp_state: IdpState,
    idp_pair: SigningPair,
    tmp_path: Path,
) -> None:
    app = idp_state.tenant.app_by_identifier("https://perform.trakstar.com")
    app.signing_option, app.signing_algorithm = option, algorithm
    xml = response_for(sp_app, idp_app)
    root = etree.fromstring(xml)

    found = signatures(root)
    expected = {"assertion": {"Assertion"}, "response": {"Response"}}
    assert set(found) == expected.get(option, {"Assertion", "Response"})
    for parent, signature in found.items():
        # Right after the signed element's Issuer, with the chosen algorithms.
        previous = signature.getprevious()
        assert etree.QName(previous).localname == "Issuer", parent
        method = signature.find(f".//{{{DS}}}SignatureMethod").get("Algorithm")
        digest = signature.find(f".//{{{DS}}}DigestMethod").get("Algorithm")
        assert (method, digest) == ALGORITHMS[algorithm]
    cert = idp_pair.cert_pem()
    if "Response" in found:
        assert xmlsec1_verifies(xml, cert, RESPONSE_SIGNATURE, tmp_path)
    if "Assertion" in found:
        assert xmlsec1_verifies(xml, cert, ASSERTION_SIGNATURE, tmp_path)


@pytest.mark.parametrize("option", ["assertion", "response", "both"])
def test_xmlsec1_refuses_a_changed_byte_and_a_foreign_certificate(
    option: str,
    sp_app: Flask,
    idp_app: Flask,
    idp_state: IdpState,
    idp_pair: SigningPair,
    attacker_pair: SigningPair,
    tmp_path: Path,
) -> None:
    """Proves the verifier above can say no, for every option."""
    idp_state.tenant.app_by_identifier("https://perform.trakstar.com").signing_option = option
    xml = response_for(sp_app, idp_app)
    xpath = ASSERTION_SIGNATURE if option != "response" else RESPONSE_SIGNATURE
    tampered = xml.replace(b">B.Simon@contoso.com</NameID>", b">C.Simon@contoso.com</NameID>")
    assert tampered != xml
    assert not xmlsec1_verifies(tampered, idp_pair.cert_pem(), xpath, tmp_path)
    assert not xmlsec1_verifies(xml, attacker_pair.cert_pem(), xpath, tmp_path)


@pytest.mark.parametrize(
    ("option", "accepted"),
    # The clone requires a signed Assertion (as Trakstar with Entra's default): "Sign SAML
    # response" alone is refused, "response and assertion" is accepted.
    [("assertion", True), ("both", True), ("response", False)],
)
def test_the_sp_accepts_what_entra_can_be_set_to(
    option: str, accepted: bool, sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    idp_state.tenant.app_by_identifier("https://perform.trakstar.com").signing_option = option
    sp = sp_app.test_client()
    posted = sign_in_at_idp(idp_app.test_client(), start_sp_login(sp))
    response = post_to_acs(sp, posted.saml_response, posted.relay_state)
    assert (response.status_code == 303) is accepted
    assert is_signed_in(sp) is accepted
