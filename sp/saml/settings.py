"""The only place a pysaml2 configuration exists: one organisation's SP config, as data.

Plain data on purpose: `client.py` is the one module that imports pysaml2 and loads it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from sp.saml.constants import (
    BINDING_HTTP_POST,
    BINDING_HTTP_REDIRECT,
    DS,
    MD,
    NAMEID_FORMAT_EMAILADDRESS,
    SAMLP,
)
from sp.saml.identity import IdpSettings, certificate_der


@dataclass(frozen=True, kw_only=True, slots=True)
class SpEndpoints:
    entity_id: str
    acs_url: str
    logout_url: str
    xmlsec_binary: str
    clock_skew_seconds: int


def sp_config(sp: SpEndpoints, idp: IdpSettings) -> dict[str, Any]:
    """Entra's default signs only the Assertion: require that signature, and treat every
    Response-level field as attacker-controlled (checked separately in checks.py)."""
    return {
        "entityid": sp.entity_id,
        "xmlsec_binary": sp.xmlsec_binary,
        "accepted_time_diff": sp.clock_skew_seconds,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [(sp.acs_url, BINDING_HTTP_POST)],
                    "single_logout_service": [(sp.logout_url, BINDING_HTTP_REDIRECT)],
                },
                "allow_unsolicited": False,  # Trakstar is SP-initiated only
                "want_response_signed": False,
                "want_assertions_signed": True,
                "authn_requests_signed": False,
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "name_id_format_allow_create": False,
            }
        },
        # Exactly one IdP, from what the admin pasted: pysaml2 picks keys by Issuer, so a
        # second entity here would let its key sign for us (docs/reference/attacks.md #24).
        "metadata": {"inline": [idp_metadata(idp)]},
    }


def idp_metadata(idp: IdpSettings) -> str:
    """A minimal EntityDescriptor for the IdP; every pasted certificate is a signing key."""
    from lxml import etree  # with the SAML client, on first use: not at the SP's start

    root = etree.Element(f"{{{MD}}}EntityDescriptor", entityID=idp.entity_id, nsmap={"md": MD})
    desc = etree.SubElement(
        root,
        f"{{{MD}}}IDPSSODescriptor",
        protocolSupportEnumeration=SAMLP,
    )
    for pem in idp.certificates:
        key = etree.SubElement(desc, f"{{{MD}}}KeyDescriptor", use="signing")
        info = etree.SubElement(key, f"{{{DS}}}KeyInfo", nsmap={"ds": DS})
        data = etree.SubElement(info, f"{{{DS}}}X509Data")
        cert = etree.SubElement(data, f"{{{DS}}}X509Certificate")
        cert.text = base64.b64encode(certificate_der(pem)).decode("ascii")
    if idp.logout_url:
        etree.SubElement(
            desc,
            f"{{{MD}}}SingleLogoutService",
            Binding=BINDING_HTTP_REDIRECT,
            Location=idp.logout_url,
        )
    etree.SubElement(
        desc, f"{{{MD}}}SingleSignOnService", Binding=BINDING_HTTP_REDIRECT, Location=idp.sso_url
    )
    text: str = etree.tostring(root, encoding="unicode")
    return text
