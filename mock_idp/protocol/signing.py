"""Enveloped XML signatures exactly as Entra makes them; the only module that imports signxml.

Entra's form (docs/reference/entra.md §4.3): an unprefixed `<Signature xmlns=ds>` right after the
signed element's `Issuer`, exclusive C14N, RSA-SHA256 / SHA-256 (or SHA-1 when the app is set to
it), one Reference to the element's ID with the enveloped and exc-c14n transforms, and a KeyInfo
holding only the signing certificate.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import SignXMLException
from signxml.signer import XMLSigner
from signxml.util import namespaces
from signxml.verifier import SignatureConfiguration, XMLVerifier

from mock_idp.certificates import SigningPair

Algorithm = Literal["sha256", "sha1"]

DS_NS = namespaces.ds
EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0

_METHODS: dict[Algorithm, tuple[SignatureMethod, DigestAlgorithm]] = {
    "sha256": (SignatureMethod.RSA_SHA256, DigestAlgorithm.SHA256),
    "sha1": (SignatureMethod.RSA_SHA1, DigestAlgorithm.SHA1),
}


class _EntraSigner(XMLSigner):
    """signxml's signer; SHA-1 allowed because Entra offers it as a signing option.

    signxml refuses SHA-1 in its default configuration; overriding `check_deprecated_methods`
    is the means it documents for legacy algorithms. Only an app set to SHA-1 reaches this.
    """

    def check_deprecated_methods(self) -> None:
        return None


@dataclass(frozen=True, kw_only=True, slots=True)
class Signer:
    """Entra's signature, built directly; made once per certificate, reused per response.

    Entra's shape never varies but for the element's ID, the digest and the value, so it is
    built here in a few lines rather than by signxml's general signer, which copies the element
    twice through a serialise-and-parse and builds a SignedInfo for any shape (~40 % of a signed
    response's time, beside ~45 % for the RSA operation itself). signxml still makes every other
    shape (`sign_shaped`) and checks signatures; for Entra's shape both give the same bytes,
    which `tests/mock_idp/test_signing.py` proves on every signing option and algorithm.
    """

    pair: SigningPair

    def sign(
        self,
        element: etree._Element,
        *,
        algorithm: Algorithm = "sha256",
        after: str | None = "Issuer",
    ) -> etree._Element:
        """`element` with its Signature inserted right after its `after` child (or first)."""
        digest_hash = _HASHES[algorithm]
        # The enveloped-signature transform: the digest covers the element without its
        # Signature, which is exactly the element before the Signature is inserted.
        digest = digest_hash(_exclusive_c14n(element)).digest()
        signature = copy.deepcopy(_template(algorithm))  # ~5x cheaper than building it anew
        signed_info, signature_value, key_info = signature
        reference = signed_info[2]
        reference.set("URI", f"#{element.get('ID')}")
        reference[2].text = _b64(digest)  # DigestValue
        value = self.pair.key.sign(
            etree.tostring(signed_info, method="c14n", exclusive=True),
            padding.PKCS1v15(),
            _SIGNATURE_HASHES[algorithm](),
        )
        signature_value.text = _b64(value)
        # Entra writes the base64 DER on one line (signxml would wrap it at 64 columns).
        key_info[0][0].text = self.pair.cert_b64  # X509Data/X509Certificate
        _insert_after(element, signature, after)
        return element


def _exclusive_c14n(element: etree._Element) -> bytes:
    """Exclusive C14N of `element` as a document of its own (as signxml and verifiers see it):
    a detached element as it is, one inside a tree through a serialised copy."""
    if element.getparent() is not None:
        element = etree.fromstring(etree.tostring(element))
    c14n: bytes = etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
    return c14n


@functools.cache
def _template(algorithm: Algorithm) -> etree._Element:
    """Entra's Signature for `algorithm` with the per-response values left empty."""
    sign_method, digest_method = _METHODS[algorithm]
    signature = etree.Element(_DS_SIGNATURE, nsmap={None: DS_NS})
    signed_info = etree.SubElement(signature, _ds("SignedInfo"))
    etree.SubElement(signed_info, _ds("CanonicalizationMethod"), Algorithm=EXC_C14N.value)
    etree.SubElement(signed_info, _ds("SignatureMethod"), Algorithm=sign_method.value)
    reference = etree.SubElement(signed_info, _ds("Reference"), URI="")
    transforms = etree.SubElement(reference, _ds("Transforms"))
    etree.SubElement(transforms, _ds("Transform"), Algorithm=_ENVELOPED)
    etree.SubElement(transforms, _ds("Transform"), Algorithm=EXC_C14N.value)
    etree.SubElement(reference, _ds("DigestMethod"), Algorithm=digest_method.value)
    etree.SubElement(reference, _ds("DigestValue"))
    etree.SubElement(signature, _ds("SignatureValue"))
    x509_data = etree.SubElement(etree.SubElement(signature, _ds("KeyInfo")), _ds("X509Data"))
    etree.SubElement(x509_data, _ds("X509Certificate"))
    return signature


def _ds(name: str) -> str:
    return f"{{{DS_NS}}}{name}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_DS_SIGNATURE = _ds("Signature")
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_HASHES = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}
_SIGNATURE_HASHES: dict[Algorithm, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha1": hashes.SHA1,
}


