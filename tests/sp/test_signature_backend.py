"""The SP checks signatures in-process (libxmlsec1 through the `xmlsec` binding), never by
running the `xmlsec1` program, and refuses at least what pysaml2's xmlsec1 backend refuses."""

from __future__ import annotations

import base64
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from flask import Flask
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from saml2.sigver import CryptoBackendXmlSec1, XmlsecError

from mock_idp.certificates import SigningPair
from sp.saml import signature_backend
from sp.saml.signature_backend import SignatureRefused
from tests.attacks.driver import Browser, refusal_shown

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
ASSERTION = f"{SAML}:Assertion"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"


class SpawnAttempted(AssertionError):
    pass


@pytest.fixture
def no_child_processes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any attempt to start a program fails loudly (and is recorded)."""
    attempts: list[str] = []

    def refuse(*args: object, **_kwargs: object) -> None:
        attempts.append(repr(args)[:200])
        raise SpawnAttempted(f"a child process was started: {args!r}"[:300])

    # Every Popen (including pysaml2's `from subprocess import Popen`) ends in _execute_child.
    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse)
    for name in ("fork", "posix_spawn", "posix_spawnp", "system"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse)
    return attempts


def test_a_full_sign_in_at_the_acs_starts_no_process(
    sp_app: Flask, idp_app: Flask, no_child_processes: list[str]
) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()

    seen = browser.post(posted)

    assert seen.status == 303 and seen.signed_in, seen.text[:300]
    assert browser.whoami() == "Britta Simon"
    assert no_child_processes == []


def test_a_tampered_response_is_still_refused_without_a_process(
    sp_app: Flask, idp_app: Flask, no_child_processes: list[str]
) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()
    xml = base64.b64decode(posted.saml_response).replace(b"B.Simon@", b"A.Simon@", 1)

    seen = browser.post(posted.__class__(posted.action, base64.b64encode(xml).decode(), None))

    assert seen.status == 403 and refusal_shown(seen) == "signature" and not seen.signed_in
    assert no_child_processes == []


def test_the_trap_catches_stock_pysaml2s_xmlsec1_backend(
    tmp_path: Path, idp_pair: SigningPair, no_child_processes: list[str]
) -> None:
    """Proof the trap above works: pysaml2's stock backend cannot verify without a process."""
    cert = tmp_path / "idp.pem"
    cert.write_text(idp_pair.cert_pem())
    stock = CryptoBackendXmlSec1("/usr/bin/xmlsec1")

    with pytest.raises((SpawnAttempted, XmlsecError)):
        stock.validate_signature(b"<a/>", str(cert), "pem", ASSERTION, "_x")
    assert no_child_processes


# The backend on its own, on the assertion the mock signs (as Entra does by default).


@pytest.fixture
def assertion(sp_app: Flask, idp_app: Flask) -> bytes:
    """The signed Assertion of a real mock response, as a document of its own."""
    posted = Browser(sp_app, idp_app).sign_in()
    root = etree.fromstring(base64.b64decode(posted.saml_response))
    return etree.tostring(root.find(f"{{{SAML}}}Assertion"))


def assertion_id(xml: bytes) -> str:
    return str(etree.fromstring(xml).get("ID"))


def verify(xml: bytes, pair: SigningPair, node_id: str | None = None) -> None:
    signature_backend.verify(
        xml, pair.cert_pem().encode(), node_name=ASSERTION, node_id=node_id or assertion_id(xml)
    )


def resign(xml: bytes, pair: SigningPair, **algorithms: str) -> bytes:
    """The assertion signed again by another library (python3-saml), with its own KeyInfo."""
    root = etree.fromstring(xml)
    for old in root.findall(f"{{{DS}}}Signature"):
        root.remove(old)
    signed = OneLogin_Saml2_Utils.add_sign(
        etree.tostring(root).decode(), pair.key_pem().decode(), pair.cert_pem(), **algorithms
    )
    return signed if isinstance(signed, bytes) else signed.encode()


def test_the_mocks_signature_verifies_and_a_changed_byte_does_not(
    assertion: bytes, idp_pair: SigningPair
) -> None:
    verify(assertion, idp_pair)
    with pytest.raises(SignatureRefused, match="libxmlsec1"):
        verify(assertion.replace(b"B.Simon@", b"A.Simon@", 1), idp_pair)


