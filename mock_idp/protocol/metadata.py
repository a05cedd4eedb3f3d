"""Federation metadata in Entra's structure: an app's (`?appid=`), or the tenant-wide one
(docs/reference/entra.md §2, §2.1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from mock_idp.protocol.xml import DS, MD, to_bytes

FED = "http://docs.oasis-open.org/wsfed/federation/200706"
AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706"
WSA = "http://www.w3.org/2005/08/addressing"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

_2005 = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
_MSID = "http://schemas.microsoft.com/identity/claims/"
_2008 = "http://schemas.microsoft.com/ws/2008/06/identity/claims/"
# Entra's ClaimTypesOffered, in its order, with its display names and descriptions as real
# federation metadata carries them (captures from 2019–2024 metadata documents).
CLAIM_TYPES_OFFERED: tuple[tuple[str, str, str], ...] = (
    (_2005 + "name", "Name", "The mutable display name of the user."),
    (_2005 + "nameidentifier", "Subject", "An immutable, globally unique, non-reusable identifier "
     "of the user that is unique to the application for which a token is issued."),
    (_2005 + "givenname", "Given Name", "First name of the user."),
    (_2005 + "surname", "Surname", "Last name of the user."),
    (_MSID + "displayname", "Display Name", "Display name of the user."),
    (_MSID + "nickname", "Nick Name", "Nick name of the user."),
    (_2008 + "authenticationinstant", "Authentication Instant",
     "The time (UTC) when the user is authenticated to Windows Azure Active Directory."),
    (_2008 + "authenticationmethod", "Authentication Method",
     "The method that Windows Azure Active Directory uses to authenticate users."),
    (_MSID + "objectidentifier", "ObjectIdentifier", "Primary identifier for the user in the "
     "directory. Immutable, globally unique, non-reusable."),
    (_MSID + "tenantid", "TenantId", "Identifier for the user's tenant."),
    (_MSID + "identityprovider", "IdentityProvider", "Identity provider for the user."),
    (_2005 + "emailaddress", "Email", "Email address of the user."),
    (_2008 + "groups", "Groups", "Groups of the user."),
    (_MSID + "accesstoken", "External Access Token",
     "Access token issued by external identity provider."),
    (_2008 + "expiration", "External Access Token Expiration",
     "UTC expiration time of access token issued by external identity provider."),
    (_MSID + "openid2_id", "External OpenID 2.0 Identifier",
     "OpenID 2.0 identifier issued by external identity provider."),
    ("http://schemas.microsoft.com/claims/groups.link", "GroupsOverageClaim",
     "Issued when number of user's group claims exceeds return limit."),
    (_2008 + "role", "Role Claim", "Roles that the user or Service Principal is attached to"),
    (_2008 + "wids", "RoleTemplate Id Claim",
     "Role template id of the Built-in Directory Roles that the user is a member of"),
)  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class MetadataSpec:
    entity_id: str
    saml2_url: str
    wsfed_url: str
    certificates_b64: tuple[str, ...]


def _key_descriptor(parent: etree._Element, cert_b64: str) -> None:
    descriptor = etree.SubElement(parent, f"{{{MD}}}KeyDescriptor", use="signing")
    key_info = etree.SubElement(descriptor, f"{{{DS}}}KeyInfo", nsmap={None: DS})
    data = etree.SubElement(key_info, f"{{{DS}}}X509Data")
    etree.SubElement(data, f"{{{DS}}}X509Certificate").text = cert_b64


def _endpoint(parent: etree._Element, tag: str, address: str) -> None:
    holder = etree.SubElement(parent, f"{{{FED}}}{tag}")
    ref = etree.SubElement(holder, f"{{{WSA}}}EndpointReference", nsmap={"wsa": WSA})
    etree.SubElement(ref, f"{{{WSA}}}Address").text = address


def _role(root: etree._Element, kind: str, spec: MetadataSpec) -> etree._Element:
    role = etree.SubElement(
        root,
        f"{{{MD}}}RoleDescriptor",
        {f"{{{XSI}}}type": f"fed:{kind}", "protocolSupportEnumeration": FED},
        nsmap={"xsi": XSI, "fed": FED},
    )
    for cert in spec.certificates_b64:
        _key_descriptor(role, cert)
    return role


def build_metadata(spec: MetadataSpec, *, new_id: Callable[[], str]) -> etree._Element:
    """The unsigned EntityDescriptor; the caller signs it (Signature as its first child)."""
    root = etree.Element(
        f"{{{MD}}}EntityDescriptor",
        {"ID": new_id(), "entityID": spec.entity_id},
        nsmap={None: MD},
    )
    sts = _role(root, "SecurityTokenServiceType", spec)
    offered = etree.SubElement(sts, f"{{{FED}}}ClaimTypesOffered")
    for uri, display, description in CLAIM_TYPES_OFFERED:
        claim = etree.SubElement(offered, f"{{{AUTH}}}ClaimType", Uri=uri, nsmap={"auth": AUTH})
        etree.SubElement(claim, f"{{{AUTH}}}DisplayName").text = display
        etree.SubElement(claim, f"{{{AUTH}}}Description").text = description
    _endpoint(sts, "SecurityTokenServiceEndpoint", spec.wsfed_url)
    _endpoint(sts, "PassiveRequestorEndpoint", spec.wsfed_url)

    app = _role(root, "ApplicationServiceType", spec)
    _endpoint(app, "TargetScopes", spec.entity_id)
    _endpoint(app, "ApplicationServiceEndpoint", spec.wsfed_url)
    _endpoint(app, "PassiveRequestorEndpoint", spec.wsfed_url)

    idp = etree.SubElement(
        root,
        f"{{{MD}}}IDPSSODescriptor",
        protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol",
    )
    for cert in spec.certificates_b64:
        _key_descriptor(idp, cert)
    etree.SubElement(idp, f"{{{MD}}}SingleLogoutService", Binding=REDIRECT, Location=spec.saml2_url)
    etree.SubElement(idp, f"{{{MD}}}SingleSignOnService", Binding=REDIRECT, Location=spec.saml2_url)
    etree.SubElement(idp, f"{{{MD}}}SingleSignOnService", Binding=POST, Location=spec.saml2_url)
    return root


def to_document(signed: etree._Element) -> bytes:
    """The wire form: Entra's metadata starts with an XML declaration."""
    return b'<?xml version="1.0" encoding="utf-8"?>' + to_bytes(signed)
