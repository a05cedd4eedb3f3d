"""A trainer's walk with the SAML tracer: step mode stops at the Response, the annotations
explain it, Continue reaches Trakstar, and the flow's sequence diagram shows every hop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Harness
from e2e.pages import EntraSignIn, Perform
from e2e.pages_trace import StepPage, Tracer

ROOT = Path(__file__).resolve().parent.parent
B_SIMON = ("B.Simon@contoso.com", "Passw0rd!")


def idp_thumbprint() -> str:
    pem = (ROOT / "certs" / "idp-signing.crt").read_bytes()
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA1()).hex().upper()


@pytest.fixture
def step_mode(browser: Browser, harness: Harness) -> Iterator[None]:
    """Step mode on through the tracer's switch; off again afterwards, for the other tests."""
    context = browser.new_context()
    tracer = Tracer(context.new_page(), harness.idp_url)
    tracer.set_step_mode(True)
    try:
        yield
    finally:
        tracer.set_step_mode(False)
        context.close()


def test_step_mode_stops_at_the_response_and_the_diagram_shows_the_hops(
    page: Page, harness: Harness, step_mode: None
) -> None:
    page.goto(harness.sign_on_url)
    EntraSignIn(page).sign_in(*B_SIMON)

    stop = StepPage(page)
    stop.expect_stopped()
    assert page.url.startswith(harness.idp_url)  # nothing has reached Trakstar yet
    audience, why = stop.note("Audience")
    assert audience == "https://perform.trakstar.com"
    assert "Identifier (Entity ID)" in why and "Basic SAML Configuration" in why
    recipient, why = stop.note("Recipient")
    assert recipient == f"{harness.sp_url}/auth/saml/callback?namespace=contoso"
    assert "Reply URL that matched" in why
    name_id, why = stop.note("NameID")
    assert name_id == B_SIMON[0]
    assert "Unique User Identifier (Name ID): user.userprincipalname" in why
    thumbprint, why = stop.note("Certificate thumbprint")
    assert thumbprint == idp_thumbprint() and "SAML Certificates" in why

    copy = page.locator("button.copy").first  # Copy XML; its text then says what happened
    expect(copy).to_have_text("Copy XML")
    copy.click()
    expect(copy).to_have_text(re.compile("Copied|Select and copy"))

    stop.continue_to("Trakstar")
    Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")

    tracer = Tracer(page, harness.idp_url)
    tracer.open_latest_sequence("sign-in")
    arrows = tracer.arrows()
    expect(arrows.filter(has_text="GET /auth/saml/?…")).to_have_count(1)  # the Sign on URL
    expect(arrows.filter(has_text="+ AuthnRequest")).to_have_count(1)
    expect(arrows.filter(has_text="POST /auth/saml/callback?…")).to_have_count(1)  # the ACS
    expect(arrows.filter(has_text="200 auto-post page")).to_have_count(1)
    times = arrows.locator("text.time").all_text_contents()
    assert times and times[0].startswith("+0.000 s")
    assert all(re.match(r"\+\d+\.\d{3} s", t) for t in times)
    assert any(re.search(r"\d+ ms at Entra", t) for t in times)

    # The raw Response, byte for byte as it travelled, one click away on the flow's page.
    tracer.open_latest_flow("sign-in")
    response = page.locator('section.message[data-kind="Response"]').first
    with page.expect_download() as download:
        response.get_by_role("link", name="Download XML").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"<samlp:Response") and B_SIMON[0].encode() in raw
