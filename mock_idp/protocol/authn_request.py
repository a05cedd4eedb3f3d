"""Decode, parse and check an incoming AuthnRequest in Entra's order (entra-saml.md §3, §11)."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from mock_idp.protocol import errors
from mock_idp.protocol.claims import NAMEID_FORMATS
from mock_idp.protocol.xml import DS, SAML, SAMLP, UnsafeXml, parse

HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
MAX_MESSAGE = 64 * 1024  # an AuthnRequest is ~1 KB; anything near this is not one

# xs:ID is an NCName: a letter or underscore first, then letters, digits, '.', '-', '_'.
_NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")


@dataclass(frozen=True, kw_only=True, slots=True)
class AuthnRequest:
    """The fields of an AuthnRequest that Entra reads."""

    id: str
    issuer: str
    acs_url: str | None
    protocol_binding: str | None
    force_authn: bool
    is_passive: bool
    name_id_format: str | None
    has_subject: bool
    authn_context_comparison: str | None
    authn_context_classes: tuple[str, ...]
    signed: bool


def decode_redirect(saml_request: str | None) -> bytes:
    """HTTP-Redirect binding: base64 then raw DEFLATE (the query string is already URL-decoded)."""
    if not saml_request:
        raise errors.SamlRequestMissing(
            "SAMLRequest or SAMLResponse must be present as query string parameters in HTTP "
            "request for SAML Redirect binding."
        )
    raw = _b64(saml_request)
    inflater = zlib.decompressobj(-15)
    try:
        xml = inflater.decompress(raw, MAX_MESSAGE)
    except zlib.error as exc:
        raise _not_valid() from exc
    if inflater.unconsumed_tail:
        raise _not_valid()
    return xml


def decode_post(saml_request: str | None) -> bytes:
    """HTTP-POST binding: plain base64, no DEFLATE."""
    if not saml_request:
        raise _not_valid()
    return _b64(saml_request)


def _b64(value: str) -> bytes:
    if len(value) > MAX_MESSAGE * 2:
        raise _not_valid()
    try:
        return base64.b64decode(value.strip(), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise _not_valid() from exc


def _not_valid() -> errors.AadstsError:
    return errors.InvalidSamlRequest("The request is not a valid Saml2 protocol message.")


def parse_authn_request(xml: bytes) -> AuthnRequest:
    """Steps 1 and 2 of Entra's order: a well-formed AuthnRequest with a valid ID."""
    try:
        root = parse(xml)
    except UnsafeXml as exc:
        raise _not_valid() from exc
    if root.tag != f"{{{SAMLP}}}AuthnRequest" or root.get("Version") != "2.0":
        raise _not_valid()
    request_id = root.get("ID") or ""
    if not request_id:
        raise _not_valid()
    if not _NCNAME.match(request_id):
        raise errors.InvalidRequestId(
            f"The SAML request ID '{request_id}' isn't a valid SAML ID. A SAML ID must not "
            "begin with a number."
        )
    issuer = root.findtext(f"{{{SAML}}}Issuer") or ""
    policy = root.find(f"{{{SAMLP}}}NameIDPolicy")
    context = root.find(f"{{{SAMLP}}}RequestedAuthnContext")
    return AuthnRequest(
        id=request_id,
        issuer=issuer.strip(),
        acs_url=root.get("AssertionConsumerServiceURL"),
        protocol_binding=root.get("ProtocolBinding"),
        force_authn=_flag(root.get("ForceAuthn")),
        is_passive=_flag(root.get("IsPassive")),
        name_id_format=None if policy is None else policy.get("Format"),
        has_subject=root.find(f"{{{SAML}}}Subject") is not None,
        authn_context_comparison=None if context is None else context.get("Comparison", "exact"),
        authn_context_classes=_class_refs(context),
        signed=root.find(f"{{{DS}}}Signature") is not None,
    )


def _flag(value: str | None) -> bool:
    return value in ("true", "1")


def _class_refs(context: etree._Element | None) -> tuple[str, ...]:
    if context is None:
        return ()
    return tuple((e.text or "").strip() for e in context.iter(f"{{{SAML}}}AuthnContextClassRef"))


def choose_reply_url(request: AuthnRequest, reply_urls: Sequence[str], app_id: str) -> str:
    """Step 5: the request's ACS must be a configured Reply URL (exact string compare)."""
    if request.acs_url is None:
        if not reply_urls:
            raise errors.NoReplyAddress(
                "The reply address is not provided in the request and no reply address is "
                "configured for the application."
            )
        return reply_urls[0]
    if request.acs_url not in reply_urls:
        raise errors.ReplyUrlMismatch(
            f"The reply URL specified in the request does not match the reply URLs configured "
            f"for the application: '{app_id}'. Make sure the reply URL sent in the request "
            "matches one added to your application in the Azure portal. Navigate to "
            "https://aka.ms/urlMismatchError to learn more about how to fix this."
        )
    return request.acs_url


def check_policy(request: AuthnRequest) -> None:
    """Step 6: response binding, NameIDPolicy and unsupported elements."""
    if request.protocol_binding not in (None, HTTP_POST):
        raise errors.UnsupportedBinding(
            "The given Saml protocol binding is not supported. Only HTTP-POST response "
            "binding is supported."
        )
    if request.name_id_format is not None and request.name_id_format not in NAMEID_FORMATS:
        raise errors.InvalidNameIdPolicy(
            "Allowed SAML authentication request's NameIDPolicy formats are: "
            + ", ".join(NAMEID_FORMATS)
            + "."
        )
    if request.has_subject:
        raise errors.UnsupportedProperty(
            "The SAML authentication request property 'Subject' is not supported and must not "
            "be set."
        )
