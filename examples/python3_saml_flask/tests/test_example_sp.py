"""The example SP against the mock Entra ID, through the plugin's public API only."""

from __future__ import annotations

import pytest
from live_sp import LiveSp
from playwright.sync_api import Page, expect

from mock_idp.testing import EntraClient


def test_sp_initiated_sign_in(entra: EntraClient, sp: LiveSp, page: Page) -> None:
    user = entra.add_user("pat@contoso.com", password="Passw0rd!1")
    assert sp.entra_app is not None
    entra.assign(user, sp.entra_app)

    page.goto(f"{sp.url}/login")  # the Sign on URL: the SP sends the browser to Entra
    entra.sign_in(page, user.upn, user.password)

    expect(page.locator("#who")).to_have_text("Signed in as pat@contoso.com")
    assert page.url == f"{sp.url}/"


def test_unassigned_user_is_stopped_at_entra(entra: EntraClient, sp: LiveSp, page: Page) -> None:
    user = entra.add_user("sam@contoso.com", password="Passw0rd!1")  # never assigned

    page.goto(f"{sp.url}/login")
    with pytest.raises(AssertionError, match="AADSTS50105"):
        entra.sign_in(page, user.upn, user.password)

    expect(page.get_by_text("AADSTS50105").first).to_be_visible()  # Entra's page says why
    page.goto(f"{sp.url}/")
    expect(page.get_by_text("Not signed in")).to_be_visible()  # and the SP granted nothing


def test_sp_trusting_another_certificate_refuses(
    entra: EntraClient, sp: LiveSp, page: Page
) -> None:
    assert sp.entra_app is not None
    other = entra.add_app(name="Other app", identifier="urn:other", reply_url=f"{sp.url}/other")
    assert other.certificate_base64 != sp.entra_app.certificate_base64
    sp.configure(sp.entra_app, certificate=other.certificate_base64)
    user = entra.add_user("pat@contoso.com", password="Passw0rd!1")
    entra.assign(user, sp.entra_app)

    page.goto(f"{sp.url}/login")
    entra.sign_in(page, user.upn, user.password)

    expect(page.get_by_role("heading")).to_have_text("Sign-in refused")
    expect(page.locator("#error")).to_contain_text("Signature validation failed")
    page.goto(f"{sp.url}/")
    expect(page.get_by_text("Not signed in")).to_be_visible()


def test_responses_without_a_browser(entra: EntraClient, sp: LiveSp) -> None:
    """`entra.response` for unit tests: the SP's ACS takes what the browser would post."""
    assert sp.entra_app is not None and sp.flask is not None
    user = entra.add_user("pat@contoso.com", password="Passw0rd!1")
    entra.assign(user, sp.entra_app)
    client = sp.flask.test_client()

    refused = client.post(
        "/acs", data={"SAMLResponse": entra.response(sp.entra_app, user, case="audience-mismatch")}
    )
    assert refused.status_code == 403 and "Not signed in" in client.get("/").text

    accepted = client.post("/acs", data={"SAMLResponse": entra.response(sp.entra_app, user)})
    assert accepted.status_code == 302
    assert "Signed in as pat@contoso.com" in client.get("/").text


def test_the_audit_from_python(entra: EntraClient, sp: LiveSp) -> None:
    """`entra.audit`: a few catalogue cases against the live SP, one result per case."""
    assert sp.entra_app is not None
    user = entra.add_user("pat@contoso.com", password="Passw0rd!1")
    entra.assign(user, sp.entra_app)

    results = entra.audit(
        identifier=f"{sp.url}/metadata",
        sign_on_url=f"{sp.url}/login",
        user=user.upn,
        password=user.password,
        probe_url=f"{sp.url}/",
        probe_text="Signed in as",
        cases=["xsw3", "wrong-certificate", "replay"],
    )

    assert {r.case: r.passed for r in results} == {
        "valid": True,
        "xsw3": True,
        "wrong-certificate": True,
        "replay": False,  # python3-saml keeps no replay cache: the app must (see README)
    }
