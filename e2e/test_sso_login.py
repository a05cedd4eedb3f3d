"""The walking skeleton in a real browser: Sign on URL → mock Entra → ACS → dashboard."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.conftest import Harness
from e2e.pages import EntraSignIn, Perform


def test_b_simon_signs_in_from_the_sign_on_url(page: Page, harness: Harness) -> None:
    page.goto(harness.sign_on_url)
    page.wait_for_url(re.compile(re.escape(harness.idp_url)))
    EntraSignIn(page).sign_in("B.Simon@contoso.com", "Passw0rd!")

    perform = Perform(page, harness.sp_url)
    perform.expect_dashboard_for("Britta Simon")
    expect(page.locator("#name-id")).to_have_text("B.Simon@contoso.com")
    claims = page.get_by_role("table", name="SAML claims")
    expect(claims).to_contain_text("http://schemas.microsoft.com/identity/claims/tenantid")
    expect(claims).to_contain_text("B.Simon@contoso.com")


def test_wrong_password_stays_on_entra_and_grants_nothing(page: Page, harness: Harness) -> None:
    page.goto(harness.sign_on_url)
    entra = EntraSignIn(page)
    entra.expect_shown()
    entra.enter_username("B.Simon@contoso.com")
    entra.enter_password("not-the-password")

    entra.expect_error("Your account or password is incorrect.")
    assert page.url.startswith(harness.idp_url)
    Perform(page, harness.sp_url).expect_not_signed_in()


def test_unknown_user_is_told_on_the_username_step(page: Page, harness: Harness) -> None:
    page.goto(harness.sign_on_url)
    entra = EntraSignIn(page)
    entra.expect_shown()
    entra.enter_username("Nobody@contoso.com")

    entra.expect_error("This username may be incorrect.")
    expect(page.get_by_role("heading", name="Enter password")).to_have_count(0)
    Perform(page, harness.sp_url).expect_not_signed_in()
