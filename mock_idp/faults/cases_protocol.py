"""Cases of docs/reference/attacks.md §3 F: who, where, when and how many times (with #55–#57)."""

from __future__ import annotations

from datetime import timedelta

from mock_idp.faults import structure
from mock_idp.faults.edits import (
    at,
    const,
    fresh_request_id,
    issued,
    remove,
    remove_attribute,
    set_attribute,
    set_text,
)
from mock_idp.faults.model import (
    EA,
    EA_RA,
    FaultCase,
    Profile,
    Recipe,
    Refusal,
    accept,
    reject,
)
from mock_idp.protocol.claims import TENANT_ID

EVIL_ACS = "https://evil.example/auth/saml/callback?namespace=contoso"
OTHER_APP = "https://other-app.contoso.example"
OTHER_ISSUER = f"https://sts.windows.net/{structure.OTHER_TENANT}/"
SCD = "saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData"
TENANT_VALUE = f"saml:AttributeStatement/saml:Attribute[@Name='{TENANT_ID}']/saml:AttributeValue"
TEN_MINUTES = timedelta(minutes=10)
# The reference SP accepts 3 minutes of clock skew; these straddle it
# (docs/reference/attacks.md #51).
SKEWS = (("+30s", 30, True), ("+2min", 120, True), ("+5min", 300, False), ("+6min", 360, False))


def _case(
    name: str,
    description: str,
    source: str,
    recipe: Recipe,
    *,
    refusal: Refusal = "invalid",
    profiles: tuple[Profile, ...] = EA_RA,
    section: str = "F",
) -> FaultCase:
    """Most cases here are IdP-signed negatives: Entra's signature over a wrong value."""
    return FaultCase(
        name=name,
        description=description,
        source=source,
        section=section,
        profiles=profiles,
        expected=reject(refusal),
        recipe=recipe,
    )


def _skew(label: str, seconds: int, within: bool) -> FaultCase:
    where = "inside" if within else "beyond"
    return FaultCase(
        name=f"skew-{label}",
        description=f"NotBefore {label} ahead of the SP's clock ({where} its 3-minute skew)",
        source="§3 #51; Entra docs suggest allowing up to 5 min",
        section="F",
        profiles=EA_RA,
        expected=accept() if within else reject("invalid"),
        recipe=Recipe(
            assertion=set_attribute("saml:Conditions", "NotBefore", at(timedelta(seconds=seconds)))
        ),
    )


