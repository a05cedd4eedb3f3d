"""Page objects for a Trakstar administrator: sign in, SAML 2.0 > Configure, People.

They follow the seed tutorial's Trakstar steps in Trakstar's own words, by role and label,
so the tutorial test reads like the tutorial.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page, expect


class TrakstarAdmin:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    # --- sign in -------------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> None:
        """Local sign-in with email and password, as an administrator does before SSO works."""
        self.page.goto(f"{self.base_url}/login")
        form = self.page.get_by_role("region", name="Email and password")
        form.get_by_label("Email").fill(email)
        form.get_by_label("Password").fill(password)
        form.get_by_role("button", name="Sign in", exact=True).click()
        self.page.wait_for_url(re.compile(re.escape(self.base_url) + r"/dashboard$"))

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(re.compile(re.escape(self.base_url) + r"/login"))

    # --- Settings > Authentication & SSO > SAML 2.0 > Configure ---------------------------

    def open_settings(self) -> None:
        self.page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Settings"
        ).click()
        expect(self.page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()

    def settings_tabs(self) -> Locator:
        return self.page.get_by_role("navigation", name="Settings").get_by_role("link")

    def open_saml_configure(self) -> None:
        self.open_settings()
        self.settings_tabs().filter(has_text="Authentication & SSO").click()
        saml = self.page.get_by_role("region", name="SAML 2.0")
        saml.get_by_role("link", name="Configure").click()
        expect(self.page.get_by_role("heading", name="SAML 2.0 · Configure")).to_be_visible()

    def _value(self, label: str) -> str:
        return self.page.get_by_label(label, exact=True).input_value()

    def acs_url(self) -> str:
        """The ACS (Consumer) URL: Entra's Reply URL, with this organisation's namespace."""
        return self._value("ACS (Consumer) URL")

    def namespace(self) -> str:
        return parse_qs(urlsplit(self.acs_url()).query)["namespace"][0]

    def sign_on_url(self) -> str:
        return self._value("Sign on URL")

    def entity_id(self) -> str:
        return self._value("Entity ID")

    def copy(self, label: str) -> None:
        button = self.page.get_by_role("button", name=f"Copy {label}")
        button.click()
        expect(button).to_have_text("Copied")

    def configure_saml(
        self, *, login_url: str, identifier: str, logout_url: str, certificate: str
    ) -> None:
        """Paste Entra's three URLs and the Certificate (Base64), then save."""
        self.fill_saml(
            login_url=login_url,
            identifier=identifier,
            logout_url=logout_url,
            certificate=certificate,
        )
        self.save_saml()
        expect(
            self.page.get_by_role("status").filter(has_text="SAML settings saved.")
        ).to_be_visible()

    def fill_saml(
        self, *, login_url: str, identifier: str, logout_url: str, certificate: str
    ) -> None:
        self.page.get_by_label("IdP Login URL (SSO target URL)").fill(login_url)
        self.page.get_by_label("Microsoft Entra Identifier").fill(identifier)
        self.page.get_by_label("Logout URL (optional)").fill(logout_url)
        self.page.get_by_label("Certificate (Base64)").fill(certificate)

    def save_saml(self) -> None:
        self.page.get_by_role("button", name="Save", exact=True).click()

    def thumbprint(self) -> str:
        """The active certificate's thumbprint, as Entra shows it (SHA-1, uppercase hex)."""
        return self.page.locator("#thumbprint").inner_text()

    def expect_field_error(self, field: str, text: str) -> None:
        expect(self.page.locator(f"#{field}-error")).to_contain_text(text)

    # --- People --------------------------------------------------------------------------

    def open_people(self) -> None:
        self.page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
        expect(self.page.get_by_role("heading", name="People", exact=True)).to_be_visible()

    def person_row(self, email: str) -> Locator:
        return self.page.get_by_role("table", name="People").locator(f'tr[data-email="{email}"]')

    def add_person(self, name: str, email: str) -> None:
        """Add a person (inactive until activated), as "Create Trakstar test user" asks."""
        form = self.page.get_by_role("form", name="Add a person")
        form.get_by_label("Name", exact=True).fill(name)
        form.get_by_label("Email", exact=True).fill(email)
        form.get_by_role("button", name="Add person").click()
        expect(self.person_row(email).locator(".status")).to_have_text("Inactive")

    def activate(self, name: str, email: str) -> None:
        self.page.get_by_role("button", name=f"Activate {name}").click()
        expect(self.person_row(email).locator(".status")).to_have_text("Active")

    def deactivate(self, name: str, email: str) -> None:
        self.page.get_by_role("button", name=f"Deactivate {name}").click()
        expect(self.person_row(email).locator(".status")).to_have_text("Inactive")

    def remove(self, name: str, email: str) -> None:
        self.page.get_by_role("button", name=f"Remove {name}").click()
        expect(self.person_row(email)).to_have_count(0)
