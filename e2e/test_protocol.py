"""Entra's protocol behaviour a person sees, in Chromium against both running apps: error pages
with their AADSTS codes, a signing option the SP must accept, and single logout.

Tests that change the mock's tenant do it through the mock's tenant API (export, edit, upload)
and always reset it to its startup file afterwards: the harness is shared by the whole session.
"""

from __future__ import annotations

import json
import re
import tomllib
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import tomli_w
from playwright.sync_api import Page, expect

from e2e.conftest import Harness
from e2e.pages import EntraErrorPage, EntraSignIn, Perform, SignOut

TRAKSTAR = "https://perform.trakstar.com"


def _api(harness: Harness, method: str, path: str, body: bytes | None = None) -> bytes:
    request = urllib.request.Request(
        f"{harness.idp_url}{path}",
        data=body,
        method=method,
        headers={
            "Authorization": f"Bearer {harness.api_token}",
            "Content-Type": "application/toml",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        data: bytes = response.read()
        return data


@contextmanager
def tenant_changed(harness: Harness, edit: Callable[[dict[str, Any]], None]) -> Iterator[None]:
    """The running tenant, edited, for the duration of the block; then the startup tenant."""
    tenant = tomllib.loads(_api(harness, "GET", "/mock/tenant").decode())
    edit(tenant)
    _api(harness, "POST", "/mock/tenant/reset", tomli_w.dumps(tenant).encode())
    try:
        yield
    finally:
        reset = json.loads(_api(harness, "POST", "/mock/tenant/reset"))
        assert reset["apps"] >= 1


def trakstar(tenant: dict[str, Any]) -> dict[str, Any]:
    app: dict[str, Any] = next(a for a in tenant["apps"] if TRAKSTAR in a["identifiers"])
    return app


def test_a_reply_url_that_is_not_registered_shows_aadsts50011(page: Page, harness: Harness) -> None:
    def typo(tenant: dict[str, Any]) -> None:
        trakstar(tenant)["reply_urls"] = [f"{harness.sp_url}/auth/saml/callback?namespace=contosso"]

    with tenant_changed(harness, typo):
        page.goto(harness.sign_on_url)
        EntraErrorPage(page).expect_code(50011)
        expect(page.locator("#aadsts")).to_contain_text("does not match the reply URLs")
        assert page.url.startswith(harness.idp_url)
    Perform(page, harness.sp_url).expect_not_signed_in()


def test_adele_is_not_assigned_aadsts50105(page: Page, harness: Harness) -> None:
    page.goto(harness.sign_on_url)
    EntraSignIn(page).sign_in("Adele.Vance@contoso.com", "Passw0rd!")
    EntraErrorPage(page).expect_code(50105)
    expect(page.locator("#requestId")).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))
    Perform(page, harness.sp_url).expect_not_signed_in()


def test_a_disabled_user_gets_aadsts50057(page: Page, harness: Harness) -> None:
    page.goto(harness.sign_on_url)
    EntraSignIn(page).sign_in("Lynne.Robbins@contoso.com", "Passw0rd!")
    EntraErrorPage(page).expect_code(50057)
    Perform(page, harness.sp_url).expect_not_signed_in()


def test_response_and_assertion_signed_still_signs_in_b_simon(page: Page, harness: Harness) -> None:
    def both(tenant: dict[str, Any]) -> None:
        trakstar(tenant)["signing"] = {"option": "both", "algorithm": "sha256"}

    with tenant_changed(harness, both):
        page.goto(harness.sign_on_url)
        EntraSignIn(page).sign_in("B.Simon@contoso.com", "Passw0rd!")
        Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")


def test_sign_out_from_trakstar_ends_both_sessions(page: Page, harness: Harness) -> None:
    page.goto(harness.sign_on_url)
    EntraSignIn(page).sign_in("B.Simon@contoso.com", "Passw0rd!")
    Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")

    sign_out = SignOut(page, harness.sp_url, harness.idp_url)
    sign_out.click_sign_out()
    sign_out.expect_signed_out_of_both()

    Perform(page, harness.sp_url).expect_not_signed_in()
    page.goto(harness.sign_on_url)  # Entra asks again: its session is over too
    EntraSignIn(page).expect_shown()
    expect(page.get_by_label("Email, phone, or Skype")).to_be_visible()
