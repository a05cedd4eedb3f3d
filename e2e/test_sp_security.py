"""Issue 12 in Chromium: a cookie copied before sign-out is dead after it (finding 2), and a
person whose Entra account was replaced is refused until an administrator re-links them, then
signs in (finding 1)."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Harness
from e2e.pages import EntraSignIn, Perform, SignOut
from e2e.pages_trakstar import TrakstarAdmin
from mock_idp.testing.client import EntraClient

APP_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"  # Trakstar in the mock's default tenant
ADMIN, ADMIN_PASSWORD = "admin@contoso.com", "Adm1n-Passw0rd!"


def sso_sign_in(page: Page, harness: Harness, upn: str, password: str) -> None:
    page.goto(harness.sign_on_url)
    page.wait_for_url(re.compile(re.escape(harness.idp_url)))
    EntraSignIn(page).sign_in(upn, password)


def test_a_session_cookie_copied_before_sign_out_is_dead_after_it(
    page: Page, browser: Browser, harness: Harness
) -> None:
    sso_sign_in(page, harness, "B.Simon@contoso.com", "Passw0rd!")
    Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")
    copied = [c for c in page.context.cookies(harness.sp_url) if c["name"] == "sp_session"]
    assert copied

    sign_out = SignOut(page, harness.sp_url, harness.idp_url)
    sign_out.click_sign_out()
    sign_out.expect_signed_out_of_both()

    thief = browser.new_context()
    try:
        thief.add_cookies(copied)  # type: ignore[arg-type]
        stolen = thief.new_page()
        Perform(stolen, harness.sp_url).expect_not_signed_in()
    finally:
        thief.close()


def test_a_replaced_entra_account_is_refused_until_re_linked(
    page: Page, browser: Browser, harness: Harness
) -> None:
    entra = EntraClient(harness.idp_url, harness.api_token)
    app = entra.get_app(APP_ID)
    upn = f"Pat.Link{secrets.token_hex(3)}@contoso.com"
    first = entra.add_user(upn, display_name="Pat Link")
    entra.assign(first, app)

    admin_context = browser.new_context()
    admin = TrakstarAdmin(admin_context.new_page(), harness.sp_url)
    try:
        admin.sign_in(ADMIN, ADMIN_PASSWORD)
        admin.open_people()
        admin.add_person("Pat Link", upn)
        admin.activate("Pat Link", upn)

        sso_sign_in(page, harness, upn, first.password)  # the first sign-in links Pat
        Perform(page, harness.sp_url).expect_dashboard_for("Pat Link")
        expect(page.locator("#linked-object-id")).to_have_text(first.object_id)
        page.context.clear_cookies()

        # Pat's Entra account is deleted and created again: same UPN, another object ID.
        entra.call("DELETE", f"/v1.0/users/{first.object_id}")
        second = entra.add_user(upn, display_name="Pat Link")
        entra.assign(second, app)
        sso_sign_in(page, harness, upn, second.password)
        Perform(page, harness.sp_url).expect_sso_error("linked to a different Microsoft account")
        Perform(page, harness.sp_url).expect_not_signed_in()

        admin.page.reload()
        row = admin.person_row(upn)
        expect(row.locator(".link")).to_contain_text(first.object_id)
        admin.page.get_by_role("button", name="Re-link Pat Link").click()
        expect(admin.person_row(upn).locator(".link")).to_contain_text("not linked yet")

        page.context.clear_cookies()
        sso_sign_in(page, harness, upn, second.password)
        Perform(page, harness.sp_url).expect_dashboard_for("Pat Link")
        expect(page.locator("#linked-object-id")).to_have_text(second.object_id)
    finally:
        admin_context.close()
