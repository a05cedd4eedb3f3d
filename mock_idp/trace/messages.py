"""Decode SAML messages as the browser carried them, without ever raising on bad input.

The tracer shows what travelled, including messages the mock refused, so decoding here is
lenient: a message that cannot be decoded is kept with the reason, and its raw form is shown.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import zlib
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from mock_idp.protocol.xml import UnsafeXml, parse

Binding = Literal["redirect", "post"]
PARAMS = ("SAMLRequest", "SAMLResponse")
MAX_DECODED = 256 * 1024  # far above any real message; a tracer must not inflate a bomb


@dataclass(frozen=True, kw_only=True, slots=True)
class Decoded:
    """One message: its raw base64 as sent, the XML it decodes to, or why it does not."""

    param: str  # SAMLRequest or SAMLResponse
    binding: Binding
    raw: str
    xml: bytes = b""
    problem: str = ""
    # The parsed XML, when it parses: parsed once here, read by every step of a recording.
    root: etree._Element | None = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        """AuthnRequest, Response, LogoutRequest, LogoutResponse, or the param when unknown."""
        root = self.root
        if root is None:
            return self.param
        return str(etree.QName(root).localname)


def decode(raw: str, *, param: str, binding: Binding) -> Decoded:
    """Redirect: base64 then raw DEFLATE; POST: base64 only."""
    try:
        data = base64.b64decode("".join(raw.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        return Decoded(param=param, binding=binding, raw=raw, problem=f"not base64: {exc}")
    if binding == "redirect":
        try:
            inflater = zlib.decompressobj(-15)
            data = inflater.decompress(data, MAX_DECODED)
        except zlib.error as exc:
            return Decoded(param=param, binding=binding, raw=raw, problem=f"not DEFLATE: {exc}")
    if not data:
        return Decoded(param=param, binding=binding, raw=raw, problem="empty")
    if len(data) >= MAX_DECODED:
        return Decoded(param=param, binding=binding, raw=raw, problem="larger than 256 KB")
    try:
        root = parse(data)
    except UnsafeXml as exc:
        return Decoded(param=param, binding=binding, raw=raw, xml=data, problem=str(exc))
    return Decoded(param=param, binding=binding, raw=raw, xml=data, root=root)


def in_query(url: str) -> tuple[str, str, str | None] | None:
    """(param, raw value, RelayState) of a SAML message in a URL's query, if it carries one."""
    fields = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    for param in PARAMS:
        if param in fields:
            return param, fields[param], fields.get("RelayState")
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class AutoPost:
    """The form of Entra's auto-submitting page: where it posts, and what."""

    action: str
    param: str
    value: str
    relay_state: str | None


# Lazy `[^>]*?`: a greedy one ran to the end of each tag, past a SAMLResponse's kilobytes of
# base64, and backtracked from there (~0.2 ms a page); these scan each tag once.
_FORM = re.compile(r"<form\b[^>]*?\baction=\"([^\"]*)\"", re.IGNORECASE)
_INPUT = re.compile(
    r"<input\b[^>]*?\bname=\"(SAMLResponse|SAMLRequest|RelayState)\"[^>]*?\bvalue=\"([^\"]*)\"",
    re.IGNORECASE,
)


def auto_post(page: str) -> AutoPost | None:
    """The SAML form of a page (the mock renders it with Jinja's escaping), else None."""
    form = _FORM.search(page)
    if form is None:
        return None
    fields = {name: html.unescape(value) for name, value in _INPUT.findall(page)}
    for param in PARAMS:
        if param in fields:
            return AutoPost(
                action=html.unescape(form.group(1)),
                param=param,
                value=fields[param],
                relay_state=fields.get("RelayState"),
            )
    return None


_AADSTS = re.compile(r"AADSTS(\d{5,8})")
# Where the mock's pages carry the code: Entra's error page, or an inline sign-in prompt.
_PAGE_CODE = re.compile(r'id="aadsts"[^>]*>\s*AADSTS(\d+)|data-aadsts="(\d+)"')


def aadsts_code(text: str) -> int | None:
    """The AADSTS code a message text (a StatusMessage) starts from, if any."""
    match = _AADSTS.search(text)
    return int(match.group(1)) if match else None


def page_error_code(page: str) -> int | None:
    """The AADSTS code an error page or an inline sign-in prompt shows, if any (never one
    merely mentioned in the page's text, such as a Scenario menu's descriptions)."""
    if "aadsts" not in page:  # most pages (an auto-post form): no need to scan them
        return None
    match = _PAGE_CODE.search(page)
    return int(match.group(1) or match.group(2)) if match else None


def pretty(xml: bytes) -> str:
    """Indented XML for reading (the raw bytes stay what was signed and sent)."""
    try:
        root = parse(xml)
    except UnsafeXml:
        return xml.decode("utf-8", errors="replace")
    text: str = etree.tostring(root, pretty_print=True, encoding="unicode")
    return text
