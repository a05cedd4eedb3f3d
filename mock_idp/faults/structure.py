"""Edits for the protocol and structure cases (docs/reference/attacks.md §3 A, F, #55–57, #36)."""

from __future__ import annotations

import base64
import copy
import hashlib
from dataclasses import replace

from lxml import etree

from mock_idp.faults.build import sign
from mock_idp.faults.edits import assertion_of, find, saml, signature_of
from mock_idp.faults.model import ENTRA, Context, Serializer
from mock_idp.protocol.response import build_assertion, build_error_response
from mock_idp.protocol.xml import SAMLP

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XENC = "http://www.w3.org/2001/04/xmlenc#"
RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"
REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester"
REQUEST_UNSUPPORTED = "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported"
AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
OTHER_TENANT = "0b6f1e4a-7d3c-4c2e-9a51-6e8f2d1c3b7a"  # a well-formed tenant that is not ours


def error_response(root: etree._Element, ctx: Context) -> etree._Element:
    """#55: Entra's error Response (§4.5): Requester/RequestUnsupported, an AADSTS message,
    no Assertion."""
    return build_error_response(
        issuer=ctx.issuance.issuer,
        destination=root.get("Destination"),
        in_response_to=root.get("InResponseTo"),
        top_code=REQUESTER,
        second_code=REQUEST_UNSUPPORTED,
        message="AADSTS75011: Authentication method by which the user authenticated with the "
        "service doesn't match requested authentication method.",
        now=ctx.now,
        new_id=ctx.new_id,
    )


def failed_status_keeping_assertion(root: etree._Element, _ctx: Context) -> None:
    """#55 variant: the StatusCode says Responder/AuthnFailed, the signed assertion stays."""
    code = find(root, "samlp:Status/samlp:StatusCode")
    code.set("Value", RESPONDER)
    etree.SubElement(code, f"{{{SAMLP}}}StatusCode", Value=AUTHN_FAILED)


def second_signed_assertion(root: etree._Element, ctx: Context) -> None:
    """Two assertions, both signed by the IdP: one for the user, one for the target."""
    evil = replace(ctx.issuance, name_id=ctx.evil)
    other = sign(build_assertion(evil, now=ctx.now, new_id=ctx.new_id), ENTRA, ctx)
    root.append(other)


def corrupt_assertion_signature(root: etree._Element, _ctx: Context) -> None:
    """#6: the assertion's SignatureValue damaged before the Response is signed over it."""
    value = find(signature_of(assertion_of(root)), "ds:SignatureValue")
    raw = bytearray(base64.b64decode(value.text or ""))
    raw[len(raw) // 2] ^= 0x01
    value.text = base64.b64encode(bytes(raw)).decode()


def second_authn_statement(assertion: etree._Element, _ctx: Context) -> None:
    statement = find(assertion, "saml:AuthnStatement")
    statement.addnext(copy.deepcopy(statement))


def unknown_condition(assertion: etree._Element, _ctx: Context) -> None:
    """#56: a Condition of a type no SP knows (extension conditions must be understood)."""
    restriction = find(assertion, "saml:Conditions/saml:AudienceRestriction")
    condition = etree.Element(saml("Condition"), nsmap={"xsi": XSI, "ext": "urn:example:ext"})
    condition.set(f"{{{XSI}}}type", "ext:MustUnderstand")
    restriction.addnext(condition)


def added_encrypted_assertion(root: etree._Element, ctx: Context) -> None:
    """#57(a): an EncryptedAssertion next to the genuine signed one. The SP has no decryption
    key configured (Entra token encryption is off), so the ciphertext is opaque bytes."""
    encrypted = etree.SubElement(root, saml("EncryptedAssertion"))
    data = etree.SubElement(
        encrypted, f"{{{XENC}}}EncryptedData", Type=XENC + "Element", nsmap={"xenc": XENC}
    )
    etree.SubElement(data, f"{{{XENC}}}EncryptionMethod", Algorithm=XENC + "aes256-cbc")
    cipher = etree.SubElement(data, f"{{{XENC}}}CipherData")
    value = etree.SubElement(cipher, f"{{{XENC}}}CipherValue")
    opaque = hashlib.sha256(ctx.new_id().encode()).digest() * 8
    value.text = base64.b64encode(opaque).decode()


def padded(size: int) -> Serializer:
    """Whitespace after the Status (outside any signed element in E:A) up to `size` bytes."""

    def serialize(xml: bytes, _ctx: Context) -> bytes:
        marker = b"</samlp:Status>"
        missing = max(0, size - len(xml))
        return xml.replace(marker, marker + b" " * missing, 1)

    return serialize
