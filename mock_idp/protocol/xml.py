"""XML plumbing for the core: namespaces, a hardened parser, Entra's time format, serializer."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": SAMLP, "saml": SAML, "md": MD, "ds": DS}

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_blank_text=False,
)


class UnsafeXml(ValueError):
    """The document is not well-formed, or carries a DOCTYPE (never legitimate in SAML)."""


def parse(data: bytes) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network."""
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(str(exc)) from exc
    if root.getroottree().docinfo.doctype:
        raise UnsafeXml("DOCTYPE is not allowed")
    return root


def saml_time(moment: datetime) -> str:
    """Entra's timestamp form: UTC, always three fractional digits, `Z`."""
    # isoformat truncates to milliseconds as Entra does, at a fraction of strftime's cost.
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_saml_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


_ATTRIBUTE = re.compile(r'\s[^\s="]+="[^"]*"')


def _declarations_last(tag: str) -> str:
    """One start tag with its namespace declarations moved after its attributes, each group in
    its own order (libxml2 writes declarations first; Entra writes them last)."""
    close = "/>" if tag.endswith("/>") else ">"
    found = _ATTRIBUTE.findall(tag)
    name = tag[: tag.index(found[0])] if found else ""
    declarations = [a for a in found if a.startswith((" xmlns=", " xmlns:"))]
    if not found or len(declarations) == len(found):
        return tag
    attributes = [a for a in found if not a.startswith((" xmlns=", " xmlns:"))]
    return name + "".join(attributes) + "".join(declarations) + close


def to_bytes(element: etree._Element) -> bytes:
    """Compact XML, no declaration, namespace declarations after attributes (as Entra writes).

    Only the order inside start tags changes, which canonicalization ignores, so signatures hold.
    Only the few start tags that declare a namespace are rewritten: a response has a handful, and
    scanning the whole text with a regex cost more than building and serialising it.
    """
    text = etree.tostring(element, encoding="unicode")
    parts: list[str] = []
    done = 0
    while (found := text.find(" xmlns", done)) != -1:
        start = text.rfind("<", done, found)
        end = text.find(">", found)
        # libxml2 escapes `>` in text and attribute values, so a `>` between the `<` and the
        # match means the match is in text content, not in a start tag.
        if start == -1 or end == -1 or ">" in text[start:found]:
            parts.append(text[done : found + 1])
            done = found + 1
            continue
        parts.append(text[done:start])
        parts.append(_declarations_last(text[start : end + 1]))
        done = end + 1
    parts.append(text[done:])
    return "".join(parts).encode("utf-8")