CASES: tuple[FaultCase, ...] = (
    FaultCase(
        name="replay",
        description="The last valid response for this app, posted again (another sign-in "
        "or another browser)",
        source="§3 #39; python3-saml README 'Avoiding Replay attacks'",
        section="F",
        profiles=EA_RA,
        expected=reject("unsolicited"),
        delivery="replay",
    ),
    _case(
        "in-response-to-unknown",
        "InResponseTo names a request this browser never made",
        "§3 #40",
        Recipe(issuance=fresh_request_id),
        refusal="unsolicited",
    ),
    _case(
        "unsolicited",
        "IdP-initiated shape: no InResponseTo anywhere (Entra 'Test', My Apps)",
        "§3 #41",
        Recipe(issuance=issued(in_response_to=None)),
        refusal="unsolicited",
    ),
    FaultCase(
        name="login-csrf",
        description="The attacker's own valid response, captured and auto-posted from another "
        "page into a browser with no sign-in pending",
        source="§3 #42; login CSRF / response injection",
        section="F",
        profiles=EA_RA,
        expected=reject("unsolicited"),
        delivery="capture",
        needs_test_mode=True,
    ),
    _case(
        "response-in-response-to-swapped",
        "Unsigned Response InResponseTo changed after signing; the signed one left alone",
        "§3 #43",
        Recipe(after_signing=set_attribute(".", "InResponseTo", lambda ctx: ctx.new_id())),
        refusal="unsolicited",
        profiles=EA,
    ),
    _case(
        "destination-mismatch",
        "Response Destination is another site's ACS",
        "§3 #44; python3-saml testIsInValidDestination",
        Recipe(response=set_attribute(".", "Destination", const(EVIL_ACS))),
    ),
    _case(
        "destination-missing",
        "Response without a Destination attribute",
        "§3 #45; SAML bindings §3.5.5.2; crewjam TestSPMissingDestinationWithSignaturePresent",
        Recipe(response=remove_attribute(".", "Destination")),
    ),
    _case(
        "recipient-mismatch",
        "SubjectConfirmationData Recipient is another site's ACS",
        "§3 #46",
        Recipe(assertion=set_attribute(SCD, "Recipient", const(EVIL_ACS))),
    ),
    _case(
        "recipient-missing",
        "SubjectConfirmationData without a Recipient",
        "§3 #46; python3-saml invalid_subjectconfirmation_recipient",
        Recipe(assertion=remove_attribute(SCD, "Recipient")),
    ),
    _case(
        "audience-mismatch",
        "Audience is another app's identifier in the same tenant",
        "§3 #47; python3-saml testIsInValidAudience",
        Recipe(issuance=issued(audience=OTHER_APP)),
    ),
    _case(
        "audience-missing",
        "No AudienceRestriction in Conditions",
        "§3 #48; SAML Web SSO profile §4.1.4.2",
        Recipe(assertion=remove("saml:Conditions/saml:AudienceRestriction")),
    ),
    _case(
        "expired-assertion",
        "Conditions NotOnOrAfter ten minutes in the past",
        "§3 #49; python3-saml testIsInValidExpired",
        Recipe(assertion=set_attribute("saml:Conditions", "NotOnOrAfter", at(-TEN_MINUTES))),
    ),
    _case(
        "expired-subject-confirmation",
        "SubjectConfirmationData NotOnOrAfter ten minutes in the past",
        "§3 #49; python3-saml invalid_subjectconfirmation_noa",
        Recipe(assertion=set_attribute(SCD, "NotOnOrAfter", at(-TEN_MINUTES))),
    ),
    _case(
        "not-yet-valid",
        "Conditions NotBefore ten minutes in the future",
        "§3 #50",
        Recipe(assertion=set_attribute("saml:Conditions", "NotBefore", at(TEN_MINUTES))),
    ),
    *(_skew(label, seconds, within) for label, seconds, within in SKEWS),
    _case(
        "issue-instant-old",
        "Response and Assertion IssueInstant a day old, validity window still open",
        "§3 #52",
        Recipe(
            assertion=set_attribute(".", "IssueInstant", at(-timedelta(days=1))),
            response=set_attribute(".", "IssueInstant", at(-timedelta(days=1))),
        ),
    ),
    _case(
        "subject-confirmation-no-expiry",
        "Bearer SubjectConfirmationData without NotOnOrAfter",
        "§3 #53; SAML Web SSO profile §4.1.4.2",
        Recipe(assertion=remove_attribute(SCD, "NotOnOrAfter")),
    ),
    _case(
        "issuer-other-tenant",
        "Signed with Entra's key but issued by another tenant's Issuer",
        "§3 #54(a); python3-saml testIsInValidIssuer",
        Recipe(issuance=issued(issuer=OTHER_ISSUER)),
        refusal="signature",
    ),
    _case(
        "response-issuer-changed",
        "Unsigned Response Issuer changed after signing (Entra's default signs the assertion only)",
        "§3 #54(b); python3-saml invalid_issuer_message",
        Recipe(after_signing=set_text("saml:Issuer", const(OTHER_ISSUER))),
        profiles=EA,
    ),
    _case(
        "tenantid-claim-mismatch",
        "The tenantid claim names another tenant",
        "§5 item 8 (tenant ID claim)",
        Recipe(assertion=set_text(TENANT_VALUE, const(structure.OTHER_TENANT))),
    ),
    _case(
        "error-status",
        "Entra's error Response: Requester/RequestUnsupported with an AADSTS message",
        "§3 #55; docs/reference/entra.md §4.5",
        Recipe(response=structure.error_response),
        refusal="idp-error",
    ),
    _case(
        "error-status-with-assertion",
        "StatusCode Responder/AuthnFailed while a validly signed assertion is present",
        "§3 #55; python3-saml testStatusCheckBeforeAssertionCheck",
        Recipe(response=structure.failed_status_keeping_assertion),
        refusal="idp-error",
    ),
    _case(
        "no-nameid",
        "The Subject carries no NameID",
        "§3 #56; python3-saml invalids/no_nameid",
        Recipe(assertion=remove("saml:Subject/saml:NameID")),
    ),
    _case(
        "empty-nameid",
        "The NameID is empty",
        "§3 #56; python3-saml invalids/empty_nameid",
        Recipe(assertion=set_text("saml:Subject/saml:NameID", const(""))),
    ),
    _case(
        "no-subject",
        "The assertion has no Subject",
        "§3 #56",
        Recipe(assertion=remove("saml:Subject")),
    ),
    _case(
        "no-conditions",
        "The assertion has no Conditions",
        "§3 #56; python3-saml invalids/no_conditions",
        Recipe(assertion=remove("saml:Conditions")),
    ),
    _case(
        "no-authn-statement",
        "The assertion has no AuthnStatement",
        "§3 #56; python3-saml invalids/no_authnstatement",
        Recipe(assertion=remove("saml:AuthnStatement")),
    ),
    _case(
        "two-authn-statements",
        "The assertion has two AuthnStatements",
        "§3 #56",
        Recipe(assertion=structure.second_authn_statement),
    ),
    _case(
        "unknown-condition",
        "Conditions carry a Condition of an unknown type",
        "§3 #56; saml-core §2.5.1.1",
        Recipe(assertion=structure.unknown_condition),
        refusal="signature",  # pysaml2's schema check of the signed assertion refuses it
    ),
    _case(
        "encrypted-assertion-added",
        "An EncryptedAssertion next to the genuine signed assertion",
        "§3 #57(a); CVE-2016-5697 (ruby-saml)",
        Recipe(after_signing=structure.added_encrypted_assertion),
        refusal="malformed",
        profiles=EA,
    ),
)
