"""Notes on Entra's Response: each value and the admin center setting it came from."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import timedelta

from lxml import etree

from mock_idp.protocol.xml import DS, parse_saml_time
from mock_idp.trace.facts import AppFacts
from mock_idp.trace.notes import BASIC, NO_CHECK, NS, Note, Pairs, checked
from mock_idp.trace.rules import rule_for


def response(root: etree._Element, facts: AppFacts | None, request_id: str | None) -> Pairs:
    pairs: Pairs = []
    replies = facts.reply_urls if facts else ()
    destination = root.get("Destination")
    if destination is not None:
        pairs.append((root, _reply_note("Destination", destination, replies)))
    pairs += in_response_to(root, request_id)
    issuer = root.find("saml:Issuer", NS)
    if issuer is not None:
        pairs.append((issuer, _issuer_note(issuer, facts)))
    pairs += status(root)
    assertion = root.find("saml:Assertion", NS)
    for signature in root.iter(f"{{{DS}}}Signature"):
        pairs += _signature(signature, facts)
    if assertion is None:
        return pairs
    pairs += _assertion(assertion, facts, request_id)
    return pairs


def _reply_note(label: str, value: str, replies: tuple[str, ...]) -> Note:
    check, check_text = checked(
        value in replies, "matches a Reply URL of the app", "is not a Reply URL of the app"
    )
    return Note(
        label=label, value=value,
        text=f"Where the Response is posted ← the Reply URL that matched ({BASIC})",
        check=check, check_text=check_text,
    )  # fmt: skip


def _issuer_note(issuer: etree._Element, facts: AppFacts | None) -> Note:
    value = (issuer.text or "").strip()
    check, check_text = NO_CHECK
    if facts is not None:
        check, check_text = checked(
            value == facts.issuer, "the tenant's identifier", "not this tenant's identifier"
        )
    app = facts.name if facts else "<app>"
    return Note(
        label="Issuer", value=value,
        text=f"Who issued it ← the Microsoft Entra Identifier (Set up {app}), "
        "pasted into the SP as the IdP's entity ID", check=check, check_text=check_text,
    )  # fmt: skip


def in_response_to(element: etree._Element, request_id: str | None) -> Pairs:
    value = element.get("InResponseTo")
    if value is None:
        return [(element, Note(
            label="InResponseTo", value="(absent)",
            text="No AuthnRequest to answer: IdP-initiated (My Apps, Test this application)",
        ))]  # fmt: skip
    check, check_text = NO_CHECK
    if request_id is not None:
        check, check_text = checked(
            value == request_id, "the AuthnRequest's ID", f"not the AuthnRequest's ID {request_id}"
        )
    return [(element, Note(
        label="InResponseTo", value=value, text="← the ID of the AuthnRequest it answers",
        check=check, check_text=check_text,
    ))]  # fmt: skip


def status(root: etree._Element) -> Pairs:
    code = root.find("samlp:Status/samlp:StatusCode", NS)
    if code is None:
        return []
    pairs: Pairs = [(code, Note(
        label="Status", value=code.get("Value", "").rsplit(":", 1)[-1],
        text="Success, or why Entra refused (an error Response, unsigned, as Entra's)",
    ))]  # fmt: skip
    message = root.find("samlp:Status/samlp:StatusMessage", NS)
    match = re.search(r"AADSTS(\d+)", message.text or "") if message is not None else None
    if message is not None and match:
        pairs.append((message, Note(
            label="AADSTS", value=f"AADSTS{match.group(1)}",
            text=f"The rule that fired: {rule_for(int(match.group(1)))}",
        )))  # fmt: skip
    return pairs


def certificate_thumbprint(signature: etree._Element) -> str:
    """SHA-1 of the embedded certificate's DER, uppercase hex, as Entra's portal shows it."""
    cert = signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    if cert is None or not (cert.text or "").strip():
        return ""
    try:
        der = base64.b64decode("".join((cert.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()


def _signature(signature: etree._Element, facts: AppFacts | None) -> Pairs:
    parent = signature.getparent()
    signed = etree.QName(parent).localname if parent is not None else "?"
    option = f" (Signing Option: {facts.signing_option})" if facts else ""
    pairs: Pairs = [(signature, Note(
        label="Signature", value=f"over the {signed}",
        text=f"Entra signs the Assertion, the Response, or both{option} (SAML Certificates)",
    ))]  # fmt: skip
    thumbprint = certificate_thumbprint(signature)
    cert = signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    if thumbprint and cert is not None:
        check, check_text = NO_CHECK
        if facts is not None:
            check, check_text = checked(
                thumbprint == facts.active_thumbprint,
                "the app's active certificate",
                "not the app's active certificate",
            )
        pairs.append((cert, Note(
            label="Certificate thumbprint", value=thumbprint,
            text="The signing certificate ← SAML Certificates (SAML Signing Certificate): the "
            "Thumbprint there; the SP must trust this one", check=check, check_text=check_text,
        )))  # fmt: skip
    return pairs


def _assertion(assertion: etree._Element, facts: AppFacts | None, request_id: str | None) -> Pairs:
    pairs: Pairs = []
    issuer = assertion.find("saml:Issuer", NS)
    if issuer is not None:
        pairs.append((issuer, _issuer_note(issuer, facts)))
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    if name_id is not None:
        source = facts.name_id_source if facts else "the configured source"
        pairs.append((name_id, Note(
            label="NameID", value=(name_id.text or "").strip(),
            text=f"Who signed in ← Attributes & Claims > Unique User Identifier (Name ID): "
            f"{source}; the SP looks its user up by it",
        )))  # fmt: skip
        pairs.append((name_id, Note(
            label="NameID Format", value=name_id.get("Format", ""),
            text="← the Name identifier format (Attributes & Claims), unless the request's "
            "NameIDPolicy asked for another",
        )))  # fmt: skip
    data = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    replies = facts.reply_urls if facts else ()
    if data is not None:
        if data.get("Recipient") is not None:
            pairs.append((data, _reply_note("Recipient", data.get("Recipient", ""), replies)))
        if data.get("InResponseTo") is not None:
            pairs += in_response_to(data, request_id)
    pairs += _window(assertion)
    audience = assertion.find("saml:Conditions/saml:AudienceRestriction/saml:Audience", NS)
    if audience is not None:
        value = (audience.text or "").strip()
        identifiers = facts.identifiers if facts else ()
        check, check_text = checked(
            value in identifiers, "the app's Identifier", "not an Identifier of the app"
        )
        pairs.append((audience, Note(
            label="Audience", value=value,
            text=f"Who the token is for ← the app's Identifier (Entity ID) ({BASIC})",
            check=check if facts else "", check_text=check_text if facts else "",
        )))  # fmt: skip
    sent = set()
    for attribute in assertion.iterfind("saml:AttributeStatement/saml:Attribute", NS):
        sent.add(attribute.get("Name", ""))
        pairs.append((attribute, _claim_note(attribute, facts)))
    statement = assertion.find("saml:AttributeStatement", NS)
    for name, source in facts.claim_rules if facts and statement is not None else ():
        if name not in sent:
            pairs.append((statement, Note(
                label=f"Attribute {name.rsplit('/', 1)[-1]} (not sent)", value="",
                text=f"← claim rule {source}: this user has no value, so Entra leaves it out",
            )))  # fmt: skip
    authn = assertion.find("saml:AuthnStatement", NS)
    if authn is not None:
        pairs.append((authn, Note(
            label="AuthnInstant", value=authn.get("AuthnInstant", ""),
            text="When the user signed in; kept when Entra's session is reused",
        )))  # fmt: skip
        pairs.append((authn, Note(
            label="SessionIndex", value=authn.get("SessionIndex", ""),
            text="← the Assertion ID; names this session in a single sign-out",
        )))  # fmt: skip
    return pairs


def _minutes(later: str, earlier: str) -> str:
    try:
        delta: timedelta = parse_saml_time(later) - parse_saml_time(earlier)
    except ValueError:
        return ""
    return f"{delta.total_seconds() / 60:+.0f} min from IssueInstant"


def _window(assertion: etree._Element) -> Pairs:
    issued = assertion.get("IssueInstant", "")
    conditions = assertion.find("saml:Conditions", NS)
    if conditions is None:
        return []
    pairs: Pairs = []
    for attr, text in (
        ("NotBefore", "Valid from ← 5 minutes before issue (clock skew allowance)"),
        ("NotOnOrAfter", "Valid until ← 60 minutes after issue (Entra's token lifetime)"),
    ):
        if conditions.get(attr) is not None:
            value = conditions.get(attr, "")
            pairs.append((conditions, Note(
                label=attr, value=value, text=text, check_text=_minutes(value, issued),
            )))  # fmt: skip
    return pairs


def _claim_note(attribute: etree._Element, facts: AppFacts | None) -> Note:
    name = attribute.get("Name", "")
    values = [(v.text or "") for v in attribute.findall("saml:AttributeValue", NS)]
    source = facts.rule_for(name) if facts else None
    if source:
        text = f"← claim rule (Attributes & Claims): {source}"
    elif name.startswith("http://schemas.microsoft.com/"):
        text = "← always sent by Entra (a restricted claim: tenant, object ID, sign-in method…)"
    else:
        text = "← a claim rule of the app (Attributes & Claims)"
    return Note(label=f"Attribute {name.rsplit('/', 1)[-1]}", value=", ".join(values), text=text)
