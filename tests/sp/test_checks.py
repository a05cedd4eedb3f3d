"""The exact checks pysaml2 skips (docs/reference/attacks.md §5 item 8), one rule at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from sp.saml import checks, constants, errors
from sp.saml.identity import SubjectConfirmation, VerifiedAssertion, VerifiedResponse

TENANT = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
IDP = f"https://sts.windows.net/{TENANT}/"
ACS = "http://localhost:8000/auth/saml/callback?namespace=contoso"
SP = "https://perform.trakstar.com"
SKEW = timedelta(minutes=3)


def expected(now: datetime, **changes: object) -> checks.Expected:
    values: dict[str, object] = dict(
        acs_url=ACS,
        entity_id=SP,
        idp_entity_id=IDP,
        tenant_id=TENANT,
        pending_ids={"id-req"},
        now=now,
        skew=SKEW,
        max_age=timedelta(minutes=10),
    )
    values.update(changes)
    return checks.Expected(**values)  # type: ignore[arg-type]


def verified(now: datetime) -> VerifiedResponse:
    """Entra's timing: window T0-5 min .. T0+60 min, issued now."""
    return VerifiedResponse(
        id="_resp",
        destination=ACS,
        issuer=IDP,
        in_response_to="id-req",
        issue_instant=now,
        assertion=VerifiedAssertion(
            id="_assert",
            issuer=IDP,
            issue_instant=now,
            name_id="B.Simon@contoso.com",
            name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            audience_restrictions=((SP,),),
            not_before=now - timedelta(minutes=5),
            not_on_or_after=now + timedelta(minutes=60),
            confirmations=(
                SubjectConfirmation(
                    method=constants.BEARER,
                    recipient=ACS,
                    in_response_to="id-req",
                    not_on_or_after=now + timedelta(minutes=60),
                    not_before=None,
                ),
            ),
            authn_instant=now,
            session_index="_assert",
            attributes={"http://schemas.microsoft.com/identity/claims/tenantid": (TENANT,)},
        ),
    )


def with_assertion(response: VerifiedResponse, **changes: object) -> VerifiedResponse:
    return replace(response, assertion=replace(response.assertion, **changes))  # type: ignore[arg-type]


def with_confirmation(response: VerifiedResponse, **changes: object) -> VerifiedResponse:
    confirmation = replace(response.assertion.confirmations[0], **changes)  # type: ignore[arg-type]
    return with_assertion(response, confirmations=(confirmation,))


def test_entras_response_passes(now: datetime) -> None:
    checks.check(verified(now), expected(now))


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (lambda r: replace(r, destination="https://evil.example/acs"), "Destination"),
        (lambda r: replace(r, destination=None), "Destination"),
        (lambda r: replace(r, destination=ACS.upper()), "Destination"),
        (lambda r: replace(r, issuer="https://sts.windows.net/other/"), "Response Issuer"),
        (lambda r: with_assertion(r, issuer="https://sts.windows.net/other/"), "Assertion Issuer"),
        (lambda r: with_assertion(r, attributes={}), "tenantid"),
        (
            lambda r: with_assertion(
                r, attributes={"http://schemas.microsoft.com/identity/claims/tenantid": ("x",)}
            ),
            "tenantid",
        ),
        (lambda r: with_assertion(r, confirmations=()), "bearer"),
        (
            lambda r: with_confirmation(r, method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"),
            "bearer",
        ),
        (lambda r: with_confirmation(r, recipient="https://evil.example/acs"), "Recipient"),
        (lambda r: with_confirmation(r, recipient=None), "Recipient"),
        (lambda r: with_confirmation(r, in_response_to="id-other"), "InResponseTo"),
        (lambda r: with_confirmation(r, not_on_or_after=None), "NotOnOrAfter"),
        (
            lambda r: with_assertion(r, audience_restrictions=(("https://other.example",),)),
            "AudienceRestriction",
        ),
        (lambda r: with_assertion(r, audience_restrictions=()), "AudienceRestriction"),
        (
            lambda r: with_assertion(r, audience_restrictions=((SP,), ("https://other.example",))),
            "AudienceRestriction",
        ),
        (lambda r: with_assertion(r, not_before=None), "NotBefore"),
        (lambda r: with_assertion(r, not_on_or_after=None), "NotOnOrAfter"),
    ],
)
def test_each_rule_refuses(change, detail: str, now: datetime) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(errors.ResponseRejected) as refused:
        checks.check(change(verified(now)), expected(now))

    assert detail in refused.value.detail


def test_a_response_issuer_may_be_absent_but_never_wrong(now: datetime) -> None:
    checks.check(replace(verified(now), issuer=None), expected(now))


def test_in_response_to_must_be_pending_in_this_browser(now: datetime) -> None:
    for value in ("id-other", None):
        response = with_confirmation(
            replace(verified(now), in_response_to=value), in_response_to=value
        )
        with pytest.raises(errors.UnsolicitedResponse):
            checks.check(response, expected(now))


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(timedelta(seconds=179), True), (timedelta(seconds=181), False)],
    ids=["inside-skew", "beyond-skew"],
)
def test_clock_skew_is_three_minutes_each_way(
    offset: timedelta, accepted: bool, now: datetime
) -> None:
    early = with_assertion(verified(now), not_before=now + offset)
    late = with_assertion(verified(now), not_on_or_after=now - offset)
    stale = with_confirmation(verified(now), not_on_or_after=now - offset)
    ahead = replace(verified(now), issue_instant=now + offset)
    for response in (early, late, stale, ahead):
        if accepted:
            checks.check(response, expected(now))
        else:
            with pytest.raises(errors.ResponseRejected):
                checks.check(response, expected(now))


def test_an_issue_instant_older_than_the_maximum_age_is_refused(now: datetime) -> None:
    old = now - timedelta(minutes=10) - SKEW - timedelta(seconds=1)
    for response in (
        replace(verified(now), issue_instant=old),
        with_assertion(verified(now), issue_instant=old),
    ):
        with pytest.raises(errors.ResponseRejected, match="IssueInstant"):
            checks.check(response, expected(now))


def test_no_tenant_rule_when_the_idp_is_not_entra(now: datetime) -> None:
    checks.check(with_assertion(verified(now), attributes={}), expected(now, tenant_id=None))
