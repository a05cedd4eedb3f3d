"""The number the issue asks for: catalogue cases pysaml2 7.5 alone would let through.

Same pysaml2 configuration and call as `sp/saml/client.py`, with the gate, the exact checks,
the per-browser tracker and the replay cache bypassed (see pysaml2_alone.py). Pinned here, so a
pysaml2 upgrade that changes the number fails this test and the table is looked at again.
"""

from __future__ import annotations

from flask import Flask

from tests.attacks.pysaml2_alone import survey

# docs/reference/attacks.md predicts each of these (§0 item 2, §3 #27–#57).
LET_THROUGH = {
    "comment-in-nameid",  # correctly: the full attacker-owned name (#27)
    "comment-in-attribute-value",
    "doctype",  # a DTD without entities (#30)
    "external-dtd",  # (#33), nothing fetched
    "doctype-comment-confusion",  # (#35)
    "sha1",  # no algorithm policy (#37)
    "md5-digest",  # (#38)
    "replay",  # no replay cache, request ID not consumed (#39)
    "destination-missing",  # checked only if present (#45)
    "audience-missing",  # no restriction = for everyone (#48)
    "issue-instant-old",  # a day old is within pysaml2's ±1 day
    "subject-confirmation-no-expiry",  # (#53)
    "response-issuer-changed",  # the unsigned Response Issuer is never compared (#54b)
    "tenantid-claim-mismatch",  # Entra-specific
    "no-nameid",  # name_id None (#56)
    "empty-nameid",
    "no-conditions",
    "encrypted-assertion-added",  # 1 plain + 1 encrypted passes its count (#57a)
    "deflated",  # inflated on POST (#36)
    "deflate-bomb",  # inflated without limit (#36)
    "oversized-response",  # no size limit
    "oversized-post",
    # Genuine tokens for another Entra account: only the app can know whom a person is bound
    # to (tenant ID + object ID), so no SAML library stops these (sp/account_links.py).
    "identity-mail-changed",
    "identity-upn-renamed",
    "identity-displayname-nameid",
}
HOLLOW = {"destination-mismatch"}  # returned without assertion, nothing raised (#44)


def test_pysaml2_alone_lets_these_cases_through(apps: tuple[Flask, Flask]) -> None:
    rows = survey(*apps)
    rejected = [r for r in rows if r.expected.startswith("reject")]

    through = {r.case for r in rejected if r.outcome == "let through"}
    hollow = {r.case for r in rows if r.outcome == "hollow"}
    print(f"\npysaml2 alone: {len(through)}/{len(rejected)} let through, {len(hollow)} hollow")

    assert through == LET_THROUGH
    assert hollow == HOLLOW
    assert all(r.outcome == "let through" for r in rows if r.expected.startswith("accept"))
