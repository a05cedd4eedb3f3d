"""Attacks chosen from the mock's Scenario menu, in Chromium: the user sees Trakstar's error
page, with an error id, and is not signed in. The mock runs in test mode in this suite."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Harness
from e2e.pages import EntraScenario, EntraSignIn, Perform

USER, PASSWORD = "B.Simon@contoso.com", "Passw0rd!"


def sign_in_with(page: Page, harness: Harness, case: str | None) -> None:
    page.goto(harness.sign_on_url)
    entra = EntraSignIn(page)
    entra.expect_shown()
    entra.enter_username(USER)
    expect(page.get_by_role("heading", name="Enter password")).to_be_visible()
    if case:
        EntraScenario(page).choose(case)
    entra.enter_password(PASSWORD)
    entra.answer_stay_signed_in()


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("expired-assertion", "not valid for Trakstar Perform"),
        ("wrong-certificate", "does not trust"),
        ("xsw3", "not a valid SAML message"),
        ("sha1", "algorithm we do not accept"),
    ],
)
def test_a_scenario_ends_on_trakstars_error_page(
    case: str, reason: str, page: Page, harness: Harness
) -> None:
    sign_in_with(page, harness, case)

    perform = Perform(page, harness.sp_url)
    perform.expect_sso_error(reason)
    expect(page.locator("#error-id")).to_have_text(re.compile(r"^[0-9a-f]{12}$"))
    perform.expect_not_signed_in()


def test_a_replayed_response_fails_and_the_first_session_stands(
    page: Page, browser: Browser, harness: Harness
) -> None:
    sign_in_with(page, harness, None)
    Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")
    second = browser.new_context()
    try:
        other = second.new_page()
        sign_in_with(other, harness, "replay")  # the mock posts the first browser's response
        Perform(other, harness.sp_url).expect_sso_error("does not match a sign-in started")
        Perform(other, harness.sp_url).expect_not_signed_in()
    finally:
        second.close()

    page.reload()
    Perform(page, harness.sp_url).expect_dashboard_for("Britta Simon")


def test_a_captured_response_posted_from_another_origin_is_refused(
    page: Page, browser: Browser, harness: Harness
) -> None:
    sign_in_with(page, harness, "login-csrf")
    link = EntraScenario(page).captured_link()
    victim = browser.new_context()
    try:
        target = victim.new_page()
        target.goto(harness.idp_url + link)  # the mock auto-posts it to Trakstar's ACS
        Perform(target, harness.sp_url).expect_sso_error("does not match a sign-in started")
        Perform(target, harness.sp_url).expect_not_signed_in()
    finally:
        victim.close()
