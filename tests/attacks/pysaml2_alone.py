"""How many catalogue cases pysaml2 alone would let through: same configuration, same call,
with our gate, exact checks, per-browser tracker and replay cache bypassed.

Run `python -m tests.attacks.pysaml2_alone` for the table; `test_pysaml2_alone.py` keeps the
number honest. "Let through" means pysaml2 returned a response with an assertion (an app gets
an identity from `session_info()`); "hollow" means it returned one with no assertion and raised
nothing (docs/reference/attacks.md §1.2); "refused" means it raised.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flask import Flask
from saml2.client import Saml2Client

from mock_idp.app import create_app as create_idp
from mock_idp.config import IdpConfig
from mock_idp.faults.catalogue import CATALOGUE
from mock_idp.faults.model import FaultCase
from sp.app import create_app as create_sp
from sp.config import SpConfig
from sp.db import get_db
from sp.seed import DEFAULT_SEED, load_seed
from sp.sso import organisation_for_sso
from tests.attacks.driver import Browser, follow_capture, open_another_origin, queue, use_profile
from tests.conftest import CERTS, FIXED_NOW, IDP_URL, SP_URL
from tests.flows import Posted

POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
Outcome = Literal["let through", "hollow", "refused"]


@dataclass(frozen=True)
class Row:
    case: str
    expected: str
    outcome: Outcome
    detail: str


def pysaml2_verdict(sp_app: Flask, posted: Posted, outstanding: dict[str, str]) -> Row:
    with sp_app.test_request_context():
        _org, idp = organisation_for_sso(get_db(), "contoso")
        ours = sp_app.extensions["sp"].clients.get("contoso", idp)
        # Stock pysaml2 with our configuration: without our adapter's POST decoding either.
        client = Saml2Client(config=ours._client.config)
        try:
            result = client.parse_authn_request_response(
                posted.saml_response,
                POST_BINDING,
                outstanding=outstanding,
                conv_info={"checked_by": "sp.saml.client"},  # as our adapter calls it
            )
        except Exception as exc:
            return Row("", "", "refused", f"{type(exc).__name__}")
    if result is None or result.assertion is None:
        return Row("", "", "hollow", "no assertion")
    name_id = result.assertion.subject.name_id if result.assertion.subject else None
    return Row("", "", "let through", name_id.text if name_id is not None else "(no NameID)")


def judge(case: FaultCase, sp_app: Flask, idp_app: Flask) -> Row:
    """The case as its delivery says, outstanding = this browser's requests, never consumed."""
    use_profile(idp_app, case.profiles[0])
    browser = Browser(sp_app, idp_app)
    outstanding: dict[str, str] = {}
    if case.delivery == "replay":
        first = browser.sign_in()
        outstanding[str(browser.request_id)] = "/"
        pysaml2_verdict(sp_app, first, outstanding)  # the first use: pysaml2 forgets nothing
        posted = first
    else:
        queue(browser.idp, case.name)
        posted = browser.sign_in()
        outstanding[str(browser.request_id)] = "/"
        if case.delivery == "capture":  # posted into a browser with nothing outstanding
            victim = Browser(sp_app, idp_app)
            posted = open_another_origin(victim, follow_capture(browser, posted).action)
            outstanding = {}
    row = pysaml2_verdict(sp_app, posted, outstanding)
    return Row(case.name, case.expected.label, row.outcome, row.detail)


def survey(sp_app: Flask, idp_app: Flask) -> list[Row]:
    return [judge(case, sp_app, idp_app) for case in CATALOGUE]


def build_apps(folder: Path) -> tuple[Flask, Flask]:
    """The SP (seeded, its database in `folder`) and the mock in test mode."""
    database = f"sqlite:///{folder / 'sp.sqlite3'}"
    sp_app = create_sp(SpConfig(base_url=SP_URL, database_url=database, secret_key="survey"))
    with sp_app.app_context():
        substitutions = {"IDP_URL": IDP_URL, "CERTS_DIR": str(CERTS)}
        load_seed(get_db(), DEFAULT_SEED, substitutions=substitutions, now=FIXED_NOW)
    idp_app = create_idp(
        IdpConfig(base_url=IDP_URL, sp_url=SP_URL, certs_dir=CERTS, secret_key="s", test_mode=True)
    )
    idp_app.config["WTF_CSRF_ENABLED"] = False
    return sp_app, idp_app


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        rows = survey(*build_apps(Path(folder)))
    through = [r for r in rows if r.outcome == "let through" and r.expected.startswith("reject")]
    hollow = [r for r in rows if r.outcome == "hollow"]
    print(f"{'case':34} {'catalogue':22} pysaml2 alone")
    for row in rows:
        print(f"{row.case:34} {row.expected:22} {row.outcome}: {row.detail}")
    print(
        f"\n{len(rows)} cases; pysaml2 alone lets {len(through)} of the cases to reject through "
        f"and returns {len(hollow)} hollow responses."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
