"""Entra's Federation Metadata XML, for an admin: fetch it, check its signature, read its values.

The metadata's enveloped signature is checked exactly as responses are, by pysaml2's xmlsec1
backend (through `client.verify_enveloped`, the one pysaml2 adapter), bound to the
EntityDescriptor's own ID (`--id-attr:ID` and `--node-id`) and to the one certificate passed in
(`--enabled-key-data raw-x509-cert`). pysaml2's metadata store cannot do this job: it checks
metadata against a certificate configured beforehand, whereas here the certificate comes from
the file itself. So the check proves the file is whole and unchanged since it was signed; the
admin then compares the signer's thumbprint with the one Entra shows
(docs/reference/entra.md §2, §6).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from sp.saml.constants import (
    BINDING_HTTP_REDIRECT as REDIRECT,
)
from sp.saml.constants import (
    DIGEST_METHODS,
    DS,
    MD,
    SIGNATURE_METHODS,
    TRANSFORMS,
)
from sp.saml.untrusted_xml import PARSER

MAX_METADATA_BYTES = 256 * 1024  # Entra's app metadata is ~15 KB

_NODE = f"{MD}:EntityDescriptor"
_DOWNLOAD_AGAIN = "Download the Federation Metadata XML from Entra again."


class MetadataError(ValueError):
    """The metadata was refused; the message says why, for the admin."""


@dataclass(frozen=True, kw_only=True, slots=True)
class FederationMetadata:
    entity_id: str
    sso_url: str
    logout_url: str
    certificates: tuple[bytes, ...]  # DER; the one that signed the file first
    signer_thumbprint: str  # SHA-1, uppercase hex, as Entra shows it


def read(xml: bytes, *, xmlsec_binary: str) -> FederationMetadata:
    """Parse safely, check the structure, verify the signature with the file's own certificate."""
    root = _parse(xml)
    root_id = _check_signature_shape(root)
    idp = root.findall(f"{{{MD}}}IDPSSODescriptor")
    if len(idp) != 1:
        raise MetadataError(f"The metadata has {len(idp)} IDPSSODescriptor elements, not one.")
    certificates = _signing_certificates(idp[0])
    signer = next(
        (der for der in certificates if _verifies(xml, der, root_id, xmlsec_binary)), None
    )
    if signer is None:
        raise MetadataError(
            "The metadata's signature does not verify with the certificate it carries: the file "
            f"was changed after Entra signed it. {_DOWNLOAD_AGAIN}"
        )
    return FederationMetadata(
        entity_id=root.get("entityID", ""),
        sso_url=_location(idp[0], "SingleSignOnService", required=True),
        logout_url=_location(idp[0], "SingleLogoutService", required=False),
        certificates=(signer, *(c for c in certificates if c != signer)),
        signer_thumbprint=hashlib.sha1(signer, usedforsecurity=False).hexdigest().upper(),
    )


def _parse(xml: bytes) -> etree._Element:
    if not xml.strip():
        raise MetadataError("The metadata file is empty.")
    if len(xml) > MAX_METADATA_BYTES:
        raise MetadataError(f"The metadata is larger than {MAX_METADATA_BYTES // 1024} KB.")
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise MetadataError("The metadata contains a DOCTYPE; Entra's never does.")
    try:
        root = etree.fromstring(xml, parser=PARSER)
    except etree.XMLSyntaxError as exc:
        raise MetadataError(f"This is not a Federation Metadata XML file ({exc}).") from exc
    if root.tag == f"{{{MD}}}EntitiesDescriptor":
        raise MetadataError(
            "This metadata describes several entities. Use the app's own Federation Metadata "
            "XML (its URL ends in ?appid=…)."
        )
    if root.tag != f"{{{MD}}}EntityDescriptor" or not root.get("ID") or not root.get("entityID"):
        raise MetadataError("This is not a Federation Metadata XML file (no EntityDescriptor).")
    return root


def _check_signature_shape(root: etree._Element) -> str:
    """One enveloped signature over the whole document, with algorithms we accept.

    xmlsec1 verifies whatever the Reference points at; a signature over some inner element
    would leave the rest of the file unprotected (signature wrapping), so insist on the root.
    """
    root_id = str(root.get("ID"))
    ids = Counter(
        v for e in root.iter() if isinstance(e.tag, str) for k, v in e.attrib.items() if k == "ID"
    )
    if any(n > 1 for n in ids.values()):
        raise MetadataError("An ID occurs twice in the metadata.")
    signatures = list(root.iter(f"{{{DS}}}Signature"))
    if not signatures:
        raise MetadataError(f"The metadata is not signed; Entra always signs it. {_DOWNLOAD_AGAIN}")
    if len(signatures) > 1 or signatures[0].getparent() is not root:
        raise MetadataError("The metadata must carry exactly one signature, over the whole file.")
    signed_info = signatures[0].find(f"{{{DS}}}SignedInfo")
    references = [] if signed_info is None else signed_info.findall(f"{{{DS}}}Reference")
    if len(references) != 1 or references[0].get("URI") != f"#{root_id}":
        raise MetadataError("The metadata's signature does not cover the whole file.")
    assert signed_info is not None
    method = signed_info.find(f"{{{DS}}}SignatureMethod")
    digest = references[0].find(f"{{{DS}}}DigestMethod")
    transforms = {t.get("Algorithm") for t in references[0].iter(f"{{{DS}}}Transform")}
    if (
        method is None
        or method.get("Algorithm") not in SIGNATURE_METHODS
        or digest is None
        or digest.get("Algorithm") not in DIGEST_METHODS
        or not transforms <= TRANSFORMS
    ):
        raise MetadataError(
            "The metadata is signed with an algorithm we do not accept (SHA-256 or stronger)."
        )
    return root_id


def _signing_certificates(idp: etree._Element) -> tuple[bytes, ...]:
    found: list[bytes] = []
    for descriptor in idp.findall(f"{{{MD}}}KeyDescriptor"):
        if descriptor.get("use", "signing") != "signing":
            continue
        for cert in descriptor.iter(f"{{{DS}}}X509Certificate"):
            try:
                der = base64.b64decode("".join((cert.text or "").split()), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise MetadataError("A certificate in the metadata is not valid base64.") from exc
            if der and der not in found:
                found.append(der)
    if not found:
        raise MetadataError("The metadata has no signing certificate.")
    return tuple(found)


def _location(idp: etree._Element, tag: str, *, required: bool) -> str:
    """The HTTP-Redirect endpoint: Trakstar sends its AuthnRequest (and LogoutRequest) by GET."""
    for service in idp.findall(f"{{{MD}}}{tag}"):
        if service.get("Binding") == REDIRECT and service.get("Location"):
            return str(service.get("Location"))
    if required:
        raise MetadataError(f"The metadata has no HTTP-Redirect {tag} (the Login URL).")
    return ""


def _verifies(xml: bytes, der: bytes, root_id: str, xmlsec_binary: str) -> bool:
    from sp.saml import client  # the SAML adapter: loaded on first use, not at the SP's start

    try:
        return client.verify_enveloped(
            xml, der, node=_NODE, node_id=root_id, xmlsec_binary=xmlsec_binary
        )
    except OSError as exc:
        raise MetadataError(f"Cannot check the signature: xmlsec1 is missing ({exc}).") from exc
