"""Every catalogue case, under every signing profile it applies to, against the reference SP.

Parametrised from the catalogue: a new case is a new test. The mock builds the response on the
path valid responses take, the browser posts it to the ACS, and the §7 oracle judges.
"""

from __future__ import annotations

import pytest
from flask import Flask

from mock_idp.faults.catalogue import CATALOGUE
from mock_idp.faults.model import FaultCase, Profile
from tests.attacks.driver import expect_refused, run, use_profile

PARAMS = [
    pytest.param(case, profile, id=f"{case.name}[{profile}]")
    for case in CATALOGUE
    for profile in case.profiles
]


@pytest.mark.parametrize(("case", "profile"), PARAMS)
def test_the_sp_does_what_the_catalogue_expects(
    case: FaultCase, profile: Profile, apps: tuple[Flask, Flask]
) -> None:
    sp_app, idp_app = apps
    use_profile(idp_app, profile)

    seen, first_browser = run(case, sp_app, idp_app)

    if case.expected.verdict == "accept":
        assert seen.status == 303, seen.text[:800]
        assert seen.location == "/dashboard"  # never RelayState, whatever it said
        assert seen.signed_in
        assert first_browser.whoami() == "Britta Simon"
    else:
        assert case.expected.refusal is not None
        expect_refused(seen, case.expected.refusal)
    if case.delivery == "replay":
        assert first_browser.whoami() == "Britta Simon"  # the first session is unaffected
