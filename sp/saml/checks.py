"""The exact checks pysaml2 skips or softens (docs/reference/attacks.md §5 item 8), on our types.

With Entra's default signing only the Assertion is signed: Response-level fields are compared
against what we expect but never trusted for identity.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sp.saml import errors
from sp.saml.constants import BEARER, TENANT_CLAIM
from sp.saml.identity import VerifiedResponse


@dataclass(frozen=True, kw_only=True, slots=True)
class Expected:
    acs_url: str
    entity_id: str
    idp_entity_id: str
    tenant_id: str | None
    pending_ids: Collection[str]
    now: datetime
    skew: timedelta
    max_age: timedelta


def check(response: VerifiedResponse, expected: Expected) -> None:
    """Raise `ResponseRejected` (or `UnsolicitedResponse`) on the first rule that fails."""
    _check_response(response, expected)
    _check_subject(response, expected)
    _check_conditions(response, expected)


def _reject(detail: str) -> errors.ResponseRejected:
    return errors.ResponseRejected(detail)


def _check_response(response: VerifiedResponse, expected: Expected) -> None:
    if response.destination != expected.acs_url:
        raise _reject(f"Destination {response.destination!r} is not {expected.acs_url!r}")
    if response.issuer is not None and response.issuer != expected.idp_entity_id:
        raise _reject(f"Response Issuer {response.issuer!r} is not the configured IdP")
    if response.assertion.issuer != expected.idp_entity_id:
        raise _reject(f"Assertion Issuer {response.assertion.issuer!r} is not the configured IdP")
    if response.in_response_to not in expected.pending_ids:
        raise errors.UnsolicitedResponse(f"InResponseTo {response.in_response_to!r} not pending")
    if expected.tenant_id is not None:
        tenant = response.assertion.attributes.get(TENANT_CLAIM, ())
        if tenant != (expected.tenant_id,):
            raise _reject(f"tenantid claim {tenant!r} is not {expected.tenant_id!r}")


def _check_subject(response: VerifiedResponse, expected: Expected) -> None:
    bearers = [c for c in response.assertion.confirmations if c.method == BEARER]
    if not bearers:
        raise _reject("no bearer SubjectConfirmation")
    for confirmation in bearers:
        if confirmation.recipient != expected.acs_url:
            raise _reject(f"Recipient {confirmation.recipient!r} is not the ACS URL")
        if confirmation.in_response_to != response.in_response_to:
            raise _reject("SubjectConfirmationData InResponseTo differs from the Response's")
        if confirmation.not_on_or_after is None:
            raise _reject("bearer SubjectConfirmationData has no NotOnOrAfter")
        if confirmation.not_on_or_after <= expected.now - expected.skew:
            raise _reject(f"SubjectConfirmationData expired at {confirmation.not_on_or_after}")
        if confirmation.not_before and confirmation.not_before > expected.now + expected.skew:
            raise _reject(f"SubjectConfirmationData not valid before {confirmation.not_before}")


def _check_conditions(response: VerifiedResponse, expected: Expected) -> None:
    assertion = response.assertion
    restrictions = assertion.audience_restrictions
    if not restrictions or any(expected.entity_id not in r for r in restrictions):
        raise _reject(f"AudienceRestriction {restrictions!r} does not name {expected.entity_id!r}")
    now, skew = expected.now, expected.skew
    if assertion.not_before is None or assertion.not_on_or_after is None:
        raise _reject("Conditions lack NotBefore or NotOnOrAfter")
    if assertion.not_before > now + skew:
        raise _reject(f"assertion not valid before {assertion.not_before} (now {now})")
    if assertion.not_on_or_after <= now - skew:
        raise _reject(f"assertion expired at {assertion.not_on_or_after} (now {now})")
    for label, instant in (
        ("Response", response.issue_instant),
        ("Assertion", assertion.issue_instant),
    ):
        if instant > now + skew or now - instant > expected.max_age + skew:
            raise _reject(f"{label} IssueInstant {instant} is outside the accepted window")
