"""The input gate: what a SAMLResponse must look like before pysaml2 ever sees it (§5 items 4–5).

pysaml2 inflates POST bodies without limit, allows DOCTYPEs and accepts SHA-1 and MD5; each
rule here closes one of those gaps, cheaply, on the raw bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from sp.saml import errors
from sp.saml.constants import (
    DIGEST_METHODS,
    DS,
    EXC_C14N,
    SAML,
    SAMLP,
    SIGNATURE_METHODS,
    SUCCESS,
    TRANSFORMS,
)
from sp.saml.constants import MAX_FORM_BYTES as MAX_FORM_BYTES  # the gate's limits, together
from sp.saml.untrusted_xml import PARSER

# The decoded response. Entra's are 5–10 KB (about 20 KB with 150 groups, the most it sends
# before the overage claim). Every byte past that is padding that costs pysaml2 and xmlsec1
# far more than it costs the sender, so the cap stays close to the real size.
MAX_XML_BYTES = 64 * 1024

_BASE64 = re.compile(rb"^[A-Za-z0-9+/]*={0,2}$")
_AADSTS = re.compile(r"\bAADSTS\d{5,8}\b")  # only the code is shown: the message is unsigned


@dataclass(frozen=True, kw_only=True, slots=True)
class AdmittedResponse:
    xml: bytes
    b64: str  # re-encoded from exactly the bytes that were checked
    # The certificates the signatures *claim* (KeyInfo): never trusted, only used to explain a
    # failed verification to the administrator (which certificate signed, which one we trust).
    claimed_certificates: tuple[str, ...] = ()


def admit(value: str | None) -> AdmittedResponse:
    """Decode strictly, refuse anything that is not one plain, safely signed SAML Response."""
    xml = _decode(value)
    root = _parse(xml)
    _check_status(root)
    _check_structure(root)
    _check_signatures(root)
    claimed = tuple("".join((e.text or "").split()) for e in root.iter(f"{{{DS}}}X509Certificate"))
    return AdmittedResponse(
        xml=xml, b64=base64.b64encode(xml).decode("ascii"), claimed_certificates=claimed
    )


def _decode(value: str | None) -> bytes:
    if not value:
        raise errors.MalformedResponse("no SAMLResponse in the form")
    compact = "".join(value.split()).encode("ascii", errors="replace")
    if len(compact) > MAX_XML_BYTES * 4 // 3 + 4 or not _BASE64.match(compact):
        raise errors.MalformedResponse(f"SAMLResponse is not strict base64 ({len(compact)} bytes)")
    try:
        xml = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise errors.MalformedResponse(f"base64: {exc}") from exc
    if len(xml) > MAX_XML_BYTES:
        raise errors.MalformedResponse(f"decoded response is {len(xml)} bytes")
    # Entra never deflates on HTTP-POST; pysaml2 would inflate it without a size limit (#36).
    if not xml.lstrip()[:1] == b"<":
        raise errors.MalformedResponse("decoded response is not XML (DEFLATE is refused)")
    # UTF-8 only (Entra's encoding): the byte-level DOCTYPE check below must see what the
    # parser will see, which it cannot in UTF-16 or with NULs.
    try:
        xml.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.MalformedResponse(f"decoded response is not UTF-8: {exc}") from exc
    if b"\x00" in xml:
        raise errors.MalformedResponse("NUL byte in the decoded response")
    return xml


def _parse(xml: bytes) -> etree._Element:
    # Refused before parsing: no DTD ever reaches a parser, whatever it declares (#30–35).
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise errors.MalformedResponse("DOCTYPE/ENTITY declarations are refused (#30–35)")
    try:
        root = etree.fromstring(xml, parser=PARSER)
    except etree.XMLSyntaxError as exc:
        raise errors.MalformedResponse(f"not well-formed: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise errors.MalformedResponse("DOCTYPE declarations are refused (#30–35)")
    return root


def _check_status(root: etree._Element) -> None:
    """A non-Success status is the IdP saying no (#55): report it as such, whatever else is in
    the message. Only a refusal can follow, so the unsigned status is safe to act on."""
    code = root.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode")
    if root.tag != f"{{{SAMLP}}}Response" or code is None or code.get("Value") == SUCCESS:
        return
    codes = [c.get("Value") for c in code.iter(f"{{{SAMLP}}}StatusCode")]
    message = root.findtext(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusMessage") or ""
    aadsts = _AADSTS.search(message)
    public = errors.IdpReportedError.public_message
    raise errors.IdpReportedError(
        f"status {codes}: {message[:500]!r}",
        public_message=f"{public} ({aadsts.group(0)})" if aadsts else None,
    )


def _check_structure(root: etree._Element) -> None:
    if root.tag != f"{{{SAMLP}}}Response":
        raise errors.MalformedResponse(f"root element is {root.tag}, not samlp:Response")
    assertions = root.findall(f".//{{{SAML}}}Assertion")
    if len(assertions) != 1 or root.find(f".//{{{SAML}}}EncryptedAssertion") is not None:
        raise errors.MalformedResponse(f"{len(assertions)} assertions; exactly one is accepted")
    if assertions[0].getparent() is not root:
        raise errors.MalformedResponse("the assertion is not a direct child of the Response")
    ids = Counter(
        v
        for e in root.iter()
        if isinstance(e.tag, str)
        for k, v in e.attrib.items()
        # `{namespace}ID` or `ID`: the local name, without building a QName per attribute
        if k.rpartition("}")[2] == "ID"
    )
    if any(count > 1 for count in ids.values()):
        raise errors.MalformedResponse("an ID occurs twice")
    # Comments or PIs inside identity values split the text a naive reader would take (#27).
    for holder in (
        *assertions[0].iter(f"{{{SAML}}}NameID"),
        *assertions[0].iter(f"{{{SAML}}}AttributeValue"),
    ):
        if any(not isinstance(node.tag, str) for node in holder.iter()):
            raise errors.MalformedResponse("comment or processing instruction in an identity value")


def _check_signatures(root: etree._Element) -> None:
    """Allow-list every algorithm of every Signature, in any namespace form (§5 item 5)."""
    for signature in root.iter(f"{{{DS}}}Signature"):
        methods = [e.get("Algorithm") for e in signature.iter(f"{{{DS}}}SignatureMethod")]
        digests = [e.get("Algorithm") for e in signature.iter(f"{{{DS}}}DigestMethod")]
        c14n = [e.get("Algorithm") for e in signature.iter(f"{{{DS}}}CanonicalizationMethod")]
        transforms = [e.get("Algorithm") for e in signature.iter(f"{{{DS}}}Transform")]
        if not methods or any(m not in SIGNATURE_METHODS for m in methods):
            raise errors.DisallowedAlgorithm(f"SignatureMethod {methods}")
        if not digests or any(d not in DIGEST_METHODS for d in digests):
            raise errors.DisallowedAlgorithm(f"DigestMethod {digests}")
        if c14n != [EXC_C14N] or any(t not in TRANSFORMS for t in transforms):
            raise errors.DisallowedAlgorithm(f"C14N {c14n}, transforms {transforms}")
        if signature.find(f"{{{DS}}}Object") is not None:
            raise errors.MalformedResponse("ds:Object inside a Signature")
