"""Drive one catalogue case through both apps' test clients and observe what a user would.

The oracle of docs/reference/attacks.md §7: an error page with an error id and a short reason, a 4xx
status, no session (the protected page still redirects to sign-in), the pending request gone.
"""

from __future__ import annotations

import base64
import html
import re
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from mock_idp.faults.model import FaultCase, Profile
from sp.db import get_db
from sp.saml import errors, tracker
from tests.flows import (
    Posted,
    is_signed_in,
    parse_post_page,
    post_to_acs,
    sign_in_at_idp,
    start_sp_login,
)

APP_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"  # Trakstar in the default tenant
HARNESS = "/_harness"

# The catalogue's refusal classes, as this SP names and answers them.
REFUSALS: dict[str, type[errors.SsoError]] = {
    "malformed": errors.MalformedResponse,
    "too-large": errors.OversizedResponse,
    "algorithm": errors.DisallowedAlgorithm,
    "signature": errors.InvalidSignature,
    "unsolicited": errors.UnsolicitedResponse,
    "invalid": errors.ResponseRejected,
    "identity": errors.AccountNotBound,
    "idp-error": errors.IdpReportedError,
}


@dataclass(frozen=True)
class Seen:
    """What the browser saw after posting to the ACS, and what was left behind."""

    status: int
    location: str | None
    text: str
    signed_in: bool
    pending_left: int


class Browser:
    """One browser: its cookies at the SP and at the mock."""

    def __init__(self, sp_app: Flask, idp_app: Flask) -> None:
        self.sp_app = sp_app
        self.sp: FlaskClient = sp_app.test_client()
        self.idp: FlaskClient = idp_app.test_client()
        self.request_id: str | None = None  # the AuthnRequest this browser last sent

    def sign_in(self) -> Posted:
        """Start at the SP's Sign on URL and sign in at the mock: the auto-post form."""
        saml2_path = start_sp_login(self.sp)
        self.request_id = request_id_of(saml2_path)
        return sign_in_at_idp(self.idp, saml2_path)

    def post(self, posted: Posted) -> Seen:
        response = post_to_acs(self.sp, posted.saml_response, posted.relay_state)
        return Seen(
            status=response.status_code,
            location=response.headers.get("Location"),
            text=response.text,
            signed_in=is_signed_in(self.sp),
            pending_left=self.pending(),
        )

    def pending(self) -> int:
        cookie = self.sp.get_cookie(tracker.HOST_COOKIE, path="/")
        with self.sp_app.app_context():
            return tracker.pending_count(get_db(), browser_key=cookie.value if cookie else None)

    def whoami(self) -> str | None:
        page = self.sp.get("/dashboard")
        found = re.search(r"Signed in as <strong>([^<]+)</strong>", page.text)
        return found.group(1) if page.status_code == 200 and found else None


def request_id_of(saml2_path: str) -> str:
    """The ID of the HTTP-Redirect AuthnRequest in the mock's `/saml2?SAMLRequest=…` URL."""
    encoded = parse_qs(urlsplit(saml2_path).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(encoded), -15)
    found = re.search(rb' ID="([^"]+)"', xml)
    assert found, xml
    return found.group(1).decode()


def queue(idp: FlaskClient, *cases: str) -> None:
    """Arm the next responses through the control API, as a CI pipeline would."""
    response = idp.post(f"{HARNESS}/apps/{APP_ID}/next-responses", json={"cases": list(cases)})
    assert response.status_code == 201, response.text


def use_profile(idp_app: Flask, profile: Profile) -> None:
    """Set the app's signing option (Entra's "Signing Option"), so the case builds under it."""
    if profile != "none":
        idp_app.extensions["mock_idp"].tenant.apps[APP_ID].signing_option = profile


def follow_capture(browser: Browser, posted: Posted) -> Posted:
    """The login-csrf case posts to the mock's capture page: take the link it shows."""
    path = urlsplit(posted.action).path
    page = browser.idp.post(path, data={"SAMLResponse": posted.saml_response})
    assert page.status_code == 200, page.text
    link = re.search(r'id="another-origin-link" href="([^"]+)"', page.text)
    assert link, page.text
    return Posted(action=link.group(1), saml_response="", relay_state=None)


def open_another_origin(victim: Browser, link: str) -> Posted:
    page = victim.idp.get(link)
    assert page.status_code == 200, page.text
    return parse_post_page(page.text)


def refusal_shown(seen: Seen) -> str:
    """The refusal class whose public message the page shows (or what the page said)."""
    message = re.search(r'id="sso-error">([^<]*)<', seen.text)
    shown = html.unescape(message.group(1)) if message else seen.text[:300]
    for name, error in REFUSALS.items():
        if shown.startswith(error.public_message):
            return name
    for name, error in REFUSALS.items():
        # A refinement with its own wording (UntrustedCertificate of InvalidSignature…) is
        # the same refusal.
        if any(shown.startswith(sub.public_message) for sub in error.__subclasses__()):
            return name
    return shown


def expect_refused(seen: Seen, refusal: str) -> None:
    error = REFUSALS[refusal]
    assert (seen.status, refusal_shown(seen)) == (error.status, refusal)
    assert re.search(r'<code id="error-id">[0-9a-f]{12}</code>', seen.text)
    assert not seen.signed_in
    assert seen.pending_left == 0


def run(case: FaultCase, sp_app: Flask, idp_app: Flask) -> tuple[Seen, Browser]:
    """Post the case's response as its delivery says; for replay, after a first valid sign-in."""
    browser = Browser(sp_app, idp_app)
    if case.delivery == "replay":
        first = browser.sign_in()
        assert browser.post(first).status == 303
        victim = Browser(sp_app, idp_app)  # another browser replays what the first one used
        queue(victim.idp, case.name)
        return victim.post(victim.sign_in()), browser
    queue(browser.idp, case.name)
    posted = browser.sign_in()
    if case.delivery == "capture":
        victim = Browser(sp_app, idp_app)
        return victim.post(
            open_another_origin(victim, follow_capture(browser, posted).action)
        ), browser
    return browser.post(posted), browser
