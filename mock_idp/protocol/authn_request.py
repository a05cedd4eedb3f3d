"""Decode, parse and check an incoming AuthnRequest in Entra's order.

The rules and their order: docs/reference/entra.md §3 and §11.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from mock_idp.protocol import errors
from mock_idp.protocol.claims import MFA_METHOD, NAMEID_FORMATS, PASSWORD_METHOD
from mock_idp.protocol.xml import DS, SAML, SAMLP, UnsafeXml, parse

HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
MAX_MESSAGE = 64 * 1024  # an AuthnRequest is ~1 KB; anything near this is not one

# xs:ID is an NCName: a letter or underscore first, then letters, digits, '.', '-', '_'.
_NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")

AC = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
PASSWORD_CLASS = AC + "Password"
PPT_CLASS = AC + "PasswordProtectedTransport"
UNSPECIFIED_CLASS = AC + "Unspecified"
# How Entra names a requested class in AADSTS75011 (SA-75011, ISS-75011); others by last segment.
_CLASS_NAMES = {
    PASSWORD_CLASS: "Password",
    PPT_CLASS: "Password, ProtectedTransport",
    "urn:federation:authentication:windows": "Windows",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class AuthnRequest:
    """The fields of an AuthnRequest that Entra reads."""

    id: str
    issuer: str
    acs_url: str | None
    protocol_binding: str | None
    force_authn: bool
    is_passive: bool
    has_name_id_policy: bool
    name_id_format: str | None  # None: no Format attribute; "" is an (invalid) empty one
    sp_name_qualifier: str | None
    has_subject: bool
    authn_context_comparison: str | None
    authn_context_classes: tuple[str, ...]
    signed: bool  # carries an enveloped Signature (POST binding)


def decode_redirect(saml_message: str | None) -> bytes:
    """HTTP-Redirect binding: base64 then raw DEFLATE (the query string is already URL-decoded)."""
    if not saml_message:
        raise errors.SamlRequestMissing(
            "SAMLRequest or SAMLResponse must be present as query string parameters in HTTP "
            "request for SAML Redirect binding."
        )
    raw = _b64(saml_message)
    inflater = zlib.decompressobj(-15)
    try:
        xml = inflater.decompress(raw, MAX_MESSAGE)
    except zlib.error as exc:
        raise not_valid() from exc
    if inflater.unconsumed_tail:
        raise not_valid()
    return xml


def decode_post(saml_request: str | None) -> bytes:
    """HTTP-POST binding: plain base64, no DEFLATE."""
    if not saml_request:
        raise not_valid()
    return _b64(saml_request)


def _b64(value: str) -> bytes:
    if len(value) > MAX_MESSAGE * 2:
        raise not_valid()
    try:
        return base64.b64decode(value.strip(), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise not_valid() from exc


def not_valid() -> errors.AadstsError:
    return errors.InvalidSamlRequest("The request is not a valid Saml2 protocol message.")


def parse_message(xml: bytes, *, tag: str) -> etree._Element:
    """A well-formed SAML 2.0 protocol message of the expected type with a valid ID (steps 1–2)."""
    try:
        root = parse(xml)
    except UnsafeXml as exc:
        raise not_valid() from exc
    if root.tag != f"{{{SAMLP}}}{tag}" or root.get("Version") != "2.0":
        raise not_valid()
    request_id = root.get("ID") or ""
    if not request_id or not root.get("IssueInstant"):
        raise not_valid()
    if not _NCNAME.match(request_id):
        raise errors.InvalidRequestId(
            f"The SAML request ID '{request_id}' isn't a valid SAML ID. A SAML ID must not "
            "begin with a number."
        )
    return root


_ISSUER, _SUBJECT = f"{{{SAML}}}Issuer", f"{{{SAML}}}Subject"
_NAME_ID_POLICY = f"{{{SAMLP}}}NameIDPolicy"
_REQUESTED_CONTEXT = f"{{{SAMLP}}}RequestedAuthnContext"
_SIGNATURE = f"{{{DS}}}Signature"


def parse_authn_request(xml: bytes) -> AuthnRequest:
    """Steps 1 and 2 of Entra's order: a well-formed AuthnRequest with a valid ID."""
    root = parse_message(xml, tag="AuthnRequest")
    first: dict[str, etree._Element] = {}  # the first child of each name, in one pass
    for child in root:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            first.setdefault(child.tag, child)
    issuer_element = first.get(_ISSUER)
    issuer = (issuer_element.text or "") if issuer_element is not None else ""
    policy = first.get(_NAME_ID_POLICY)
    context = first.get(_REQUESTED_CONTEXT)
    return AuthnRequest(
        id=str(root.get("ID")),
        issuer=issuer.strip(),
        acs_url=root.get("AssertionConsumerServiceURL"),
        protocol_binding=root.get("ProtocolBinding"),
        force_authn=_flag(root.get("ForceAuthn")),
        is_passive=_flag(root.get("IsPassive")),
        has_name_id_policy=policy is not None,
        name_id_format=None if policy is None else policy.get("Format"),
        sp_name_qualifier=None if policy is None else policy.get("SPNameQualifier"),
        has_subject=_SUBJECT in first,
        authn_context_comparison=None if context is None else context.get("Comparison", "exact"),
        authn_context_classes=_class_refs(context),
        signed=_SIGNATURE in first,
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


def check_policy(request: AuthnRequest, reply: errors.ErrorReply | None = None) -> None:
    """Step 6: response binding, NameIDPolicy, unsupported elements, AuthnContext comparison.

    Found after the app and its ACS are trusted, the NameIDPolicy faults go back to the ACS
    (`reply`: the validated Reply URL) as error Responses (§4.5, §7); the others are shown on
    Entra's error page.
    """
    reply = reply or errors.ErrorReply(
        acs_url=request.acs_url or "", in_response_to=request.id, relay_state=None
    )
    if request.protocol_binding not in (None, HTTP_POST):
        raise errors.UnsupportedBinding(
            "The given Saml protocol binding is not supported. Only HTTP-POST response "
            "binding is supported."
        )
    if request.name_id_format == "":
        raise errors.NameIdFormatEmpty(
            "Cannot provide requested name identifier with format  for the given subject.",
            reply=reply,
        )
    if request.name_id_format is not None and request.name_id_format not in NAMEID_FORMATS:
        raise errors.InvalidNameIdPolicy(
            "Allowed SAML authentication request's NameIDPolicy formats are: "
            + ", ".join(NAMEID_FORMATS)
            + "."
        )
    if request.sp_name_qualifier is not None:
        raise errors.SpNameQualifierUnsupported(
            "An error occurred while processing a SAML2 Authentication request. AADSTS90011: "
            "The SAML authentication request property 'NameIdentifierPolicy/SPNameQualifier' "
            "is not supported.",
            reply=reply,
        )
    if request.has_subject:
        raise errors.UnsupportedProperty(
            "The SAML authentication request property 'Subject' is not supported and must not "
            "be set."
        )
    comparison = request.authn_context_comparison
    if comparison is not None and comparison != "exact":
        raise errors.AuthnContextMismatch(
            f"The RequestedAuthnContext Comparison '{comparison}' is not supported. Only "
            "'exact' is supported."
        )


def method_name(methods: Sequence[str]) -> str:
    """How Entra names the way the user signed in, as AADSTS75011 quotes it."""
    return "Password, MultiFactor" if MFA_METHOD in methods else "Password, ProtectedTransport"


def satisfied_class(requested: Sequence[str], methods: Sequence[str], app_name: str) -> str:
    """The AuthnContextClassRef to emit, or AADSTS75011 when no requested class is satisfied.

    The mock only knows passwords (and a second factor): a password sign-in satisfies Password,
    PasswordProtectedTransport and Unspecified; one with MFA only Unspecified, which reproduces
    the common MFA/passwordless break (SA-75011). A satisfied class is echoed (§4.2 [Unc]).
    """
    if not requested:
        return PASSWORD_CLASS
    usable = {UNSPECIFIED_CLASS}
    if PASSWORD_METHOD in methods and MFA_METHOD not in methods:
        usable |= {PASSWORD_CLASS, PPT_CLASS}
    for wanted in requested:
        if wanted in usable:
            return wanted
    asked = ", ".join(_CLASS_NAMES.get(c, c.rsplit(":", 1)[-1]) for c in requested)
    raise errors.AuthnContextMismatch(
        f"Authentication method '{method_name(methods)}' by which the user authenticated with "
        f"the service doesn't match requested authentication method '{asked}'. Contact the "
        f"{app_name} application owner."
    )
