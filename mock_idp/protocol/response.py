"""Build Entra-shaped SAML Responses and Assertions (docs/reference/entra.md §4.2, §4.4, §4.5)."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from mock_idp.protocol.claims import Claim
from mock_idp.protocol.xml import SAML, SAMLP, saml_time

PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"

# Observed timing (§4.2): T0 sits ~150 ms before the Assertion IssueInstant; the window is
# T0 - 5 min .. T0 + 60 min; the Response IssueInstant follows the Assertion's by a few ms.
T0_LEAD = timedelta(milliseconds=150)
NOT_BEFORE_SKEW = timedelta(minutes=5)
LIFETIME = timedelta(minutes=60)
RESPONSE_LAG = timedelta(milliseconds=2)

NewId = Callable[[], str]


@dataclass(frozen=True, kw_only=True, slots=True)
class Issuance:
    """Everything that goes into one token, decided before any XML is built."""

    issuer: str
    destination: str
    in_response_to: str | None
    audience: str
    name_id: str
    name_id_format: str
    claims: tuple[Claim, ...]
    authn_instant: datetime
    authn_context_class: str = PASSWORD_CLASS
    # Decided up front by `sso.issuance_for` so the session knows its SessionIndex (for single
    # logout); None: a fresh ID when the Assertion is built.
    assertion_id: str | None = None


def _saml(tag: str, parent: etree._Element | None = None, **attrs: str) -> etree._Element:
    qname = f"{{{SAML}}}{tag}"
    if parent is None:
        return etree.Element(qname, attrs, nsmap={None: SAML})
    return etree.SubElement(parent, qname, attrs)


def _skeleton(*, in_response_to: bool) -> etree._Element:
    """The Assertion's fixed part, children and attributes in Entra's order, values empty."""
    assertion = _saml("Assertion", ID="", IssueInstant="", Version="2.0")
    _saml("Issuer", assertion)
    subject = _saml("Subject", assertion)
    _saml("NameID", subject, Format="")
    confirmation = _saml("SubjectConfirmation", subject, Method=BEARER)
    data = {"NotOnOrAfter": "", "Recipient": ""}
    _saml("SubjectConfirmationData", confirmation,
          **({"InResponseTo": "", **data} if in_response_to else data))  # fmt: skip
    conditions = _saml("Conditions", assertion, NotBefore="", NotOnOrAfter="")
    _saml("Audience", _saml("AudienceRestriction", conditions))
    authn = _saml("AuthnStatement", assertion, AuthnInstant="", SessionIndex="")
    _saml("AuthnContextClassRef", _saml("AuthnContext", authn))
    return assertion


# Copied per response: a deep copy of ~12 elements costs a fraction of building them one by one.
_SKELETONS = {flag: _skeleton(in_response_to=flag) for flag in (True, False)}
_ATTRIBUTE = f"{{{SAML}}}Attribute"
_ATTRIBUTE_VALUE = f"{{{SAML}}}AttributeValue"


@functools.lru_cache(maxsize=256)
def _attribute_statement(claims: tuple[Claim, ...]) -> etree._Element:
    """The AttributeStatement of these claims, kept to be copied: a user signing in to an app
    again gets the same claims, and a copy costs a third of building ~17 elements anew."""
    statement = _saml("AttributeStatement")
    for claim in claims:
        attribute = etree.SubElement(statement, _ATTRIBUTE, Name=claim.name)
        for value in claim.values:
            etree.SubElement(attribute, _ATTRIBUTE_VALUE).text = value
    return statement


def build_assertion(issuance: Issuance, *, now: datetime, new_id: NewId) -> etree._Element:
    """The unsigned Assertion, its children in Entra's order."""
    t0 = now - T0_LEAD
    assertion_id = issuance.assertion_id or new_id()
    assertion = copy.deepcopy(_SKELETONS[issuance.in_response_to is not None])
    issuer, subject, conditions, authn = assertion
    assertion.set("ID", assertion_id)
    assertion.set("IssueInstant", saml_time(now))
    issuer.text = issuance.issuer

    name_id, confirmation = subject
    name_id.set("Format", issuance.name_id_format)
    name_id.text = issuance.name_id
    data = confirmation[0]
    if issuance.in_response_to is not None:
        data.set("InResponseTo", issuance.in_response_to)
    data.set("NotOnOrAfter", saml_time(t0 + LIFETIME))
    data.set("Recipient", issuance.destination)

    conditions.set("NotBefore", saml_time(t0 - NOT_BEFORE_SKEW))
    conditions.set("NotOnOrAfter", saml_time(t0 + LIFETIME))
    conditions[0][0].text = issuance.audience  # AudienceRestriction/Audience

    if issuance.claims:
        authn.addprevious(copy.deepcopy(_attribute_statement(issuance.claims)))

    authn.set("AuthnInstant", saml_time(issuance.authn_instant))
    authn.set("SessionIndex", assertion_id)
    authn[0][0].text = issuance.authn_context_class  # AuthnContext/AuthnContextClassRef
    return assertion


def _response_root(
    *,
    issuer: str,
    destination: str | None,
    in_response_to: str | None,
    now: datetime,
    new_id: NewId,
) -> etree._Element:
    attrs = {"ID": new_id(), "Version": "2.0", "IssueInstant": saml_time(now)}
    if destination is not None:
        attrs["Destination"] = destination
    if in_response_to is not None:
        attrs["InResponseTo"] = in_response_to
    response = etree.Element(f"{{{SAMLP}}}Response", attrs, nsmap={"samlp": SAMLP})
    etree.SubElement(response, f"{{{SAML}}}Issuer", nsmap={None: SAML}).text = issuer
    return response


def build_response(
    issuance: Issuance, assertion: etree._Element, *, now: datetime, new_id: NewId
) -> etree._Element:
    """The Response around an (already signed, when so configured) Assertion."""
    response = _response_root(
        issuer=issuance.issuer,
        destination=issuance.destination,
        in_response_to=issuance.in_response_to,
        now=now + RESPONSE_LAG,
        new_id=new_id,
    )
    status = etree.SubElement(response, f"{{{SAMLP}}}Status")
    etree.SubElement(status, f"{{{SAMLP}}}StatusCode", Value=SUCCESS)
    response.append(assertion)
    return response


def build_error_response(
    *,
    issuer: str,
    destination: str | None,
    in_response_to: str | None,
    top_code: str,
    second_code: str | None,
    message: str,
    now: datetime,
    new_id: NewId,
) -> etree._Element:
    """A non-Success Response as in §4.5: Status with nested codes and a StatusMessage."""
    response = _response_root(
        issuer=issuer,
        destination=destination,
        in_response_to=in_response_to,
        now=now,
        new_id=new_id,
    )
    status = etree.SubElement(response, f"{{{SAMLP}}}Status")
    top = etree.SubElement(status, f"{{{SAMLP}}}StatusCode", Value=top_code)
    if second_code:
        etree.SubElement(top, f"{{{SAMLP}}}StatusCode", Value=second_code)
    etree.SubElement(status, f"{{{SAMLP}}}StatusMessage").text = message
    return response
