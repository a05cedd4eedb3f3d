"""Enveloped XML signatures exactly as Entra makes them; the only module that imports signxml.

Entra's form (entra-saml.md §4.3): an unprefixed `<Signature xmlns=ds>` right after the signed
element's `Issuer`, exclusive C14N, RSA-SHA256 / SHA-256 (or SHA-1 when the app is set to it),
one Reference to the element's ID with the enveloped and exc-c14n transforms, and a KeyInfo
holding only the signing certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.signer import XMLSigner
from signxml.util import namespaces

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
