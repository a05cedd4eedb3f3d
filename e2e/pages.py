"""Page objects for what a person sees: Entra's sign-in pages and Trakstar's pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


class EntraSignIn:
    """The mock's sign-in, as Entra does it: username, password, then "Stay signed in?" (the
    tenant shows it by default; `sign_in` answers No unless `stay_signed_in`)."""

    def __init__(self, page: Page, *, stay_signed_in: bool = False) -> None:
        self.page = page
        self.stay_signed_in = stay_signed_in

    def expect_shown(self) -> None:
        expect(self.page.get_by_role("heading", name="Sign in")).to_be_visible()

    def enter_username(self, upn: str) -> None:
        self.page.get_by_label("Email, phone, or Skype").fill(upn)
        self.page.get_by_role("button", name="Next").click()

    def enter_password(self, password: str) -> None:
        expect(self.page.get_by_role("heading", name="Enter password")).to_be_visible()
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    def answer_stay_signed_in(self) -> None:
        """Entra's KMSI prompt, when the page after the password is that prompt."""
        self.page.wait_for_load_state("domcontentloaded")
        if self.page.locator("#KmsiCheckboxField").count() == 0:
            return
        expect(self.page.get_by_role("heading", name="Stay signed in?")).to_be_visible()
        self.page.get_by_role("button", name="Yes" if self.stay_signed_in else "No").click()

    def sign_in(self, upn: str, password: str) -> None:
        self.expect_shown()
        self.enter_username(upn)
        self.enter_password(password)
        self.answer_stay_signed_in()

    def expect_error(self, text: str) -> None:
        expect(self.page.get_by_role("alert")).to_contain_text(text)


class EntraErrorPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def expect_code(self, code: int) -> None:
        expect(
            self.page.get_by_text("Sorry, but we're having trouble signing you in.")
        ).to_be_visible()
        expect(self.page.locator("#aadsts")).to_contain_text(f"AADSTS{code}:")


class Perform:
    """Trakstar Perform pages on the SP."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def expect_dashboard_for(self, name: str) -> None:
        self.page.wait_for_url(re.compile(re.escape(self.base_url) + r"/dashboard$"))
        expect(self.page.locator("#whoami")).to_contain_text(f"Signed in as {name}")

    def expect_sso_error(self, text: str) -> None:
        expect(self.page.get_by_role("heading", name="Single sign-on failed")).to_be_visible()
        expect(self.page.locator("#sso-error")).to_contain_text(text)
        expect(self.page.locator("#error-id")).not_to_be_empty()

    def expect_not_signed_in(self) -> None:
        """Nothing granted: the protected page still sends the browser to sign in."""
        self.page.goto(f"{self.base_url}/dashboard")
        self.page.wait_for_url(re.compile(re.escape(self.base_url) + r"/login"))
        expect(self.page.get_by_role("heading", name="Sign in to Trakstar Perform")).to_be_visible()


class SignOut:
    """Trakstar's Sign out button, single logout through Entra, and where it ends."""

    def __init__(self, page: Page, sp_url: str, idp_url: str) -> None:
        self.page = page
        self.sp_url = sp_url
        self.idp_url = idp_url

    def click_sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()

    def expect_signed_out_of_both(self) -> None:
        """Back on Trakstar from Entra's LogoutResponse, Entra's sign-out confirmed."""
        self.page.wait_for_url(re.compile(re.escape(self.sp_url) + r"/auth/saml/logout\?"))
        expect(self.page.locator("#signed-out")).to_have_text(
            "You have signed out of Trakstar Perform and Microsoft Entra ID."
        )


class EntraScenario:
    """Test mode only: the Scenario menu on the password page, and the login-CSRF capture page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def choose(self, case: str) -> None:
        """Pick a fault case for this browser's next response (before signing in)."""
        self.page.get_by_label("Scenario (test mode)").select_option(case)

    def captured_link(self) -> str:
        """The mock's "another origin" link for the response the attacker just captured."""
        expect(self.page.get_by_role("heading", name="Response captured")).to_be_visible()
        href = self.page.locator("#another-origin-link").get_attribute("href")
        assert href, "the capture page shows no link"
        return href
