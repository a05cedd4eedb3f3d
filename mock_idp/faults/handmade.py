"""Enveloped signatures signxml will not make, assembled with lxml and signed with `cryptography`.

signxml (the mock's XML-DSig library, `mock_idp/protocol/signing.py`) has no MD5 digest, always
writes exactly the enveloped + c14n Transforms, and resolves a Reference only inside the element
it signs (it signs a copy). The catalogue needs precisely those shapes, because they are what an
SP's signature profile must refuse (docs/reference/attacks.md #5, #7, #38): an MD5 digest, an
extra XSLT Transform, a missing enveloped Transform, a Reference to another element, an empty or
external URI. This module follows the recipe of docs/reference/attacks.md Appendix A, signing in
place so that namespaces in scope are right, and is used for nothing else.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from mock_idp.certificates import SigningPair
from mock_idp.protocol.xml import DS

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
XSLT = "http://www.w3.org/TR/1999/REC-xslt-19991116"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
MD5 = "http://www.w3.org/2001/04/xmldsig-more#md5"

_DIGESTS = {SHA256: "sha256", SHA1: "sha1", MD5: "md5"}
_SIGNATURE_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    RSA_SHA256: hashes.SHA256,
    RSA_SHA1: hashes.SHA1,
}
XSL = "http://www.w3.org/1999/XSL/Transform"


EXTERNAL_URI = "http://127.0.0.1:9/signed-elsewhere.xml"  # the discard port: nothing answers
Target = Literal["self", "response", "document", "external"]


@dataclass(frozen=True, kw_only=True, slots=True)
class HandmadeShape:
    signature_method: str = RSA_SHA256
    digest_method: str = SHA256
    # What the Reference points at: the signed element (Entra), the enclosing Response,
    # the whole document (URI=""), or an external URL.
    target: Target = "self"
    transforms: tuple[str, ...] = (ENVELOPED, EXC_C14N)

    def uri(self, element: etree._Element) -> str:
        if self.target == "self":
            return f"#{element.get('ID')}"
        if self.target == "response":
            return f"#{element.getroottree().getroot().get('ID')}"
        return "" if self.target == "document" else EXTERNAL_URI


def sign_in_place(
    element: etree._Element, shape: HandmadeShape, *, pair: SigningPair, after: str = "Issuer"
) -> None:
    """Insert a Signature after `after` in `element`, computed over the referenced node."""
    uri = shape.uri(element)
    # The digest input is the referenced node without this Signature: computed before the
    # Signature exists, which is what the enveloped transform restores for a verifier.
    digest = _digest(_referenced(element, uri), shape.digest_method)
    signature = etree.Element(f"{{{DS}}}Signature", nsmap={None: DS})
    signed_info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
    etree.SubElement(signed_info, f"{{{DS}}}CanonicalizationMethod", Algorithm=EXC_C14N)
    etree.SubElement(signed_info, f"{{{DS}}}SignatureMethod", Algorithm=shape.signature_method)
    reference = etree.SubElement(signed_info, f"{{{DS}}}Reference", URI=uri)
    transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
    for algorithm in shape.transforms:
        transform = etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=algorithm)
        if algorithm == XSLT:
            transform.append(_identity_stylesheet())
    etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=shape.digest_method)
    etree.SubElement(reference, f"{{{DS}}}DigestValue").text = digest
    value = etree.SubElement(signature, f"{{{DS}}}SignatureValue")
    key_info = etree.SubElement(signature, f"{{{DS}}}KeyInfo")
    x509_data = etree.SubElement(key_info, f"{{{DS}}}X509Data")
    etree.SubElement(x509_data, f"{{{DS}}}X509Certificate").text = pair.cert_b64
    _insert_after(element, signature, after)
    # SignedInfo is canonicalized where it sits, so the namespaces in scope are the real ones.
    signed_bytes = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False)
    value.text = base64.b64encode(
        _rsa_sign(pair.key, signed_bytes, shape.signature_method)
    ).decode()


def _referenced(element: etree._Element, uri: str) -> etree._Element:
    root = element.getroottree().getroot()
    if uri == "":
        return root  # the whole document
    if not uri.startswith("#"):
        return element  # an external URI: a verifier would have to fetch it; the SP must not
    matches = root.xpath("//*[@ID=$id]", id=uri[1:])
    if len(matches) != 1:
        raise LookupError(f"Reference {uri} matches {len(matches)} elements")
    found: etree._Element = matches[0]
    return found


def _digest(node: etree._Element, method: str) -> str:
    canonical = etree.tostring(node, method="c14n", exclusive=True, with_comments=False)
    return base64.b64encode(
        hashlib.new(_DIGESTS[method], canonical, usedforsecurity=False).digest()
    ).decode()


def _rsa_sign(key: rsa.RSAPrivateKey, data: bytes, method: str) -> bytes:
    return key.sign(data, padding.PKCS1v15(), _SIGNATURE_HASHES[method]())


def _identity_stylesheet() -> etree._Element:
    """An XSLT identity transform: the Transform SAMLRaider's "Test XSLT" adds, made harmless."""
    sheet = etree.Element(f"{{{XSL}}}stylesheet", version="1.0", nsmap={"xsl": XSL})
    template = etree.SubElement(sheet, f"{{{XSL}}}template", match="@*|node()")
    copy = etree.SubElement(template, f"{{{XSL}}}copy")
    etree.SubElement(copy, f"{{{XSL}}}apply-templates", select="@*|node()")
    return sheet


def _insert_after(element: etree._Element, child: etree._Element, after: str) -> None:
    for index, existing in enumerate(element):
        if isinstance(existing.tag, str) and etree.QName(existing).localname == after:
            element.insert(index + 1, child)
            return
    element.insert(0, child)
