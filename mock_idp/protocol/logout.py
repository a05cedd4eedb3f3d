"""Single logout messages as Entra sends and reads them (docs/reference/entra.md §9, ED-slo).

Entra speaks SLO over HTTP-Redirect only. What it sends (LogoutResponse to the initiator,
LogoutRequest to the other session participants) is DEFLATE + base64 in the query string,
signed over the query string, with .NET's lowercase percent-escapes
(`http%3a%2f%2fwww.w3.org%2f2001%2f04%2fxmldsig-more%23rsa-sha256`): an SP that re-encodes the
query before verifying fails, which is exactly what this reproduces.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from mock_idp.protocol import errors
from mock_idp.protocol.authn_request import not_valid, parse_message
from mock_idp.protocol.xml import SAML, SAMLP, UnsafeXml, parse, saml_time, to_bytes

SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
SIG_ALGS = {
    "sha256": ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", hashes.SHA256()),
    "sha1": ("http://www.w3.org/2000/09/xmldsig#rsa-sha1", hashes.SHA1()),
}
REQUEST_LIFETIME = timedelta(hours=1)  # observed NotOnOrAfter of Entra's LogoutRequest
# HttpUtility.UrlEncode leaves these as they are; everything else is escaped in lowercase hex.
_UNRESERVED = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!*()")

NewId = Callable[[], str]


@dataclass(frozen=True, kw_only=True, slots=True)
class LogoutRequest:
    """What Entra reads from an SP's LogoutRequest: it must name an app and carry a NameID."""

    id: str
    issuer: str
    name_id: str
    session_indexes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class LogoutResponse:
    """An SP's answer to a LogoutRequest the mock sent while signing a session out."""

    id: str
    issuer: str
    in_response_to: str | None
    status: str


def is_logout_request(xml: bytes) -> bool:
    """Whether the message's root element is a LogoutRequest (False when not XML at all)."""
    if b"LogoutRequest" not in xml:
        return False  # the common case, an AuthnRequest, is parsed once (by its own checks)
    try:
        return str(etree.QName(parse(xml)).localname) == "LogoutRequest"
    except (UnsafeXml, ValueError):
        return False


def parse_logout_request(xml: bytes) -> LogoutRequest:
    """75005 unless a LogoutRequest, 7500529 for a bad ID, 7500530 without a NameID."""
    root = parse_message(xml, tag="LogoutRequest")
    name_id = (root.findtext(f"{{{SAML}}}NameID") or "").strip()
    if not name_id:
        raise errors.LogoutNameIdMissing("SAML NameId cannot be null.")
    return LogoutRequest(
        id=str(root.get("ID")),
        issuer=(root.findtext(f"{{{SAML}}}Issuer") or "").strip(),
        name_id=name_id,
        session_indexes=tuple(
            (e.text or "").strip() for e in root.findall(f"{{{SAMLP}}}SessionIndex")
        ),
    )


def parse_logout_response(xml: bytes) -> LogoutResponse:
    root = parse_message(xml, tag="LogoutResponse")
    code = root.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode")
    if code is None:
        raise not_valid()
    return LogoutResponse(
        id=str(root.get("ID")),
        issuer=(root.findtext(f"{{{SAML}}}Issuer") or "").strip(),
        in_response_to=root.get("InResponseTo"),
        status=code.get("Value", ""),
    )


def _root(tag: str, attrs: dict[str, str], issuer: str) -> etree._Element:
    root = etree.Element(f"{{{SAMLP}}}{tag}", attrs, nsmap={"samlp": SAMLP})
    etree.SubElement(root, f"{{{SAML}}}Issuer", nsmap={None: SAML}).text = issuer
    return root


def build_logout_response(
    *, issuer: str, in_response_to: str, now: datetime, new_id: NewId, status: str = SUCCESS
) -> etree._Element:
    """ED-slo's sample: no Destination, Issuer, then Status with the code."""
    attrs = {
        "ID": new_id(),
        "Version": "2.0",
        "IssueInstant": saml_time(now),
        "InResponseTo": in_response_to,
    }
    response = _root("LogoutResponse", attrs, issuer)
    status_element = etree.SubElement(response, f"{{{SAMLP}}}Status")
    etree.SubElement(status_element, f"{{{SAMLP}}}StatusCode", Value=status)
    return response


def build_logout_request(
    *,
    issuer: str,
    destination: str,
    name_id: str,
    session_index: str,
    now: datetime,
    new_id: NewId,
) -> etree._Element:
    """The observed propagation shape: Destination, NotOnOrAfter +1 h, NameID without Format."""
    attrs = {
        "ID": new_id(),
        "Version": "2.0",
        "IssueInstant": saml_time(now),
        "Destination": destination,
        "NotOnOrAfter": saml_time(now + REQUEST_LIFETIME),
    }
    request = _root("LogoutRequest", attrs, issuer)
    etree.SubElement(request, f"{{{SAML}}}NameID", nsmap={None: SAML}).text = name_id
    etree.SubElement(request, f"{{{SAMLP}}}SessionIndex").text = session_index
    return request


def dotnet_urlencode(value: str) -> str:
    """HttpUtility.UrlEncode: UTF-8, space as '+', lowercase hex escapes."""
    out = []
    for byte in value.encode("utf-8"):
        if byte in _UNRESERVED:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02x}")
    return "".join(out)


def redirect_url(
    location: str,
    message: etree._Element,
    *,
    param: Literal["SAMLRequest", "SAMLResponse"],
    relay_state: str | None,
    key: rsa.RSAPrivateKey,
    algorithm: Literal["sha256", "sha1"] = "sha256",
) -> str:
    """`location` with the signed HTTP-Redirect query appended, encoded as Entra encodes it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(to_bytes(message)) + compressor.flush()
    sig_alg, digest = SIG_ALGS[algorithm]
    parts = [f"{param}={dotnet_urlencode(base64.b64encode(deflated).decode('ascii'))}"]
    if relay_state:
        parts.append(f"RelayState={dotnet_urlencode(relay_state)}")
    parts.append(f"SigAlg={dotnet_urlencode(sig_alg)}")
    signed = "&".join(parts)
    signature = key.sign(signed.encode("ascii"), padding.PKCS1v15(), digest)
    query = f"{signed}&Signature={dotnet_urlencode(base64.b64encode(signature).decode('ascii'))}"
    return f"{location}{'&' if '?' in location else '?'}{query}"
