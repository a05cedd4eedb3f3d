"""The SP's XML signature check, in-process: libxmlsec1 through the `xmlsec` binding.

This is the only module that imports `xmlsec`. pysaml2 calls it through the crypto backend that
`client.py` plugs into pysaml2's SecurityContext (`validate_signature`), and the metadata check
calls it through `client.verify_enveloped`. It does what pysaml2's xmlsec1 backend asks of the
`xmlsec1 --verify` program, with the same C library and the same flags, and refuses more:

* IDs: only the `ID` attribute of elements named `node_name` is an ID (`--id-attr:ID`), two such
  elements with one ID value are refused (as xmlsec1 does), and `node_id` must resolve, through
  libxml2's own ID table, to the element whose signature is checked.
* One signature: exactly one `ds:Signature` child of that element, and it is the first one in
  document order (the one xmlsec1's `--node-id` search would pick).
* One reference: exactly one `ds:Reference`, whose URI is `#node_id` (same-document only;
  xmlsec1 allows `empty,same-doc`), and no `ds:Object`.
* Algorithms: only the allow-listed canonicalisation, transform, digest and RSA signature
  methods are enabled in libxmlsec1; anything else fails inside the library.
* Key: the public key of the one certificate passed in is the key (`--pubkey-cert-pem`); KeyInfo
  in the message is never read, so a certificate the sender embeds cannot select or supply a key.

Why: `xmlsec1` costs three child processes per response (two only for `--version`) and ~40 ms
of system CA parsing per `--verify`; this costs about a millisecond. See
docs/sp-signature-backend.md.
"""

from __future__ import annotations

import functools

import xmlsec
from lxml import etree

from sp.saml.constants import DS
from sp.saml.untrusted_xml import PARSER

# What libxmlsec1 may run for a <ds:Reference> (transforms and digest) and for <ds:SignedInfo>
# (canonicalisation and signature method): exactly the SP's one allow-list (constants.py), so
# SHA-1, MD5 and anything but enveloped + exclusive C14N fail inside the library too.
_REFERENCE_TRANSFORMS = (
    xmlsec.constants.TransformEnveloped,
    xmlsec.constants.TransformExclC14N,
    xmlsec.constants.TransformSha256,
    xmlsec.constants.TransformSha384,
    xmlsec.constants.TransformSha512,
)
_SIGNATURE_TRANSFORMS = (
    xmlsec.constants.TransformExclC14N,
    xmlsec.constants.TransformRsaSha256,
    xmlsec.constants.TransformRsaSha384,
    xmlsec.constants.TransformRsaSha512,
)


class SignatureRefused(Exception):
    """The signature does not verify, or its shape is not one we check; the reason says which."""


def library_version() -> str:
    """libxmlsec1's version, e.g. `1.3.9` (what pysaml2 reads from `xmlsec1 --version`)."""
    version = xmlsec.get_libxmlsec_version()  # type: ignore[attr-defined]  # missing in its stubs
    return ".".join(str(part) for part in version)


def verify(xml: bytes, cert_pem: bytes, *, node_name: str, node_id: str) -> None:
    """Check the enveloped signature of the element `node_name` (`namespace:LocalName`) whose
    `ID` is `node_id`, with this one PEM certificate's key. Returns only if it verifies."""
    try:
        root = etree.fromstring(xml, parser=PARSER)
    except etree.XMLSyntaxError as exc:
        raise SignatureRefused(f"not well-formed XML: {exc}") from exc
    namespace, _, local = node_name.rpartition(":")
    node = _node_by_id(root, f"{{{namespace}}}{local}", node_id)
    signature = _the_signature(node)
    _one_same_document_reference(signature, node_id)
    context = xmlsec.SignatureContext()
    context.key = _key(cert_pem)
    for transform in _REFERENCE_TRANSFORMS:
        context.enable_reference_transform(transform)
    for transform in _SIGNATURE_TRANSFORMS:
        context.enable_signature_transform(transform)
    for element in root.iter(f"{{{namespace}}}{local}"):
        if element.get("ID") is not None:
            try:
                context.register_id(element, "ID")
            except xmlsec.Error as exc:  # the value is already an ID elsewhere (xml:id)
                raise SignatureRefused(f"ID {element.get('ID')!r} is not unique") from exc
    # libxml2 resolves `#node_id` through its ID table: it must lead to this very element.
    if root.xpath("id($value)", value=node_id) != [node]:
        raise SignatureRefused(f"ID {node_id!r} does not resolve to the signed element")
    try:
        context.verify(signature)
    except xmlsec.Error as exc:
        raise SignatureRefused(f"libxmlsec1: {exc}") from exc


def _node_by_id(root: etree._Element, tag: str, node_id: str) -> etree._Element:
    matches = [e for e in root.iter(tag) if e.get("ID") == node_id]
    if len(matches) != 1:
        raise SignatureRefused(f"{len(matches)} elements {tag} with ID {node_id!r}, not one")
    ids = [e.get("ID") for e in root.iter(tag) if e.get("ID") is not None]
    if len(ids) != len(set(ids)):
        raise SignatureRefused(f"two elements {tag} share an ID")
    node: etree._Element = matches[0]
    return node


def _the_signature(node: etree._Element) -> etree._Element:
    children = node.findall(f"{{{DS}}}Signature")
    if len(children) != 1:
        raise SignatureRefused(f"{len(children)} ds:Signature children, not one")
    first = next(node.iter(f"{{{DS}}}Signature"))
    if first is not children[0]:
        raise SignatureRefused("another ds:Signature comes before the element's own")
    if children[0].find(f"{{{DS}}}Object") is not None:
        raise SignatureRefused("ds:Object in the signature")
    signature: etree._Element = children[0]
    return signature


def _one_same_document_reference(signature: etree._Element, node_id: str) -> None:
    references = signature.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if len(references) != 1:
        raise SignatureRefused(f"{len(references)} ds:Reference elements, not one")
    uri = references[0].get("URI")
    if uri != f"#{node_id}":
        raise SignatureRefused(f"Reference URI {uri!r} is not #{node_id}")


@functools.lru_cache(maxsize=64)
def _key(cert_pem: bytes) -> xmlsec.Key:
    """The certificate's public key, as a bare key; cached, as an organisation trusts one or two
    certificates. The certificate only names the key: libxmlsec1 checks nothing else about it
    (an expired one verified as well, tests/sp/test_signature_backend.py), and a key that carries
    its certificate cost ~0.1 ms more per check, as libxmlsec1 copies the certificate into every
    signature context."""
    from cryptography import x509  # loaded on first use, like the SP's other certificate reads
    from cryptography.hazmat.primitives import serialization

    try:
        public = (
            x509.load_pem_x509_certificate(cert_pem)
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return xmlsec.Key.from_memory(public, xmlsec.constants.KeyDataFormatPem)
    except (ValueError, TypeError, xmlsec.Error) as exc:
        raise SignatureRefused(f"the trusted certificate cannot be read: {exc}") from exc
