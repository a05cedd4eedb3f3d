"""Enveloped XML signatures exactly as Entra makes them; the only module that imports signxml.

Entra's form (docs/reference/entra.md §4.3): an unprefixed `<Signature xmlns=ds>` right after the
signed element's `Issuer`, exclusive C14N, RSA-SHA256 / SHA-256 (or SHA-1 when the app is set to
it), one Reference to the element's ID with the enveloped and exc-c14n transforms, and a KeyInfo
holding only the signing certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
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
    """Signs elements with one key pair; built once per certificate, reused per response."""

    pair: SigningPair

    def sign(
        self,
        element: etree._Element,
        *,
        algorithm: Algorithm = "sha256",
        after: str | None = "Issuer",
    ) -> etree._Element:
        """A signed copy of `element`, its Signature right after the `after` child (or first)."""
        sign_method, digest = _METHODS[algorithm]
        signer = _EntraSigner(
            signature_algorithm=sign_method, digest_algorithm=digest, c14n_algorithm=EXC_C14N
        )
        # Unprefixed <Signature xmlns=…>, as Entra emits; signxml documents this namespace map.
        signer.namespaces = {None: DS_NS}  # type: ignore[dict-item]
        place_signature_placeholder(element, after=after)
        signed: etree._Element = signer.sign(
            element, key=self.pair.key, cert=[self.pair.cert], id_attribute="ID"
        )
        # signxml builds the unprefixed Signature's children with no namespace in memory (they
        # only gain the default namespace when serialized): re-parse so the tree is what the
        # wire says, before it is embedded in a Response or signed again.
        reparsed = etree.fromstring(etree.tostring(signed))
        _unwrap_certificates(reparsed)
        return reparsed


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
    placeholder = etree.Element(f"{{{DS_NS}}}Signature", Id="placeholder", nsmap={None: DS_NS})
    for index, child in enumerate(element):
        if etree.QName(child).localname == after:
            element.insert(index + 1, placeholder)
            return
    element.insert(0, placeholder)


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
