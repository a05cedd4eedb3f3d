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
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_saml_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


_START_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+=\"[^\"]*\")+)(\s*/?)>")
_ATTR = re.compile(r"\s+([\w.:-]+)=\"[^\"]*\"")


def _namespaces_last(match: re.Match[str]) -> str:
    attrs = [m.group(0) for m in _ATTR.finditer(match.group(2))]
    ordered = [a for a in attrs if not a.lstrip().startswith("xmlns")] + [
        a for a in attrs if a.lstrip().startswith("xmlns")
    ]
    return f"<{match.group(1)}{''.join(ordered)}{match.group(3)}>"


def to_bytes(element: etree._Element) -> bytes:
    """Compact XML, no declaration, namespace declarations after attributes (as Entra writes).

    Only the order inside start tags changes, which canonicalization ignores, so signatures hold.
    """
    text = etree.tostring(element, encoding="unicode")
    return _START_TAG.sub(_namespaces_last, text).encode("utf-8")