def test_only_the_trusted_certificate_counts_not_the_one_in_keyinfo(
    assertion: bytes, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    forged = resign(assertion, attacker_pair)  # KeyInfo now carries the attacker's certificate
    verify(forged, attacker_pair)  # a well-formed signature…

    with pytest.raises(SignatureRefused, match="libxmlsec1"):
        verify(forged, idp_pair)  # …that the trusted key does not make


def test_the_trusted_certificate_names_a_key_and_nothing_else(
    assertion: bytes, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    """The backend checks with the certificate's public key alone (a bare key is ~0.1 ms a
    check cheaper in libxmlsec1): another certificate of the same key verifies as well, even
    an expired one, as it did when the key carried its certificate (expiry is the settings
    page's business); a certificate of another key does not; garbage is refused."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "same key, expired")])
    expired = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(idp_pair.key.public_key())
        .serial_number(7)
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2021, 1, 1, tzinfo=UTC))
        .sign(attacker_pair.key, hashes.SHA256())
    )
    node = assertion_id(assertion)

    signature_backend.verify(
        assertion, expired.public_bytes(Encoding.PEM), node_name=ASSERTION, node_id=node
    )
    with pytest.raises(SignatureRefused, match="libxmlsec1"):
        verify(assertion, attacker_pair)
    with pytest.raises(SignatureRefused, match="cannot be read"):
        signature_backend.verify(assertion, b"not a certificate", node_name=ASSERTION, node_id=node)


def test_another_library_s_sha256_signature_verifies(
    assertion: bytes, idp_pair: SigningPair
) -> None:
    verify(resign(assertion, idp_pair), idp_pair)


def test_sha1_is_switched_off_inside_libxmlsec1(assertion: bytes, idp_pair: SigningPair) -> None:
    """xmlsec1 --verify accepts RSA-SHA1; the in-process check does not enable it."""
    legacy = resign(assertion, idp_pair, sign_algorithm=RSA_SHA1, digest_algorithm=SHA1)
    with pytest.raises(SignatureRefused, match="libxmlsec1"):
        verify(legacy, idp_pair)


def test_a_reference_to_another_element_is_refused(assertion: bytes, idp_pair: SigningPair) -> None:
    node_id = assertion_id(assertion)
    moved = assertion.replace(f'URI="#{node_id}"'.encode(), b'URI="#elsewhere"', 1)
    with pytest.raises(SignatureRefused, match="is not #"):
        verify(moved, idp_pair)


def test_two_references_are_refused(assertion: bytes, idp_pair: SigningPair) -> None:
    root = etree.fromstring(assertion)
    signed_info = root.find(f"{{{DS}}}Signature/{{{DS}}}SignedInfo")
    reference = signed_info.find(f"{{{DS}}}Reference")
    signed_info.append(etree.fromstring(etree.tostring(reference)))
    with pytest.raises(SignatureRefused, match="2 ds:Reference"):
        verify(etree.tostring(root), idp_pair)


def test_a_second_signature_or_an_object_is_refused(
    assertion: bytes, idp_pair: SigningPair
) -> None:
    root = etree.fromstring(assertion)
    signature = root.find(f"{{{DS}}}Signature")
    root.append(etree.fromstring(etree.tostring(signature)))
    with pytest.raises(SignatureRefused, match="2 ds:Signature"):
        verify(etree.tostring(root), idp_pair)

    root = etree.fromstring(assertion)
    etree.SubElement(root.find(f"{{{DS}}}Signature"), f"{{{DS}}}Object").text = "x"
    with pytest.raises(SignatureRefused, match="ds:Object"):
        verify(etree.tostring(root), idp_pair)


def test_a_wrapped_copy_with_the_same_id_is_refused(
    assertion: bytes, idp_pair: SigningPair
) -> None:
    """Signature wrapping: the signed original hidden inside an evil twin with its ID."""
    twin = etree.fromstring(assertion)
    twin.append(etree.fromstring(assertion))  # same ID twice
    with pytest.raises(SignatureRefused, match="ID"):
        verify(etree.tostring(twin), idp_pair)


def test_an_xml_id_that_claims_the_signed_id_is_refused(
    assertion: bytes, idp_pair: SigningPair
) -> None:
    node_id = assertion_id(assertion)
    root = etree.fromstring(assertion)
    root.find(f"{{{SAML}}}Subject").set("{http://www.w3.org/XML/1998/namespace}id", node_id)
    with pytest.raises(SignatureRefused, match="not unique"):
        verify(etree.tostring(root), idp_pair)


def test_an_unknown_id_and_bad_xml_are_refused(assertion: bytes, idp_pair: SigningPair) -> None:
    with pytest.raises(SignatureRefused, match="0 elements"):
        verify(assertion, idp_pair, node_id="_nobody")
    with pytest.raises(SignatureRefused, match="not well-formed"):
        verify(b"<Assertion", idp_pair, node_id="_x")


def test_the_library_version_is_read_without_a_process(no_child_processes: list[str]) -> None:
    major, minor, _patch = (int(p) for p in signature_backend.library_version().split("."))
    assert (major, minor) >= (1, 2) and no_child_processes == []


def test_libxmlsec1_enables_exactly_the_sps_one_allow_list() -> None:
    """A weaker algorithm allowed in the library than in the gate would be the way in."""
    from sp.saml import constants

    reference = {t.href for t in signature_backend._REFERENCE_TRANSFORMS}
    signed_info = {t.href for t in signature_backend._SIGNATURE_TRANSFORMS}

    assert reference == set(constants.TRANSFORMS) | set(constants.DIGEST_METHODS)
    assert signed_info == {constants.EXC_C14N} | set(constants.SIGNATURE_METHODS)
