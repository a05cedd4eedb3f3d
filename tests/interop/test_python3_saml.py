"""The same catalogue fed to python3-saml in strict mode (a second, independent SP).

Every case the catalogue says must be rejected is rejected by python3-saml too, and the valid
responses are accepted by it: a case that no SP would reject, or a valid response only our SP
accepts, is a bug in the mock. Where the two SPs disagree, `DISAGREEMENTS` says why, case by
case; the test checks those cases still disagree, so the list cannot go stale.
"""

from __future__ import annotations

import pytest
from flask import Flask
from onelogin.saml2.constants import OneLogin_Saml2_Constants

from mock_idp.faults.catalogue import BY_NAME, CATALOGUE
from mock_idp.faults.model import FaultCase, Profile
from tests.attacks.driver import Browser, follow_capture, open_another_origin, queue, use_profile
from tests.interop.python3_saml_sp import SKEW_SECONDS, Verdict, consume

# Cases our SP rejects and python3-saml 1.16 (strict) accepts, and why that is no hole in the
# catalogue: each is a rule python3-saml leaves to its caller, or one it does not have.
DISAGREEMENTS: dict[str, str] = {
    "two-references": "saml-core §5.4.2 allows one Reference; python3-saml lets xmlsec verify "
    "any number (both point at the assertion and verify); pysaml2's profile check refuses",
    "xslt-transform": "python3-saml has no Transform allow-list; the identity XSLT verifies",
    "ds-object-in-signature": "python3-saml ignores an unreferenced ds:Object; our gate refuses "
    "it (pysaml2 7.1 hardening)",
    "comment-in-nameid": "python3-saml reads the full text (fixed in 1.4.0, CVE-2017-11427): it "
    "signs in the attacker's own account B.Simon@contoso.com.evil.example, never the victim; "
    "our gate refuses comments inside identity values altogether",
    "comment-in-attribute-value": "as comment-in-nameid, for the 'name' claim",
    "md5-digest": "rejectDeprecatedAlgorithm lists SHA-1 methods only; MD5 still verifies",
    "unsolicited": "python3-saml treats a response without InResponseTo as IdP-initiated and "
    "valid (its testIsValidWithoutInResponseTo); Trakstar is SP-initiated only",
    "login-csrf": "python3-saml has no per-browser binding: the caller passes request_id=None "
    "when the browser started no sign-in, and python3-saml then checks nothing",
    "destination-missing": "python3-saml refuses an empty Destination, not a missing one",
    "recipient-missing": "python3-saml checks Recipient only when present",
    "audience-missing": "python3-saml checks the Audience only when an AudienceRestriction exists",
    "issue-instant-old": "python3-saml has no maximum age for IssueInstant",
    "subject-confirmation-no-expiry": "python3-saml checks NotOnOrAfter only when present",
    "tenantid-claim-mismatch": "the tenantid claim is Entra-specific: python3-saml has no rule",
    "oversized-response": "python3-saml has no size limit; it leaves that to the web layer",
    "oversized-post": "python3-saml has no size limit; it leaves that to the web layer",
}
EVIL = "admin@contoso.com"  # the target of every evil edit: python3-saml must never sign it in

PARAMS = [
    pytest.param(case, profile, id=f"{case.name}[{profile}]")
    for case in CATALOGUE
    for profile in case.profiles
]


@pytest.fixture(autouse=True)
def same_clock_skew(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OneLogin_Saml2_Constants, "ALLOWED_CLOCK_DRIFT", SKEW_SECONDS)


def judged_by_python3_saml(case: FaultCase, sp_app: Flask, idp_app: Flask) -> Verdict:
    browser = Browser(sp_app, idp_app)
    if case.delivery == "replay":
        first = browser.sign_in()
        assert consume(first, browser.request_id).accepted  # the response being replayed
        queue(browser.idp, case.name)
        return consume(browser.sign_in(), browser.request_id)
    queue(browser.idp, case.name)
    posted = browser.sign_in()
    if case.delivery == "capture":
        victim = Browser(sp_app, idp_app)  # started no sign-in: no request ID to check
        return consume(open_another_origin(victim, follow_capture(browser, posted).action), None)
    return consume(posted, browser.request_id)


@pytest.mark.parametrize(("case", "profile"), PARAMS)
def test_python3_saml_agrees_with_the_catalogue(
    case: FaultCase, profile: Profile, apps: tuple[Flask, Flask]
) -> None:
    sp_app, idp_app = apps
    use_profile(idp_app, profile)

    verdict = judged_by_python3_saml(case, sp_app, idp_app)

    if case.expected.verdict == "accept":
        assert verdict.accepted, verdict.error
        assert verdict.name_id == "B.Simon@contoso.com"
    elif case.expected.refusal == "identity":
        # A genuine token for another directory user: any SAML library accepts it, since
        # binding a person to (tenant ID, object ID) is the application's job (sp/account_links).
        assert verdict.accepted, verdict.error
    elif case.name in DISAGREEMENTS:
        assert verdict.accepted, f"python3-saml now rejects {case.name}: drop the exception"
        assert verdict.name_id != EVIL  # a disagreement on a rule, never on who signed in
    else:
        assert not verdict.accepted, f"python3-saml accepted {case.name} as {verdict.name_id}"


def test_every_disagreement_names_a_catalogue_case() -> None:
    assert set(DISAGREEMENTS) <= set(BY_NAME)