def _insert_after(element: etree._Element, signature: etree._Element, after: str | None) -> None:
    for index, child in enumerate(element):
        if etree.QName(child).localname == after:
            element.insert(index + 1, signature)
            return
    element.insert(0, signature)


def verify_enveloped(xml: bytes, certificates_pem: Sequence[str]) -> etree._Element | None:
    """The element an enveloped RSA-SHA256 signature at the root covers, if one of the given
    certificates verifies it (signed AuthnRequests, POST binding); None otherwise.

    Here rather than in its own module because signxml is imported only in this one.
    """
    config = SignatureConfiguration(
        location="./",
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    for pem in certificates_pem:
        try:
            result = XMLVerifier().verify(
                xml, x509_cert=pem, expect_config=config, id_attribute="ID"
            )
        except (SignXMLException, ValueError):
            continue
        signed: etree._Element = result.signed_xml  # type: ignore[union-attr]
        return signed
    return None


def _unwrap_certificates(signed: etree._Element) -> None:
    """signxml wraps the base64 at 64 columns; Entra writes it on one line (KeyInfo is unsigned)."""
    for cert in signed.iter(f"{{{DS_NS}}}X509Certificate"):
        cert.text = "".join((cert.text or "").split())


def place_signature_placeholder(element: etree._Element, *, after: str | None) -> None:
    """Insert signxml's placeholder where Entra puts the Signature (after the named child)."""
    placeholder = etree.Element(_DS_SIGNATURE, Id="placeholder", nsmap={None: DS_NS})
    _insert_after(element, placeholder, after)


# The fault catalogue's parameterised signer (docs/reference/attacks.md §7): the same signxml path
# as `Signer`, with the algorithm, digest, c14n, References, signing key and KeyInfo each settable.
KeyInfoContent = Literal["cert", "other-cert", "key-value", "none"]


@dataclass(frozen=True, kw_only=True, slots=True)
class SignatureShape:
    """A signature that differs from Entra's in named ways; the defaults are Entra's.

    `key_info`: the signing key's own certificate, another certificate, the bare RSAKeyValue,
    or no KeyInfo at all. `references`: how many References to the element's ID.
    """

    signature_method: str = SignatureMethod.RSA_SHA256.value
    digest_method: str = DigestAlgorithm.SHA256.value
    c14n_method: str = EXC_C14N.value
    references: int = 1
    key_info: KeyInfoContent = "cert"


def sign_shaped(
    element: etree._Element,
    shape: SignatureShape,
    *,
    key: rsa.RSAPrivateKey | bytes,
    cert: x509.Certificate,
    other_cert: x509.Certificate | None = None,
    after: str | None = "Issuer",
) -> etree._Element:
    """A signed copy of `element` in `shape`; `key` is an RSA key, or the secret for HMAC."""
    signer = _EntraSigner(
        signature_algorithm=shape.signature_method,
        digest_algorithm=shape.digest_method,
        c14n_algorithm=shape.c14n_method,
    )
    signer.namespaces = {None: DS_NS}  # type: ignore[dict-item]
    shown = {"cert": cert, "other-cert": other_cert, "key-value": None, "none": None}
    shown_cert = shown[shape.key_info]
    uris = [f"#{element.get('ID')}"] * shape.references if shape.references != 1 else None
    place_signature_placeholder(element, after=after)
    signed: etree._Element = signer.sign(
        element,
        key=key,
        cert=[shown_cert] if shown_cert is not None else None,
        reference_uri=uris,
        id_attribute="ID",
    )
    reparsed = etree.fromstring(etree.tostring(signed))
    _unwrap_certificates(reparsed)
    if shape.key_info == "none":
        for key_info in reparsed.findall(f"{{{DS_NS}}}Signature/{{{DS_NS}}}KeyInfo"):
            key_info.getparent().remove(key_info)
    return reparsed
